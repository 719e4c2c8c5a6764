"""Stock's side of the order lifecycle: reserve when an order is placed (the
hot path), release when it is cancelled, sell when it ships, take back when
it is returned. Called by the orders hooks (``order_hooks.py``) inside the
order services' transactions."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections import defaultdict

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.orders.querysets import stock_lines
from plugins.sql import column, table
from plugins.stock.exceptions import CannotShip, InsufficientStock
from plugins.stock.models import (
    CartHold,
    ChannelWarehouse,
    MovementKind,
    ReferenceType,
    Reservation,
    StockLevel,
    Warehouse,
)
from plugins.stock.querysets import hold_expired_sql
from plugins.stock.services.ledger import Entry, post_entries
from plugins.stock.services.reservations import (
    Candidate,
    Need,
    R,
    _notify_levels,
    _notify_reserved,
    _release_rows,
    reserve,
)

# -- orders -----------------------------------------------------------------------


@functools.cache
def _levels_sql(vendor: str, count: int) -> str:
    """The levels of ``count`` variants, as ``Candidate`` columns: the units
    of their expired holds, whether their warehouse is the channel's
    preferred one (parameter: its code), and the live cart hold named by the
    order's idempotency key (parameter: the key), in every row."""
    level, house, link = StockLevel, Warehouse, ChannelWarehouse
    active = Reservation.Status.ACTIVE.value
    return f"""
        SELECT l.{column(level, "pk")}, l.{column(level, "variant")},
               l.{column(level, "warehouse")}, l.{column(level, "on_hand")},
               l.{column(level, "reserved")},
               COALESCE((
                   SELECT SUM(r.{column(Reservation, "quantity")})
                   FROM {table(Reservation)} r
                   WHERE r.{column(Reservation, "level")} = l.{column(level, "pk")}
                     AND r.{column(Reservation, "status")} = '{active}'
                     AND r.{column(Reservation, "hold")} IS NOT NULL
                     AND {hold_expired_sql(Reservation, "r")}
               ), 0),
               w.{column(house, "priority")}, w.{column(house, "code")},
               w.{column(house, "active")}, w.{column(house, "allow_backorders")},
               EXISTS(
                   SELECT 1 FROM {table(link)} cw
                   WHERE cw.{column(link, "channel_code")} = %s
                     AND cw.{column(link, "warehouse")} = l.{column(level, "warehouse")}
               ),
               l.{column(level, "reorder_point")}, l.{column(level, "alerted_at")},
               (
                   SELECT h.{column(CartHold, "pk")} FROM {table(CartHold)} h
                   WHERE h.{column(CartHold, "reference")} = %s
                     AND h.{column(CartHold, "reference")} <> ''
                     AND h.{column(CartHold, "status")} = '{active}'
                     AND NOT ({hold_expired_sql(CartHold, "h")})
                   ORDER BY 1 LIMIT 1
               )
        FROM {table(level)} l
        JOIN {table(house)} w
          ON w.{column(house, "pk")} = l.{column(level, "warehouse")}
        WHERE l.{column(level, "variant")} IN ({", ".join(["%s"] * count)})
        ORDER BY 1
    """  # noqa: S608  (names and constants from the models; values are parameters)


def _order_lines_and_levels(order) -> tuple[list[Need], list[Candidate], int | None]:
    """The order's lines (read through the orders plugin), their variants'
    levels, each marked when its warehouse is the order channel's preferred
    one, and the live cart hold named by the order's idempotency key, if any.

    Written out, in one query: it runs for every order, and the ORM would
    compile its three subqueries each time (built once per database and
    number of variants)."""
    lines = [
        Need(variant_id, sku, quantity, line_id)
        for line_id, variant_id, sku, quantity in stock_lines(order)
        if variant_id
    ]
    if not lines:
        return [], [], None
    variant_ids = sorted({n.variant_id for n in lines})
    now = timezone.now()
    params = [
        now,  # the expired holds' units
        getattr(getattr(order, "channel", None), "code", ""),
        getattr(order, "idempotency_key", ""),
        now,  # the live hold
        *variant_ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_levels_sql(connection.vendor, len(variant_ids)), params)
        rows = cursor.fetchall()
    candidates = []
    hold_id = None
    for *values, active, backorders, preferred, reorder_point, alerted, hold in rows:
        hold_id = hold_id or hold
        candidates.append(
            Candidate(
                *values,
                active=bool(active),
                backorders=bool(backorders),
                preferred=bool(preferred),
                reorder_point=reorder_point,
                alerted=alerted is not None,
            )
        )
    return lines, candidates, hold_id


def reserve_for_order(order) -> list[Reservation]:
    """Reserve every line of a newly placed order (the ``ORDER_PLACED`` hook,
    inside ``place_order``'s transaction): a live cart hold whose reference is
    the order's idempotency key is taken over first; the rest is reserved
    across warehouses (the channel's preferred warehouse, then by priority).

    Raises InsufficientStock (409, ``short``: each SKU with the units
    requested and available), which refuses the order.
    """
    lines, candidates, hold_id = _order_lines_and_levels(order)
    if not lines:
        return []
    taken, extra = _take_over_hold(order, lines, hold_id) if hold_id else ({}, {})
    needs = [
        Need(n.variant_id, n.sku, n.quantity - taken.get(n.line_id, 0), n.line_id)
        for n in lines
    ]
    if extra:
        _notify_levels({pk: -units for pk, units in extra.items()})
    created_at = getattr(order, "placed_at", None) or timezone.now()

    def write(rows):
        return Reservation.objects.bulk_create(
            [
                Reservation(
                    level_id=level_id,
                    quantity=units,
                    order_id=order.pk,
                    order_line_id=need.line_id,
                    order_number=order.number,
                    created_at=created_at,
                )
                for need, level_id, units in rows
            ]
        )

    reserved = reserve(needs, candidates=candidates, extra_changes=extra, write=write)
    rows, created = reserved.rows, reserved.written
    if not rows:
        return []
    watched = {c.pk: c for c in candidates}
    _notify_reserved(rows, watched, reserved.levels)
    return created


def _take_over_hold(
    order, lines: list[Need], hold_id: int
) -> tuple[dict[int, int], dict[int, int]]:
    """Turn the reservations of the cart hold named by the order's idempotency
    key (``hold_id``, found live) into the order's. Returns ({line id: units
    covered}, {level pk: units to release}) — leftovers are released in the
    same ordered pass."""
    hold = CartHold.objects.select_for_update().live().filter(pk=hold_id).first()
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
            reason=(getattr(order, "return_reason", "") or "")[:300],
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
