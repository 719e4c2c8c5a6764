"""Transfers between warehouses, in two steps: sent (a transfer-out movement at
the source, the units in transit at the destination) and received (a
transfer-in movement at the destination)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.stock.exceptions import IllegalState, InvalidMovement
from plugins.stock.models import (
    MovementKind,
    ReferenceType,
    Transfer,
    TransferLine,
    Warehouse,
)
from plugins.stock.permissions import user_can_operate
from plugins.stock.services.ledger import AVAILABLE, Entry, post_entries


@transaction.atomic
def send_transfer(
    *,
    source: Warehouse,
    destination: Warehouse,
    lines: list[tuple[object, int]],
    user,
    note: str = "",
) -> Transfer:
    """Send units of variants (``[(variant, quantity)]``) from ``source`` to
    ``destination``: transfer-out movements at the source (only units not
    reserved for orders may leave) and the units in transit at the
    destination.

    Needs ``operate`` on the source. Logs ``stock.transfer.send``. Raises
    PermissionDenied, InvalidMovement or InsufficientStock.
    """
    if user is not None and not user_can_operate(user, source):
        raise PermissionDenied
    if source.pk == destination.pk:
        raise InvalidMovement(
            _("Choose two different warehouses."), field="destination"
        )
    if not destination.active:
        raise InvalidMovement(
            _("Warehouse %(code)s is not active.") % {"code": destination.code},
            field="destination",
        )
    merged: dict[int, list] = {}
    for variant, quantity in lines:
        if not isinstance(quantity, int) or quantity <= 0:
            raise InvalidMovement(
                _("Send at least one unit of %(sku)s.") % {"sku": variant.sku},
                field="lines",
            )
        merged.setdefault(variant.pk, [variant, 0])[1] += quantity
    if not merged:
        raise InvalidMovement(_("Add at least one SKU to send."), field="lines")
    transfer = Transfer.objects.create(
        source=source,
        destination=destination,
        note=(note or "").strip()[:300],
        sent_by=user if getattr(user, "pk", None) else None,
        sent_at=timezone.now(),
    )
    TransferLine.objects.bulk_create(
        [
            TransferLine(transfer=transfer, variant=v, sku=v.sku, quantity=q)
            for v, q in merged.values()
        ]
    )
    entries = []
    for variant, quantity in merged.values():
        entries.append(
            Entry(
                variant.pk,
                source.pk,
                variant.sku,
                kind=MovementKind.TRANSFER_OUT,
                quantity=-quantity,
                reason=transfer.note,
                reference_type=ReferenceType.TRANSFER,
                reference=transfer.number,
                limit=AVAILABLE,
            )
        )
        entries.append(
            Entry(variant.pk, destination.pk, variant.sku, in_transit_change=quantity)
        )
    post_entries(entries, user=user)
    log_change(
        transfer,
        "stock.transfer.send",
        user=user,
        source=source.code,
        destination=destination.code,
        lines={v.sku: q for v, q in merged.values()},
    )
    return transfer


@transaction.atomic
def receive_transfer(
    transfer: Transfer, *, user, received: dict[int, int] | None = None
) -> Transfer:
    """Receive a transfer at its destination: transfer-in movements of the
    units received (by line id; default: everything sent). Units sent and not
    received are recorded on the line as missing.

    Needs ``operate`` on the destination. Logs ``stock.transfer.receive``.
    Raises PermissionDenied, IllegalState or InvalidMovement.
    """
    locked = (
        Transfer.objects.select_for_update()
        .select_related("destination")
        .get(pk=transfer.pk)
    )
    if user is not None and not user_can_operate(user, locked.destination):
        raise PermissionDenied
    if locked.status != Transfer.Status.SENT:
        raise IllegalState(
            _("Transfer %(number)s was already received.") % {"number": locked.number}
        )
    received = received or {}
    lines = list(locked.lines.select_related("variant"))
    entries = []
    for line in lines:
        units = received.get(line.pk, line.quantity)
        if not isinstance(units, int) or not 0 <= units <= line.quantity:
            raise InvalidMovement(
                _("Receive between 0 and %(max)d units of %(sku)s.")
                % {"max": line.quantity, "sku": line.sku},
                field=f"line-{line.pk}",
            )
        line.received_quantity = units
        if line.variant_id is None:
            continue
        entries.append(
            Entry(
                line.variant_id,
                locked.destination_id,
                line.sku,
                kind=MovementKind.TRANSFER_IN,
                quantity=units,
                in_transit_change=-line.quantity,
                reason=locked.note,
                reference_type=ReferenceType.TRANSFER,
                reference=locked.number,
            )
        )
    TransferLine.objects.bulk_update(lines, ["received_quantity"])
    post_entries(entries, user=user)
    locked.status = Transfer.Status.RECEIVED
    locked.received_by = user if getattr(user, "pk", None) else None
    locked.received_at = timezone.now()
    locked.save(update_fields=["status", "received_by", "received_at"])
    log_change(
        locked,
        "stock.transfer.receive",
        user=user,
        received={line.sku: line.received_quantity for line in lines},
        missing={line.sku: line.shortfall for line in lines if line.shortfall},
    )
    return locked
