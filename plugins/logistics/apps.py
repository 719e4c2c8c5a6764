from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate

#: What a shipping clerk is granted per carrier (Configurações › Permissões
#: por objeto): to see its shipments and to label, hand over and track them.
CARRIER_PERMISSIONS = (
    "logistics.view_carrier",
    "logistics.ship_carrier",
)
_READ = (
    "orders.view_order",
    "logistics.view_shipment",
    "logistics.view_manifest",
    "logistics.view_trackingevent",
    "logistics.view_returnrequest",
    "logistics.view_shippingorigin",
)
#: The logistics manager keeps the carriers (and their credentials), the
#: services and freight tables, the origins and the free-shipping rules.
_SETUP = (
    "logistics.view_carrier",
    "logistics.add_carrier",
    "logistics.change_carrier",
    "logistics.view_carrierservice",
    "logistics.add_carrierservice",
    "logistics.change_carrierservice",
    "logistics.view_freightrate",
    "logistics.import_freightrate",
    "logistics.add_shippingorigin",
    "logistics.change_shippingorigin",
    "logistics.view_freeshippingrule",
    "logistics.add_freeshippingrule",
    "logistics.change_freeshippingrule",
    "logistics.delete_freeshippingrule",
)


class LogisticsConfig(PluginConfig):
    name = "plugins.logistics"
    label = "logistics"
    verbose_name = _("Logistics")
    default_auto_field = "django.db.models.BigAutoField"
    version = "0.1.0"
    requires = ("orders",)
    scoped_models = ("logistics.Carrier",)
    description = (
        "Freight quotes from freight tables and carrier APIs (local simulators "
        "for tests and the demo), the server's shipping price on orders, "
        "shipments with S10 tracking codes, labels, picking lists and "
        "manifests, tracking to delivery, late-parcel alerts and returns."
    )

    def ready(self):
        # Quotes are cached by a version of the freight set-up: any change to
        # carriers, services, rates, origins or free-shipping rules bumps it.
        from plugins.logistics.services.quoting import connect_freight_signals

        connect_freight_signals()

    roles = (
        RoleTemplate(
            "shipping_desk",
            "Expedição",
            permissions=(ACCESS_ADMIN, *_READ),
            description=_(
                "Quotes freight, creates shipments, prints labels, closes "
                "manifests and receives returns for the carriers granted to them."
            ),
            object_permissions=CARRIER_PERMISSIONS,
        ),
        RoleTemplate(
            "logistics_manager",
            "Gerente de logística",
            permissions=(ACCESS_ADMIN, *_READ, *_SETUP, "logistics.ship_carrier"),
            description=_(
                "Keeps carriers and their credentials, freight tables, origins "
                "and free-shipping rules, and works every carrier's shipments."
            ),
        ),
        RoleTemplate(
            "manager",
            "Gerente",
            permissions=_SETUP,
        ),
    )
