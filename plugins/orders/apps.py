from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate

#: Per-channel permissions an order-desk attendant is granted on the channels
#: they work (Configurações › Permissões por objeto).
CHANNEL_PERMISSIONS = ("orders.view_saleschannel", "orders.handle_orders")


class OrdersConfig(PluginConfig):
    name = "plugins.orders"
    label = "orders"
    verbose_name = _("Orders")
    default_auto_field = "django.db.models.BigAutoField"
    version = "1.0.0"
    description = (
        "Order desk: customers, sales channels and marketplaces, the order "
        "lifecycle, marketplace intake, order API and the post-sale NPS survey."
    )
    scoped_models = ("orders.SalesChannel",)
    roles = (
        RoleTemplate(
            "order_desk",
            "Atendimento / Pedidos",
            # Customers are reached through the channels of their orders
            # (plugins.orders.permissions.customer_policy), not by a model
            # permission covering every customer.
            permissions=(ACCESS_ADMIN,),
            description=_(
                "Works the orders of the sales channels granted to them: checks "
                "payment and customer data, moves orders through their lifecycle."
            ),
            object_permissions=CHANNEL_PERMISSIONS,
        ),
        RoleTemplate(
            "privacy_officer",
            "Encarregado de dados",
            permissions=(
                ACCESS_ADMIN,
                "orders.view_customer",
                "orders.export_customer_data",
                "orders.anonymise_customer",
            ),
            description=_(
                "Answers data subjects' requests under the LGPD: sees every "
                "customer, exports a customer's data, anonymises a customer."
            ),
        ),
        RoleTemplate(
            "manager",
            "Gerente",
            permissions=(
                "orders.add_saleschannel",
                "orders.change_saleschannel",
                "orders.view_surveyresponse",
                "orders.export_customer_data",
                "orders.anonymise_customer",
                "orders.merge_customer",
            ),
        ),
    )

    def ready(self):
        super().ready()
        from django.db.models.signals import post_delete, post_save

        from plugins.orders.models import SalesChannel, storefront_channels

        for signal in (post_save, post_delete):
            signal.connect(
                storefront_channels.changed,
                sender=SalesChannel,
                dispatch_uid=f"orders.storefront_channels.{id(signal)}",
            )
