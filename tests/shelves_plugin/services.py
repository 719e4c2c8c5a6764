from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from plugins import hooks
from plugins.audit import log_change
from plugins.permissions import policy_for
from tests.shelves_plugin.exceptions import OverCapacity
from tests.shelves_plugin.hooks import SHELF_RESTOCKED
from tests.shelves_plugin.models import Shelf


@transaction.atomic
def restock_shelf(shelf: Shelf, *, units: int, user) -> Shelf:
    """Add ``units`` to the shelf with a conditional UPDATE (never over capacity).

    Requires ``restock`` on the shelf (model-level or granted on the object).
    Calls SHELF_RESTOCKED inside the transaction. Logs ``shelves.restock``.
    Raises PermissionDenied, ValueError or OverCapacity.
    """
    if not policy_for(Shelf).user_has_permission_for_instance(user, "restock", shelf):
        raise PermissionDenied
    if units <= 0:
        raise ValueError("units must be positive")
    updated = Shelf.objects.filter(
        pk=shelf.pk, units__lte=F("capacity") - units
    ).update(units=F("units") + units)
    before = shelf.units
    shelf.refresh_from_db()
    if not updated:
        raise OverCapacity(shelf, units)
    hooks.call(SHELF_RESTOCKED, shelf=shelf, units=units, user=user)
    log_change(
        shelf, "shelves.restock", user=user, changes={"units": [before, shelf.units]}
    )
    return shelf
