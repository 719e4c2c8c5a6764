"""Small sets of rows that hot paths read on every request and staff seldom
change (the storefront channels, the webhook subscriptions): kept in Django's
cache until one of them changes.

Each set lives under a generation that every change renews, when it is made
and again when it commits, so a reader that loaded the rows while a change
was committing stores them where nobody looks any more. Changes made with
``QuerySet.update()`` send no signal: call :meth:`CachedRows.changed` after
them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import transaction


class CachedRows:
    def __init__(self, name: str, load: Callable[[], Any], *, timeout: int = 3600):
        self.name = name
        self.load = load
        self.timeout = timeout
        self.generation_key = f"rows:{name}:generation"

    def _generation(self, backend) -> str:
        generation = backend.get(self.generation_key)
        if generation is None:
            backend.add(self.generation_key, uuid.uuid4().hex, None)
            generation = backend.get(self.generation_key, "0")
        return generation

    def get(self) -> Any:
        # The backend itself: the ``cache`` proxy looks it up on every use.
        backend = caches[DEFAULT_CACHE_ALIAS]
        key = f"rows:{self.name}:{self._generation(backend)}"
        rows = backend.get(key)
        if rows is None:
            rows = self.load()
            backend.set(key, rows, self.timeout)
        return rows

    def changed(self, **kwargs) -> None:
        """A change to the rows (also a signal receiver): the next reader
        loads them again — renewed now, for this transaction's own reads, and
        after commit, for readers that loaded the rows meanwhile."""
        self._renew()
        transaction.on_commit(self._renew)

    def _renew(self) -> None:
        cache.set(self.generation_key, uuid.uuid4().hex, None)
