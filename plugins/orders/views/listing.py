"""The order desk listing: filters, search, columns, export."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.widgets import BooleanRadioSelect, HeaderButton

from plugins.money import format_brl
from plugins.orders.models import (
    UF_CHOICES,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from plugins.orders.permissions import order_policy
from plugins.orders.status import OPEN_STATUSES
from plugins.tables import AbsoluteDateColumn
from plugins.viewsets import ScopedIndexView


def _catalog(model_name: str):
    from django.apps import apps

    return apps.get_model("content", model_name).objects.order_by("name")


def _user_channels(request):
    if request is None:
        return Order.channel.field.related_model.objects.none()
    return order_policy().scope_objects(request.user, "view")


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices)
    channel = django_filters.ModelChoiceFilter(
        label=_("Sales channel"), queryset=_user_channels
    )
    placed_at = django_filters.DateFromToRangeFilter(
        label=_("Placed"), widget=DateRangePickerWidget
    )
    payment_method = django_filters.ChoiceFilter(
        label=_("Payment method"), choices=PaymentMethod.choices
    )
    late = django_filters.BooleanFilter(
        label=_("Late"),
        method="filter_late",
        widget=BooleanRadioSelect,
        help_text=_("Open orders whose promised delivery date has passed."),
    )
    sale = django_filters.BooleanFilter(
        label=_("Counts as a sale"),
        method="filter_sale",
        widget=BooleanRadioSelect,
        help_text=_("Paid and beyond, neither cancelled nor returned."),
    )
    paid = django_filters.BooleanFilter(
        label=_("Paid"),
        field_name="paid_at",
        lookup_expr="isnull",
        exclude=True,
        widget=BooleanRadioSelect,
        help_text=_("Paid at some point, even if cancelled or returned later."),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=lambda request: _catalog("Category"),
        method="filter_category",
    )
    brand = django_filters.ModelChoiceFilter(
        label=_("Brand"),
        queryset=lambda request: _catalog("Brand"),
        method="filter_brand",
    )
    uf = django_filters.ChoiceFilter(
        label=_("UF"),
        choices=UF_CHOICES,
        method="filter_uf",
    )

    class Meta:
        model = Order
        fields = [
            "status",
            "channel",
            "placed_at",
            "payment_method",
            "late",
            "sale",
            "paid",
            "category",
            "brand",
            "uf",
        ]

    def filter_category(self, queryset, name, value):
        return queryset.filter(
            pk__in=OrderLine.objects.filter(
                variant__product__primary_category=value
            ).values("order_id")
        )

    def filter_brand(self, queryset, name, value):
        return queryset.filter(
            pk__in=OrderLine.objects.filter(variant__product__brand=value).values(
                "order_id"
            )
        )

    def filter_uf(self, queryset, name, value):
        return queryset.filter(shipping_address__uf=value) if value else queryset

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        late = Order.objects.late().values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_sale(self, queryset, name, value):
        if value is None:
            return queryset
        sales = Order.objects.sales().values("pk")
        return (
            queryset.filter(pk__in=sales) if value else queryset.exclude(pk__in=sales)
        )


def filtered_orders(request):
    """The orders of the listing as ``request.GET`` filters and searches them,
    within the user's channels (the listing's "select all" and exports)."""
    queryset = order_policy().filter_queryset(
        Order.objects.all(), request.user, ["view"]
    )
    filters = OrderFilterSet(request.GET, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    return queryset.search(request.GET.get("q", ""))


class MoneyColumn(Column):
    def get_value(self, instance):
        return format_brl(super().get_value(instance))


class OrderStatusColumn(StatusTagColumn):
    def __init__(self, name="status", **kwargs):
        super().__init__(
            name,
            accessor="get_status_display",
            primary=lambda order: order.status in OPEN_STATUSES,
            **kwargs,
        )


class LateColumn(Column):
    cell_template_name = "orders/tables/late_cell.html"

    def get_value(self, instance):
        return instance.is_late()


class OrderIndexView(ScopedIndexView):
    """Orders of the channels the user may view (ScopedIndexView), with the
    selection of a bulk export (``?id=…``)."""

    any_permission_required = ["view"]
    template_name = "orders/order/index.html"
    detail_url_name = None
    page_title = _("Orders")
    list_export = [
        "number",
        "placed_at",
        "channel.name",
        "get_status_display",
        "customer_name",
        "customer_document",
        "customer_email",
        "customer_phone",
        "get_payment_method_display",
        "installments",
        "subtotal",
        "discount_total",
        "shipping_total",
        "total",
        "promised_delivery_date",
        "external_id",
    ]
    export_headings = {
        "channel.name": _("Sales channel"),
        "get_status_display": _("Status"),
        "get_payment_method_display": _("Payment method"),
    }

    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("channel")
        ids = [pk for pk in self.request.GET.getlist("id") if pk.isdigit()]
        if ids:
            queryset = queryset.filter(pk__in=ids)
        return queryset

    def search_queryset(self, queryset):
        # Database filters (number, name, CPF/CNPJ, e-mail, external id),
        # not the search index.
        if not self.is_searching:
            return queryset
        return queryset.search(self.search_query)

    def get_filename(self):
        return f"pedidos-{timezone.localdate():%Y-%m-%d}"

    @cached_property
    def add_item_label(self):
        return _("New order")

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="order"),
            TitleColumn(
                "number",
                label=_("Number"),
                sort_key="number",
                get_url=lambda order: reverse(self.detail_url_name, args=[order.pk]),
                get_title_id=lambda order: f"order_{order.pk}_title",
            ),
            AbsoluteDateColumn("placed_at", label=_("Placed"), sort_key="placed_at"),
            Column("channel", label=_("Sales channel"), accessor="channel.name"),
            Column("customer_name", label=_("Customer"), sort_key="customer_name"),
            MoneyColumn("total", label=_("Total"), sort_key="total"),
            OrderStatusColumn(label=_("Status"), sort_key="status"),
            LateColumn("late", label=_("Late")),
        ]

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        from plugins.orders.importing.importer import OrdersImporter

        if OrdersImporter.user_can_import(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Import marketplace orders"),
                    url=reverse("imports:start", args=[OrdersImporter.key]),
                    icon_name="upload",
                    priority=50,
                )
            )
        return buttons
