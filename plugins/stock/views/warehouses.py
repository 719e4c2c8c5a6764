"""The warehouses listing, with the stock valued at cost for those who may
see cost prices."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.ui.tables import Column

from plugins.money import format_br_decimal
from plugins.stock.permissions import user_can_see_stock_value
from plugins.viewsets import ScopedIndexView


def with_stock_value(warehouses):
    """Annotate each warehouse with ``stock_value`` (units on hand × cost
    price of their SKU, summed; SKUs without a cost count as nothing) and
    ``uncosted_skus`` (SKUs on hand there without a cost price): one query."""
    value = ExpressionWrapper(
        F("levels__on_hand") * F("levels__variant__cost_price"),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    return warehouses.annotate(
        stock_value=Sum(value, default=Decimal("0")),
        uncosted_skus=Count(
            "levels",
            filter=Q(levels__on_hand__gt=0, levels__variant__cost_price__isnull=True),
        ),
    )


class StockValueColumn(Column):
    def get_value(self, instance):
        value = f"R$ {format_br_decimal(instance.stock_value)}"
        if instance.uncosted_skus:
            value += " " + ngettext(
                "(%(count)d SKU without cost)",
                "(%(count)d SKUs without cost)",
                instance.uncosted_skus,
            ) % {"count": instance.uncosted_skus}
        return value


class WarehouseIndexView(ScopedIndexView):
    @cached_property
    def show_value(self) -> bool:
        return user_can_see_stock_value(self.request.user)

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return with_stock_value(queryset) if self.show_value else queryset

    @cached_property
    def columns(self):
        columns = list(super().columns)
        if self.show_value:
            columns.append(
                StockValueColumn(
                    "stock_value",
                    label=_("Stock value at cost"),
                    sort_key="stock_value",
                    classname="stock-value",
                )
            )
        return columns
