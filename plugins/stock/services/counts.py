"""Inventory counts: open a count for a warehouse (or one category in it),
enter the counted units, review the differences against the units on hand,
post them as count-adjustment movements."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.stock.exceptions import IllegalState, InvalidMovement
from plugins.stock.models import (
    CountLine,
    InventoryCount,
    MovementKind,
    ReferenceType,
    StockLevel,
    Warehouse,
)
from plugins.stock.permissions import user_can_operate
from plugins.stock.services.ledger import Entry, lock_levels, post_entries

MAX_COUNT_LINES = 20_000


def _check(user, warehouse) -> None:
    if user is not None and not user_can_operate(user, warehouse):
        raise PermissionDenied


@transaction.atomic
def open_count(
    warehouse: Warehouse, *, user, category=None, note: str = ""
) -> InventoryCount:
    """Open a count: one line per variant to count, with the units on hand
    now. With a category: every variant of the products in it or below it
    (stocked here or not); without: every variant stocked in the warehouse.

    Needs ``operate`` on the warehouse. Logs ``stock.count.open``. Raises
    PermissionDenied or IllegalState (an open count of the same scope).
    """
    _check(user, warehouse)
    from content.models import Variant

    if (
        InventoryCount.objects.open()
        .filter(warehouse=warehouse, category=category)
        .exists()
    ):
        raise IllegalState(
            _("There is already an open count for this warehouse and category.")
        )
    count = InventoryCount.objects.create(
        warehouse=warehouse,
        category=category,
        note=(note or "").strip()[:300],
        opened_by=user if getattr(user, "pk", None) else None,
        opened_at=timezone.now(),
    )
    on_hand = dict(
        StockLevel.objects.filter(warehouse=warehouse).values_list(
            "variant_id", "on_hand"
        )
    )
    if category is not None:
        tree = category.get_descendants(include_self=True)
        variants = (
            Variant.objects.filter(
                Q(product__primary_category__in=tree) | Q(product__categories__in=tree)
            )
            .distinct()
            .values_list("pk", "sku")
        )
    else:
        variants = Variant.objects.filter(pk__in=list(on_hand)).values_list("pk", "sku")
    variants = list(variants.order_by("sku")[: MAX_COUNT_LINES + 1])
    if len(variants) > MAX_COUNT_LINES:
        raise InvalidMovement(
            _("A count has at most %(max)d SKUs: count one category at a time.")
            % {"max": MAX_COUNT_LINES}
        )
    CountLine.objects.bulk_create(
        [
            CountLine(count=count, variant_id=pk, sku=sku, expected=on_hand.get(pk, 0))
            for pk, sku in variants
        ],
        batch_size=1000,
    )
    log_change(
        count,
        "stock.count.open",
        user=user,
        warehouse=warehouse.code,
        category=category.path if category is not None else "",
        lines=len(variants),
    )
    return count


def _open(count: InventoryCount) -> InventoryCount:
    locked = (
        InventoryCount.objects.select_for_update()
        .select_related("warehouse")
        .get(pk=count.pk)
    )
    if locked.status != InventoryCount.Status.OPEN:
        raise IllegalState(
            _("Count %(number)s is %(status)s.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def record_counts(
    count: InventoryCount, *, counted: dict[int, int | None], user
) -> int:
    """Enter counted units by line id (``None`` clears a line: not counted).
    Needs ``operate`` on the warehouse. Returns the number of lines changed."""
    locked = _open(count)
    _check(user, locked.warehouse)
    lines = list(locked.lines.filter(pk__in=list(counted)))
    changed = []
    for line in lines:
        value = counted[line.pk]
        if value is not None and (not isinstance(value, int) or value < 0):
            raise InvalidMovement(
                _("Counted units of %(sku)s cannot be negative.") % {"sku": line.sku},
                field=f"line-{line.pk}",
            )
        if line.counted != value:
            line.counted = value
            changed.append(line)
    CountLine.objects.bulk_update(changed, ["counted"], batch_size=1000)
    return len(changed)


@transaction.atomic
def add_count_line(count: InventoryCount, *, variant, user) -> CountLine:
    """Add a SKU found on the shelf to an open count (one that was not on it:
    not stocked in the warehouse, or outside the counted category), expecting
    the units on hand now (0 without a level). Adding a SKU already on the
    count returns its line.

    Needs ``operate`` on the warehouse. Logs ``stock.count.add_line``. Raises
    PermissionDenied, IllegalState (not open) or InvalidMovement (too many
    lines).
    """
    locked = _open(count)
    _check(user, locked.warehouse)
    line = locked.lines.filter(variant=variant).first()
    if line is not None:
        return line
    if locked.lines.count() >= MAX_COUNT_LINES:
        raise InvalidMovement(
            _("A count has at most %(max)d SKUs: count one category at a time.")
            % {"max": MAX_COUNT_LINES}
        )
    on_hand = (
        StockLevel.objects.filter(warehouse=locked.warehouse, variant=variant)
        .values_list("on_hand", flat=True)
        .first()
    )
    line = CountLine.objects.create(
        count=locked, variant=variant, sku=variant.sku, expected=on_hand or 0
    )
    log_change(locked, "stock.count.add_line", user=user, sku=variant.sku)
    return line


def differences(count: InventoryCount) -> list[dict]:
    """For the review: each counted line with the units on hand now and the
    difference that posting would record."""
    lines = list(
        count.lines.filter(counted__isnull=False)
        .select_related("variant__product")
        .order_by("sku")
    )
    on_hand = dict(
        StockLevel.objects.filter(
            warehouse_id=count.warehouse_id,
            variant_id__in=[line.variant_id for line in lines if line.variant_id],
        ).values_list("variant_id", "on_hand")
    )
    return [
        {
            "line": line,
            "sku": line.sku,
            "expected": line.expected,
            "on_hand": on_hand.get(line.variant_id, 0),
            "counted": line.counted,
            "difference": line.counted - on_hand.get(line.variant_id, 0),
        }
        for line in lines
    ]


@transaction.atomic
def post_count(count: InventoryCount, *, user) -> list:
    """Post the differences of the counted lines as count-adjustment
    movements: each level ends at the units counted (differences are taken
    against the units on hand when posting, under the levels' locks). Lines
    not counted are left alone.

    Needs ``operate`` on the warehouse. Logs ``stock.count.post``. Raises
    PermissionDenied or IllegalState (not open, or nothing counted yet: the
    count is not ready to post).
    """
    locked = _open(count)
    _check(user, locked.warehouse)
    lines = [
        line for line in locked.lines.filter(counted__isnull=False) if line.variant_id
    ]
    if not lines:
        raise IllegalState(_("Enter at least one counted quantity."))
    from plugins.stock.services.ledger import ensure_levels

    pks = ensure_levels((line.variant_id, locked.warehouse_id) for line in lines)
    levels = lock_levels(pks.values())
    entries = []
    for line in lines:
        level = levels[pks[line.variant_id, locked.warehouse_id]]
        line.posted_difference = line.counted - level.on_hand
        if line.posted_difference:
            entries.append(
                Entry(
                    line.variant_id,
                    locked.warehouse_id,
                    line.sku,
                    kind=MovementKind.COUNT,
                    quantity=line.posted_difference,
                    reason=locked.note,
                    reference_type=ReferenceType.COUNT,
                    reference=locked.number,
                )
            )
    CountLine.objects.bulk_update(lines, ["posted_difference"], batch_size=1000)
    movements = post_entries(entries, user=user)
    locked.status = InventoryCount.Status.POSTED
    locked.closed_by = user if getattr(user, "pk", None) else None
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_by", "closed_at"])
    log_change(
        locked,
        "stock.count.post",
        user=user,
        counted=len(lines),
        differences={e.sku: e.quantity for e in entries},
    )
    return movements


@transaction.atomic
def cancel_count(count: InventoryCount, *, user) -> InventoryCount:
    """Drop an open count without posting anything. Logs
    ``stock.count.cancel``."""
    locked = _open(count)
    _check(user, locked.warehouse)
    locked.status = InventoryCount.Status.CANCELLED
    locked.closed_by = user if getattr(user, "pk", None) else None
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_by", "closed_at"])
    log_change(locked, "stock.count.cancel", user=user)
    return locked
