"""Cart holds: units a storefront sets aside for a cart for a few minutes,
through the same reservation path as orders (``reservations.reserve``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.stock.exceptions import HoldNotFound, IllegalState, InvalidMovement
from plugins.stock.models import CartHold, Reservation
from plugins.stock.querysets import is_expired
from plugins.stock.services.reservations import (
    Need,
    R,
    _notify,
    _notify_reserved,
    _release_rows,
    reserve,
)

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

    def write(rows):
        return Reservation.objects.bulk_create(
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

    rows = reserve(needs, extra_changes=extra, write=write).rows
    _notify_reserved(rows)
    return hold


def _live_hold(hold: CartHold) -> CartHold:
    locked = CartHold.objects.select_for_update().filter(pk=hold.pk).first()
    if locked is None or locked.status != CartHold.Status.ACTIVE:
        raise HoldNotFound(_("This hold was released or has expired."))
    if is_expired(locked.expires_at):
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
                .expired(now)
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
