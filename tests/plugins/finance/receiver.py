"""A stand-in for our webhook endpoint: an HTTP server on loopback that
records what it receives and answers the statuses it is told to."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


class WebhookReceiver:
    """``answers`` are the statuses of the next requests, in order; then 200."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                with receiver._arrived:
                    receiver.received.append(
                        Received(
                            path=parts.path,
                            query=dict(parse_qsl(parts.query)),
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=self.rfile.read(length),
                        )
                    )
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/payments"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until ``count`` requests arrived (for webhooks sent by a
        background thread); fails the test after ``timeout`` seconds."""
        with self._arrived:
            arrived = self._arrived.wait_for(
                lambda: len(self.received) >= count, timeout=timeout
            )
        assert arrived, f"{len(self.received)} of {count} webhooks arrived"
        return list(self.received)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
