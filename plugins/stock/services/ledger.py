"""The ledger: every change of on-hand stock is one immutable movement, and the
level it changes is updated in the same transaction, under a row lock taken in
ascending primary-key order (so that concurrent writers never deadlock)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins import hooks
from plugins.audit import log_change
from plugins.stock import alerts
from plugins.stock.availability import availability_changed
from plugins.stock.exceptions import InsufficientStock, InvalidMovement
from plugins.stock.hooks import STOCK_MOVED
from plugins.stock.models import (
    MovementKind,
    ReferenceType,
    Reservation,
    StockLevel,
    StockMovement,
    TransferLine,
    Warehouse,
)
from plugins.stock.permissions import user_can_manage_reorder_points, user_can_operate

CHUNK = 500  # rows per IN list / lock batch (under SQLite's parameter limits)

#: What a decrease of on-hand units may not exceed: the units on hand
#: (adjustments, counts, sales of reserved units) or the units available
#: (on hand minus reserved: transfers must not take units promised to orders).
ON_HAND = "on_hand"
AVAILABLE = "available"


@dataclass
class Entry:
    """One change to post. ``quantity`` changes on-hand units and becomes a
    movement of ``kind``; ``quantity=0`` changes only ``reserved`` or
    ``in_transit`` (no movement)."""

    variant_id: int
    warehouse_id: int
    sku: str
    kind: str = ""
    quantity: int = 0
    reserved_change: int = 0
    in_transit_change: int = 0
    reason: str = ""
    reference_type: str = ""
    reference: str = ""
    limit: str = ON_HAND


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_levels(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """``{(variant_id, warehouse_id): level pk}``, creating missing levels
    (concurrent creators do not conflict)."""
    wanted = set(pairs)
    found: dict[tuple[int, int], int] = {}

    def read(variant_ids):
        for chunk in chunks(sorted(variant_ids)):
            for pk, variant_id, warehouse_id in StockLevel.objects.filter(
                variant_id__in=chunk
            ).values_list("pk", "variant_id", "warehouse_id"):
                if (variant_id, warehouse_id) in wanted:
                    found[variant_id, warehouse_id] = pk

    read({variant_id for variant_id, _w in wanted})
    missing = wanted - found.keys()
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(variant_id=v, warehouse_id=w) for v, w in sorted(missing)],
            ignore_conflicts=True,
            batch_size=CHUNK,
        )
        read({variant_id for variant_id, _w in missing})
    return found


def lock_levels(pks: Iterable[int]) -> dict[int, StockLevel]:
    """Lock levels in ascending primary-key order and return them (FOR NO KEY
    UPDATE: their keys never change, and rows referencing them, reservations
    and movements, can still be inserted by others)."""
    locked = {}
    for chunk in chunks(sorted(set(pks))):
        for level in (
            StockLevel.objects.select_for_update(no_key=True)
            .filter(pk__in=chunk)
            .order_by("pk")
            .only(
                "pk", "variant_id", "warehouse_id", "on_hand", "reserved", "in_transit"
            )
        ):
            locked[level.pk] = level
    return locked


@transaction.atomic
def post_entries(
    entries: list[Entry], *, user, at=None, movement_cls=StockMovement
) -> list[StockMovement]:
    """Post ``entries``: lock their levels (created when missing) in ascending
    order, check that no on-hand count goes below zero (nor below the reserved
    units for entries limited to ``AVAILABLE``), update the levels and write
    one movement per entry with a quantity. Calls ``STOCK_MOVED`` inside the
    transaction; after commit, availability caches and low-stock alerts are
    refreshed.

    Raises InsufficientStock naming each SKU short. No permission check: the
    public services below check before calling this.
    """
    if not entries:
        return []
    at = at or timezone.now()
    pks = ensure_levels((e.variant_id, e.warehouse_id) for e in entries)
    levels = lock_levels(pks.values())
    short: dict[str, dict] = {}
    changed: set[int] = set()
    movements = []
    for entry in entries:
        level = levels[pks[entry.variant_id, entry.warehouse_id]]
        if entry.quantity < 0:
            room = level.on_hand if entry.limit == ON_HAND else level.available
            if room + entry.quantity < 0:
                item = short.setdefault(
                    entry.sku,
                    {"sku": entry.sku, "requested": 0, "available": max(room, 0)},
                )
                item["requested"] -= entry.quantity
                continue
        level.on_hand += entry.quantity
        level.reserved += entry.reserved_change
        level.in_transit += entry.in_transit_change
        if level.reserved < 0 or level.in_transit < 0:
            raise InvalidMovement(
                _("The reserved or in-transit units of %(sku)s would be negative.")
                % {"sku": entry.sku}
            )
        changed.add(level.pk)
        if entry.quantity:
            movements.append(
                movement_cls(
                    warehouse_id=entry.warehouse_id,
                    variant_id=entry.variant_id,
                    sku=entry.sku,
                    kind=entry.kind,
                    quantity=entry.quantity,
                    on_hand_after=level.on_hand,
                    reason=entry.reason[:300],
                    reference_type=entry.reference_type,
                    reference=entry.reference[:80],
                    user=user if getattr(user, "pk", None) else None,
                    created_at=at,
                )
            )
    if short:
        raise InsufficientStock(list(short.values()))
    _update_levels([levels[pk] for pk in sorted(changed)])
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    hooks.call(STOCK_MOVED, movements=movements)
    deltas: dict[str, int] = defaultdict(int)
    for entry in entries:
        deltas[entry.sku] += entry.quantity - entry.reserved_change
    availability_changed(deltas)
    alerts.levels_changed(changed)
    return movements


def _update_levels(levels: list[StockLevel]) -> None:
    """Write the new numbers of locked levels: one ``UPDATE … FROM (VALUES …)``
    per chunk (Django's ``bulk_update`` builds a CASE per row and column,
    which costs more than the database work for large imports)."""
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    for chunk in chunks(levels):
        rows = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params = [
            value
            for level in chunk
            for value in (level.pk, level.on_hand, level.reserved, level.in_transit)
        ]
        if connection.vendor == "postgresql":
            sql = (
                f"UPDATE {table} AS l SET on_hand = v.on_hand, "  # noqa: S608
                "reserved = v.reserved, in_transit = v.in_transit "
                f"FROM (VALUES {rows}) AS v(id, on_hand, reserved, in_transit) "
                "WHERE l.id = v.id"
            )
        elif connection.vendor == "sqlite":
            sql = (
                f"UPDATE {table} SET on_hand = v.column2, reserved = v.column3, "  # noqa: S608
                f"in_transit = v.column4 FROM (VALUES {rows}) AS v "
                f"WHERE {table}.id = v.column1"
            )
        else:
            StockLevel.objects.bulk_update(chunk, ["on_hand", "reserved", "in_transit"])
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _check_operate(user, warehouse: Warehouse) -> None:
    if user is not None and not user_can_operate(user, warehouse):
        raise PermissionDenied


def _variant_sku(variant) -> str:
    return variant.sku


@transaction.atomic
def receive_stock(
    warehouse: Warehouse,
    *,
    variant,
    quantity: int,
    user,
    reason: str = "",
    reference: str = "",
) -> StockMovement:
    """Units arrived (a purchase, a production batch): a receipt movement.

    Needs ``operate`` on the warehouse (``user=None``: the system). Logs
    ``stock.receive``. Raises PermissionDenied or InvalidMovement.
    """
    _check_operate(user, warehouse)
    if not isinstance(quantity, int) or quantity <= 0:
        raise InvalidMovement(_("Receive at least one unit."), field="quantity")
    (movement,) = post_entries(
        [
            Entry(
                variant.pk,
                warehouse.pk,
                variant.sku,
                kind=MovementKind.RECEIPT,
                quantity=quantity,
                reason=reason.strip(),
                reference=reference.strip(),
            )
        ],
        user=user,
    )
    log_change(
        warehouse,
        "stock.receive",
        user=user,
        sku=variant.sku,
        quantity=quantity,
        on_hand=[movement.on_hand_after - quantity, movement.on_hand_after],
        reason=reason.strip()[:300],
    )
    return movement


@transaction.atomic
def adjust_stock(
    warehouse: Warehouse, *, variant, quantity: int, reason: str, user
) -> StockMovement:
    """Correct the units on hand by ``quantity`` (positive or negative) with a
    mandatory reason (breakage, loss, found units ...): an adjustment movement.

    Needs ``operate`` on the warehouse. Logs ``stock.adjust``. Raises
    PermissionDenied, InvalidMovement or InsufficientStock (below zero).
    """
    _check_operate(user, warehouse)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidMovement(_("Give a reason for the adjustment."), field="reason")
    if not isinstance(quantity, int) or quantity == 0:
        raise InvalidMovement(
            _("The adjustment must change the stock (not zero)."), field="quantity"
        )
    (movement,) = post_entries(
        [
            Entry(
                variant.pk,
                warehouse.pk,
                variant.sku,
                kind=MovementKind.ADJUSTMENT,
                quantity=quantity,
                reason=reason,
            )
        ],
        user=user,
    )
    log_change(
        warehouse,
        "stock.adjust",
        user=user,
        sku=variant.sku,
        quantity=quantity,
        on_hand=[movement.on_hand_after - quantity, movement.on_hand_after],
        reason=reason[:300],
    )
    return movement


@transaction.atomic
def set_reorder_point(level: StockLevel, *, reorder_point: int, user) -> StockLevel:
    """Alert when the level's available units fall to ``reorder_point`` (0:
    never). A planning decision: needs the model-level
    ``stock.change_stocklevel`` (the *Gerente de estoque*), not ``operate`` on
    the warehouse (the clerks). Logs ``stock.reorder_point``."""
    if user is not None and not user_can_manage_reorder_points(user):
        raise PermissionDenied
    if reorder_point < 0:
        raise InvalidMovement(_("The reorder point cannot be negative."))
    before = StockLevel.objects.filter(pk=level.pk).values_list(
        "reorder_point", flat=True
    )[0]
    StockLevel.objects.filter(pk=level.pk).update(reorder_point=reorder_point)
    level.reorder_point = reorder_point
    if before != reorder_point:
        log_change(
            level,
            "stock.reorder_point",
            user=user,
            changes={"reorder_point": [before, reorder_point]},
        )
        alerts.levels_changed([level.pk])
    return level


# -- verification -----------------------------------------------------------------


@dataclass
class Drift:
    level_id: int
    sku: str
    warehouse: str
    field: str
    recorded: int
    expected: int

    def __str__(self) -> str:
        return (
            f"{self.sku} @ {self.warehouse}: {self.field} is {self.recorded}, "
            f"the ledger says {self.expected}"
        )


def find_drift() -> list[Drift]:
    """Levels whose numbers disagree with what they sum up: on hand with the
    movements, reserved with the active reservations, in transit with the
    transfers not received yet."""
    ledger = {
        (row["variant_id"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.filter(variant__isnull=False)
        .values("variant_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    reserved = {
        row["level_id"]: row["total"]
        for row in Reservation.objects.active()
        .values("level_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    transit = {
        (row["variant_id"], row["transfer__destination_id"]): row["total"]
        for row in TransferLine.objects.filter(
            transfer__status="sent", variant__isnull=False
        )
        .values("variant_id", "transfer__destination_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    drift = []
    seen = set()
    for level in StockLevel.objects.values(
        "pk",
        "variant_id",
        "warehouse_id",
        "variant__sku",
        "warehouse__code",
        "on_hand",
        "reserved",
        "in_transit",
    ).order_by("pk"):
        key = (level["variant_id"], level["warehouse_id"])
        seen.add(key)
        for name, expected in (
            ("on_hand", ledger.get(key, 0)),
            ("reserved", reserved.get(level["pk"], 0)),
            ("in_transit", transit.get(key, 0)),
        ):
            if level[name] != expected:
                drift.append(
                    Drift(
                        level["pk"],
                        level["variant__sku"],
                        level["warehouse__code"],
                        name,
                        level[name],
                        expected,
                    )
                )
    for key, total in ledger.items():
        if key not in seen and total:
            drift.append(Drift(0, str(key[0]), str(key[1]), "level", 0, total))
    return drift


@transaction.atomic
def repair_drift(drift: list[Drift], *, user=None) -> int:
    """Repair each drift with an audited correction: a correction movement
    brings the ledger to the units on hand (the level's count is what was
    last counted or moved); reserved and in-transit units are set to what
    their reservations and transfers add up to. Logs ``stock.correction``
    per level. Returns the number of corrections."""
    by_level = {d.level_id: d for d in drift if d.level_id}
    levels = lock_levels(by_level)
    entries = []
    fixed = 0
    for item in drift:
        level = levels.get(item.level_id)
        if level is None:
            continue
        if item.field == "on_hand":
            entries.append(
                Entry(
                    level.variant_id,
                    level.warehouse_id,
                    item.sku,
                    kind=MovementKind.ADJUSTMENT,
                    quantity=item.recorded - item.expected,
                    reason=_(
                        "Ledger correction: on hand %(recorded)s, movements "
                        "added up to %(expected)s."
                    )
                    % {"recorded": item.recorded, "expected": item.expected},
                    reference_type=ReferenceType.CORRECTION,
                )
            )
        else:
            StockLevel.objects.filter(pk=level.pk).update(**{item.field: item.expected})
        log_change(
            level,
            "stock.correction",
            user=user,
            changes={item.field: [item.recorded, item.expected]},
        )
        fixed += 1
    if entries:
        # The correction must not move on_hand: post the movements without
        # changing the level (the ledger catches up with the level).
        _write_corrections(entries, levels, user=user)
    return fixed


def _write_corrections(entries: list[Entry], levels, *, user) -> None:
    by_pair = {(lv.variant_id, lv.warehouse_id): lv for lv in levels.values()}
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                warehouse_id=e.warehouse_id,
                variant_id=e.variant_id,
                sku=e.sku,
                kind=e.kind,
                quantity=e.quantity,
                on_hand_after=by_pair[e.variant_id, e.warehouse_id].on_hand,
                reason=e.reason[:300],
                reference_type=e.reference_type,
                user=user if getattr(user, "pk", None) else None,
            )
            for e in entries
        ]
    )
