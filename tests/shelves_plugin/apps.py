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
