"""What the API contributes to the admin: API keys under Settings."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from api.admin_views import ApiKeyCreateView, ApiKeyRevokeView
from api.cache import catalog_changed
from api.forms import ApiKeyForm
from api.models import ApiKey
from content.hooks import CATALOG_IMPORTED


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
    list_display = [
        "name",
        Column("prefix", label=_("prefix")),
        Column("scopes", label=_("scopes")),
        DateColumn("last_used_at", label=_("last used at")),
        DateColumn("revoked_at", label=_("revoked at")),
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


@hooks.register(CATALOG_IMPORTED)
def forget_cached_catalog_after_import(*, product_ids):
    catalog_changed()
