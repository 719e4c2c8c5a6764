"""Outgoing webhooks: signed notifications of catalog and page events.

Each POST carries the JSON body and the headers ``X-Retaguarda-Event``,
``X-Retaguarda-Delivery`` (the delivery's id: receivers use it to ignore
repeats), ``X-Retaguarda-Timestamp`` and
``X-Retaguarda-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<body>"`` with the subscription's secret. A delivery that fails
(network error or a non-2xx answer) is retried with exponential backoff, up to
``MAX_ATTEMPTS``; the delivery log in the admin can send it again.

Subscriptions are user-configured outbound URLs (:mod:`plugins.outbound`): only
public http(s) addresses, checked when the subscription is saved and again at
every attempt, connected to the address checked, redirects never followed (a
3xx fails the delivery, with its ``Location`` in the log).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import time

import orjson
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from api.models import WebhookDelivery, WebhookSubscription, events_match
from plugins import outbound
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


#: What people read for the core's events and their groups (``kind.*``).
EVENT_LABELS = {
    "product.*": gettext_lazy("Every product event"),
    "product.published": gettext_lazy("Product published"),
    "product.unpublished": gettext_lazy("Product unpublished"),
    "product.updated": gettext_lazy("Product updated"),
    "category.*": gettext_lazy("Every category event"),
    "category.published": gettext_lazy("Category published"),
    "category.unpublished": gettext_lazy("Category unpublished"),
    "page.*": gettext_lazy("Every page event"),
    "page.published": gettext_lazy("Page published"),
    "page.unpublished": gettext_lazy("Page unpublished"),
}


def all_events() -> list[str]:
    """The core's events and those of every enabled app (``WEBHOOK_EVENTS``)."""
    from api.hooks import WEBHOOK_EVENTS
    from plugins.hooks import collect

    extra = [
        event
        for events in collect(WEBHOOK_EVENTS)
        for event in events
        if not event.endswith(".*")
    ]
    return [*EVENTS, *sorted(set(extra) - set(EVENTS))]


def event_labels() -> dict[str, str]:
    """``{event: label}`` for every event and group (``kind.*``) that has a
    label: the core's and those an app's ``WEBHOOK_EVENTS`` gives as a dict."""
    from api.hooks import WEBHOOK_EVENTS
    from plugins.hooks import collect

    labels = {}
    for events in collect(WEBHOOK_EVENTS):
        if isinstance(events, dict):
            labels.update(events)
    return {**labels, **EVENT_LABELS}


def event_label(event: str, labels: dict[str, str] | None = None) -> str:
    """The label of ``event`` ("Pedido recebido" for ``order.placed``); an
    event without a label reads as its name."""
    return str((event_labels() if labels is None else labels).get(event, event))


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
    return emit_many([(event, payload)])


def emit_many(events: list[tuple[str, dict]]) -> list[WebhookDelivery]:
    """:func:`emit` for many ``(event, payload)`` pairs at once (one INSERT),
    e.g. the products an import published."""
    subscriptions = active_subscriptions.get()
    deliveries = [
        WebhookDelivery(subscription_id=pk, event=event, payload=payload)
        for event, payload in events
        for pk, wanted in subscriptions
        if events_match(wanted, event)
    ]
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
        ids = [str(delivery.pk) for delivery in deliveries]
        transaction.on_commit(lambda: [deliver_task.enqueue(pk) for pk in ids])
    return deliveries


def deliver(delivery: WebhookDelivery) -> bool:
    """One attempt. Records the outcome and when to try again.

    The request goes through :mod:`plugins.outbound`: only to public
    addresses (unless ``RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE``), to the address
    checked, without following redirects. A redirect or an address that is
    not allowed fails the delivery at once (the subscription must be fixed,
    then the delivery sent again); network errors and other answers are
    retried with backoff.
    """
    body = orjson.dumps(
        {"id": str(delivery.pk), "event": delivery.event, "data": delivery.payload}
    )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Retaguarda-Webhooks/1",
        "X-Retaguarda-Event": delivery.event,
        "X-Retaguarda-Delivery": str(delivery.pk),
        "X-Retaguarda-Timestamp": timestamp,
        "X-Retaguarda-Signature": sign(delivery.subscription.secret, timestamp, body),
    }
    delivery.attempts += 1
    ok = final = False
    delivery.last_status_code, delivery.last_error = None, ""
    try:
        response = outbound.post(
            delivery.subscription.url,
            body=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
        )
    except outbound.AddressNotAllowed as exc:
        delivery.last_error, final = str(exc), True
    except outbound.OutboundError as exc:
        delivery.last_error = str(exc)
    else:
        delivery.last_status_code, ok = response.status, response.ok
        if response.is_redirect:
            final = True
            delivery.last_error = _(
                "HTTP %(status)s: redirect to %(location)s not followed."
            ) % {"status": response.status, "location": response.location or "?"}
        elif not ok:
            delivery.last_error = f"HTTP {response.status}"
    delivery.last_error = delivery.last_error[:300]
    now = timezone.now()
    if ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at, delivery.next_attempt_at = now, None
    elif final or delivery.attempts >= MAX_ATTEMPTS:
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
