"""Everything the analytics plugin contributes to Wagtail and to the other
plugins."""

from wagtail import hooks

from plugins.analytics.menu import REPORTS_MENU, ReportsMenu
from plugins.hooks import API_ROUTES, BACKOFFICE_MENU, DASHBOARD_PANELS, DEMO_DATA
from plugins.orders import hooks as order_hooks


def _order_changed(*, order, **kwargs):
    """A change to an order placed on a day already rolled up: that day is
    computed live until the rollup task rolls it again."""
    from plugins.analytics.rollups import mark_changed
    from plugins.kpis import store_date

    placed_at = order.placed_at
    if isinstance(placed_at, str):  # as given to the service, not read back
        from django.utils import timezone
        from django.utils.dateparse import parse_datetime

        placed_at = parse_datetime(placed_at)
        if placed_at is not None and timezone.is_naive(placed_at):
            placed_at = timezone.make_aware(placed_at)
    mark_changed("orders", [store_date(placed_at)])


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
        order=10,
        test=may_see_reports,
    )


@hooks.register(DEMO_DATA, order=9)
def seed_demo_analytics(*, stdout):
    from plugins.analytics.demo import seed_demo_analytics

    seed_demo_analytics(stdout=stdout)


# -- Stock: the ledger's history, purchase planning and suppliers' lead times --

from django.apps import apps as _apps  # noqa: E402

if _apps.is_installed("plugins.stock"):
    from django.urls import include, path  # noqa: E402
    from django.utils.translation import gettext_lazy as _  # noqa: E402
    from wagtail.admin.menu import MenuItem  # noqa: E402

    from plugins.analytics import views_planning  # noqa: E402
    from plugins.stock.hooks import STOCK_MOVED  # noqa: E402

    @hooks.register(STOCK_MOVED)
    def _stock_moved(*, movements, **kwargs):
        """A movement dated before today (an order shipped on its own date)
        changes the stock at the end of every day from its date on: those
        days of the stock flow are computed live until rolled up again."""
        import datetime

        from plugins.analytics.rollups import mark_changed
        from plugins.kpis import store_date, store_today

        today = store_today()
        first = min((store_date(m.created_at) for m in movements), default=today)
        if first < today:
            mark_changed(
                "stock_flow",
                (
                    first + datetime.timedelta(days=offset)
                    for offset in range((today - first).days)
                ),
            )

    @hooks.register("register_admin_urls")
    def register_planning_urls():
        patterns = [
            path("", views_planning.PlanningView.as_view(), name="index"),
        ]
        return [
            path(
                "reports/planning/",
                include(
                    (patterns, views_planning.PREFIX), namespace=views_planning.PREFIX
                ),
            )
        ]

    class PlanningMenuItem(MenuItem):
        def is_shown(self, request):
            return views_planning.user_can_plan(request.user)

    @hooks.register(REPORTS_MENU)
    def planning_menu_item():
        from django.urls import reverse

        return PlanningMenuItem(
            _("Purchase planning"),
            reverse(f"{views_planning.PREFIX}:index"),
            name="analytics-planning",
            icon_name="table",
            order=50,
        )

    hooks.register("register_admin_viewset", views_planning.LeadTimeViewSet)


@hooks.register(API_ROUTES)
def analytics_api_routes():
    from plugins.analytics.api.routes import api_routes

    return api_routes()


# -- goals (Relatórios › Metas) and the goals e-mail's preference -----------------

from wagtail.permission_policies import ModelPermissionPolicy  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

from plugins.analytics.models import Goal  # noqa: E402

# Goals are the managers': the model permissions (add/change/delete_goal).
register_permission_policy(Goal, ModelPermissionPolicy(Goal))


@hooks.register("register_admin_viewset")
def register_goal_viewset():
    from plugins.analytics.viewsets_goals import GoalViewSet

    return GoalViewSet()


@hooks.register("register_account_settings_panel")
def register_digest_settings_panel(request, user, profile):
    from plugins.analytics.digest import DigestSettingsPanel

    return DigestSettingsPanel(request, user, profile)


@hooks.register(DASHBOARD_PANELS)
def goals_panel(request, panels):
    from plugins.analytics.dashboard import GoalsPanel

    GoalsPanel.add_to_homepage(request, panels)
