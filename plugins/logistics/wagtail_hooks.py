"""Everything the logistics plugin contributes to Wagtail and to the other
plugins."""

from wagtail.permissions import register_permission_policy

from plugins.logistics.models import (
    Carrier,
    Manifest,
    ReturnRequest,
    Shipment,
    TrackingEvent,
)
from plugins.logistics.permissions import (
    carrier_policy,
    manifest_policy,
    return_policy,
    shipment_policy,
    tracking_policy,
)

# Carriers are scope objects: a shipping clerk sees and works the shipments
# of the carriers granted to them (before the viewsets below).
register_permission_policy(Carrier, carrier_policy())
register_permission_policy(Shipment, shipment_policy())
register_permission_policy(Manifest, manifest_policy())
register_permission_policy(ReturnRequest, return_policy())
register_permission_policy(TrackingEvent, tracking_policy())


from wagtail import hooks  # noqa: E402

from plugins.logistics.services.shipments import LOG_ACTIONS  # noqa: E402


@hooks.register("register_log_actions")
def register_shipping_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


# -- The shipping desk's screens --------------------------------------------------

from django.urls import reverse  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from plugins.hooks import BACKOFFICE_MENU  # noqa: E402
from plugins.logistics import views_shipping  # noqa: E402
from plugins.logistics.menu import LOGISTICS_MENU, LogisticsMenu  # noqa: E402
from plugins.wagtail_hooks import PermissionMenuItem  # noqa: E402

hooks.register(BACKOFFICE_MENU, LogisticsMenu().get_menu_item)


@hooks.register("register_admin_urls")
def register_shipping_urls():
    return views_shipping.urls()


@hooks.register(LOGISTICS_MENU)
def shipping_desk_menu_item():
    return PermissionMenuItem(
        _("Shipping desk"),
        reverse(views_shipping.QUEUE),
        name="logistics-shipping-desk",
        icon_name="mail",
        order=10,
        test=views_shipping.user_can_use_desk,
    )


@hooks.register(LOGISTICS_MENU)
def manifests_menu_item():
    return PermissionMenuItem(
        _("Manifests"),
        reverse(views_shipping.MANIFESTS),
        name="logistics-manifests",
        icon_name="list-ul",
        order=20,
        test=views_shipping.user_can_read_manifests,
    )
