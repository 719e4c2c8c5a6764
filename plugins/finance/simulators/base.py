"""What every vendor simulator shares: an HTTP server on loopback in a
thread, bearer-token and idempotency-key checks, faults injected on demand,
and an outbox of signed webhooks delivered with retries, duplicates,
reordering and delays.

A simulator keeps its payments in memory and speaks one vendor's API shape
(:mod:`.mercadopago`, :mod:`.pagbank`). Tests use it as a context manager
and deliver webhooks by calling :meth:`Simulator.deliver` (nothing happens
behind their back); the demo runs it with ``auto_deliver=True``, where a
thread delivers each webhook after ``webhooks.delay`` seconds and retries
failures with growing pauses until the receiver answers 2xx.

Misbehaviour on demand:

- ``faults.fail(status=500, times=1, retry_after=None)``: the next API
  requests answer that status (503/429 with ``Retry-After`` if given);
- ``faults.hang(times=1, after_processing=False)``: the next API requests
  get no answer at all (the client times out); with ``after_processing``
  the operation is done first, as when an answer is lost on the way;
- ``webhooks.duplicates = n``: every delivery is sent n extra times;
- ``webhooks.reverse = True``: a delivery pass sends the newest first;
- ``webhooks.delay``: seconds before a webhook goes out (auto delivery);
- a receiver that does not answer 2xx gets the webhook again on the next
  pass, up to ``webhooks.max_attempts``.

The same controls are on the HTTP server under ``/_simulator/`` for the
demo: ``POST /_simulator/payments/<id>/<approve|reject|refund|chargeback|
expire>`` (``<id>`` the vendor's id of the payment or the store's reference
sent with it: our payment's id), ``POST /_simulator/deliver``, ``POST
/_simulator/faults`` (``{"fail": {...}}``, ``{"hang": {...}}`` or
``{"clear": true}``), ``PUT /_simulator/webhooks`` and ``GET
/_simulator/deliveries``.

With a ``state_file`` a simulator keeps its payments (and the counters its
ids come from) in that JSON file: it reads it when it starts and writes it
after every request, so one started again (the demo's, after it exits)
knows the payments made before and never hands out an id twice. Its
idempotency keys, faults and queued webhooks are not kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .common import ApiError, Faults, Reply, Request, SimulatorError, to_json
from .webhooks import Delivery, Notification, WebhookBehaviour, WebhookOutbox

#: The longest a hung request waits before the server lets it go.
HANG_LIMIT = 30.0


class Simulator(WebhookOutbox):
    """A vendor's API on ``http://127.0.0.1:<port>``; subclasses add routes."""

    vendor = ""
    #: ``(method, path regex, handler name)``; handlers take
    #: ``(request, **groups)`` and return a :class:`Reply`.
    routes: list[tuple[str, str, str]] = []
    #: Routes answered without a token (public links: slips, QR images).
    public_routes: list[tuple[str, str, str]] = []
    #: The attributes that hold the payments and id counters: what a
    #: ``state_file`` keeps (JSON; amounts read back as ``Decimal``).
    state_attributes: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        access_token: str,
        webhook_secret: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        auto_deliver: bool = False,
        verbose: bool = False,
        state_file: str | os.PathLike[str] | None = None,
    ) -> None:
        self.access_token = access_token
        self.webhook_secret = webhook_secret or access_token
        self.host, self.port = host, port
        self.auto_deliver = auto_deliver
        self.verbose = verbose
        self.state_file = Path(state_file) if state_file else None
        self.faults = Faults()
        self.webhooks = WebhookBehaviour()
        self.deliveries: list[Delivery] = []
        self.outbox: list[Notification] = []
        self.lock = threading.RLock()
        self._wake = threading.Condition(self.lock)
        self._release = threading.Event()
        self._stopping = threading.Event()
        self._idempotency: dict[tuple, tuple[str, Reply]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- Life cycle ---------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The simulator is not running: start it first.")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> Simulator:
        simulator = self

        class Handler(_Handler):
            pass

        Handler.simulator = simulator
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.load_state()
        self._server.daemon_threads = True
        self._stopping.clear()
        self._release.clear()
        server = self._server
        # A short poll: stopping (at the end of every test) waits for it.
        targets: list[Callable[[], None]] = [
            lambda: server.serve_forever(poll_interval=0.05)
        ]
        if self.auto_deliver:
            targets.append(self._deliver_forever)
        for target in targets:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._release.set()  # let hung requests go
        with self._wake:
            self._wake.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self.save_state()  # what was changed by calling its methods

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Run until interrupted (the command-line entry point)."""
        if self._server is None:
            self.start()
        try:
            while not self._stopping.wait(3600):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def log(self, text: str) -> None:
        if self.verbose:
            print(f"[{self.vendor}] {text}", file=sys.stderr, flush=True)  # noqa: T201

    # -- State ----------------------------------------------------------------------

    def load_state(self) -> None:
        """Read the payments kept in ``state_file``, if there is one. A file
        that cannot be read is renamed ``<name>.unreadable`` and the simulator
        starts empty."""
        if self.state_file is None or not self.state_file.exists():
            return
        try:
            state = json.loads(self.state_file.read_bytes(), parse_float=Decimal)
            if not isinstance(state, dict):
                raise ValueError("not a JSON object")
        except ValueError as error:
            kept = self.state_file.with_name(self.state_file.name + ".unreadable")
            os.replace(self.state_file, kept)
            self.log(f"{self.state_file} is unreadable ({error}): moved to {kept}")
            return
        with self.lock:
            for name in self.state_attributes:
                if name in state:
                    setattr(self, name, state[name])

    def save_state(self) -> None:
        """Write the payments to ``state_file`` (when given), replacing it
        whole, so that a simulator stopped at any moment leaves a readable
        file."""
        if self.state_file is None:
            return
        with self.lock:
            state = {name: getattr(self, name) for name in self.state_attributes}
            data = to_json(state)
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            partial = self.state_file.with_name(self.state_file.name + ".partial")
            partial.write_bytes(data)
            os.replace(partial, self.state_file)

    # -- Requests -------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, query: dict, headers: dict, body: bytes
    ) -> Reply | None:
        """Answer one request; ``None`` means: close without answering."""
        try:
            return self._dispatch(Request(method, path, query, headers, body))
        finally:
            self.save_state()

    def _dispatch(self, request: Request) -> Reply | None:
        method, path = request.method, request.path
        if path.startswith("/_simulator/"):
            return self._control(request)
        for route_method, pattern, name in self.public_routes:
            match = re.fullmatch(pattern, path)
            if match and method == route_method:
                return getattr(self, name)(request, **match.groupdict())
        for route_method, pattern, name in self.routes:
            match = re.fullmatch(pattern, path)
            if match and method == route_method:
                return self._api(request, name, match.groupdict())
        return self.error_reply(ApiError(404, "resource not found"))

    def _api(self, request: Request, name: str, groups: dict) -> Reply | None:
        fault = self.faults.take()
        if fault and fault.kind == "fail":
            reply = self.error_reply(ApiError(fault.status, "simulated failure"))
            if fault.retry_after is not None:
                reply.headers["Retry-After"] = str(fault.retry_after)
            return reply
        if fault and not fault.after_processing:
            self._release.wait(HANG_LIMIT)
            return None
        reply = self._authenticated(request, name, groups)
        if fault:  # hang after processing: the answer is lost
            self._release.wait(HANG_LIMIT)
            return None
        return reply

    def _authenticated(self, request: Request, name: str, groups: dict) -> Reply:
        authorization = request.headers.get("authorization", "")
        expected = f"Bearer {self.access_token}"
        if not hmac.compare_digest(authorization.encode(), expected.encode()):
            return self.error_reply(ApiError(401, "unauthorized"))
        try:
            return getattr(self, name)(request, **groups)
        except ApiError as error:
            return self.error_reply(error)

    def error_reply(self, error: ApiError) -> Reply:
        """The vendor's error shape; subclasses override."""
        return Reply(error.status, {"message": error.message})

    def idempotent(
        self, request: Request, key: str | None, produce: Callable[[], Reply]
    ) -> Reply:
        """Run ``produce`` once per idempotency key: the same key with the same
        body answers the first reply again; with another body, 409."""
        if not key:
            return produce()
        scope = (request.method, request.path, key)
        digest = hashlib.sha256(request.body).hexdigest()
        with self.lock:
            if scope in self._idempotency:
                first_digest, reply = self._idempotency[scope]
                if first_digest != digest:
                    raise ApiError(
                        409, "idempotency key already used with another body"
                    )
                return reply
            reply = produce()
            if reply.status < 500:
                self._idempotency[scope] = (digest, reply)
            return reply

    # -- Control --------------------------------------------------------------------

    actions = ("approve", "reject", "refund", "chargeback", "expire")

    def payment_id_for(self, key: str) -> str:
        """The vendor's id of the payment that ``key`` names: its id, or the
        store's reference sent with it; subclasses look references up."""
        return key

    def _control(self, request: Request) -> Reply:
        path = request.path.removeprefix("/_simulator")
        payload = request.json() if request.body else {}
        try:
            match = re.fullmatch(r"/payments/([^/]+)/(\w+)", path)
            if match and request.method == "POST" and match[2] in self.actions:
                arguments = {}
                if match[2] == "refund" and payload.get("amount") is not None:
                    arguments["amount"] = Decimal(str(payload["amount"]))
                payment_id = self.payment_id_for(match[1])
                return Reply(200, getattr(self, match[2])(payment_id, **arguments))
            if path == "/deliver" and request.method == "POST":
                return Reply(200, [_delivery_json(d) for d in self.deliver()])
            if path == "/deliveries" and request.method == "GET":
                return Reply(200, [_delivery_json(d) for d in self.deliveries])
            if path == "/faults" and request.method == "POST":
                if payload.get("clear"):
                    self.faults.clear()
                if "fail" in payload:
                    self.faults.fail(**payload["fail"])
                if "hang" in payload:
                    self.faults.hang(**payload["hang"])
                return Reply(204)
            if path == "/webhooks" and request.method == "PUT":
                for name, value in payload.items():
                    if hasattr(self.webhooks, name):
                        setattr(self.webhooks, name, value)
                return Reply(200, asdict(self.webhooks))
        except (SimulatorError, TypeError, KeyError) as error:
            return Reply(409, {"message": str(error)})
        return Reply(404, {"message": "unknown control"})


def _delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "notification_id": delivery.notification_id,
        "url": delivery.url,
        "attempt": delivery.attempt,
        "status": delivery.status,
        "error": delivery.error,
    }


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: without TCP_NODELAY the
    # body waits for the client's delayed ACK of the headers (about 40 ms on
    # Linux), on every answer.
    disable_nagle_algorithm = True

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.simulator.dispatch(
            self.command, parts.path, dict(parse_qsl(parts.query)), headers, body
        )
        if reply is None:
            self.close_connection = True
            return
        content = b""
        if reply.body is not None:
            content = (
                reply.body if isinstance(reply.body, bytes) else to_json(reply.body)
            )
        self.send_response(reply.status)
        if content:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        self.simulator.log(format % args)
