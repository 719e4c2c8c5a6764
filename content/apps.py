from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from plugins.base import RoleProviderMixin
from plugins.roles import RoleTemplate

CATALOG_MODELS = ("product", "category", "brand", "collection")


def _perms(*actions: str) -> tuple[str, ...]:
    return tuple(
        f"content.{action}_{model}" for model in CATALOG_MODELS for action in actions
    )


class ContentConfig(RoleProviderMixin, AppConfig):
    name = "content"
    label = "content"
    verbose_name = _("Catalog and content")
    default_auto_field = "django.db.models.BigAutoField"

    # The core roles (declared in plugins.roles) get the catalog permissions.
    roles = (
        RoleTemplate(
            "content_editor",
            "Editor de conteúdo",
            permissions=(
                *_perms("add", "change", "view", "lock"),
                "content.import_product",
                "content.export_product",
            ),
        ),
        RoleTemplate(
            "content_moderator",
            "Moderador de conteúdo",
            permissions=(
                *_perms("add", "change", "view", "delete", "publish", "lock", "unlock"),
                "content.import_product",
                "content.export_product",
                "content.change_storesettings",
                "content.view_storesettings",
            ),
        ),
        RoleTemplate(
            "manager",
            "Gerente",
            permissions=(
                "content.view_cost_price",
                "content.export_product",
                "content.import_product",
            ),
        ),
    )
