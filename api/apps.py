from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from plugins.base import RoleProviderMixin
from plugins.roles import RoleTemplate


class ApiConfig(RoleProviderMixin, AppConfig):
    name = "api"
    label = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"
    roles = (
        RoleTemplate(
            "manager",
            "Gerente",
            permissions=("api.add_apikey", "api.change_apikey", "api.view_apikey"),
        ),
    )

    def ready(self):
        from corsheaders.signals import check_request_enabled
        from django.db.models.signals import post_delete, post_save

        from api.models import ApiKey
        from api.signals import cors_allow_api_key_origins, forget_origins

        check_request_enabled.connect(
            cors_allow_api_key_origins, dispatch_uid="api.cors_allow_api_key_origins"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                forget_origins, sender=ApiKey, dispatch_uid=f"api.forget_{signal}"
            )
