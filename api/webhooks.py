"""Outgoing webhooks: signed notifications of catalog and page events.

Each POST carries the JSON body and the headers ``X-Retaguarda-Event``,
``X-Retaguarda-Delivery`` (the delivery's id: receivers use it to ignore
repeats), ``X-Retaguarda-Timestamp`` and
``X-Retaguarda-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<body>"`` with the subscription's secret. A delivery that fails
(network error or a non-2xx answer) is retried with exponential backoff, up to
``MAX_ATTEMPTS``; the delivery log in the admin can send it again.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from api.models import WebhookDelivery, WebhookSubscription, events_match
from plugins.cached import CachedRows

logger = logging.getLogger(__name__)

EVENTS = [
    "product.published",
    "product.unpublished",
    "product.updated",
    "category.published",
    "category.unpublished",
    "page.published",
    "page.unpublished",
]


def all_events() -> list[str]:
    """The core's events and those of every enabled app (``WEBHOOK_EVENTS``)."""
    from api.hooks import WEBHOOK_EVENTS
    from plugins.hooks import collect

    extra = [event for events in collect(WEBHOOK_EVENTS) for event in events]
    return [*EVENTS, *sorted(set(extra) - set(EVENTS))]


MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min
TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


#: (pk, events) of the active subscriptions: every order placed and every
#: page published emits an event.
active_subscriptions = CachedRows(
    "api:webhook-subscriptions",
    lambda: list(
        WebhookSubscription.objects.filter(active=True)
        .order_by("pk")
        .values_list("pk", "events")
    ),
)


def emit(event: str, payload: dict) -> list[WebhookDelivery]:
    """Record a delivery for every subscription that wants ``event`` and send
    them after the current transaction commits."""
    deliveries = [
        WebhookDelivery(subscription_id=pk, event=event, payload=payload)
        for pk, events in active_subscriptions.get()
        if events_match(events, event)
    ]
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
        ids = [str(delivery.pk) for delivery in deliveries]
        transaction.on_commit(lambda: [deliver_task.enqueue(pk) for pk in ids])
    return deliveries


def address_allowed(url: str) -> bool:
    """Webhooks go to the internet, not to this server's own network (no
    loopback, private, link-local or reserved addresses), unless
    ``RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE`` is on."""
    if getattr(settings, "RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE", False):
        return True
    host = urllib.parse.urlsplit(url).hostname
    if not host:
        return False
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return False
    return True


def deliver(delivery: WebhookDelivery) -> bool:
    """One attempt. Records the outcome and when to try again."""
    body = orjson.dumps(
        {"id": str(delivery.pk), "event": delivery.event, "data": delivery.payload}
    )
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the URL is an http(s) URLField
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Retaguarda-Webhooks/1",
            "X-Retaguarda-Event": delivery.event,
            "X-Retaguarda-Delivery": str(delivery.pk),
            "X-Retaguarda-Timestamp": timestamp,
            "X-Retaguarda-Signature": sign(
                delivery.subscription.secret, timestamp, body
            ),
        },
    )
    delivery.attempts += 1
    try:
        if not address_allowed(delivery.subscription.url):
            raise OSError("address not allowed for webhooks (private or local network)")
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            delivery.last_status_code = response.status
            ok = 200 <= response.status < 300
            delivery.last_error = ""
    except urllib.error.HTTPError as exc:
        delivery.last_status_code, ok = exc.code, False
        delivery.last_error = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        delivery.last_status_code, ok = None, False
        delivery.last_error = str(exc)[:300]
    now = timezone.now()
    if ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at, delivery.next_attempt_at = now, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delay = BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
    delivery.save(
        update_fields=[
            "attempts",
            "status",
            "last_status_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return ok


def deliver_due(now=None) -> int:
    """Attempt every pending delivery whose time has come (run by
    ``manage.py deliver_webhooks`` periodically, and by the worker)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=WebhookDelivery.Status.PENDING,
    ).select_related("subscription")
    return sum(1 for delivery in due if deliver(delivery))


def redeliver(delivery: WebhookDelivery) -> None:
    """Send a delivery again now (the admin's button)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=None
    )
    transaction.on_commit(lambda: deliver_task.enqueue(str(delivery.pk)))


@task()
def deliver_task(delivery_id: str) -> None:
    delivery = (
        WebhookDelivery.objects.select_related("subscription")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None or deliver(delivery) or delivery.next_attempt_at is None:
        return
    from django_tasks import default_task_backend

    if default_task_backend.supports_defer:
        deliver_task.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
    # otherwise `manage.py deliver_webhooks` (run periodically) retries it
