"""The dashboard panel of late parcels: per carrier the user sees, the
orders late to ship and the shipments late to deliver
(:mod:`plugins.logistics.querysets`), each count linking to its listing
filtered by the carrier. Three queries whatever the number of orders: the
carriers, and one grouped count per listing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from plugins.dashboard import DashboardPanel, Figure
from plugins.logistics.models import Carrier, Shipment
from plugins.logistics.permissions import (
    carrier_policy,
    shipment_policy,
    user_can_see_shipments,
)
from plugins.logistics.querysets import late_to_ship, of_carriers
from plugins.orders.models import Order


@dataclass(frozen=True)
class LateRow:
    carrier: Carrier
    to_ship: int
    to_deliver: int
    to_ship_url: str
    to_deliver_url: str


def late_counts(user, today=None) -> list[LateRow]:
    """Per carrier ``user`` sees, its late counts (carriers with none left
    out), by carrier name."""
    from plugins.logistics.views_sla import LATE_DELIVERIES, LATE_SHIPMENTS

    carriers = carrier_policy().scope_objects(user, "view")
    to_ship = dict(
        of_carriers(late_to_ship(Order.objects.all(), today), carriers)
        .order_by()
        .values_list("carrier_id_of")
        .annotate(n=Count("pk", distinct=True))
    )
    to_deliver = dict(
        shipment_policy()
        .filter_queryset(Shipment.objects.late_delivery(today), user, ["view"])
        .order_by()
        .values_list("carrier")
        .annotate(n=Count("pk"))
    )
    rows = []
    for carrier in carriers.filter(pk__in={*to_ship, *to_deliver}).order_by("name"):
        query = "?" + urlencode({"carrier": carrier.pk})
        rows.append(
            LateRow(
                carrier,
                to_ship.get(carrier.pk, 0),
                to_deliver.get(carrier.pk, 0),
                reverse(LATE_SHIPMENTS) + query,
                reverse(LATE_DELIVERIES) + query,
            )
        )
    return rows


class LateParcelsPanel(DashboardPanel):
    name = "logistics-late"
    order = 170
    heading = _("Late parcels")
    icon = "warning"
    template_name = "logistics/panels/late.html"

    @classmethod
    def user_can_see(cls, user) -> bool:
        return user_can_see_shipments(user)

    def get_context_data(self, parent_context=None):
        from plugins.logistics.views_sla import LATE_DELIVERIES, LATE_SHIPMENTS

        context = super().get_context_data(parent_context)
        rows = late_counts(self.user)
        to_ship = sum(row.to_ship for row in rows)
        to_deliver = sum(row.to_deliver for row in rows)
        context.update(
            figures=[
                Figure(
                    _("Late to ship"),
                    to_ship,
                    url=reverse(LATE_SHIPMENTS),
                    alert=to_ship > 0,
                    key="late-to-ship",
                ),
                Figure(
                    _("Late to deliver"),
                    to_deliver,
                    url=reverse(LATE_DELIVERIES),
                    alert=to_deliver > 0,
                    key="late-to-deliver",
                ),
            ],
            rows=rows,
        )
        return context
