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
            permissions=(
                "api.add_apikey",
                "api.change_apikey",
                "api.view_apikey",
                "api.add_webhooksubscription",
                "api.change_webhooksubscription",
                "api.view_webhooksubscription",
                "api.view_webhookdelivery",
                # Login lock-outs: see them and unlock (api.lockout).
                "axes.view_accessattempt",
                "axes.delete_accessattempt",
            ),
        ),
    )

    def ready(self):
        from corsheaders.signals import check_request_enabled
        from django.db.models.signals import post_delete, post_save

        from api import (
            lockout,  # noqa: F401  (audits login lock-outs)
            schema,  # noqa: F401  (registers the OpenAPI auth extension)
        )
        from api.models import ApiKey
        from api.signals import cors_allow_api_key_origins, forget_api_key

        check_request_enabled.connect(
            cors_allow_api_key_origins, dispatch_uid="api.cors_allow_api_key_origins"
        )
        from wagtail.models import Page
        from wagtail.signals import (
            page_published,
            page_unpublished,
            published,
            unpublished,
        )

        from api.cache import catalog_changed
        from content.models import Brand, Category, Collection, Product, StoreSettings

        # What the public catalog shows changes when catalog objects are
        # published, unpublished or deleted (imports call the same through
        # content.hooks.CATALOG_IMPORTED).
        for model in (Product, Category, Brand, Collection):
            for signal in (published, unpublished, post_delete):
                signal.connect(
                    catalog_changed,
                    sender=model,
                    dispatch_uid=f"api.catalog_changed.{model.__name__}.{id(signal)}",
                )
        from api.signals import page_event, snippet_event

        for model in (Product, Category):
            for signal in (published, unpublished):
                signal.connect(
                    snippet_event,
                    sender=model,
                    dispatch_uid=f"api.webhook.{model.__name__}.{id(signal)}",
                )
        for signal in (page_published, page_unpublished):
            signal.connect(page_event, dispatch_uid=f"api.webhook.page.{id(signal)}")
        for signal in (page_published, page_unpublished):
            signal.connect(
                catalog_changed, dispatch_uid=f"api.catalog_changed.{id(signal)}"
            )
        post_delete.connect(
            catalog_changed, sender=Page, dispatch_uid="api.page_deleted"
        )
        post_save.connect(
            catalog_changed, sender=StoreSettings, dispatch_uid="api.settings"
        )
        from wagtail.contrib.redirects.models import Redirect

        for signal in (post_save, post_delete):
            signal.connect(
                catalog_changed,
                sender=Redirect,
                dispatch_uid=f"api.redirects.{id(signal)}",
            )
        for signal in (post_save, post_delete):
            signal.connect(
                forget_api_key, sender=ApiKey, dispatch_uid=f"api.forget_{signal}"
            )
        from api.models import WebhookSubscription
        from api.webhooks import active_subscriptions

        for signal in (post_save, post_delete):
            signal.connect(
                active_subscriptions.changed,
                sender=WebhookSubscription,
                dispatch_uid=f"api.webhook_subscriptions.{id(signal)}",
            )
