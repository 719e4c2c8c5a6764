"""Everything the logistics plugin contributes to Wagtail and to the other
plugins."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from api.hooks import PAYLOAD_SCHEMA
from plugins.hooks import API_ROUTES, DEMO_DATA, KPI_SOURCES
from plugins.logistics import views_shipping
from plugins.logistics.menu import LOGISTICS_MENU
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
from plugins.orders import hooks as order_hooks
from plugins.wagtail_hooks import PermissionMenuItem

# Carriers are scope objects: a shipping clerk sees and works the shipments
# of the carriers granted to them (before the viewsets below).
register_permission_policy(Carrier, carrier_policy())
register_permission_policy(Shipment, shipment_policy())
register_permission_policy(Manifest, manifest_policy())
register_permission_policy(ReturnRequest, return_policy())
register_permission_policy(TrackingEvent, tracking_policy())


# -- API: freight quotes and the carriers' tracking pushes -----------------------


@hooks.register(API_ROUTES)
def logistics_api_routes():
    from plugins.logistics.api.routes import api_routes

    return api_routes()


@hooks.register(order_hooks.SHIPPING_QUOTE)
def order_shipping_from_quote(**kwargs):
    from plugins.logistics.services.quoting import shipping_for_order

    return shipping_for_order(**kwargs)


@hooks.register("register_importer")
def freight_rates_importer():
    from plugins.logistics.importers import FreightRatesImporter

    return FreightRatesImporter


# -- tracking ---------------------------------------------------------------------


@hooks.register("register_log_actions")
def register_tracking_log_actions(actions):
    from plugins.logistics.services.tracking import LOG_ACTIONS

    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


def _add_tracking(*, order, payload, audience):
    from plugins.logistics.api.tracking import add_tracking

    add_tracking(order=order, payload=payload, audience=audience)


def _tracking_schema():
    from plugins.logistics.api.tracking import payload_schema

    return payload_schema()


# The customer's status page and the order desk's order carry the tracking.
hooks.register(order_hooks.ORDER_PAYLOAD, _add_tracking)
hooks.register(PAYLOAD_SCHEMA, _tracking_schema)


# -- the shipping desk's screens ---------------------------------------------------


@hooks.register("register_log_actions")
def register_shipping_log_actions(actions):
    from plugins.logistics.services.shipments import LOG_ACTIONS

    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


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


# -- the demo: after the orders', finance's and fiscal's (``seed_demo``) -----------


@hooks.register(DEMO_DATA, order=3)
def seed_demo_logistics(*, stdout):
    from plugins.logistics.demo import seed_demo_logistics

    seed_demo_logistics(stdout=stdout)


# The set-up screens, the SLA alerts, the order screen's panel and returns.
from plugins.logistics import admin_hooks  # noqa: E402, F401

# -- figures for the reports (the analytics plugin) --------------------------------


@hooks.register(KPI_SOURCES)
def logistics_kpi_sources():
    from plugins.logistics.analytics import sources

    return sources()
