"""The movement history: filters, search by SKU or reference, export."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column

from plugins.stock.models import MovementKind, StockMovement
from plugins.stock.permissions import visible_warehouses
from plugins.stock.views.kardex import kardex_url
from plugins.tables import AbsoluteDateColumn, LinkColumn
from plugins.viewsets import ScopedIndexView


def _warehouses(request):
    if request is None:
        return StockMovement.warehouse.field.related_model.objects.none()
    return visible_warehouses(request.user).order_by("priority", "code")


class MovementFilterSet(WagtailFilterSet):
    warehouse = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Warehouse"), queryset=_warehouses
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), choices=MovementKind.choices
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )
    user = django_filters.CharFilter(
        label=gettext_lazy("User"), field_name="user__username", lookup_expr="iexact"
    )

    class Meta:
        model = StockMovement
        fields = ["warehouse", "kind", "created_at", "user"]


class SignedColumn(Column):
    def get_value(self, instance):
        return f"{instance.quantity:+d}"


class MovementIndexView(ScopedIndexView):
    """Movements of the warehouses the user may see, newest first."""

    any_permission_required = ["view"]
    page_title = gettext_lazy("Stock movements")
    search_fields = ["sku", "reference", "reason"]
    search_backend_name = None
    default_ordering = "-created_at"
    list_export = [
        "created_at",
        "warehouse.code",
        "sku",
        "get_kind_display",
        "quantity",
        "on_hand_after",
        "reason",
        "get_reference_type_display",
        "reference",
        "user",
    ]
    export_headings = {
        "warehouse.code": gettext_lazy("Warehouse"),
        "get_kind_display": gettext_lazy("Kind"),
        "get_reference_type_display": gettext_lazy("Reference type"),
    }
    export_filename = "movimentacoes"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("warehouse", "user")

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @property
    def columns(self):
        return [
            AbsoluteDateColumn(
                "created_at",
                label=_("At"),
                sort_key="created_at",
                accessor="created_at",
            ),
            Column("warehouse", label=_("Warehouse"), accessor="warehouse.code"),
            LinkColumn(
                "sku",
                label=_("SKU"),
                sort_key="sku",
                get_url=lambda m: (
                    kardex_url(m.variant_id, m.warehouse_id) if m.variant_id else None
                ),
            ),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            SignedColumn("quantity", label=_("Units"), sort_key="quantity"),
            Column("on_hand_after", label=_("On hand after")),
            Column("reason", label=_("Reason")),
            Column("reference", label=_("Reference")),
            Column("user", label=_("User")),
        ]
