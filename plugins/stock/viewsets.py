"""The stock screens, in a "Stock" group of the shared back-office menu:
Stock (levels: filters, export, reorder points), Movements, Transfers,
Counts, Low-stock alerts, Import, Warehouses and, with the orders plugin,
Channel warehouses.

Stock changes only through the services: the levels and movements viewsets
have no generic create, edit, copy or delete view.
"""

from __future__ import annotations

from django import forms
from django.db.models import OuterRef, Subquery
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem, WagtailMenuRegisterableGroup
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from content.forms import with_clean_text
from plugins.hooks import BACKOFFICE_MENU
from plugins.stock.models import (
    ChannelWarehouse,
    InventoryCount,
    StockLevel,
    StockMovement,
    Transfer,
    Warehouse,
)
from plugins.stock.permissions import user_can_move_stock, user_can_see_stock
from plugins.stock.views import counts, levels, movements, transfers, warehouses
from plugins.tables import BooleanColumn
from plugins.viewsets import ScopedModelViewSet

STOCK_MENU = "register_stock_menu_item"

NO_VIEW = {
    "edit_url_name": None,
    "delete_url_name": None,
    "copy_url_name": None,
    "usage_url_name": None,
    "history_url_name": None,
    "inspect_url_name": None,
}


def url_finder(url_name: str | None):
    """Links to a row (e.g. from the audit log) open ``url_name`` (a detail
    view that checks permissions itself), or nothing."""

    class StockURLFinder(ModelAdminURLFinder):
        def construct_edit_url(self, instance):
            return reverse(url_name, args=[instance.pk]) if url_name else None

        def get_edit_url(self, instance):
            return self.construct_edit_url(instance)

    return StockURLFinder


class StockMenu(WagtailMenuRegisterableGroup):
    """The "Stock" submenu of the back-office group (hidden when empty)."""

    menu_label = _("Stock")
    menu_name = "stock"
    menu_icon = "cogs"
    menu_order = 200
    menu_hook = BACKOFFICE_MENU
    submenu_hook = STOCK_MENU


class LevelViewSet(ModelViewSet):
    model = StockLevel
    name = "stock_levels"
    url_prefix = "stock/levels"
    icon = "table"
    menu_label = _("Stock")
    menu_name = "stock-levels"
    menu_order = 10
    menu_hook = STOCK_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = levels.LevelIndexView
    filterset_class = levels.LevelFilterSet
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **NO_VIEW,
            add_url_name=None,
            reorder_url_name=self.get_url_name("reorder_point"),
            adjust_url_name="stock_adjust",
            movements_url_name="stock_movements:index",
            **kwargs,
        )

    @property
    def url_finder_class(self):
        return url_finder(self.get_url_name("reorder_point"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(
                "<int:pk>/reorder-point/",
                levels.ReorderPointView.as_view(
                    index_url_name=self.get_url_name("index")
                ),
                name="reorder_point",
            ),
        ]


class MovementViewSet(ModelViewSet):
    model = StockMovement
    name = "stock_movements"
    url_prefix = "stock/movements"
    icon = "history"
    menu_label = _("Movements")
    menu_name = "stock-movements"
    menu_order = 20
    menu_hook = STOCK_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = movements.MovementIndexView
    filterset_class = movements.MovementFilterSet
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**NO_VIEW, add_url_name=None, **kwargs)

    @property
    def url_finder_class(self):
        return url_finder(None)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class TransferViewSet(ModelViewSet):
    model = Transfer
    name = "stock_transfers"
    url_prefix = "stock/transfers"
    icon = "redirect"
    menu_label = _("Transfers")
    menu_name = "stock-transfers"
    menu_order = 30
    menu_hook = STOCK_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = transfers.TransferIndexView
    filterset_class = transfers.TransferFilterSet
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **NO_VIEW, detail_url_name=self.get_url_name("detail"), **kwargs
        )

    @property
    def url_finder_class(self):
        return url_finder(self.get_url_name("detail"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", transfers.TransferSendView.as_view(), name="add"),
            path("<int:pk>/", transfers.TransferDetailView.as_view(), name="detail"),
        ]


class CountViewSet(ModelViewSet):
    model = InventoryCount
    name = "stock_counts"
    url_prefix = "stock/counts"
    icon = "list-ol"
    menu_label = _("Inventory counts")
    menu_name = "stock-counts"
    menu_order = 40
    menu_hook = STOCK_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = counts.CountIndexView
    filterset_class = counts.CountFilterSet
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **NO_VIEW, detail_url_name=self.get_url_name("detail"), **kwargs
        )

    @property
    def url_finder_class(self):
        return url_finder(self.get_url_name("detail"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", counts.CountOpenView.as_view(), name="add"),
            path("<int:pk>/", counts.CountDetailView.as_view(), name="detail"),
            path("<int:pk>/review/", counts.CountReviewView.as_view(), name="review"),
            path("<int:pk>/sheet/", counts.CountSheetView.as_view(), name="sheet"),
            path(
                "<int:pk>/add-line/", counts.CountAddLineView.as_view(), name="add_line"
            ),
            path("<int:pk>/post/", counts.CountPostView.as_view(), name="post"),
            path("<int:pk>/cancel/", counts.CountCancelView.as_view(), name="cancel"),
        ]


class WarehouseViewSet(ScopedModelViewSet):
    model = Warehouse
    name = "stock_warehouses"
    url_prefix = "stock/warehouses"
    icon = "home"
    menu_label = _("Warehouses")
    menu_name = "stock-warehouses"
    menu_order = 80
    menu_hook = STOCK_MENU
    copy_view_enabled = False
    index_view_class = warehouses.WarehouseIndexView
    list_display = [
        "code",
        "name",
        "priority",
        BooleanColumn.for_field(Warehouse, "active"),
        BooleanColumn.for_field(Warehouse, "allow_backorders"),
    ]
    list_filter = ["active"]
    list_export = ["code", "name", "address", "priority", "active", "allow_backorders"]
    search_fields = ["code", "name"]
    form_fields = ["code", "name", "address", "active", "priority", "allow_backorders"]

    def get_form_class(self, for_update=False):
        return with_clean_text(super().get_form_class(for_update))

    def get_urlpatterns(self):
        # Warehouses are deactivated, not deleted (their movements point at them).
        return [p for p in super().get_urlpatterns() if p.name not in ("delete",)]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)


def channel_choices():
    from plugins.orders.models import SalesChannel

    return [(c.code, f"{c.code} — {c.name}") for c in SalesChannel.objects.all()]


class ChannelWarehouseForm(forms.ModelForm):
    channel_code = forms.ChoiceField(label=_("Sales channel"), choices=channel_choices)

    class Meta:
        model = ChannelWarehouse
        fields = ["channel_code", "warehouse", "returns_warehouse"]


class ChannelWarehouseIndexView(IndexView):
    """Channels by their names ("Loja virtual", not "loja"), in one query."""

    def get_base_queryset(self):
        from plugins.orders.models import SalesChannel

        names = SalesChannel.objects.filter(code=OuterRef("channel_code"))
        return (
            super()
            .get_base_queryset()
            .select_related("warehouse", "returns_warehouse")
            .annotate(channel_name=Subquery(names.values("name")[:1]))
        )


class ChannelWarehouseViewSet(ModelViewSet):
    model = ChannelWarehouse
    name = "stock_channels"
    url_prefix = "stock/channels"
    icon = "site"
    menu_label = _("Channel warehouses")
    menu_name = "stock-channels"
    menu_order = 90
    menu_hook = STOCK_MENU
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = ChannelWarehouseIndexView
    list_display = ["channel_code", "warehouse", "returns_warehouse"]

    def get_form_class(self, for_update=False):
        return ChannelWarehouseForm

    def get_urlpatterns(self):
        keep = {"index", "index_results", "add", "edit", "delete"}
        return [p for p in super().get_urlpatterns() if p.name in keep]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            history_url_name=None, usage_url_name=None, **kwargs
        )


def _menu_item(test):
    class StockMenuItem(MenuItem):
        def is_shown(self, request):
            return test(request.user)

    return StockMenuItem


def _items():
    from plugins.stock.importers import ReceiptsImporter

    moving = _menu_item(user_can_move_stock)
    importing = _menu_item(ReceiptsImporter.user_can_import)
    seeing = _menu_item(user_can_see_stock)
    return {
        "alerts": lambda: seeing(
            _("Low-stock alerts"),
            reverse("stock_levels:index") + "?below_reorder_point=true",
            name="stock-alerts",
            icon_name="warning",
            order=50,
        ),
        "receive": lambda: moving(
            _("Receive stock"),
            reverse("stock_receive"),
            name="stock-receive",
            icon_name="download",
            order=60,
        ),
        "adjust": lambda: moving(
            _("Adjust stock"),
            reverse("stock_adjust"),
            name="stock-adjust",
            icon_name="edit",
            order=65,
        ),
        "import": lambda: importing(
            _("Import stock"),
            reverse("imports:start", args=[ReceiptsImporter.key]),
            name="stock-import",
            icon_name="upload",
            order=70,
        ),
    }


#: Menu items of the screens outside the viewsets, for the STOCK_MENU hook.
MENU_ITEMS = _items()
