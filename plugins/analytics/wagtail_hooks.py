"""Everything the analytics plugin contributes to Wagtail and to the other
plugins."""

from wagtail import hooks

from plugins.analytics.menu import ReportsMenu
from plugins.hooks import BACKOFFICE_MENU
from plugins.orders import hooks as order_hooks


def _order_changed(*, order, **kwargs):
    """A change to an order placed on a day already rolled up: that day is
    computed live until the rollup task rolls it again."""
    from django.utils import timezone

    from plugins.analytics.rollups import mark_changed

    day = timezone.localtime(order.placed_at, timezone.get_default_timezone()).date()
    mark_changed("orders", [day])


for _hook in (
    order_hooks.ORDER_PAID,
    order_hooks.ORDER_CANCELLED,
    order_hooks.ORDER_INVOICED,
    order_hooks.ORDER_READY_TO_SHIP,
    order_hooks.ORDER_SHIPPED,
    order_hooks.ORDER_DELIVERED,
    order_hooks.ORDER_RETURNED,
    order_hooks.ORDER_IMPORTED,
):
    hooks.register(_hook, _order_changed)


hooks.register(BACKOFFICE_MENU, ReportsMenu().get_menu_item)
