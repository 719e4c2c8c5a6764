"""Everything the stock plugin contributes: permission policies, log actions,
its implementations of the orders hooks and of the catalog payload hook
(screens, API routes, dashboard panel and demo data are added below)."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from api.hooks import PRODUCT_PAYLOADS
from plugins.hooks import API_ROUTES
from plugins.stock import availability
from plugins.stock.models import (
    InventoryCount,
    StockLevel,
    StockMovement,
    Warehouse,
)
from plugins.stock.permissions import scoped_policy, warehouse_policy

register_permission_policy(Warehouse, warehouse_policy())
for _model in (StockLevel, StockMovement, InventoryCount):
    register_permission_policy(_model, scoped_policy(_model))

if apps.is_installed("plugins.orders"):
    from plugins.stock import order_hooks  # noqa: F401  (registers the hooks)

hooks.register(PRODUCT_PAYLOADS, availability.add_to_product_payloads)


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
    ("stock.count.post", _("Post count"), _("Count posted")),
    ("stock.count.cancel", _("Cancel count"), _("Count cancelled")),
    ("stock.import", _("Import stock"), _("Stock imported")),
    ("stock.correction", _("Ledger correction"), _("Ledger corrected")),
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)
