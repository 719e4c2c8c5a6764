"""Reservations: order lines and cart holds set units aside so that nothing is
sold twice.

The hot path is ``orders.reserve_for_order`` (the orders plugin's
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

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, OuterRef
from django.utils import timezone

from plugins.sql import column, table
from plugins.stock import alerts
from plugins.stock.availability import (
    Availability,
    availability_changed,
    expired_hold_units,
    sell_untracked,
)
from plugins.stock.exceptions import (
    InsufficientStock,
)
from plugins.stock.models import (
    CartHold,
    Reservation,
    StockLevel,
)

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


class Reserved(NamedTuple):
    #: (need, level pk, units) for the reservation rows
    rows: list[tuple[Need, int, int]]
    #: level pk -> (on hand, reserved) right after the update, when known
    levels: dict[int, tuple[int, int]]
    #: what ``write`` returned
    written: list


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
        # FOR NO KEY UPDATE: only ``reserved`` changes, and a plain FOR UPDATE
        # would wait on the key-share locks that inserting reservations
        # takes on their level — a deadlock between two orders.
        queryset = queryset.select_for_update(of=("self",), no_key=True)
    return [
        _candidate(row)
        for row in queryset.order_by("pk")
        .annotate(expired=expired_hold_units(OuterRef("pk")))
        .values_list(*CANDIDATE_COLUMNS)
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


@functools.cache
def _apply_statements(vendor: str) -> tuple[str, str, str]:
    """The UPDATE of a level's reserved units, its guard, and what it returns
    ("" where the database cannot return rows), built once per database."""
    on_hand, reserved = column(StockLevel, "on_hand"), column(StockLevel, "reserved")
    update = (
        f"UPDATE {table(StockLevel)} SET {reserved} = {reserved} + %s "  # noqa: S608  (names from the model)
        f"WHERE {column(StockLevel, 'pk')} = %s"
    )
    guard = f" AND {reserved} <= {on_hand} - %s"
    returning = (
        f" RETURNING {on_hand}, {reserved}"
        if connection.features.can_return_columns_from_insert
        else ""
    )
    return update, guard, returning


def _apply(changes: dict[int, list]) -> dict[int, tuple[int, int]]:
    """One conditional UPDATE per level, in ascending primary-key order.
    Positive changes that must stay within the available units are guarded;
    negative ones (releases) and backorders are not. Returns each level's
    (on hand, reserved) right after its update, under its row lock — where the
    database can return them (PostgreSQL; SQLite 3.35+).

    Written out: it runs for every order, its row lock is every other order's
    wait for a best-seller, and the ORM's update cannot guard on the new
    value and return it in one statement."""
    update, guard, returning = _apply_statements(connection.vendor)
    after = {}
    with connection.cursor() as cursor:
        for pk in sorted(changes):
            units, beyond = changes[pk]
            if units == 0:
                continue
            sql, params = update, [units, pk]
            if units > 0 and not beyond:
                sql, params = sql + guard, [*params, units]
            if returning:
                cursor.execute(sql + returning, params)
                row = cursor.fetchone()
                if row is None:
                    raise _Stale
                after[pk] = tuple(row)
            else:
                cursor.execute(sql, params)
                if cursor.rowcount != 1:
                    raise _Stale
    return after


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
    write: Callable[[list[tuple[Need, int, int]]], list],
) -> Reserved:
    """Reserve ``needs`` (must run inside a transaction). Returns the rows to
    write, (need, level pk, units), and the levels as updated. ``candidates``
    are the needs' levels when the caller read them already (with
    ``preferred`` set); ``extra_changes`` ({level pk: units}, e.g. negative: a
    hold's leftover units released) are applied in the same ordered pass.
    Raises InsufficientStock.

    ``write(rows)`` writes the reservation rows (returning them) before the
    levels are updated: the guarded UPDATE is then the transaction's last
    statement, and the levels' row locks are held only until the COMMIT
    that follows it — the wait of every other order for a best-seller."""
    needs = [n for n in needs if n.quantity > 0]
    extra = extra_changes or {}
    if not needs and not extra:
        return Reserved([], {}, [])
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
        if len(changes) > 1:
            try:
                with transaction.atomic():  # a stale level takes all of it back
                    written = write(plan.rows)
                    return Reserved(plan.rows, _apply(changes), written)
            except _Stale:
                pass
        else:
            written = write(plan.rows)
            try:
                return Reserved(plan.rows, _apply(changes), written)
            except _Stale:  # the one UPDATE changed nothing; the rows go
                Reservation.objects.filter(pk__in=[r.pk for r in written]).delete()
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
    written = write(plan.rows)
    return Reserved(plan.rows, _apply(_merge(plan.changes, extra)), written)


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


def _notify_reserved(
    rows: list[tuple[Need, int, int]],
    levels: dict[int, Candidate] | None = None,
    after: dict[int, tuple[int, int]] | None = None,
) -> None:
    """After commit: availability of the SKUs reserved, and the low-stock check
    of the levels that may have fallen to their reorder point (judged from the
    levels as read before reserving; without them, every level).

    ``after`` (the levels as updated, under their row locks) gives the new
    availability of a SKU stocked in one warehouse without reading it again:
    whichever order locks the row last sees what it leaves."""
    deltas: dict[str, int] = defaultdict(int)
    taken: dict[int, int] = defaultdict(int)
    for need, level_id, units in rows:
        deltas[need.sku] -= units
        taken[level_id] += units
    current = {}
    if levels and after:
        by_variant: dict[int, list[Candidate]] = defaultdict(list)
        for c in levels.values():
            by_variant[c.variant_id].append(c)
        for need, _level_id, _units in rows:
            stocked = by_variant[need.variant_id]
            if len(stocked) != 1 or stocked[0].pk not in after:
                continue
            c = stocked[0]
            on_hand, reserved = after[c.pk]
            current[need.sku] = Availability(
                need.sku,
                available=max(on_hand - reserved + c.expired, 0) if c.active else 0,
                backorder=c.active and c.backorders,
                tracked=True,
            )
    availability_changed(deltas, current)
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
