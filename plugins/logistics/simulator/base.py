"""What the carrier simulators share, on top of the payment simulators'
machinery (:mod:`plugins.finance.simulators`: the loopback HTTP server in a
thread with TCP_NODELAY, bearer-token checks, faults on demand, the outbox
of signed webhooks delivered with repeats, reordering and retries).

A carrier simulator keeps its objects (parcels) in memory, each with its
tracking events, and pushes every new event to ``webhook_url`` (when set):
tests deliver them with :meth:`deliver` (``webhooks.duplicates`` and
``webhooks.reverse`` repeat and reorder them); the demo delivers them on
its own. Faults (``faults.fail(status=503)``, ``faults.hang()``) apply to
the vendor's API routes.

Control over HTTP for the demo, besides the payment simulators'
``/_simulator/deliver``, ``/_simulator/faults`` and ``/_simulator/webhooks``:

- ``POST /_simulator/objects/<code>/<step>``: move an object along
  (``post``, ``transit``, ``out``, ``fail``, ``deliver``, ``return``);
- ``PUT /_simulator/webhook-url`` ``{"url": …}``: where pushes go;
- ``GET /_simulator/objects/<code>``: the object as the simulator keeps it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from django.utils import timezone

from plugins.finance.simulators.base import Simulator
from plugins.finance.simulators.common import Reply, SimulatorError

#: Steps of a parcel's journey the control routes and tests drive.
STEPS = ("post", "transit", "out", "fail", "deliver", "return")


class CarrierSimulator(Simulator):
    """A carrier's API on loopback; subclasses add the vendor's routes,
    :meth:`advance` (one step of an object's journey in the vendor's shape)
    and the push format (:meth:`push_body`, :meth:`sign`)."""

    def __init__(self, *, webhook_url: str = "", **options: Any) -> None:
        super().__init__(**options)
        self.webhook_url = webhook_url
        #: The parcels: ``{tracking code: {...}}`` in the vendor's shape.
        self.objects: dict[str, dict[str, Any]] = {}

    # -- Journeys -------------------------------------------------------------------

    def advance(self, code: str, step: str, *, at=None, **details: Any) -> dict:
        """Add the event of ``step`` to object ``code`` and push it."""
        raise NotImplementedError

    def journey(self, code: str, steps=("post", "transit", "out", "deliver")) -> None:
        """Several steps in a row, a minute apart, ending now."""
        now = timezone.now()
        count = len(steps)
        for index, step in enumerate(steps):
            self.advance(code, step, at=now - timedelta(minutes=count - index - 1))

    def _object(self, code: str) -> dict[str, Any]:
        try:
            return self.objects[code.upper()]
        except KeyError:
            raise SimulatorError(f"no object {code}") from None

    # -- Control ----------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, query: dict, headers: dict, body: bytes
    ) -> Reply | None:
        match = re.fullmatch(r"/_simulator/objects/([A-Za-z0-9-]+)(?:/(\w+))?", path)
        if match:
            try:
                if method == "GET" and not match[2]:
                    return Reply(200, self._object(match[1]))
                if method == "POST" and match[2] in STEPS:
                    details = json.loads(body) if body else {}
                    return Reply(200, self.advance(match[1], match[2], **details))
            except (SimulatorError, TypeError, ValueError) as error:
                return Reply(409, {"message": str(error)})
            return Reply(404, {"message": "unknown control"})
        if path == "/_simulator/webhook-url" and method == "PUT":
            try:
                self.webhook_url = str(json.loads(body or b"{}").get("url") or "")
            except (ValueError, AttributeError):
                return Reply(400, {"message": 'send {"url": ...}'})
            return Reply(200, {"url": self.webhook_url})
        return super().dispatch(method, path, query, headers, body)
