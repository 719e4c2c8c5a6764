"""What the logistics manager's set-up screens, the SLA alerts, the order
screen's panel and returns contribute to Wagtail and to the other plugins
(imported by :mod:`plugins.logistics.wagtail_hooks`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = (
    (
        "logistics.return.request",
        _("Request a return"),
        _("Return requested"),
    ),
    (
        "logistics.return.authorise",
        _("Authorise a return"),
        _("Return authorised by the carrier"),
    ),
    ("logistics.return.refuse", _("Refuse a return"), _("Return refused")),
    (
        "logistics.return.receive",
        _("Receive a return"),
        _("Returned items received at the warehouse"),
    ),
)


@hooks.register("register_log_actions")
def register_return_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


from plugins.hooks import BACKOFFICE_MENU  # noqa: E402
from plugins.logistics import viewsets_setup  # noqa: E402
from plugins.logistics.menu import LogisticsMenu  # noqa: E402

hooks.register(BACKOFFICE_MENU, LogisticsMenu().get_menu_item)
for _viewset in (
    viewsets_setup.CarrierViewSet,
    viewsets_setup.CarrierServiceViewSet,
    viewsets_setup.ShippingOriginViewSet,
    viewsets_setup.FreightRateViewSet,
    viewsets_setup.FreeShippingRuleViewSet,
):
    hooks.register("register_admin_viewset", _viewset)

from django.urls import path  # noqa: E402

from plugins.logistics import views_sla  # noqa: E402
from plugins.logistics.menu import LOGISTICS_MENU  # noqa: E402

for _item in views_sla.menu_items():
    hooks.register(LOGISTICS_MENU, _item)


@hooks.register("register_admin_urls")
def register_logistics_sla_urls():
    urls = []
    for name, view in (
        (views_sla.LATE_SHIPMENTS, views_sla.LateShipmentsView),
        (views_sla.LATE_DELIVERIES, views_sla.LateDeliveriesView),
    ):
        slug = name.removeprefix("logistics_").replace("_", "-")
        urls += [
            path(f"logistics/{slug}/", view.as_view(), name=name),
            path(
                f"logistics/{slug}/results/",
                view.as_view(results_only=True),
                name=f"{name}_results",
            ),
        ]
    return urls


from plugins.hooks import DASHBOARD_PANELS  # noqa: E402
from plugins.logistics.dashboard import LateParcelsPanel  # noqa: E402

hooks.register(DASHBOARD_PANELS, LateParcelsPanel.add_to_homepage)

from plugins.logistics import views_returns  # noqa: E402

hooks.register("register_admin_viewset", views_returns.ReturnViewSet)


@hooks.register("register_admin_urls")
def register_logistics_return_urls():
    return [
        path(
            "logistics/returns/<int:pk>/authorise/",
            views_returns.AuthoriseView.as_view(),
            name=views_returns.AUTHORISE,
        ),
        path(
            "logistics/returns/<int:pk>/refuse/",
            views_returns.RefuseView.as_view(),
            name=views_returns.REFUSE,
        ),
        path(
            "logistics/returns/<int:pk>/receive/",
            views_returns.ReceiveView.as_view(),
            name=views_returns.RECEIVE,
        ),
        path(
            "logistics/orders/<int:pk>/return/",
            views_returns.NewReturnView.as_view(),
            name=views_returns.NEW_RETURN,
        ),
    ]


from plugins.logistics import panels  # noqa: E402
from plugins.orders import hooks as order_hooks  # noqa: E402

hooks.register(order_hooks.ORDER_DETAIL_PANELS, panels.order_logistics_panel)

from plugins.hooks import API_ROUTES  # noqa: E402


@hooks.register(API_ROUTES)
def logistics_return_api_routes():
    from plugins.logistics.api.returns import api_routes

    return api_routes()
