"""What the logistics manager's set-up screens, the late-parcel alerts, the
order screen's panel and returns contribute to Wagtail and to the other
plugins. Imported by :mod:`plugins.logistics.wagtail_hooks` after the
permission policies are registered (the viewsets read them)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from plugins.hooks import API_ROUTES, BACKOFFICE_MENU, DASHBOARD_PANELS
from plugins.logistics import panels, views_returns, views_sla, viewsets_setup
from plugins.logistics.dashboard import LateParcelsPanel
from plugins.logistics.menu import LOGISTICS_MENU, LogisticsMenu
from plugins.orders import hooks as order_hooks

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
        "logistics.return.in_transit",
        _("Return posted"),
        _("The return's parcel is on its way back"),
    ),
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


hooks.register(BACKOFFICE_MENU, LogisticsMenu().get_menu_item)
for _viewset in (
    viewsets_setup.CarrierViewSet,
    viewsets_setup.CarrierServiceViewSet,
    viewsets_setup.ShippingOriginViewSet,
    viewsets_setup.FreightRateViewSet,
    viewsets_setup.FreeShippingRuleViewSet,
    views_returns.ReturnViewSet,
):
    hooks.register("register_admin_viewset", _viewset)
for _item in views_sla.menu_items():
    hooks.register(LOGISTICS_MENU, _item)
hooks.register(DASHBOARD_PANELS, LateParcelsPanel.add_to_homepage)
hooks.register(order_hooks.ORDER_DETAIL_PANELS, panels.order_logistics_panel)


@hooks.register("register_admin_urls")
def register_logistics_admin_urls():
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
    return [
        *urls,
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


@hooks.register(API_ROUTES)
def logistics_return_api_routes():
    from plugins.logistics.api.returns import api_routes

    return api_routes()
