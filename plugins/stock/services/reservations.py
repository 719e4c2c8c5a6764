"""Reservations: order lines and cart holds set units aside so that nothing is
sold twice.

The hot path is :func:`reserve_for_order` (the orders plugin's
``ORDER_PLACED`` hook, inside ``place_order``'s transaction). It plans from
one read of the candidate levels, then applies one conditional
``UPDATE … SET reserved = reserved + q WHERE reserved <= on_hand - q`` per
level, in ascending primary-key order (no deadlocks between orders). If an
update finds the level changed under it, the plan is redone with the levels
locked (``SELECT … FOR UPDATE`` in the same order); if the units are not
there, the order is refused with the SKUs short. On PostgreSQL the row locks
make this safe across app servers; on SQLite every write transaction starts
with ``BEGIN IMMEDIATE``, so writers take turns.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.stock import alerts
from plugins.stock.availability import (
    availability_changed,
    expired_hold_units,
    sell_untracked,
)
from plugins.stock.exceptions import (
    CannotShip,
    HoldNotFound,
    IllegalState,
    InsufficientStock,
    InvalidMovement,
)
from plugins.stock.models import (
    CartHold,
    ChannelWarehouse,
    MovementKind,
    ReferenceType,
    Reservation,
    StockLevel,
    Warehouse,
)
from plugins.stock.services.ledger import Entry, post_entries

R = Reservation.Status


@dataclass
class Need:
    """Units of one variant to reserve (for an order line or a hold line)."""

    variant_id: int
    sku: str
    quantity: int
    line_id: int | None = None


@dataclass
class Candidate:
    pk: int
    variant_id: int
    warehouse_id: int
    on_hand: int
    reserved: int
    expired: int
    priority: int
    code: str
    active: bool
    backorders: bool
    preferred: bool = False
    reorder_point: int = 0
    alerted: bool = False

    @property
    def free(self) -> int:
        return max(self.on_hand - self.reserved, 0)


@dataclass
class Plan:
    #: level pk -> [units to reserve, whether beyond the available units]
    changes: dict[int, list] = field(default_factory=dict)
    #: (need, level pk, units) for the reservation rows
    rows: list[tuple[Need, int, int]] = field(default_factory=list)
    short: list[dict] = field(default_factory=list)
    needs_expired: bool = False


class _Stale(Exception):
    """A conditional update found its level changed since the plan was made."""


CANDIDATE_COLUMNS = (
    "pk",
    "variant_id",
    "warehouse_id",
    "on_hand",
    "reserved",
    "expired",
    "warehouse__priority",
    "warehouse__code",
    "warehouse__active",
    "warehouse__allow_backorders",
    "reorder_point",
    "alerted_at",
)


def _candidate(row) -> Candidate:
    *values, reorder_point, alerted_at = row
    return Candidate(
        *values, reorder_point=reorder_point, alerted=alerted_at is not None
    )


def _candidates(variant_ids, *, lock: bool = False) -> list[Candidate]:
    queryset = StockLevel.objects.filter(variant_id__in=sorted(variant_ids))
    if lock:
        queryset = queryset.select_for_update(of=("self",)).order_by("pk")
    return [
        _candidate(row)
        for row in queryset.annotate(
            expired=expired_hold_units(OuterRef("pk"))
        ).values_list(*CANDIDATE_COLUMNS)
    ]


def _plan(
    needs: list[Need], candidates: list[Candidate], *, count_expired: bool = False
) -> Plan:
    """Spread each need over its variant's active warehouses: the preferred
    one first, then by priority; what no warehouse has goes to the first
    warehouse that accepts backorders; the rest is short."""
    plan = Plan()
    by_variant: dict[int, list[Candidate]] = defaultdict(list)
    tracked = set()
    for c in candidates:
        tracked.add(c.variant_id)
        if c.active:
            by_variant[c.variant_id].append(c)
    free = {
        c.pk: max(c.on_hand - c.reserved + (c.expired if count_expired else 0), 0)
        for c in candidates
    }
    for need in needs:
        if need.variant_id not in tracked:
            if not sell_untracked():
                plan.short.append(
                    {"sku": need.sku, "requested": need.quantity, "available": 0}
                )
            continue
        levels = sorted(
            by_variant[need.variant_id],
            key=lambda c: (not c.preferred, c.priority, c.code),
        )
        remaining = need.quantity
        for level in levels:
            take = min(free[level.pk], remaining)
            if take <= 0:
                continue
            free[level.pk] -= take
            remaining -= take
            plan.changes.setdefault(level.pk, [0, False])[0] += take
            plan.rows.append((need, level.pk, take))
            if not remaining:
                break
        if remaining:
            backorder = next((c for c in levels if c.backorders), None)
            if backorder is not None:
                change = plan.changes.setdefault(backorder.pk, [0, False])
                change[0] += remaining
                change[1] = True
                plan.rows.append((need, backorder.pk, remaining))
                continue
            available = sum(max(c.on_hand - c.reserved + c.expired, 0) for c in levels)
            plan.short.append(
                {"sku": need.sku, "requested": need.quantity, "available": available}
            )
    if plan.short and not count_expired:
        with_expired = _plan(needs, candidates, count_expired=True)
        plan.needs_expired = not with_expired.short
    return plan


def _apply(changes: dict[int, list]) -> None:
    """One conditional UPDATE per level, in ascending primary-key order.
    Positive changes that must stay within the available units are guarded;
    negative ones (releases) and backorders are not."""
    for pk in sorted(changes):
        units, beyond = changes[pk]
        if units == 0:
            continue
        queryset = StockLevel.objects.filter(pk=pk)
        if units > 0 and not beyond:
            queryset = queryset.filter(reserved__lte=F("on_hand") - units)
        if queryset.update(reserved=F("reserved") + units) != 1:
            raise _Stale


def _release_expired_locked(level_ids) -> None:
    """Release expired cart holds on levels this transaction has locked."""
    expired = list(
        Reservation.objects.expired_holds()
        .filter(level_id__in=level_ids)
        .select_related("hold")
    )
    if expired:
        _release_rows(expired, R.RELEASED)
        holds = {r.hold_id for r in expired}
        CartHold.objects.filter(pk__in=holds, status=CartHold.Status.ACTIVE).update(
            status=CartHold.Status.EXPIRED, closed_at=timezone.now()
        )


def reserve(
    needs: list[Need],
    *,
    candidates: list[Candidate] | None = None,
    extra_changes: dict[int, int] | None = None,
) -> list[tuple[Need, int, int]]:
    """Reserve ``needs`` (must run inside a transaction). Returns the rows to
    write: (need, level pk, units). ``candidates`` are the needs' levels when
    the caller read them already (with ``preferred`` set); ``extra_changes``
    ({level pk: units}, e.g. negative: a hold's leftover units released) are
    applied in the same ordered pass. Raises InsufficientStock."""
    needs = [n for n in needs if n.quantity > 0]
    extra = extra_changes or {}
    if not needs and not extra:
        return []
    variant_ids = {n.variant_id for n in needs}
    if candidates is None:
        candidates = _candidates(variant_ids)
    _count_releases(candidates, extra)
    preferred = {c.warehouse_id for c in candidates if c.preferred}
    plan = _plan(needs, candidates)
    if plan.short and not plan.needs_expired:
        raise InsufficientStock(plan.short)
    changes = _merge(plan.changes, extra)
    if not plan.short:
        try:
            if len(changes) > 1:
                with transaction.atomic():
                    _apply(changes)
            elif changes:
                _apply(changes)
            return plan.rows
        except _Stale:
            pass
    # Locked path: the plan was stale or needs units of expired holds.
    locked = _candidates(variant_ids, lock=True)
    if any(c.expired for c in locked):
        _release_expired_locked([c.pk for c in locked if c.expired])
        locked = _candidates(variant_ids, lock=True)
    for c in locked:
        c.preferred = c.warehouse_id in preferred
    _count_releases(locked, extra)
    plan = _plan(needs, locked)
    if plan.short:
        raise InsufficientStock(plan.short)
    _apply(_merge(plan.changes, extra))
    return plan.rows


def _count_releases(candidates: list[Candidate], extra: dict[int, int]) -> None:
    """Plan with the units this pass releases (negative extras) as free."""
    for c in candidates:
        if extra.get(c.pk, 0) < 0:
            c.reserved += extra[c.pk]


def _merge(changes: dict[int, list], extra: dict[int, int]) -> dict[int, list]:
    """Add ``extra`` units per level; the guard then applies to the net
    change (a net increase must fit in the available units)."""
    merged = {pk: list(value) for pk, value in changes.items()}
    for pk, units in extra.items():
        merged.setdefault(pk, [0, False])[0] += units
    return merged


def _release_rows(rows: list[Reservation], status: str) -> None:
    """Give the units of active reservations back (one guarded UPDATE per
    level, ascending) and close them with ``status``."""
    by_level: dict[int, int] = defaultdict(int)
    for row in rows:
        by_level[row.level_id] += row.quantity
    for pk in sorted(by_level):
        StockLevel.objects.filter(pk=pk).update(reserved=F("reserved") - by_level[pk])
    Reservation.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=status, closed_at=timezone.now()
    )
    _notify(rows, sign=+1)


def _notify(rows, *, sign: int) -> None:
    units: dict[int, int] = defaultdict(int)
    for row in rows:
        units[row.level_id] += sign * row.quantity
    _notify_levels(units)


def _notify_levels(units: dict[int, int]) -> None:
    """After commit: refresh availability and alerts of levels whose
    available units changed by ``units``."""
    skus = dict(
        StockLevel.objects.filter(pk__in=list(units)).values_list("pk", "variant__sku")
    )
    deltas: dict[str, int] = defaultdict(int)
    for pk, change in units.items():
        deltas[skus[pk]] += change
    availability_changed(deltas)
    alerts.levels_changed(units)


# -- orders -----------------------------------------------------------------------


def _order_lines_and_levels(order) -> tuple[list[Need], list[Candidate]]:
    """The order's lines and their variants' levels in one query, each level
    marked when its warehouse is the order channel's preferred one.

    This is the hot path of every order: the query is written out (the same
    as ``_candidates`` joined to the lines) to spare Django compiling two
    subqueries per order."""
    from django.db import connection

    quote = connection.ops.quote_name
    line_table = quote(order.lines.model._meta.db_table)
    sql = f"""
        SELECT ol.id, ol.variant_id, ol.sku, ol.quantity,
               l.id, l.warehouse_id, l.on_hand, l.reserved,
               COALESCE((
                   SELECT SUM(r.quantity) FROM {quote(Reservation._meta.db_table)} r
                   WHERE r.level_id = l.id AND r.status = %s
                     AND r.hold_id IS NOT NULL AND r.expires_at <= %s
               ), 0),
               w.priority, w.code, w.active, w.allow_backorders,
               EXISTS(
                   SELECT 1 FROM {quote(ChannelWarehouse._meta.db_table)} cw
                   WHERE cw.channel_code = %s AND cw.warehouse_id = l.warehouse_id
               ),
               l.reorder_point, l.alerted_at
        FROM {line_table} ol
        LEFT JOIN {quote(StockLevel._meta.db_table)} l ON l.variant_id = ol.variant_id
        LEFT JOIN {quote(Warehouse._meta.db_table)} w ON w.id = l.warehouse_id
        WHERE ol.order_id = %s
        ORDER BY ol.id, l.id
    """  # noqa: S608  (table names from the models; values are parameters)
    channel = getattr(order, "channel", None)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [R.ACTIVE, now, getattr(channel, "code", ""), order.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lines: dict[int, Need] = {}
    candidates: dict[int, Candidate] = {}
    for line_id, variant_id, sku, quantity, level_pk, *level in rows:
        if not variant_id:
            continue
        lines.setdefault(line_id, Need(variant_id, sku, quantity, line_id))
        if level_pk is not None:
            *values, active, backorders, preferred, reorder_point, alerted = level
            candidates[level_pk] = Candidate(
                level_pk,
                variant_id,
                *values,
                active=bool(active),
                backorders=bool(backorders),
                preferred=bool(preferred),
                reorder_point=reorder_point,
                alerted=alerted is not None,
            )
    return list(lines.values()), list(candidates.values())


def reserve_for_order(order) -> list[Reservation]:
    """Reserve every line of a newly placed order (the ``ORDER_PLACED`` hook,
    inside ``place_order``'s transaction): a live cart hold whose reference is
    the order's idempotency key is taken over first; the rest is reserved
    across warehouses (the channel's preferred warehouse, then by priority).

    Raises InsufficientStock (409, ``short``: each SKU with the units
    requested and available), which refuses the order.
    """
    lines, candidates = _order_lines_and_levels(order)
    if not lines:
        return []
    taken, extra = _take_over_hold(order, lines)
    needs = [
        Need(n.variant_id, n.sku, n.quantity - taken.get(n.line_id, 0), n.line_id)
        for n in lines
    ]
    rows = reserve(needs, candidates=candidates, extra_changes=extra)
    watched = {c.pk: c for c in candidates}
    if extra:
        _notify_levels({pk: -units for pk, units in extra.items()})
    if not rows:
        return []
    now = timezone.now()
    created = Reservation.objects.bulk_create(
        [
            Reservation(
                level_id=level_id,
                quantity=units,
                order_id=order.pk,
                order_line_id=need.line_id,
                order_number=order.number,
                created_at=getattr(order, "placed_at", None) or now,
            )
            for need, level_id, units in rows
        ]
    )
    _notify_reserved(rows, watched)
    return created


def _notify_reserved(
    rows: list[tuple[Need, int, int]], levels: dict[int, Candidate] | None = None
) -> None:
    """After commit: availability of the SKUs reserved, and the low-stock check
    of the levels that may have fallen to their reorder point (judged from the
    levels as read before reserving; without them, every level)."""
    deltas: dict[str, int] = defaultdict(int)
    taken: dict[int, int] = defaultdict(int)
    for need, level_id, units in rows:
        deltas[need.sku] -= units
        taken[level_id] += units
    availability_changed(deltas)
    if levels is None:
        alerts.levels_changed(taken)
        return
    alerts.levels_changed(
        pk
        for pk, units in taken.items()
        if pk not in levels
        or (
            levels[pk].reorder_point
            and not levels[pk].alerted
            and levels[pk].on_hand - levels[pk].reserved - units
            <= levels[pk].reorder_point
        )
    )


def _take_over_hold(order, lines: list[Need]) -> tuple[dict[int, int], dict[int, int]]:
    """Turn the reservations of the cart hold named by the order's idempotency
    key into the order's. Returns ({line id: units covered}, {level pk: units
    to release}) — leftovers are released in the same ordered pass."""
    key = getattr(order, "idempotency_key", "")
    if not key:
        return {}, {}
    hold = (
        CartHold.objects.select_for_update()
        .filter(
            reference=key, status=CartHold.Status.ACTIVE, expires_at__gt=timezone.now()
        )
        .first()
    )
    if hold is None:
        return {}, {}
    wanted = {n.variant_id: n for n in lines}
    remaining = {n.line_id: n.quantity for n in lines}
    covered: dict[int, int] = defaultdict(int)
    release: dict[int, int] = defaultdict(int)
    rows = list(hold.reservations.filter(status=R.ACTIVE).select_related("level"))
    now = timezone.now()
    for row in rows:
        need = wanted.get(row.level.variant_id)
        units = min(row.quantity, remaining[need.line_id]) if need else 0
        if units:
            remaining[need.line_id] -= units
            covered[need.line_id] += units
            Reservation.objects.filter(pk=row.pk).update(
                quantity=units,
                hold=None,
                expires_at=None,
                order_id=order.pk,
                order_line_id=need.line_id,
                order_number=order.number,
            )
        if row.quantity > units:
            release[row.level_id] -= row.quantity - units
            if units == 0:
                Reservation.objects.filter(pk=row.pk).update(
                    status=R.RELEASED, closed_at=now
                )
    hold.status = CartHold.Status.CONVERTED
    hold.closed_at = now
    hold.save(update_fields=["status", "closed_at"])
    return dict(covered), dict(release)


def release_order_stock(order, *, user=None) -> int:
    """The order was cancelled: give its reserved units back. Returns the
    number of units released."""
    rows = list(Reservation.objects.for_order(order.pk).active())
    if rows:
        _release_rows(rows, R.RELEASED)
    return sum(r.quantity for r in rows)


def ship_order_stock(order, *, user=None) -> list:
    """The order left: its reservations become sale movements (on hand and
    reserved both go down). Raises CannotShip if a warehouse has fewer units
    on hand than the order reserved there."""
    rows = list(
        Reservation.objects.for_order(order.pk)
        .active()
        .select_related("level__variant")
    )
    if not rows:
        return []
    entries = [
        Entry(
            row.level.variant_id,
            row.level.warehouse_id,
            row.level.variant.sku,
            kind=MovementKind.SALE,
            quantity=-row.quantity,
            reserved_change=-row.quantity,
            reference_type=ReferenceType.ORDER,
            reference=order.number,
        )
        for row in rows
    ]
    try:
        movements = post_entries(
            entries, user=user, at=getattr(order, "shipped_at", None)
        )
    except InsufficientStock as error:
        raise CannotShip(
            _(
                "Order %(number)s cannot ship: fewer units on hand than reserved "
                "(%(items)s)."
            )
            % {
                "number": order.number,
                "items": ", ".join(i["sku"] for i in error.short),
            },
            short=error.short,
        ) from error
    Reservation.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=R.SHIPPED, closed_at=timezone.now()
    )
    return movements


_return_warehouse: contextvars.ContextVar[Warehouse | None] = contextvars.ContextVar(
    "stock_return_warehouse", default=None
)


@contextlib.contextmanager
def returns_to(warehouse: Warehouse | None):
    """Choose where the units of orders returned inside the block go::

    with returns_to(warehouse_rj):
        return_order(order, user=user, reason="...")
    """
    token = _return_warehouse.set(warehouse)
    try:
        yield
    finally:
        _return_warehouse.reset(token)


def return_order_stock(order, *, user=None, warehouse: Warehouse | None = None):
    """A shipped order came back: return movements, into ``warehouse``, or the
    one chosen with :func:`returns_to`, or the channel's returns warehouse, or
    the warehouse each unit shipped from."""
    rows = list(
        Reservation.objects.for_order(order.pk)
        .filter(status=R.SHIPPED)
        .select_related("level__variant")
    )
    if not rows:
        return []
    target = warehouse or _return_warehouse.get()
    if target is None:
        channel = getattr(order, "channel", None)
        target = (
            ChannelWarehouse.objects.filter(
                channel_code=getattr(channel, "code", ""),
                returns_warehouse__isnull=False,
            )
            .select_related("returns_warehouse")
            .values_list("returns_warehouse", flat=True)
            .first()
        )
        target = Warehouse.objects.filter(pk=target).first() if target else None
    entries = [
        Entry(
            row.level.variant_id,
            target.pk if target else row.level.warehouse_id,
            row.level.variant.sku,
            kind=MovementKind.RETURN,
            quantity=row.quantity,
            reason=(getattr(order, "cancel_reason", "") or "")[:300],
            reference_type=ReferenceType.ORDER,
            reference=order.number,
        )
        for row in rows
    ]
    movements = post_entries(entries, user=user, at=getattr(order, "returned_at", None))
    Reservation.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=R.RETURNED, closed_at=timezone.now()
    )
    return movements


# -- cart holds -------------------------------------------------------------------


def hold_max_minutes() -> int:
    return int(getattr(settings, "RETAGUARDA_STOCK_HOLD_MAX_MINUTES", 60))


def _minutes(minutes) -> datetime.timedelta:
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= hold_max_minutes():
        raise InvalidMovement(
            _("Hold for 1 to %(max)d minutes.") % {"max": hold_max_minutes()},
            field="minutes",
        )
    return datetime.timedelta(minutes=minutes)


@transaction.atomic
def create_hold(
    *, lines: list[dict], minutes: int = 15, reference: str = "", api_key=None
) -> CartHold:
    """Hold units for a cart for ``minutes``. A new hold with the reference of
    a live hold of the same key replaces it (a changed cart). Raises
    InvalidMovement (unknown SKU, bad quantities) or InsufficientStock."""
    from content.models import Variant

    duration = _minutes(minutes)
    reference = (reference or "").strip()[:80]
    errors: dict[str, list[str]] = {}
    quantities: dict[str, int] = {}
    for i, line in enumerate(lines or []):
        sku = str(line.get("sku") or "").strip()
        try:
            quantity = int(line.get("quantity"))
        except (TypeError, ValueError):
            quantity = 0
        if not sku:
            errors.setdefault(f"lines[{i}].sku", []).append(_("Required."))
        if not 0 < quantity <= 10_000:
            errors.setdefault(f"lines[{i}].quantity", []).append(
                _("Quantity must be between 1 and 10000.")
            )
        quantities[sku] = quantities.get(sku, 0) + max(quantity, 0)
    if not lines:
        errors.setdefault("lines", []).append(_("Hold at least one SKU."))
    variants = dict(
        Variant.objects.filter(sku__in=list(quantities), active=True).values_list(
            "sku", "pk"
        )
    )
    for i, line in enumerate(lines or []):
        sku = str(line.get("sku") or "").strip()
        if sku and sku not in variants:
            errors.setdefault(f"lines[{i}].sku", []).append(
                _("Unknown SKU “%s”.") % sku
            )
    if errors:
        raise InvalidMovement(_("The hold is not valid."), errors=errors)
    extra: dict[int, int] = {}
    if reference:
        previous = list(
            Reservation.objects.filter(
                hold__reference=reference,
                hold__api_key=api_key,
                hold__status=CartHold.Status.ACTIVE,
                status=R.ACTIVE,
            )
        )
        for row in previous:
            extra[row.level_id] = extra.get(row.level_id, 0) - row.quantity
        if previous:
            Reservation.objects.filter(pk__in=[r.pk for r in previous]).update(
                status=R.RELEASED, closed_at=timezone.now()
            )
            _notify(previous, sign=+1)
        CartHold.objects.filter(
            reference=reference, api_key=api_key, status=CartHold.Status.ACTIVE
        ).update(status=CartHold.Status.RELEASED, closed_at=timezone.now())
    now = timezone.now()
    hold = CartHold.objects.create(
        reference=reference, api_key=api_key, created_at=now, expires_at=now + duration
    )
    needs = [Need(variants[sku], sku, qty) for sku, qty in quantities.items()]
    rows = reserve(needs, extra_changes=extra)
    Reservation.objects.bulk_create(
        [
            Reservation(
                level_id=level_id,
                quantity=units,
                hold=hold,
                expires_at=hold.expires_at,
                created_at=now,
            )
            for _need, level_id, units in rows
        ]
    )
    _notify_reserved(rows)
    return hold


def _live_hold(hold: CartHold) -> CartHold:
    locked = CartHold.objects.select_for_update().filter(pk=hold.pk).first()
    if locked is None or locked.status != CartHold.Status.ACTIVE:
        raise HoldNotFound(_("This hold was released or has expired."))
    if locked.expires_at <= timezone.now():
        raise IllegalState(_("This hold has expired."))
    return locked


@transaction.atomic
def extend_hold(hold: CartHold, *, minutes: int) -> CartHold:
    """Keep a live hold for ``minutes`` from now. Raises HoldNotFound or
    IllegalState (expired)."""
    duration = _minutes(minutes)
    locked = _live_hold(hold)
    locked.expires_at = timezone.now() + duration
    locked.save(update_fields=["expires_at"])
    locked.reservations.filter(status=R.ACTIVE).update(expires_at=locked.expires_at)
    return locked


@transaction.atomic
def release_hold(hold: CartHold) -> CartHold:
    """Give a hold's units back (the cart was emptied or abandoned)."""
    locked = CartHold.objects.select_for_update().filter(pk=hold.pk).first()
    if locked is None or locked.status != CartHold.Status.ACTIVE:
        raise HoldNotFound(_("This hold was released or has expired."))
    rows = list(locked.reservations.filter(status=R.ACTIVE))
    if rows:
        _release_rows(rows, R.RELEASED)
    locked.status = CartHold.Status.RELEASED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    return locked


def release_expired_holds(*, now=None, batch: int = 200) -> int:
    """Release every cart hold past its expiry (the periodic task). Returns
    the number of holds released."""
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            holds = list(
                CartHold.objects.select_for_update(skip_locked=True)
                .filter(status=CartHold.Status.ACTIVE, expires_at__lte=now)
                .order_by("pk")[:batch]
            )
            if not holds:
                return released
            rows = list(Reservation.objects.filter(hold__in=holds, status=R.ACTIVE))
            if rows:
                _release_rows(rows, R.RELEASED)
            CartHold.objects.filter(pk__in=[h.pk for h in holds]).update(
                status=CartHold.Status.EXPIRED, closed_at=timezone.now()
            )
            released += len(holds)
