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

import datetime
import uuid
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.finance.exceptions import EventNotReprocessable
from plugins.finance.gateway import provider_for
from plugins.finance.models import Payment, ProviderAccount, ProviderEvent
from plugins.finance.providers import ProviderError
from plugins.finance.services.payments import Outcome, apply_status

REPROCESS_PERMISSION = "finance.reprocess_providerevent"
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
    transaction.on_commit(lambda: queue(event.pk))
    return event, True


def queue(event_pk: int) -> None:
    """Queue the processing of a stored event and note when. If queuing
    fails (the queue's database or broker is down), ``queued_at`` stays as
    it was and :func:`requeue_stale` queues it again later."""
    from plugins.finance.tasks import process_provider_event

    process_provider_event.enqueue(event_pk)
    ProviderEvent.objects.filter(pk=event_pk, processed_at__isnull=True).update(
        queued_at=timezone.now()
    )


#: Events that were never processed are queued again this many minutes after
#: they came in (or after they were last queued, or due again).
STALE_MINUTES = 10


def stale_events(minutes: int = STALE_MINUTES, *, now=None):
    """Stored events left unprocessed for more than ``minutes``: their
    queuing failed after they were saved (or the worker lost them). An event
    waiting for its retry is not stale before ``minutes`` after it is due."""
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=minutes)
    return ProviderEvent.objects.filter(
        processed_at__isnull=True,
        outcome=ProviderEvent.Outcome.RECEIVED,
        received_at__lt=cutoff,
    ).filter(Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff))


def requeue_stale(minutes: int = STALE_MINUTES) -> list[int]:
    """Queue again every stale event (:func:`stale_events`); the ids queued."""
    queued = []
    for pk in (
        stale_events(minutes).order_by("received_at").values_list("pk", flat=True)
    ):
        queue(pk)
        queued.append(pk)
    return queued


#: Outcomes a person may have processed again: it failed, or it never was.
REPROCESSABLE = (ProviderEvent.Outcome.FAILED, ProviderEvent.Outcome.RECEIVED)


def reprocess(event: ProviderEvent, *, user) -> ProviderEvent:
    """*Processar novamente*: a failed or unprocessed event is processed
    again, as the task does (queued; audited). Raises PermissionDenied
    without ``finance.reprocess_providerevent`` and EventNotReprocessable
    for an event already applied."""
    if user is not None and not user.has_perm(REPROCESS_PERMISSION):
        raise PermissionDenied
    with transaction.atomic():
        event = ProviderEvent.objects.select_for_update().get(pk=event.pk)
        if event.outcome not in REPROCESSABLE:
            raise EventNotReprocessable(
                _("This notification is “%(outcome)s”: there is nothing to redo.")
                % {"outcome": event.get_outcome_display()}
            )
        before = event.outcome
        event.outcome = ProviderEvent.Outcome.RECEIVED
        event.message = ""
        event.processed_at = None
        event.save(update_fields=["outcome", "message", "processed_at"])
        log_change(
            event,
            "finance.event_reprocess",
            user=user,
            changes={"outcome": [before, event.outcome]},
        )
        pk = event.pk
        transaction.on_commit(lambda: queue(pk))
    event.refresh_from_db()
    return event


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
    """Record what became of the event — once: when two runs processed the
    same event (queued again by the sweep), the first one's outcome stays."""
    event.outcome = outcome
    event.message = (message or "")[:500]
    event.processed_at = timezone.now()
    written = ProviderEvent.objects.filter(
        pk=event.pk, processed_at__isnull=True
    ).update(
        outcome=event.outcome,
        message=event.message,
        processed_at=event.processed_at,
        payment_id=event.payment_id,
    )
    if not written:
        event.refresh_from_db()
    return event
