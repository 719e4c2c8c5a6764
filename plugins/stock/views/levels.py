"""Stock overview per SKU × warehouse (filters, export), the low-stock list
and reorder points."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.widgets import BooleanRadioSelect, HeaderButton, ListingButton

from plugins.exceptions import RetaguardaError
from plugins.stock import services
from plugins.stock.forms import ReorderPointForm
from plugins.stock.importers import CountsImporter, ReceiptsImporter
from plugins.stock.models import StockLevel
from plugins.stock.permissions import (
    user_can_manage_reorder_points,
    user_can_move_stock,
    user_can_operate,
    user_can_see_stock,
    user_can_view_warehouse,
    visible_warehouses,
)
from plugins.stock.views import StockFormView, form_error
from plugins.stock.views.kardex import kardex_url
from plugins.tables import LinkColumn
from plugins.viewsets import ScopedIndexView


def _warehouses(request):
    if request is None:
        return StockLevel.warehouse.field.related_model.objects.none()
    return visible_warehouses(request.user).order_by("priority", "code")


def _categories(request):
    from content.models import Category

    return Category.objects.order_by("path")


def _brands(request):
    from content.models import Brand

    return Brand.objects.order_by("name")


class LevelFilterSet(WagtailFilterSet):
    sku = django_filters.CharFilter(
        label=gettext_lazy("SKU"), field_name="variant__sku", lookup_expr="iexact"
    )
    warehouse = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Warehouse"), queryset=_warehouses
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"), queryset=_categories, method="filter_category"
    )
    brand = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Brand"),
        queryset=_brands,
        field_name="variant__product__brand",
    )
    below_reorder_point = django_filters.BooleanFilter(
        label=gettext_lazy("Below reorder point"),
        method="filter_below",
        widget=BooleanRadioSelect,
    )
    out_of_stock = django_filters.BooleanFilter(
        label=gettext_lazy("Out of stock"),
        method="filter_out",
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = StockLevel
        fields = [
            "sku",
            "warehouse",
            "category",
            "brand",
            "below_reorder_point",
            "out_of_stock",
        ]

    def filter_category(self, queryset, name, value):
        return queryset.in_category(value) if value else queryset

    def filter_below(self, queryset, name, value):
        if value is None:
            return queryset
        below = StockLevel.objects.below_reorder_point().values("pk")
        return (
            queryset.filter(pk__in=below) if value else queryset.exclude(pk__in=below)
        )

    def filter_out(self, queryset, name, value):
        if value is None:
            return queryset
        out = StockLevel.objects.out_of_stock().values("pk")
        return queryset.filter(pk__in=out) if value else queryset.exclude(pk__in=out)


class LevelStatusColumn(StatusTagColumn):
    def __init__(self, **kwargs):
        super().__init__("status", label=_("Situation"), accessor=self.label_for)

    @staticmethod
    def label_for(level):
        if level.available <= 0:
            return _("Out of stock")
        if level.below_reorder_point:
            return _("Below reorder point")
        return _("OK")

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["primary"] = instance.available <= 0 or instance.below_reorder_point
        return context


class LevelIndexView(ScopedIndexView):
    """Levels of the warehouses the user may see."""

    any_permission_required = ["view"]
    page_title = gettext_lazy("Stock")
    reorder_url_name = None
    adjust_url_name = None
    movements_url_name = None
    search_fields = ["variant__sku", "variant__product__name"]
    search_backend_name = None
    default_ordering = "variant__sku"
    list_export = [
        "variant.sku",
        "variant.product.name",
        "warehouse.code",
        "on_hand",
        "reserved",
        "available",
        "in_transit",
        "reorder_point",
    ]
    export_headings = {
        "variant.sku": gettext_lazy("SKU"),
        "variant.product.name": gettext_lazy("Product"),
        "warehouse.code": gettext_lazy("Warehouse"),
        "available": gettext_lazy("Available"),
    }
    export_filename = "estoque"

    def get_base_queryset(self):
        return (
            super().get_base_queryset().select_related("variant__product", "warehouse")
        )

    @property
    def columns(self):
        return [
            TitleColumn(
                "sku",
                label=_("SKU"),
                accessor="variant.sku",
                sort_key="variant__sku",
                get_url=lambda level: kardex_url(level.variant_id, level.warehouse_id),
            ),
            Column("product", label=_("Product"), accessor="variant.product.name"),
            Column(
                "warehouse",
                label=_("Warehouse"),
                accessor="warehouse.code",
                sort_key="warehouse__code",
            ),
            Column("on_hand", label=_("On hand"), sort_key="on_hand"),
            Column("reserved", label=_("Reserved"), sort_key="reserved"),
            Column("available", label=_("Available")),
            Column("in_transit", label=_("In transit"), sort_key="in_transit"),
            LinkColumn(
                "reorder_point",
                label=_("Reorder point"),
                sort_key="reorder_point",
                get_url=self.reorder_url,
            ),
            LevelStatusColumn(),
        ]

    def reorder_url(self, level):
        if user_can_manage_reorder_points(self.request.user):
            return reverse(self.reorder_url_name, args=[level.pk])
        return None

    def get_list_more_buttons(self, instance):
        buttons = []
        if user_can_operate(self.request.user, instance.warehouse):
            query = f"?warehouse={instance.warehouse_id}&sku={instance.variant.sku}"
            buttons.append(
                ListingButton(
                    _("Adjust"),
                    url=reverse(self.adjust_url_name) + query,
                    icon_name="edit",
                    priority=10,
                )
            )
        buttons.append(
            ListingButton(
                _("Kardex"),
                url=kardex_url(instance.variant_id, instance.warehouse_id),
                icon_name="history",
                priority=20,
            )
        )
        return buttons

    @property
    def header_buttons(self):
        if not user_can_move_stock(self.request.user):
            return []
        return [
            HeaderButton(
                _("Receive"),
                url=reverse("stock_receive"),
                icon_name="download",
            ),
            HeaderButton(_("Adjust"), url=reverse("stock_adjust"), icon_name="edit"),
            *(
                HeaderButton(
                    label,
                    url=reverse("imports:start", args=[importer.key]),
                    icon_name="upload",
                )
                for importer, label in (
                    (ReceiptsImporter, _("Import receipts")),
                    (CountsImporter, _("Import counts")),
                )
                if importer.user_can_import(self.request.user)
            ),
        ]


class ReorderPointView(StockFormView):
    form_class = ReorderPointForm
    page_title = gettext_lazy("Reorder point")
    header_icon = "warning"
    submit_label = gettext_lazy("Save")
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        self.level = get_object_or_404(
            StockLevel.objects.select_related("variant", "warehouse"), pk=kwargs["pk"]
        )
        if user_can_see_stock(request.user) and not user_can_view_warehouse(
            request.user, self.level.warehouse
        ):
            raise Http404  # another warehouse's level does not exist for them
        # (those who see no stock at all are denied, for every level alike)
        return super().dispatch(request, *args, **kwargs)

    def test_user(self, user):
        # A planning decision of the stock manager, not of the clerks who
        # operate the warehouse.
        return user_can_manage_reorder_points(user)

    def get_form_kwargs(self):
        kwargs = super(StockFormView, self).get_form_kwargs()
        kwargs["initial"] = {"reorder_point": self.level.reorder_point}
        return kwargs

    def get_page_subtitle(self):
        return str(self.level)

    def form_valid(self, form):
        try:
            services.set_reorder_point(
                self.level,
                reorder_point=form.cleaned_data["reorder_point"],
                user=self.request.user,
            )
        except RetaguardaError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Reorder point of %s saved.") % self.level)
        return redirect(self.index_url_name)
