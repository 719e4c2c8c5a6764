"""Tracking: the carriers' events, pulled or pushed, applied to shipments
and orders.

:func:`record_events` is the one way in, whatever brought the events (a
carrier's signed push to the webhook endpoint, the ``logistics_track``
pull, staff). What it guarantees:

- **once**: an event is stored once per ``(carrier, event_id)`` (a database
  UNIQUE constraint); a repeat changes nothing, whenever it comes;
- **in any order**: a shipment's status is recomputed from all its stored
  events, not stepped by the newest arrival: it follows the latest event by
  ``occurred_at``; *delivered* and *returned* are final, so an "in transit"
  that arrives after the delivery (late, repeated or reordered) leaves it
  delivered;
- **concurrency**: the shipments the events touch are locked
  (``select_for_update``, in id order) before the stored events are read,
  so two pushes of the same event at once apply it once on PostgreSQL (and
  SQLite serialises write transactions);
- **orders**: when every shipment of an order is delivered, the order moves
  to delivered through :func:`plugins.orders.services.lifecycle.transition_order`
  (which issues the NPS survey), shipped first if it was still ready to
  ship — the carrier has it. *Delivery failed* and *returned* leave the
  order where it is: they show in the shipment lists for the shipping desk.

Where a carrier's status maps to a shipment status is
:data:`~plugins.logistics.models.TRACKING_TO_SHIPMENT`.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.logistics import s10
from plugins.logistics.carriers.base import TrackEvent
from plugins.logistics.models import (
    TRACKING_TO_SHIPMENT,
    Carrier,
    CarrierKind,
    Package,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    TrackingInbound,
    TrackingStatus,
)

logger = logging.getLogger(__name__)

S = ShipmentStatus
T = TrackingStatus
#: Shipment statuses no tracking event changes any more.
FINAL = (S.DELIVERED, S.RETURNED, S.CANCELLED)
#: Tracking statuses that end a parcel's journey.
FINAL_EVENTS = (T.DELIVERED, T.RETURNED)

LOG_ACTIONS = (
    (
        "logistics.tracking",
        gettext_lazy("Tracking event"),
        gettext_lazy("Tracking moved the shipment"),
    ),
)


@dataclass
class Recorded:
    """What :func:`record_events` did with a batch of events."""

    received: int = 0
    #: Stored now, for the first time.
    new: int = 0
    #: Already stored (a repeat): nothing changed.
    repeated: int = 0
    #: Tracking codes of no shipment of this carrier (not stored).
    unmatched: list[str] = field(default_factory=list)
    #: Authorised returns whose reverse parcel the events name: now on
    #: their way back.
    returns_moving: int = 0
    #: ``{shipment id: (status before, status after)}`` of those that moved.
    moved: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: Numbers of the orders moved to delivered.
    delivered_orders: list[str] = field(default_factory=list)
    #: Order transitions refused (the order was in another status, a hook said no).
    refused: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = _(
            "%(new)s new, %(repeated)s repeated, %(unmatched)s unknown tracking codes"
        ) % {
            "new": self.new,
            "repeated": self.repeated,
            "unmatched": len(self.unmatched),
        }
        if self.delivered_orders:
            text += "; " + _("orders delivered: %(numbers)s") % {
                "numbers": ", ".join(self.delivered_orders)
            }
        return text[:300]


@transaction.atomic
def record_events(
    carrier: Carrier,
    events: Iterable[TrackEvent],
    *,
    source: str = TrackingEvent.Source.PULL,
    user=None,
) -> Recorded:
    """Store ``carrier``'s tracking ``events`` once each and apply them.

    Events are matched to packages (and so shipments) of ``carrier`` by
    tracking code; those of unknown codes are counted in ``unmatched`` and
    not stored. Inside one transaction: the matched shipments are locked,
    events not stored yet are inserted (``(carrier, event_id)`` is unique:
    a repeat, or the same event twice in the batch, is stored once), the
    shipments' statuses recomputed from all their events
    (:func:`shipment_status`), an audit entry ``logistics.tracking`` written
    per shipment that moved, and the orders whose shipments are all
    delivered moved to delivered (shipped first if still ready to ship)
    through the orders service, as the system. A refused order transition
    (the order cancelled meanwhile, a hook said no) is logged and counted
    in ``refused``; the events stay recorded.
    """
    events = list(events)
    result = Recorded(received=len(events))
    if not events:
        return result
    by_code: dict[str, list[TrackEvent]] = defaultdict(list)
    for event in events:
        by_code[s10.normalise(event.tracking_code)].append(event)
    packages = {
        package.tracking_code: package
        for package in Package.objects.filter(
            tracking_code__in=list(by_code), shipment__carrier=carrier
        ).only("pk", "tracking_code", "shipment_id")
    }
    result.unmatched = sorted(code for code in by_code if code not in packages)
    if result.unmatched:
        # codes of no parcel we sent: perhaps the reverse parcel of a return
        from plugins.logistics.services.returns import returns_on_their_way

        with transaction.atomic():
            result.returns_moving = returns_on_their_way(carrier, result.unmatched)
    matched = [
        (event, packages[code])
        for code, code_events in by_code.items()
        if code in packages
        for event in code_events
    ]
    if not matched:
        return result
    shipment_ids = sorted({package.shipment_id for _event, package in matched})
    # The lock that makes concurrent pushes of one event apply it once: the
    # stored events are read only once the shipments are ours.
    shipments = {
        shipment.pk: shipment
        for shipment in Shipment.objects.select_for_update(of=("self",))
        .select_related("order", "carrier")
        .filter(pk__in=shipment_ids)
        .order_by("pk")
    }
    wanted = {event.event_id for event, _package in matched}
    stored = set(
        TrackingEvent.objects.filter(carrier=carrier, event_id__in=wanted).values_list(
            "event_id", flat=True
        )
    )
    rows: dict[str, TrackingEvent] = {}
    for event, package in matched:
        if event.event_id in stored or event.event_id in rows:
            continue
        rows[event.event_id] = TrackingEvent(
            carrier=carrier,
            shipment_id=package.shipment_id,
            package_id=package.pk,
            event_id=event.event_id[:80],
            status=event.status,
            carrier_status=event.carrier_status[:40],
            description=event.description[:300],
            place=event.place[:150],
            occurred_at=event.occurred_at,
            source=source,
            raw=_jsonable(event.raw),
        )
    TrackingEvent.objects.bulk_create(rows.values(), ignore_conflicts=True)
    result.new = len(rows)
    result.repeated = len(matched) - len(rows)
    touched = {row.shipment_id for row in rows.values()}
    if touched:
        _apply([shipments[pk] for pk in sorted(touched)], result=result, user=user)
    return result


def _jsonable(raw) -> dict:
    import json

    try:
        return json.loads(json.dumps(dict(raw or {}), default=str))
    except (TypeError, ValueError):
        return {}


@dataclass(frozen=True)
class _Seen:
    package_id: int | None
    status: str
    occurred_at: datetime
    pk: int


def shipment_status(
    current: str, events: list[_Seen], package_ids: list[int]
) -> tuple[str, datetime | None]:
    """A shipment's status from all its events, and when it was delivered.

    Each package follows its own events: its latest by ``occurred_at`` (ties
    by arrival), unless one of them is final (delivered, returned: the
    latest final one wins). The shipment is delivered once every package is
    delivered, returned once every package has ended and one came back;
    otherwise it follows the latest event of the packages still on their way.
    A shipment already delivered, returned or cancelled stays so.
    """
    if current in FINAL or not events:
        return current, None
    per_package: dict[int | None, list[_Seen]] = defaultdict(list)
    for seen in events:
        per_package[seen.package_id].append(seen)
    keys = list(package_ids) or list(per_package)

    def key(seen: _Seen):
        return (seen.occurred_at, seen.pk)

    ended: dict[int | None, _Seen] = {}
    going: list[_Seen] = []
    for package in keys:
        mine = per_package.get(package, [])
        finals = [seen for seen in mine if seen.status in FINAL_EVENTS]
        if finals:
            ended[package] = max(finals, key=key)
        elif mine:
            going.append(max(mine, key=key))
    if len(ended) == len(keys):
        statuses = {seen.status for seen in ended.values()}
        moment = max(seen.occurred_at for seen in ended.values())
        if statuses == {T.DELIVERED}:
            return S.DELIVERED, moment
        return S.RETURNED, None
    if going:
        latest = max(going, key=key)
        return TRACKING_TO_SHIPMENT[T(latest.status)], None
    # some packages ended, the others have said nothing yet
    return S.IN_TRANSIT, None


def _apply(shipments: list[Shipment], *, result: Recorded, user) -> None:
    ids = [shipment.pk for shipment in shipments]
    seen: dict[int, list[_Seen]] = defaultdict(list)
    for pk, shipment_id, package_id, status, occurred_at in (
        TrackingEvent.objects.filter(shipment_id__in=ids)
        .order_by()
        .values_list("pk", "shipment_id", "package_id", "status", "occurred_at")
    ):
        seen[shipment_id].append(_Seen(package_id, status, occurred_at, pk))
    coded: dict[int, list[int]] = defaultdict(list)
    for package_id, shipment_id in (
        Package.objects.filter(shipment_id__in=ids)
        .exclude(tracking_code="")
        .order_by()
        .values_list("pk", "shipment_id")
    ):
        coded[shipment_id].append(package_id)
    delivered: list[Shipment] = []
    changed: list[Shipment] = []
    fields: set[str] = set()
    moves: list[tuple[Shipment, str, str, int, datetime | None]] = []
    for shipment in shipments:
        events = seen[shipment.pk]
        before = shipment.status
        after, delivered_at = shipment_status(before, events, coded[shipment.pk])
        mine = []
        last = max(e.occurred_at for e in events) if events else None
        if last and last != shipment.last_event_at:
            shipment.last_event_at = last
            mine.append("last_event_at")
        if shipment.handed_over_at is None and events:
            # The carrier has it: its first scan is when it was handed over.
            shipment.handed_over_at = min(e.occurred_at for e in events)
            mine.append("handed_over_at")
        if after != before:
            shipment.status = after
            mine.append("status")
            if after == S.DELIVERED:
                shipment.delivered_at = delivered_at
                mine.append("delivered_at")
                delivered.append(shipment)
            result.moved[shipment.pk] = (str(before), str(after))
            moves.append((shipment, str(before), str(after), len(events), last))
        if mine:
            changed.append(shipment)
            fields.update(mine)
    if changed:
        # One statement for the batch (the rows are locked and were read
        # under the lock: writing every listed field is safe).
        Shipment.objects.bulk_update(changed, sorted(fields))
    for shipment, before, after, count, last in moves:
        log_change(
            shipment,
            "logistics.tracking",
            user=user,
            changes={"status": [before, after]},
            events=count,
        )
        _timeline(shipment, after, last)
    if delivered:
        _deliver_orders(delivered, result=result)


def _timeline(shipment: Shipment, status: str, at: datetime | None) -> None:
    """The move on the order's timeline (the orders plugin's entry for
    other plugins)."""
    from plugins.orders.services.lifecycle import record_event

    record_event(
        shipment.order,
        source="logistics",
        message=_("Tracking: %(status)s (%(carrier)s)")
        % {
            "status": ShipmentStatus(status).label,
            "carrier": shipment.carrier.name,
        },
        data={"shipment": shipment.pk, "status": str(status)},
        at=min(at or timezone.now(), timezone.now()),
    )


def _deliver_orders(shipments: list[Shipment], *, result: Recorded) -> None:
    """Move to delivered the orders all of whose shipments are delivered."""
    from plugins.orders.models import Order, OrderStatus
    from plugins.orders.services.lifecycle import transition_order

    order_ids = sorted({shipment.order_id for shipment in shipments})
    pending = set(
        Shipment.objects.filter(order_id__in=order_ids)
        .exclude(status__in=(S.DELIVERED, S.CANCELLED))
        .values_list("order_id", flat=True)
    )
    moments: dict[int, tuple[datetime | None, datetime | None]] = {}
    for shipment in shipments:
        handed, delivered = moments.get(shipment.order_id, (None, None))
        moments[shipment.order_id] = (
            min(filter(None, (handed, shipment.handed_over_at)), default=None),
            max(filter(None, (delivered, shipment.delivered_at)), default=None),
        )
    for order in Order.objects.filter(pk__in=order_ids).exclude(pk__in=pending):
        handed, delivered = moments[order.pk]
        try:
            with transaction.atomic():
                if order.status == OrderStatus.READY_TO_SHIP:
                    transition_order(
                        order, "ship", user=None, at=_after(handed, order.ready_at)
                    )
                if order.status == OrderStatus.SHIPPED:
                    transition_order(
                        order,
                        "deliver",
                        user=None,
                        at=_after(delivered, order.shipped_at),
                    )
                    result.delivered_orders.append(order.number)
        except RetaguardaError as error:
            logger.warning(
                "tracking: order %s not moved to delivered: %s", order.number, error
            )
            result.refused.append(order.number)


@dataclass
class Inbound:
    """What became of a carrier's push (see :func:`receive_push`)."""

    status: int  # the HTTP status to answer
    inbound: TrackingInbound
    recorded: Recorded | None = None
    error: str = ""


#: How much of a push whose signature failed is kept (it proves nothing).
UNSIGNED_BODY_LIMIT = 2000


def receive_push(carrier: Carrier, *, body: bytes, headers) -> Inbound:
    """A carrier's tracking push, as it arrived at its webhook address.

    The signature is checked on the raw ``body`` by the carrier's adapter
    (``parse_webhook``) before anything is read. The push is stored
    (:class:`~plugins.logistics.models.TrackingInbound`: the body, whether
    its signature held, the outcome) and, when signed and readable, its
    events applied through :func:`record_events` in the same transaction.
    ``status``: 200 applied or repeated, 401 signature wrong (only the
    first :data:`UNSIGNED_BODY_LIMIT` characters are kept, nothing
    applied), 400 unreadable.
    """
    from plugins.logistics.carriers import adapter_for
    from plugins.logistics.carriers.errors import (
        CarrierError,
        InvalidWebhook,
        WebhookSignatureInvalid,
    )

    text = body.decode("utf-8", errors="replace")
    try:
        events = adapter_for(carrier).parse_webhook(body, headers)
    except WebhookSignatureInvalid as error:
        inbound = TrackingInbound.objects.create(
            carrier=carrier,
            body=text[:UNSIGNED_BODY_LIMIT],
            signature_valid=False,
            outcome=str(error.message)[:300],
        )
        return Inbound(401, inbound, error=error.message)
    except (InvalidWebhook, CarrierError) as error:
        inbound = TrackingInbound.objects.create(
            carrier=carrier, body=text, signature_valid=True, outcome=str(error)[:300]
        )
        return Inbound(400, inbound, error=str(error))
    with transaction.atomic():
        recorded = record_events(carrier, events, source=TrackingEvent.Source.PUSH)
        inbound = TrackingInbound.objects.create(
            carrier=carrier,
            body=text,
            signature_valid=True,
            outcome=recorded.summary(),
            applied=recorded.new,
        )
    return Inbound(200, inbound, recorded)


def _after(moment: datetime | None, previous: datetime | None) -> datetime:
    """When a step happened by the carrier's clock, kept after the order's
    previous step and not in the future (the timeline stays in order)."""
    now = timezone.now()
    moment = moment or now
    if previous is not None and moment < previous:
        moment = previous
    return min(moment, now)


# -- Pulling ---------------------------------------------------------------------

#: Tracking codes asked of a carrier in one call.
PULL_BATCH = 50
#: Tries of one batch while the carrier answers a retryable error, and the
#: first pause (doubling; longer if the carrier asked for it, up to
#: ``MAX_PAUSE``).
PULL_ATTEMPTS = 3
PULL_PAUSE = 2.0
MAX_PAUSE = 60.0


@dataclass
class Pulled:
    """What :func:`pull_tracking` did, per carrier code."""

    shipments: dict[str, int] = field(default_factory=dict)
    new: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"shipments": self.shipments, "new": self.new, "errors": self.errors}


def shipments_on_the_way(carrier: Carrier):
    """``carrier``'s shipments handed over and not at an end, oldest news
    first."""
    from plugins.logistics.models import ON_THE_WAY

    return Shipment.objects.filter(carrier=carrier, status__in=ON_THE_WAY).order_by(
        F("last_event_at").asc(nulls_first=True), "pk"
    )


def pull_tracking(
    carriers=None,
    *,
    batch_size: int = PULL_BATCH,
    attempts: int = PULL_ATTEMPTS,
    pause: float = PULL_PAUSE,
    sleep=time.sleep,
) -> Pulled:
    """Ask each carrier with a tracking API (all active carriers, or
    ``carriers``) for the events of its shipments on the way, in batches of
    ``batch_size`` tracking codes, and record them (:func:`record_events`,
    source "pull"). A batch that meets a retryable error (timeout, HTTP 5xx
    or 429) is tried again after a pause that doubles (or the carrier's
    ``Retry-After``), up to ``attempts`` times; then, or at once for an
    error that will not go away (credentials, a refusal), the carrier is
    left for the next run with its error in ``errors``. Carriers without a
    tracking API (table carriers: they push) are skipped.
    """
    from plugins.logistics.carriers import adapter_for
    from plugins.logistics.carriers.errors import CarrierError, OperationNotSupported

    if carriers is None:
        carriers = Carrier.objects.filter(
            active=True, kind__in=(CarrierKind.CORREIOS, CarrierKind.AGGREGATOR)
        ).order_by("pk")
    result = Pulled()
    for carrier in carriers:
        ids = list(shipments_on_the_way(carrier).values_list("pk", flat=True))
        codes = list(
            Package.objects.filter(shipment_id__in=ids)
            .exclude(tracking_code="")
            .order_by("shipment_id", "number")
            .values_list("tracking_code", flat=True)
        )
        # and the reverse parcels of the returns it authorised, not yet posted
        codes += list(
            ReturnRequest.objects.filter(
                carrier=carrier, status=ReturnStatus.AUTHORISED
            )
            .exclude(tracking_code="")
            .order_by("pk")
            .values_list("tracking_code", flat=True)
        )
        result.shipments[carrier.code] = len(ids)
        result.new[carrier.code] = 0
        if not codes:
            continue
        adapter = adapter_for(carrier)
        for start in range(0, len(codes), batch_size):
            batch = codes[start : start + batch_size]
            try:
                events = _with_backoff(
                    adapter.track,
                    batch,
                    attempts=attempts,
                    pause=pause,
                    sleep=sleep,
                )
            except OperationNotSupported:
                break
            except CarrierError as error:
                logger.warning("tracking pull of %s: %s", carrier.code, error)
                result.errors[carrier.code] = str(error)[:300]
                break
            recorded = record_events(carrier, events, source=TrackingEvent.Source.PULL)
            result.new[carrier.code] += recorded.new
    return result


def _with_backoff(call, argument, *, attempts: int, pause: float, sleep):
    from plugins.logistics.carriers.errors import CarrierError

    for attempt in range(1, attempts + 1):
        try:
            return call(argument)
        except CarrierError as error:
            if not error.retryable or attempt == attempts:
                raise
            wait = max(pause * 2 ** (attempt - 1), error.retry_after or 0)
            sleep(min(wait, MAX_PAUSE))
    raise AssertionError("unreachable")  # pragma: no cover
