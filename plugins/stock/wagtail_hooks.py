"""Everything the stock plugin contributes: permission policies, the "Stock"
menu and its screens, admin URLs, the dashboard panel, KPI sources, API
routes, log actions, demo data, its implementations of the orders hooks (only with the
orders plugin) and of the catalog payload and product stock hooks."""

from django.apps import apps
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from api.hooks import PRODUCT_PAYLOAD_SCHEMA, PRODUCT_PAYLOADS
from content.hooks import PRODUCT_STOCK
from plugins.hooks import (
    API_ROUTES,
    BACKOFFICE_MENU,
    DASHBOARD_PANELS,
    DEMO_DATA,
    KPI_SOURCES,
)
from plugins.permissions import ScopedPermissionPolicy
from plugins.stock import availability, catalog, demo, panels
from plugins.stock.models import (
    InventoryCount,
    StockLevel,
    StockMovement,
    Transfer,
    Warehouse,
)
from plugins.stock.permissions import (
    WAREHOUSE_SCOPE_ACTIONS,
    scoped_policy,
    warehouse_policy,
)

register_permission_policy(Warehouse, warehouse_policy())
for _model in (StockLevel, StockMovement, InventoryCount):
    register_permission_policy(_model, scoped_policy(_model))
# Transfers involve two warehouses; the listing and detail filter on both, the
# policy (on the source) answers the model-level questions (menus, listing).
register_permission_policy(
    Transfer,
    ScopedPermissionPolicy(
        Transfer, scope_field="source", scope_actions=dict(WAREHOUSE_SCOPE_ACTIONS)
    ),
)

from plugins.stock import viewsets  # noqa: E402  (after the policies)
from plugins.stock.views import kardex, operations, search  # noqa: E402

hooks.register(BACKOFFICE_MENU, viewsets.StockMenu().get_menu_item)
for _viewset in (
    viewsets.LevelViewSet,
    viewsets.MovementViewSet,
    viewsets.TransferViewSet,
    viewsets.CountViewSet,
    viewsets.WarehouseViewSet,
):
    hooks.register("register_admin_viewset", _viewset)
for _item in viewsets.MENU_ITEMS.values():
    hooks.register(viewsets.STOCK_MENU, _item)
# before the orders' demo data: orders reserve the stock seeded here
hooks.register(DEMO_DATA, demo.seed_demo_stock, order=-1)

if apps.is_installed("plugins.orders"):
    from plugins.orders import hooks as order_hooks
    from plugins.stock import order_hooks as stock_side

    for _hook, _function in (
        (order_hooks.ORDER_PLACED, stock_side.reserve_order_stock),
        (order_hooks.ORDER_CANCELLED, stock_side.release_order_stock),
        (order_hooks.ORDER_SHIPPED, stock_side.ship_order_stock),
        (order_hooks.ORDER_RETURNED, stock_side.return_order_stock),
        (order_hooks.AVAILABLE_UNITS, stock_side.available_units),
    ):
        hooks.register(_hook, _function)
    hooks.register("register_admin_viewset", viewsets.ChannelWarehouseViewSet)


@hooks.register("register_admin_urls")
def register_stock_urls():
    return [
        path("stock/receive/", operations.ReceiveView.as_view(), name="stock_receive"),
        path("stock/adjust/", operations.AdjustView.as_view(), name="stock_adjust"),
        path(
            "stock/sku/<int:variant_id>/",
            kardex.KardexView.as_view(),
            name="stock_kardex",
        ),
        path(
            "stock/sku-search/", search.SkuSearchView.as_view(), name="stock_sku_search"
        ),
    ]


hooks.register(DASHBOARD_PANELS, panels.add_low_stock_panel)
hooks.register(PRODUCT_PAYLOADS, availability.add_to_product_payloads)
hooks.register(PRODUCT_PAYLOAD_SCHEMA, availability.payload_schema)
hooks.register(PRODUCT_STOCK, catalog.product_available_units)


@hooks.register(KPI_SOURCES)
def stock_kpi_sources():
    from plugins.stock.analytics import sources

    return sources()


@hooks.register(API_ROUTES)
def stock_api_routes():
    from plugins.stock.api.routes import api_routes

    return api_routes()


LOG_ACTIONS = (
    ("stock.receive", _("Receive stock"), _("Stock received")),
    ("stock.adjust", _("Adjust stock"), _("Stock adjusted")),
    ("stock.reorder_point", _("Set reorder point"), _("Reorder point set")),
    ("stock.transfer.send", _("Send transfer"), _("Transfer sent")),
    ("stock.transfer.receive", _("Receive transfer"), _("Transfer received")),
    ("stock.count.open", _("Open count"), _("Count opened")),
    ("stock.count.add_line", _("Add a SKU to a count"), _("SKU added to the count")),
    ("stock.count.post", _("Post count"), _("Count posted")),
    ("stock.count.cancel", _("Cancel count"), _("Count cancelled")),
    ("stock.import", _("Import stock"), _("Stock imported")),
    ("stock.correction", _("Ledger correction"), _("Ledger corrected")),
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


@hooks.register("register_importer")
def stock_receipts_importer():
    from plugins.stock.importers import ReceiptsImporter

    return ReceiptsImporter


@hooks.register("register_importer")
def stock_counts_importer():
    from plugins.stock.importers import CountsImporter

    return CountsImporter
