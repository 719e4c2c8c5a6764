"""The dashboard panel of low stock: levels at or below their reorder point
in the user's warehouses, with product names and a link to each SKU's kardex.
Two queries whatever the number of levels (the total, and the first rows)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plugins.dashboard import DashboardPanel, Figure
from plugins.stock.models import StockLevel
from plugins.stock.permissions import scoped_policy, user_can_see_stock

#: Rows the panel lists (the figure counts them all).
PANEL_ROWS = 10


class LowStockPanel(DashboardPanel):
    name = "low-stock"
    order = 150
    heading = _("Low stock")
    icon = "warning"
    template_name = "stock/panels/low_stock.html"

    @classmethod
    def user_can_see(cls, user) -> bool:
        return user_can_see_stock(user)

    def levels(self):
        return (
            scoped_policy(StockLevel)
            .filter_queryset(StockLevel.objects.all(), self.user, ["view"])
            .below_reorder_point()
        )

    def get_context_data(self, parent_context=None):
        from plugins.stock.views.kardex import kardex_url
        from plugins.stock.views.search import variant_label

        context = super().get_context_data(parent_context)
        levels = self.levels()
        total = levels.count()
        list_url = reverse("stock_levels:index") + "?below_reorder_point=true"
        rows = [
            {
                "level": level,
                "name": variant_label(level.variant),
                "url": kardex_url(level.variant_id, level.warehouse_id),
            }
            for level in levels.select_related(
                "variant__product", "warehouse"
            ).order_by("warehouse__priority", "warehouse__code", "variant__sku")[
                :PANEL_ROWS
            ]
        ]
        context.update(
            figures=[
                Figure(
                    _("SKUs at or below the reorder point"),
                    total,
                    url=list_url,
                    alert=total > 0,
                    key="low-stock",
                )
            ],
            rows=rows,
            total=total,
            list_url=list_url,
        )
        return context


def add_low_stock_panel(request, panels):
    LowStockPanel.add_to_homepage(request, panels)
