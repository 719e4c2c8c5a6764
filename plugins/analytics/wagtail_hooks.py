"""Everything the analytics plugin contributes to Wagtail and to the other
plugins."""

from wagtail import hooks

from plugins.analytics.menu import REPORTS_MENU, ReportsMenu
from plugins.hooks import API_ROUTES, BACKOFFICE_MENU, DEMO_DATA
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


@hooks.register("register_admin_urls")
def register_reports_urls():
    from django.urls import include, path

    from plugins.analytics import views

    urls = [path("", views.ReportsDashboardView.as_view(), name="dashboard")]
    return [path("reports/", include((urls, "analytics"), namespace="analytics"))]


@hooks.register(REPORTS_MENU)
def reports_dashboard_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from plugins.analytics.views import may_see_reports
    from plugins.wagtail_hooks import PermissionMenuItem

    return PermissionMenuItem(
        _("Dashboard"),
        reverse("analytics:dashboard"),
        name="reports-dashboard",
        icon_name="table",
        order=100,
        test=may_see_reports,
    )


@hooks.register(DEMO_DATA, order=9)
def seed_demo_analytics(*, stdout):
    from plugins.analytics.demo import seed_demo_analytics

    seed_demo_analytics(stdout=stdout)


@hooks.register(API_ROUTES)
def analytics_api_routes():
    from plugins.analytics.api.routes import api_routes

    return api_routes()
