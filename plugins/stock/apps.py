from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate

#: What a stock clerk is granted per warehouse (Configurações › Permissões por
#: objeto): to see its stock and to move it (receipts, adjustments, transfers,
#: counts, imports).
WAREHOUSE_PERMISSIONS = ("stock.view_warehouse", "stock.operate_warehouse")

_READ = (
    "stock.view_warehouse",
    "stock.view_stocklevel",
    "stock.view_stockmovement",
    "stock.view_transfer",
    "stock.view_inventorycount",
    "stock.view_reservation",
    "stock.view_carthold",
)


class StockConfig(PluginConfig):
    name = "plugins.stock"
    label = "stock"
    verbose_name = _("Stock")
    default_auto_field = "django.db.models.BigAutoField"
    version = "1.0.0"
    requires = ()
    description = (
        "Warehouses, a movement ledger, reservations that never oversell, "
        "transfers, inventory counts, low-stock alerts and the availability API."
    )
    scoped_models = ("stock.Warehouse",)
    roles = (
        RoleTemplate(
            "stock_clerk",
            "Estoquista",
            permissions=(
                ACCESS_ADMIN,
                "stock.import_receipts",
                "stock.import_counts",
            ),
            description=_(
                "Receives, adjusts, transfers and counts the stock of the "
                "warehouses granted to them."
            ),
            object_permissions=WAREHOUSE_PERMISSIONS,
        ),
        RoleTemplate(
            "stock_manager",
            "Gerente de estoque",
            permissions=(
                ACCESS_ADMIN,
                *_READ,
                "stock.add_warehouse",
                "stock.change_warehouse",
                "stock.operate_warehouse",
                "stock.import_receipts",
                "stock.import_counts",
                "stock.change_stocklevel",
                "stock.view_expected_quantity",
                "stock.add_channelwarehouse",
                "stock.change_channelwarehouse",
                "stock.delete_channelwarehouse",
                "stock.view_channelwarehouse",
            ),
            description=_(
                "Runs the stock of every warehouse: warehouses, reorder points, "
                "movements, transfers, counts and imports."
            ),
        ),
    )

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from plugins.stock.availability import warehouses_changed
        from plugins.stock.models import Warehouse

        # Saved by the admin's warehouse screens (Django's own event). A signal
        # receiver, connected where Django documents it: it must be in place
        # for every save (commands, tasks), not only once the admin loaded the
        # hooks. What the plugin contributes to Wagtail and to other plugins is
        # registered in wagtail_hooks.py.
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                warehouses_changed,
                sender=Warehouse,
                dispatch_uid=f"stock.warehouses_changed.{name}",
            )
