"""What the API contributes to the admin: API keys under Settings."""

import json

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from api import demo
from api.admin_views import (
    ApiKeyCreateView,
    ApiKeyRevokeView,
    LoginLockoutsView,
    LoginUnlockView,
    RedeliverView,
    StaffTokenRevokeView,
    StaffTokensView,
    WebhookCreateView,
    WebhookEditView,
)
from api.cache import catalog_changed
from api.forms import ApiKeyForm, WebhookSubscriptionForm
from api.lockout import LOCKOUT_ACTION, UNLOCK_ACTION
from api.models import ApiKey, WebhookDelivery, WebhookSubscription
from content.hooks import CATALOG_IMPORT_PUBLISHED, CATALOG_IMPORTED
from plugins.hooks import DEMO_DATA
from plugins.tables import AbsoluteDateColumn, BooleanColumn
from plugins.viewsets import InspectView


class ApiKeyEditView(generic.EditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.is_active and self.request.user.has_perm("api.change_apikey"):
            buttons.append(
                HeaderButton(
                    _("Revoke"),
                    url=reverse("api_keys:revoke", args=[self.object.pk]),
                    icon_name="bin",
                    attrs={
                        "data-controller": "w-action",
                        "data-action": "w-action#post",
                    },
                )
            )
        return buttons


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    name = "api_keys"
    url_prefix = "api-keys"
    icon = "key"
    menu_label = _("API keys")
    add_to_settings_menu = True
    form_fields = ["name", "scopes", "allowed_origins", "rate_limit"]
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = InspectView
    inspect_view_fields = [
        "name",
        "prefix",
        "scopes",
        "allowed_origins",
        "rate_limit",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_display = [
        "name",
        Column("prefix", label=_("prefix")),
        Column("scopes", label=_("scopes"), accessor="get_scopes_display"),
        AbsoluteDateColumn("last_used_at", label=_("last used at")),
        AbsoluteDateColumn("revoked_at", label=_("revoked at")),
    ]
    search_fields = ["name", "prefix"]

    def get_form_class(self, for_update=False):
        return ApiKeyForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", ApiKeyRevokeView.as_view(), name="revoke"),
        ]


hooks.register("register_admin_viewset", ApiKeyViewSet)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("api.key.revoke", _("Revoke API key"), _("API key revoked"))
    actions.register_action(
        "api.staff_token.issue", _("Issue staff token"), _("Staff token issued")
    )
    actions.register_action(
        "api.staff_token.revoke", _("Revoke staff token"), _("Staff token revoked")
    )
    actions.register_action(
        LOCKOUT_ACTION,
        _("Login locked out"),
        _("Login locked out after too many failed attempts"),
    )
    actions.register_action(UNLOCK_ACTION, _("Unlock login"), _("Login unlocked"))


@hooks.register("register_admin_urls")
def register_staff_token_urls():
    return [
        path("api-tokens/", StaffTokensView.as_view(), name="api_staff_tokens"),
        path(
            "api-tokens/<int:pk>/revoke/",
            StaffTokenRevokeView.as_view(),
            name="api_staff_token_revoke",
        ),
        path("login-lockouts/", LoginLockoutsView.as_view(), name="api_login_lockouts"),
        path(
            "login-lockouts/unlock/",
            LoginUnlockView.as_view(),
            name="api_login_unlock",
        ),
    ]


class LoginLockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("axes.view_accessattempt")


@hooks.register("register_settings_menu_item")
def register_login_lockouts_menu_item():
    return LoginLockoutsMenuItem(
        _("Login lock-outs"),
        reverse("api_login_lockouts"),
        icon_name="lock",
        name="login-lockouts",
        order=900,
    )


@hooks.register("register_account_menu_item")
def staff_tokens_account_item(request):
    return {
        "url": reverse("api_staff_tokens"),
        "label": _("API tokens"),
        "help_text": _("Personal tokens for the back-office API (scripts, ERPs)."),
    }


@hooks.register(CATALOG_IMPORTED)
def forget_cached_catalog_after_import(*, product_ids):
    catalog_changed()


@hooks.register(CATALOG_IMPORT_PUBLISHED)
def webhooks_for_imported_products(*, published, updated):
    """The events the editor's publish sends (``api.signals.snippet_event``),
    for the products an import published; sent after the import commits."""
    from api.webhooks import emit_many

    emit_many(
        [("product.published", product) for product in published]
        + [("product.updated", product) for product in updated]
    )


class WebhookSubscriptionViewSet(ModelViewSet):
    model = WebhookSubscription
    name = "webhooks"
    url_prefix = "webhooks"
    icon = "link-external"
    menu_label = _("Webhooks")
    add_to_settings_menu = True
    form_fields = ["name", "url", "events", "secret", "active"]
    add_view_class = WebhookCreateView
    edit_view_class = WebhookEditView
    list_display = [
        "name",
        "url",
        Column("events", label=_("events"), accessor="get_events_display"),
        BooleanColumn.for_field(WebhookSubscription, "active"),
    ]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return WebhookSubscriptionForm


class DeliveryInspectView(InspectView):
    def get_payload_display_value(self):
        # The JSON that was sent, as sent, not a Python dict.
        return format_html(
            '<pre class="w-whitespace-pre-wrap">{}</pre>',
            json.dumps(self.object.payload, indent=2, ensure_ascii=False),
        )


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("subscription")


class WebhookDeliveryViewSet(ModelViewSet):
    """The delivery log: what was sent where, how it went; send again."""

    model = WebhookDelivery
    name = "webhook_deliveries"
    url_prefix = "webhook-deliveries"
    icon = "history"
    menu_label = _("Webhook deliveries")
    add_to_settings_menu = True
    index_view_class = DeliveryIndexView
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    list_display = [
        Column("event", label=_("event"), accessor="get_event_display"),
        Column("subscription", label=_("webhook")),
        Column("status", label=_("status"), accessor="get_status_display"),
        Column("attempts", label=_("attempts")),
        Column("last_status_code", label=_("last response status")),
        AbsoluteDateColumn("created_at", label=_("created at")),
    ]
    list_filter = ["status", "event", "subscription"]
    form_fields = ["status", "next_attempt_at"]

    def get_urlpatterns(self):
        # Deliveries are written by the system; only superusers hold the
        # add/change permissions that Wagtail's own screens would need.
        return [
            *super().get_urlpatterns(),
            path("redeliver/<uuid:pk>/", RedeliverView.as_view(), name="redeliver"),
        ]


hooks.register("register_admin_viewset", WebhookSubscriptionViewSet)
hooks.register("register_admin_viewset", WebhookDeliveryViewSet)


hooks.register(DEMO_DATA, demo.seed_demo_api_key)
