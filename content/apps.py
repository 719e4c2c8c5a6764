from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from plugins.base import RoleProviderMixin


class ContentConfig(RoleProviderMixin, AppConfig):
    name = "content"
    label = "content"
    verbose_name = _("Catalog and content")
    default_auto_field = "django.db.models.BigAutoField"
