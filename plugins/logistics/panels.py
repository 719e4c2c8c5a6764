"""What the logistics plugin adds to the order desk's order screen: the
order's shipments (carrier, service, status, tracking codes, promised date,
the tracking timeline) and returns, of the carriers the user sees, with
"New return" for a delivered order of a carrier the user ships with."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from wagtail.admin.ui.components import Component

from plugins.logistics.models import (
    Package,
    ReturnRequest,
    Shipment,
    TrackingEvent,
)
from plugins.logistics.permissions import (
    return_policy,
    shipment_policy,
    user_can_see_shipments,
    user_can_ship,
)
from plugins.orders.status import OrderStatus


class OrderLogisticsPanel(Component):
    template_name = "logistics/order_panel.html"

    def __init__(self, order, request):
        self.order = order
        self.request = request

    def get_context_data(self, parent_context=None):
        from plugins.logistics.services.returns import delivered_shipment
        from plugins.logistics.views_returns import NEW_RETURN, return_url

        user = self.request.user
        shipments = list(
            shipment_policy()
            .filter_queryset(Shipment.objects.filter(order=self.order), user, ["view"])
            .select_related("carrier", "service")
            .prefetch_related(
                Prefetch("packages", queryset=Package.objects.order_by("number")),
                Prefetch(
                    "tracking_events",
                    queryset=TrackingEvent.objects.order_by("-occurred_at", "-pk"),
                ),
            )
            .order_by("created_at", "pk")
        )
        returns = list(
            return_policy()
            .filter_queryset(
                ReturnRequest.objects.filter(order=self.order), user, ["view"]
            )
            .select_related("carrier")
            .order_by("created_at", "pk")
        )
        new_return_url = ""
        if self.order.status == OrderStatus.DELIVERED:
            shipment = delivered_shipment(self.order)
            if shipment is not None and user_can_ship(user, shipment.carrier):
                new_return_url = reverse(NEW_RETURN, args=[self.order.pk])
        return {
            "order": self.order,
            "shipments": [
                {
                    "shipment": shipment,
                    "codes": [
                        p.tracking_code
                        for p in shipment.packages.all()
                        if p.tracking_code
                    ],
                    "events": list(shipment.tracking_events.all()),
                }
                for shipment in shipments
            ],
            "returns": [{"ret": ret, "url": return_url(ret)} for ret in returns],
            "new_return_url": new_return_url,
        }


def order_logistics_panel(order, request):
    """The order's Logistics panel, for those who see shipments."""
    if not user_can_see_shipments(request.user):
        return None
    return OrderLogisticsPanel(order, request)
