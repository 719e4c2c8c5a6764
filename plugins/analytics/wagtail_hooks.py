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
