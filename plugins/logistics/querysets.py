"""Reads that carry meaning: what "late" is, defined once.

*Late to ship* (not handed over in time): an order paid, invoiced or ready
to ship whose handling deadline has passed — the deadline of its freight
option (:class:`~plugins.logistics.models.OrderShipping`) or of a shipment
of it still in the warehouse — and none of whose shipments was handed over
to the carrier.

*Late to deliver*: a shipment on its way (handed over, in transit, out for
delivery, a delivery failed) whose promised date — its own, or its order's
freight option's — has passed, and that was not delivered.

A deadline "has passed" when today (the store's time zone) is after it: an
order due to be handed over on the 5th is late from the 6th.

The listings, the dashboard panel and the e-mail digest all read these
methods; the carrier of a late order is its shipment's, or its freight
option's service's when it has no shipment yet (:func:`order_carrier`).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from plugins.orders.status import OrderStatus

#: Orders that wait to be handed over to a carrier.
AWAITING_HANDOVER = (
    OrderStatus.PAID,
    OrderStatus.INVOICED,
    OrderStatus.READY_TO_SHIP,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _statuses():
    from plugins.logistics.models import IN_WAREHOUSE, ON_THE_WAY, ShipmentStatus

    return IN_WAREHOUSE, ON_THE_WAY, ShipmentStatus


class ShipmentQuerySet(models.QuerySet):
    def on_the_way(self):
        _in, on_the_way, _s = _statuses()
        return self.filter(status__in=on_the_way)

    def with_promised_date(self):
        """``promise``: the shipment's promised date, or its order's freight
        option's."""
        return self.annotate(
            promise=Coalesce(
                "promised_date", "order__logistics_shipping__promised_date"
            )
        )

    def with_handling_deadline(self):
        """``deadline``: the shipment's handling deadline, or its order's
        freight option's."""
        return self.annotate(
            deadline=Coalesce(
                "handling_deadline", "order__logistics_shipping__handling_deadline"
            )
        )

    def late_delivery(self, today: datetime.date | None = None):
        """Shipments on their way past their promised date (see the module)."""
        return self.on_the_way().with_promised_date().filter(promise__lt=_today(today))

    def late_handover(self, today: datetime.date | None = None):
        """Shipments of orders late to ship (:func:`late_to_ship`), still in
        the warehouse."""
        from plugins.orders.models import Order

        in_warehouse, _on, _s = _statuses()
        return self.filter(
            status__in=in_warehouse,
            order__in=late_to_ship(Order.objects.all(), today),
        )

    def of_carriers(self, carriers):
        return self.filter(carrier__in=carriers)


def _handed_over_shipments():
    from plugins.logistics.models import Shipment

    in_warehouse, _on, status = _statuses()
    return Shipment.objects.filter(order=OuterRef("pk")).exclude(
        status__in=(*in_warehouse, status.CANCELLED)
    )


def late_to_ship(orders: models.QuerySet, today: datetime.date | None = None):
    """The orders of ``orders`` late to ship (see the module)."""
    from plugins.logistics.models import Shipment

    today = _today(today)
    in_warehouse, _on, _s = _statuses()
    overdue_shipment = Shipment.objects.filter(
        order=OuterRef("pk"),
        status__in=in_warehouse,
        handling_deadline__lt=today,
    )
    return orders.filter(
        Q(logistics_shipping__handling_deadline__lt=today) | Exists(overdue_shipment),
        status__in=AWAITING_HANDOVER,
    ).exclude(Exists(_handed_over_shipments()))


def order_carrier():
    """An expression for an order's carrier (its pk): that of its latest
    shipment not cancelled, or of its freight option's service."""
    from plugins.logistics.models import Shipment, ShipmentStatus

    latest = (
        Shipment.objects.filter(order=OuterRef("pk"))
        .exclude(status=ShipmentStatus.CANCELLED)
        .order_by("-created_at", "-pk")
        .values("carrier")[:1]
    )
    return Coalesce(
        Subquery(latest),
        "logistics_shipping__service__carrier",
        output_field=models.BigIntegerField(),
    )


def with_carrier(orders: models.QuerySet):
    """``orders`` annotated with ``carrier_id_of`` (:func:`order_carrier`)."""
    return orders.annotate(carrier_id_of=order_carrier())


def of_carriers(orders: models.QuerySet, carriers):
    """The orders of ``orders`` whose carrier is one of ``carriers``."""
    ids = carriers.values("pk") if hasattr(carriers, "values") else carriers
    return with_carrier(orders).filter(carrier_id_of__in=ids)
