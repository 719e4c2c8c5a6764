"""The logistics plugin's figures (:mod:`plugins.kpis`): shipping and
delivery on time, delivery days, and what is late now.

Every figure belongs to the carrier of its shipment (the scope: a shipping
clerk sees the carriers granted to them) and can be grouped by the UF the
order is shipped to. Days are the store's local days
(``settings.TIME_ZONE``, America/Sao_Paulo): a parcel delivered on 12/01 at
22:30 is delivered on the 12th, though it is 01:30 UTC on the 13th.

*Shipping on time* (:class:`ShippingSource`, a flow) is counted on the day
a shipment was handed over to the carrier, not on the day it was due: a
shipment counts once it is shipped, so a day's figure does not change
while the parcels it counts wait in the warehouse; those waiting past
their deadline are the level figure *orders late to ship*. A shipment is on
time when it was handed over on or before its handling deadline (its own,
or its order's freight option's, as :mod:`plugins.logistics.querysets`
reads it); one without a deadline cannot be late.

*Delivery* figures are counted on the day a shipment was delivered: on
time when delivered on or before its promised date (its own, or its
order's freight option's), and its delivery days are the local days from
handover to delivery.

*Late* figures (:class:`LateParcelsSource`, a level) are the SLA
listings' rules (:meth:`~plugins.logistics.querysets.ShipmentQuerySet.late_delivery`,
:func:`~plugins.logistics.querysets.late_to_ship`), counted today.

A shipment's handover and delivery moments come from the manifest that
closed it or from the carrier's tracking events, which may arrive days
late: :meth:`ShippingSource.changed_days` reports the days of the shipments
whose tracking was recorded (or whose manifest was closed) since the last
rollup.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import CharField, Count, F, Min, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plugins.kpis import (
    KPI,
    Fact,
    Source,
    Unit,
    day_bounds,
    measure,
    ratio,
    store_date,
    store_day,
    store_today,
)

SOURCE_KEY = "logistics"
LATE_SOURCE_KEY = "logistics_late"


def _uf(address_field: str):
    """The UF of an order's shipping address (``""`` when it has none)."""
    return Coalesce(
        KeyTextTransform("uf", address_field), Value(""), output_field=CharField()
    )


def _with_member(rows, dimension: str, address_field: str):
    if dimension == "uf":
        return rows.annotate(member=_uf(address_field))
    return rows.annotate(member=Value("", output_field=CharField()))


def _only_ufs(rows, where, address_field: str):
    ufs = (where or {}).get("uf")
    if ufs:
        rows = rows.filter(**{f"{address_field}__uf__in": list(ufs)})
    return rows


class LogisticsSource(Source):
    """What both sources share: the carrier scope, the UF, labels and the
    drill-down into the SLA listings."""

    scope = "carrier"
    dimensions = ("uf",)

    def user_can_see(self, user) -> bool:
        from plugins.logistics.permissions import user_can_see_shipments

        return user_can_see_shipments(user)

    def scope_ids(self, user):
        from plugins.logistics.permissions import shipment_policy

        return shipment_policy().scope_ids_for(user, "view")

    def member_labels(self, dimension, members):
        members = [m for m in members if m not in (None, "")]
        if dimension == "carrier":
            from plugins.logistics.models import Carrier

            ids = [int(m) for m in members if str(m).isdigit()]
            names = Carrier.objects.filter(pk__in=ids).values_list("pk", "name")
            return {str(pk): name for pk, name in names}
        return {member: member for member in members}

    def drilldown_url(self, kpi, *, start, end, filters):
        """The SLA listing of what makes the figure worse today (the rates'
        late parcels), filtered by the carrier and the UF when one of each
        is chosen. The listings show the user's carriers only."""
        from plugins.logistics.views_sla import LATE_DELIVERIES, LATE_SHIPMENTS

        name = LATE_SHIPMENTS if kpi.drilldown == "late_shipments" else LATE_DELIVERIES
        params = {}
        for dimension in ("carrier", "uf"):
            members = sorted(filters.get(dimension, ()))
            if len(members) == 1:
                params[dimension] = members[0]
        query = f"?{urlencode(params)}" if params else ""
        return f"{reverse(name)}{query}"


class ShippingSource(LogisticsSource):
    """Shipments handed over (on their day of handover) and delivered (on
    their day of delivery), per carrier and destination UF."""

    key = SOURCE_KEY
    label = _("Shipping and delivery")
    flow = True
    kpis = (
        KPI(
            "logistics.on_time_shipping",
            _("Shipped on time"),
            Unit.PERCENT,
            ratio("shipped_on_time", "shipped", percent=True),
            _(
                "Shipments handed over to the carrier in the period (on the day "
                "handed over) by their handling deadline ÷ all handed over in it; "
                "those still in the warehouse do not count."
            ),
            drilldown="late_shipments",
        ),
        KPI(
            "logistics.on_time_delivery",
            _("Delivered on time"),
            Unit.PERCENT,
            ratio("delivered_on_time", "delivered", percent=True),
            _(
                "Shipments delivered in the period by their promised date ÷ all "
                "delivered in it; those on their way or returned do not count."
            ),
            drilldown="late_deliveries",
        ),
        KPI(
            "logistics.delivery_days",
            _("Average delivery time"),
            Unit.DAYS,
            ratio("delivery_days", "timed_deliveries"),
            _(
                "Days from handover to delivery of the shipments delivered in the "
                "period, on average (calendar days of the store)."
            ),
            higher_is_better=False,
            drilldown="late_deliveries",
        ),
    )

    def first_day(self):
        from plugins.logistics.models import Shipment

        first = Shipment.objects.aggregate(
            shipped=Min("handed_over_at"), delivered=Min("delivered_at")
        )
        days = [store_date(moment) for moment in first.values() if moment]
        return min(days) if days else None

    def changed_days(self, since):
        """The handover and delivery days of the shipments whose tracking
        events were recorded, or whose manifest was closed, since ``since``
        (a delivery reported days after it happened)."""
        from plugins.logistics.models import Shipment, TrackingEvent

        tracked = TrackingEvent.objects.filter(received_at__gte=since).values(
            "shipment_id"
        )
        rows = (
            Shipment.objects.filter(
                Q(pk__in=tracked) | Q(manifest__closed_at__gte=since)
            )
            .annotate(
                shipped_day=store_day("handed_over_at"),
                delivered_day=store_day("delivered_at"),
            )
            .values_list("shipped_day", "delivered_day")
            .distinct()
        )
        return {day for pair in rows for day in pair if day is not None}

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.logistics.models import Shipment

        since, until = day_bounds(start, end)
        shipments = _only_ufs(Shipment.objects.all(), where, "order__shipping_address")
        if scope_ids is not None:
            shipments = shipments.filter(carrier_id__in=scope_ids)
        yield from self._shipped(
            shipments.filter(handed_over_at__gte=since, handed_over_at__lt=until),
            dimension,
        )
        yield from self._delivered(
            shipments.filter(delivered_at__gte=since, delivered_at__lt=until),
            dimension,
        )

    def _shipped(self, shipments, dimension):
        rows = (
            _with_member(
                shipments.with_handling_deadline(), dimension, "order__shipping_address"
            )
            .annotate(day=store_day("handed_over_at"))
            .values("day", "carrier_id", "member")
            .annotate(
                shipped=Count("pk"),
                shipped_on_time=Count(
                    "pk", filter=Q(deadline__isnull=True) | Q(deadline__gte=F("day"))
                ),
            )
            .order_by()
        )
        for row in rows:
            for name in ("shipped", "shipped_on_time"):
                if row[name]:
                    yield Fact(
                        row["day"],
                        row["carrier_id"],
                        row["member"] or "",
                        name,
                        Decimal(row[name]),
                    )

    def _delivered(self, shipments, dimension):
        """Delivery measures; the days from handover are summed here from
        the counts per handover day (one grouped query, the same on every
        database)."""
        rows = (
            _with_member(
                shipments.with_promised_date(), dimension, "order__shipping_address"
            )
            .annotate(
                day=store_day("delivered_at"), shipped_day=store_day("handed_over_at")
            )
            .values("day", "carrier_id", "member", "shipped_day")
            .annotate(
                delivered=Count("pk"),
                delivered_on_time=Count(
                    "pk", filter=Q(promise__isnull=True) | Q(promise__gte=F("day"))
                ),
            )
            .order_by()
        )
        sums: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            bucket = sums[(row["day"], row["carrier_id"], row["member"] or "")]
            bucket["delivered"] += row["delivered"]
            bucket["delivered_on_time"] += row["delivered_on_time"]
            if row["shipped_day"] is not None:
                days = max((row["day"] - row["shipped_day"]).days, 0)
                bucket["timed_deliveries"] += row["delivered"]
                bucket["delivery_days"] += days * row["delivered"]
        for (day, carrier_id, member), values in sums.items():
            for name, value in values.items():
                if value:
                    yield Fact(day, carrier_id, member, name, Decimal(value))


class LateParcelsSource(LogisticsSource):
    """What is late today, per carrier and destination UF (the SLA
    listings' counts)."""

    key = LATE_SOURCE_KEY
    label = _("Late parcels")
    flow = False
    kpis = (
        KPI(
            "logistics.late_parcels",
            _("Parcels late to deliver"),
            Unit.COUNT,
            measure("late_to_deliver"),
            _(
                "Shipments on their way (handed over, in transit, out for "
                "delivery, a delivery failed) past their promised date; delivered "
                "and returned ones do not count."
            ),
            higher_is_better=False,
            drilldown="late_deliveries",
        ),
        KPI(
            "logistics.late_to_ship",
            _("Orders late to ship"),
            Unit.COUNT,
            measure("late_to_ship"),
            _(
                "Orders paid, invoiced or ready to ship past their handling "
                "deadline and not handed over to the carrier yet."
            ),
            higher_is_better=False,
            drilldown="late_shipments",
        ),
    )

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.logistics.models import Shipment
        from plugins.logistics.querysets import late_to_ship, with_carrier
        from plugins.orders.models import Order

        today = store_today()
        shipments = _only_ufs(
            Shipment.objects.late_delivery(today), where, "order__shipping_address"
        )
        if scope_ids is not None:
            shipments = shipments.filter(carrier_id__in=scope_ids)
        late_shipments = (
            _with_member(shipments, dimension, "order__shipping_address")
            .values("carrier_id", "member")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in late_shipments:
            yield Fact(
                end,
                row["carrier_id"],
                row["member"] or "",
                "late_to_deliver",
                Decimal(row["n"]),
            )
        orders = with_carrier(
            _only_ufs(
                late_to_ship(Order.objects.all(), today), where, "shipping_address"
            )
        ).filter(carrier_id_of__isnull=False)
        if scope_ids is not None:
            orders = orders.filter(carrier_id_of__in=scope_ids)
        late_orders = (
            _with_member(orders, dimension, "shipping_address")
            .values("carrier_id_of", "member")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        for row in late_orders:
            yield Fact(
                end,
                row["carrier_id_of"],
                row["member"] or "",
                "late_to_ship",
                Decimal(row["n"]),
            )


def sources():
    return [ShippingSource(), LateParcelsSource()]
