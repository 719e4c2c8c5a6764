from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from api.hooks import PRODUCT_PAYLOAD_SCHEMA, PRODUCT_PAYLOADS
from plugins.hooks import API_ROUTES
from plugins.permissions import ScopedPermissionPolicy
from plugins.viewsets import ScopedModelViewSet
from tests.shelves_plugin import api, payloads
from tests.shelves_plugin.models import Shelf, ShelfItem

register_permission_policy(Shelf, ScopedPermissionPolicy(Shelf))
register_permission_policy(
    ShelfItem,
    ScopedPermissionPolicy(
        ShelfItem,
        scope_field="shelf",
        scope_actions={
            "view": "shelves.view_shelf",
            "add": "shelves.change_shelf",
            "change": "shelves.change_shelf",
            "delete": "shelves.change_shelf",
        },
    ),
)


class ShelfViewSet(ScopedModelViewSet):
    model = Shelf
    name = "shelves"
    icon = "table"
    menu_label = _("Shelves")
    menu_name = "shelves"
    list_display = ["code", "name", "capacity", "units"]
    list_export = ["code", "name", "capacity", "units"]
    search_fields = ["code", "name"]
    form_fields = ["code", "name", "capacity"]


class ShelfItemViewSet(ScopedModelViewSet):
    model = ShelfItem
    name = "shelf-items"
    icon = "list-ul"
    menu_label = _("Shelf items")
    menu_name = "shelf-items"
    list_display = ["sku", "shelf", "facings"]
    list_filter = ["shelf"]
    form_fields = ["shelf", "sku", "facings"]


hooks.register("register_admin_viewset", ShelfViewSet)
hooks.register(PRODUCT_PAYLOADS, payloads.add_shelves)
hooks.register(PRODUCT_PAYLOAD_SCHEMA, payloads.payload_schema)
hooks.register("register_admin_viewset", ShelfItemViewSet)


@hooks.register(API_ROUTES)
def shelves_api_routes():
    return [
        path("", api.ShelfList.as_view(), name="shelf-list"),
        path("<int:pk>/", api.ShelfDetail.as_view(), name="shelf-detail"),
        path("<int:pk>/restock/", api.ShelfRestock.as_view(), name="shelf-restock"),
    ]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("shelves.restock", _("Restock shelf"), _("Shelf restocked"))


@hooks.register("register_importer")
def shelves_importer():
    from tests.shelves_plugin.importers import ShelvesImporter

    return ShelvesImporter
