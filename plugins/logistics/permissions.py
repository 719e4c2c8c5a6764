"""Who may do what with shipments.

Carriers scope the shipping desk's work, as warehouses scope the stock
clerks' and emitters the fiscal desk's: the "Expedição" role is granted, per
carrier (django-guardian, Configurações › Permissões por objeto),
``logistics.view_carrier`` to see its shipments, manifests and returns and
``logistics.ship_carrier`` to create shipments, print labels, close
manifests, record tracking and receive returns. The same permissions held
for the model (a role's group) cover every carrier: the logistics manager
ships with all of them; managers and auditors read all.

Setting carriers up (their credentials, services, freight tables) is
``logistics.add_carrier`` / ``logistics.change_carrier`` and the freight
permissions: the logistics manager, the manager and the superuser.

The rows of a carrier (shipments, manifests, tracking events, returns)
follow it (:class:`CarrierScopedPolicy`): who sees them at all is the
model's own view permission; which of them, the carriers the user sees. A
shipment of a carrier out of the user's scope does not exist for them (404,
never 403). The same policies serve the admin and the API.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from plugins.permissions import (
    ReadGatedScopedPolicy,
    ScopedPermissionPolicy,
    is_active_user,
)


class CarrierPerm(StrEnum):
    VIEW = "logistics.view_carrier"
    SHIP = "logistics.ship_carrier"
    ADD = "logistics.add_carrier"
    CHANGE = "logistics.change_carrier"


class LogisticsPerm(StrEnum):
    VIEW_SHIPMENT = "logistics.view_shipment"
    VIEW_MANIFEST = "logistics.view_manifest"
    VIEW_RETURN = "logistics.view_returnrequest"
    VIEW_TRACKING = "logistics.view_trackingevent"
    VIEW_RATE = "logistics.view_freightrate"
    IMPORT_RATES = "logistics.import_freightrate"
    CHANGE_SERVICE = "logistics.change_carrierservice"
    CHANGE_ORIGIN = "logistics.change_shippingorigin"
    CHANGE_FREE_SHIPPING = "logistics.change_freeshippingrule"


#: Actions on rows that belong to a carrier, and the permission each needs on
#: that carrier. Creating shipments, printing labels, closing manifests,
#: recording tracking and receiving returns are all "ship".
CARRIER_SCOPE_ACTIONS = {
    "view": CarrierPerm.VIEW,
    "add": CarrierPerm.SHIP,
    "change": CarrierPerm.SHIP,
    "ship": CarrierPerm.SHIP,
}


class CarrierScopedPolicy(ReadGatedScopedPolicy):
    """Rows of a carrier (``scope_field``, ``"carrier"`` by default).

    A user acts on them only while holding the model's own view permission
    (``logistics.view_shipment`` for shipments: the logistics roles,
    managers and auditors). Which rows: those of every carrier when the
    action's carrier permission is held for the model (the logistics
    manager; managers and auditors read), otherwise those of the carriers
    granted to the user.
    """

    def __init__(self, model, auth_model=None, *, scope_field: str = "carrier"):
        super().__init__(
            model,
            auth_model=auth_model,
            scope_field=scope_field,
            scope_actions=CARRIER_SCOPE_ACTIONS,
        )


@cache
def carrier_policy() -> ScopedPermissionPolicy:
    """Carriers are scope objects: ``view``, ``ship`` per carrier; ``add``
    and ``change`` (setting them up) for the model."""
    from plugins.logistics.models import Carrier

    return ScopedPermissionPolicy(Carrier)


@cache
def shipment_policy() -> CarrierScopedPolicy:
    from plugins.logistics.models import Shipment

    return CarrierScopedPolicy(Shipment)


@cache
def manifest_policy() -> CarrierScopedPolicy:
    from plugins.logistics.models import Manifest

    return CarrierScopedPolicy(Manifest)


@cache
def return_policy() -> CarrierScopedPolicy:
    from plugins.logistics.models import ReturnRequest

    return CarrierScopedPolicy(ReturnRequest)


@cache
def tracking_policy() -> CarrierScopedPolicy:
    from plugins.logistics.models import TrackingEvent

    return CarrierScopedPolicy(TrackingEvent)


def shippable_carriers(user):
    """Carriers ``user`` may ship with."""
    return carrier_policy().scope_objects(user, "ship")


def user_can_ship(user, carrier) -> bool:
    return carrier_policy().user_has_permission_for_instance(user, "ship", carrier)


def user_can_see_shipments(user) -> bool:
    """Whether ``user`` sees any shipment at all (menus, dashboard panel)."""
    return is_active_user(user) and shipment_policy().user_has_any_permission(
        user, ["view"]
    )


def user_can_set_up(user) -> bool:
    """Whether ``user`` keeps carriers, services, tables and rules."""
    return is_active_user(user) and user.has_perm(CarrierPerm.CHANGE)
