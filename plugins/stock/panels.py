"""The dashboard panel of low-stock alerts (levels at or below their reorder
point, in the user's warehouses)."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.components import Component

from plugins.stock.models import StockLevel
from plugins.stock.permissions import scoped_policy, user_can_see_stock


class LowStockPanel(Component):
    name = "low_stock"
    order = 150
    template_name = "stock/panels/low_stock.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        levels = (
            scoped_policy(StockLevel)
            .filter_queryset(StockLevel.objects.all(), self.user, ["view"])
            .below_reorder_point()
            .select_related("variant", "warehouse")
            .order_by("warehouse__priority", "variant__sku")
        )
        return {
            "levels": list(levels[:10]),
            "total": levels.count(),
            "list_url": reverse("stock_levels:index") + "?below_reorder_point=true",
        }


def add_low_stock_panel(request, panels):
    if user_can_see_stock(request.user):
        panels.append(LowStockPanel(request.user))
