"""Notifications from the providers (webhooks): verified on the raw body,
stored raw once per event id, then applied in the background.

:func:`receive` runs in the request: it proves the notification's origin
(the adapter's ``parse_webhook``; a bad or missing signature raises
SignatureError, 401, and nothing is stored), stores it once (a redelivery
of a stored event is a duplicate and changes nothing) and queues
:func:`process`. :func:`process` finds the payment, asks the provider for its
current status when the notification does not carry a signed one (Mercado
Pago signs only the payment id) — while the provider's API cannot be
reached the task tries again later, and marks the event failed when it gives
up (:func:`give_up`, :mod:`plugins.finance.tasks`) — and applies it through
:func:`~plugins.finance.services.payments.apply_status`, whose statuses only
move forward: duplicates and notifications that arrive out of order change
nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from plugins.finance.gateway import provider_for
from plugins.finance.models import Payment, ProviderAccount, ProviderEvent
from plugins.finance.providers import ProviderError
from plugins.finance.services.payments import Outcome, apply_status

EVENT_ID_LENGTH = ProviderEvent._meta.get_field("event_id").max_length

#: Headers kept with an event (for audit), never the others.
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-request-id",
    "x-signature",
    "x-authenticity-token",
)


def receive(
    account: ProviderAccount,
    *,
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
) -> tuple[ProviderEvent, bool]:
    """Verify and store a notification; returns (event, created)."""
    parsed = provider_for(account).parse_webhook(
        body=body, headers=headers, query=query
    )
    lower = {k.lower(): v for k, v in headers.items()}
    # as stored (the column's length), for the look-up of a redelivery too
    event_id = parsed.event_id[:EVENT_ID_LENGTH]
    try:
        with transaction.atomic():
            event = ProviderEvent.objects.create(
                account=account,
                event_id=event_id,
                topic=(parsed.type or "")[:60],
                provider_payment_id=(parsed.provider_payment_id or "")[:80],
                body=body.decode("utf-8", "replace"),
                headers={
                    **{k: lower[k] for k in KEPT_HEADERS if k in lower},
                    **({"query": dict(query)} if query else {}),
                },
            )
    except IntegrityError:
        return ProviderEvent.objects.get(account=account, event_id=event_id), False
    from plugins.finance.tasks import process_provider_event

    transaction.on_commit(lambda: process_provider_event.enqueue(event.pk))
    return event, True


def _payment_for(event: ProviderEvent, reference: str | None) -> Payment | None:
    lookup = Q(account=event.account, provider_id=event.provider_payment_id)
    try:
        lookup |= Q(account=event.account, reference=uuid.UUID(str(reference)))
    except ValueError:
        pass  # not one of our references
    return Payment.objects.filter(lookup).first()


def process(event_pk: int) -> ProviderEvent:
    """Apply a stored notification (once: a processed event is left as it is)."""
    event = ProviderEvent.objects.select_related("account").get(pk=event_pk)
    if event.processed_at is not None:
        return event
    if not event.provider_payment_id:
        return _done(event, ProviderEvent.Outcome.UNCHANGED, "no payment named")
    # The provider's current status, asked for every notification: a
    # notification only says that something changed (Mercado Pago signs
    # nothing else), and the answer is the same whatever order they came in.
    try:
        status = provider_for(event.account).fetch_status(event.provider_payment_id)
    except ProviderError as error:
        if error.retryable:
            raise  # the task tries again later; the event stays unprocessed
        return _done(event, ProviderEvent.Outcome.FAILED, str(error))
    payment = _payment_for(event, status.reference)
    if payment is None:
        return _done(event, ProviderEvent.Outcome.UNCHANGED, "no payment of ours")
    event.payment = payment
    applied = apply_status(
        payment,
        status.status,
        paid_at=status.paid_at,
        refunded_amount=status.refunded_amount,
        fee=status.fee_amount,
        source=f"webhook:{event.event_id}",
    )
    outcome = {
        Outcome.APPLIED: ProviderEvent.Outcome.APPLIED,
        Outcome.UNCHANGED: ProviderEvent.Outcome.UNCHANGED,
        Outcome.REVIEW: ProviderEvent.Outcome.REVIEW,
    }[applied.outcome]
    return _done(event, outcome, applied.message)


def give_up(event_pk: int, error: ProviderError) -> ProviderEvent:
    """Mark a stored notification failed: the provider's API kept failing
    while it was being applied (a processed event is left as it is)."""
    event = ProviderEvent.objects.get(pk=event_pk)
    if event.processed_at is not None:
        return event
    return _done(event, ProviderEvent.Outcome.FAILED, str(error))


def _done(event: ProviderEvent, outcome, message: str = "") -> ProviderEvent:
    event.outcome = outcome
    event.message = (message or "")[:500]
    event.processed_at = timezone.now()
    event.save(update_fields=["outcome", "message", "processed_at", "payment"])
    return event
