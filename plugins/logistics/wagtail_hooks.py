"""Everything the logistics plugin contributes to Wagtail and to the other
plugins."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from plugins.hooks import API_ROUTES
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
from plugins.orders.hooks import SHIPPING_QUOTE

# Carriers are scope objects: a shipping clerk sees and works the shipments
# of the carriers granted to them (before the viewsets below).
register_permission_policy(Carrier, carrier_policy())
register_permission_policy(Shipment, shipment_policy())
register_permission_policy(Manifest, manifest_policy())
register_permission_policy(ReturnRequest, return_policy())
register_permission_policy(TrackingEvent, tracking_policy())


# -- freight quotes ---------------------------------------------------------------


@hooks.register(API_ROUTES)
def logistics_api_routes():
    from plugins.logistics.api.routes import api_routes

    return api_routes()


@hooks.register(SHIPPING_QUOTE)
def order_shipping_from_quote(**kwargs):
    from plugins.logistics.services.quoting import shipping_for_order

    return shipping_for_order(**kwargs)


@hooks.register("register_importer")
def freight_rates_importer():
    from plugins.logistics.importers import FreightRatesImporter

    return FreightRatesImporter


# The set-up screens, the SLA alerts, the order screen's panel and returns.
from plugins.logistics import admin_hooks  # noqa: E402, F401
