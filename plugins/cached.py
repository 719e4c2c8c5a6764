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

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import transaction


def _backend():
    # The backend itself: the ``cache`` proxy looks it up on every use.
    return caches[DEFAULT_CACHE_ALIAS]


class Generation:
    """A cache key whose value is renewed whenever what it stands for
    changes: entries built under one generation are keyed with it, so a
    renewal leaves them where nobody looks any more (they expire).

    The one scheme of the project's caches: the API's responses (the
    catalog's generation), small sets of rows (:class:`CachedRows`) and the
    stock availability (one generation per SKU under a generation of all)."""

    def __init__(self, key: str):
        self.key = key

    def current(self, backend=None) -> str:
        return self.current_many([self.key], backend)[self.key]

    def renew(self, **kwargs) -> None:
        """Renew now (also a signal receiver)."""
        self.renew_many([self.key])

    def renew_now_and_on_commit(self, **kwargs) -> None:
        """Renew now, for the transaction's own reads, and again after
        commit, for readers that loaded the old values meanwhile."""
        self.renew()
        transaction.on_commit(self.renew)

    @staticmethod
    def current_many(keys: list[str], backend=None) -> dict[str, str]:
        """The generation under each key, started where there is none (the
        first writer wins: ``add`` does not overwrite)."""
        backend = backend or _backend()
        found = backend.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            for key in missing:
                backend.add(key, uuid.uuid4().hex, None)
            found.update(backend.get_many(missing))
        return {key: found.get(key, "0") for key in keys}

    @staticmethod
    def renew_many(keys, backend=None) -> None:
        backend = backend or _backend()
        backend.set_many({key: uuid.uuid4().hex for key in keys}, None)


class CachedRows:
    def __init__(self, name: str, load: Callable[[], Any], *, timeout: int = 3600):
        self.name = name
        self.load = load
        self.timeout = timeout
        self.generation = Generation(f"rows:{name}:generation")

    def get(self) -> Any:
        backend = _backend()
        key = f"rows:{self.name}:{self.generation.current(backend)}"
        rows = backend.get(key)
        if rows is None:
            rows = self.load()
            backend.set(key, rows, self.timeout)
        return rows

    def changed(self, **kwargs) -> None:
        """A change to the rows (also a signal receiver): the next reader
        loads them again — renewed now, for this transaction's own reads, and
        after commit, for readers that loaded the rows meanwhile."""
        self.generation.renew_now_and_on_commit()
