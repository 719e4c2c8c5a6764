from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate


class ShelvesConfig(PluginConfig):
    name = "tests.shelves_plugin"
    label = "shelves"
    verbose_name = _("Shelves")
    default_auto_field = "django.db.models.BigAutoField"
    version = "1.0.0"
    description = "Shelves of a physical store (the test plugin)."
    scoped_models = ("shelves.Shelf",)
    roles = (
        RoleTemplate(
            "shelf_keeper",
            "Repositor",
            permissions=(ACCESS_ADMIN,),
            description=_("Restocks the shelves granted to them."),
            object_permissions=(
                "shelves.view_shelf",
                "shelves.change_shelf",
                "shelves.restock_shelf",
            ),
        ),
        RoleTemplate("manager", "Gerente", permissions=("shelves.add_shelf",)),
    )

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tests.shelves_plugin.models import ShelfItem
        from tests.shelves_plugin.payloads import shelf_items_changed

        for signal in (post_save, post_delete):
            signal.connect(
                shelf_items_changed,
                sender=ShelfItem,
                dispatch_uid=f"shelves.catalog_changed.{id(signal)}",
            )
