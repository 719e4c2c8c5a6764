"""The outbox of a simulator's webhooks: each state change queues one
signed notification; delivery passes send them (duplicated, reversed,
delayed on demand) and keep those the receiver did not take with a 2xx for
the next pass, up to ``max_attempts``."""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .common import to_json


@dataclass
class WebhookBehaviour:
    """How webhooks go out (see :mod:`.base`)."""

    duplicates: int = 0  # extra copies of every delivery
    reverse: bool = False  # a pass sends the newest first
    delay: float = 0.0  # seconds before the first attempt (auto delivery)
    backoff: float = 1.0  # seconds before the 2nd attempt, doubling after
    max_attempts: int = 8
    timeout: float = 5.0  # seconds the receiver has to answer


@dataclass
class Notification:
    """A webhook waiting in the outbox (``data`` is what the vendor signs)."""

    id: str
    url: str
    body: bytes
    data: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    next_attempt_at: float = 0.0


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver a notification."""

    notification_id: str
    url: str
    attempt: int
    status: int | None
    headers: Mapping[str, str]
    body: bytes
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class WebhookOutbox:
    """The webhook half of :class:`~.base.Simulator` (which provides
    ``lock``, ``webhooks``, ``outbox``, ``deliveries``, ``log`` and the
    ``_wake``/``_stopping`` signals)."""

    lock: threading.RLock
    webhooks: WebhookBehaviour
    outbox: list[Notification]
    deliveries: list[Delivery]
    _wake: threading.Condition
    _stopping: threading.Event

    def log(self, text: str) -> None:
        raise NotImplementedError

    def enqueue(self, url: str | None, body: Any, **data: Any) -> None:
        """Queue a webhook (its body frozen now, as the vendor sends it)."""
        if not url:
            return
        with self._wake:
            self.outbox.append(
                Notification(
                    id=data.pop("notification_id", None) or uuid.uuid4().hex,
                    url=url,
                    body=body if isinstance(body, bytes) else to_json(body),
                    data=data,
                    next_attempt_at=time.monotonic() + self.webhooks.delay,
                )
            )
            self._wake.notify_all()

    def sign(self, notification: Notification) -> tuple[str, dict[str, str]]:
        """The URL and headers of one delivery attempt; subclasses sign."""
        return notification.url, {"Content-Type": "application/json"}

    def deliver(self) -> list[Delivery]:
        """One delivery pass over every queued webhook (in the order the
        behaviour says, duplicates included); those answered 2xx, or out of
        attempts, leave the queue. Returns the attempts made."""
        with self.lock:
            due = list(self.outbox)
        return self._deliver(due)

    def deliver_until_done(self, *, passes: int = 10) -> list[Delivery]:
        """Delivery passes until the queue is empty (at most ``passes``)."""
        made: list[Delivery] = []
        for _ in range(passes):
            if not self.outbox:
                break
            made += self.deliver()
        return made

    def _deliver(self, due: list[Notification]) -> list[Delivery]:
        if self.webhooks.reverse:
            due = list(reversed(due))
        made = []
        for notification in due:
            attempts = [
                self._attempt(notification) for _ in range(1 + self.webhooks.duplicates)
            ]
            made += attempts
            with self.lock:
                notification.attempts += 1
                pause = min(
                    self.webhooks.backoff * 2 ** (notification.attempts - 1), 60
                )
                notification.next_attempt_at = time.monotonic() + pause
                done = any(attempt.ok for attempt in attempts)
                if done or notification.attempts >= self.webhooks.max_attempts:
                    if notification in self.outbox:
                        self.outbox.remove(notification)
        return made

    def _attempt(self, notification: Notification) -> Delivery:
        url, headers = self.sign(notification)
        status, error = None, ""
        try:
            status = _post(url, notification.body, headers, self.webhooks.timeout)
        except (OSError, http.client.HTTPException) as exc:
            error = str(exc) or exc.__class__.__name__
        delivery = Delivery(
            notification_id=notification.id,
            url=url,
            attempt=notification.attempts + 1,
            status=status,
            headers=headers,
            body=notification.body,
            error=error,
        )
        with self.lock:
            self.deliveries.append(delivery)
        self.log(f"webhook {notification.id} -> {url}: {status or error}")
        return delivery

    def _deliver_forever(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                now = time.monotonic()
                due = [n for n in self.outbox if n.next_attempt_at <= now]
                if not due:
                    waits = [n.next_attempt_at - now for n in self.outbox]
                    self._wake.wait(timeout=min(waits) if waits else None)
                    continue
            self._deliver(due)
