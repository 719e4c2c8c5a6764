"""Everything the orders plugin contributes: permission policies, the order
desk's admin screens and bulk actions, the dashboard panels, log actions,
webhook events and API routes."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from api.hooks import WEBHOOK_EVENTS
from plugins.hooks import (
    API_ROUTES,
    BACKOFFICE_MENU,
    DASHBOARD_PANELS,
    DEMO_DATA,
    KPI_SOURCES,
)
from plugins.orders import (
    dashboard,
    demo,
)
from plugins.orders.bulk_actions import ExportOrdersBulkAction, PrepareOrdersBulkAction
from plugins.orders.importing import IMPORT_LOG_ACTION
from plugins.orders.models import Customer, Order, SalesChannel
from plugins.orders.permissions import customer_policy, order_policy
from plugins.orders.viewsets import (
    CustomerViewSet,
    OrderViewSet,
    SalesChannelViewSet,
    survey_menu_item,
)
from plugins.permissions import ScopedPermissionPolicy

register_permission_policy(SalesChannel, ScopedPermissionPolicy(SalesChannel))
register_permission_policy(Order, order_policy())
register_permission_policy(Customer, customer_policy())

# The order desk, in the shared "Retaguarda" menu: Pedidos, Clientes, Canais de
# venda, Pesquisa pós-venda.
hooks.register("register_admin_viewset", OrderViewSet)
hooks.register("register_admin_viewset", CustomerViewSet)
hooks.register("register_admin_viewset", SalesChannelViewSet)
hooks.register(BACKOFFICE_MENU, survey_menu_item)
hooks.register("register_bulk_action", PrepareOrdersBulkAction)
hooks.register("register_bulk_action", ExportOrdersBulkAction)
hooks.register(DASHBOARD_PANELS, dashboard.SalesPanel.add_to_homepage)
hooks.register(DASHBOARD_PANELS, dashboard.OrderDeskPanel.add_to_homepage)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, label, message in (
        ("orders.place", _("Place order"), _("Order placed")),
        ("orders.pay", _("Confirm payment"), _("Payment confirmed")),
        ("orders.invoice", _("Mark invoiced"), _("Order invoiced")),
        ("orders.prepare", _("Ready to ship"), _("Order ready to ship")),
        ("orders.ship", _("Mark shipped"), _("Order shipped")),
        ("orders.deliver", _("Mark delivered"), _("Order delivered")),
        ("orders.cancel", _("Cancel order"), _("Order cancelled")),
        ("orders.return", _("Mark returned"), _("Order returned")),
        ("orders.note", _("Add note"), _("Note added")),
        ("orders.survey", _("Answer survey"), _("Survey answered")),
        ("orders.customer.export", _("Export customer data"), _("Data exported")),
        (
            "orders.customer.anonymise",
            _("Anonymise customer"),
            _("Customer anonymised"),
        ),
        ("orders.customer.merge", _("Merge customers"), _("Customers merged")),
        (IMPORT_LOG_ACTION, _("Import orders"), _("Orders imported")),
    ):
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def register_customer_merge_url():
    from django.urls import path

    from plugins.orders.views.merging import URL_NAME, MergeCustomerView

    return [
        path("customers/merge/<int:pk>/", MergeCustomerView.as_view(), name=URL_NAME)
    ]


@hooks.register(WEBHOOK_EVENTS)
def order_webhook_events():
    return {
        "order.*": _("Every order event"),
        "order.placed": _("Order placed"),
        "order.paid": _("Order paid"),
        "order.invoiced": _("Order invoiced"),
        "order.ready_to_ship": _("Order ready to ship"),
        "order.shipped": _("Order shipped"),
        "order.delivered": _("Order delivered"),
        "order.cancelled": _("Order cancelled"),
        "order.returned": _("Order returned"),
    }


@hooks.register(API_ROUTES)
def orders_api_routes():
    from plugins.orders.api.routes import api_routes

    return api_routes()


@hooks.register("register_importer")
def orders_importer():
    from plugins.orders.importing.importer import OrdersImporter

    return OrdersImporter


hooks.register(DEMO_DATA, demo.seed_demo_orders)


@hooks.register(KPI_SOURCES)
def orders_kpi_sources():
    from plugins.orders.analytics import sources

    return sources()
