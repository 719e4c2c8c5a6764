from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from plugins.base import RoleProviderMixin
from plugins.roles import CORE_ROLES


class PluginsConfig(RoleProviderMixin, AppConfig):
    """The plugin framework itself: roles, object permissions, audit, menus."""

    name = "plugins"
    label = "plugins"
    verbose_name = _("Back office")
    default_auto_field = "django.db.models.BigAutoField"
    roles = CORE_ROLES

    def ready(self):
        from plugins import checks as plugin_checks
        from plugins.dates import register_date_form_fields
        from plugins.display import register_display_classes
        from plugins.money import register_decimal_form_fields
        from plugins.signals import sync_roles_after_migrate

        register_decimal_form_fields()
        register_date_form_fields()
        register_display_classes()

        checks.register(plugin_checks.check_plugin_requirements, "retaguarda")
        checks.register(plugin_checks.check_role_templates, "retaguarda")
        checks.register(plugin_checks.check_encryption_keys, "retaguarda")
        post_migrate.connect(
            sync_roles_after_migrate,
            dispatch_uid="retaguarda.sync_roles_after_migrate",
        )
