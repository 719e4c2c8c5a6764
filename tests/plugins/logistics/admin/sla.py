"""Test data of the SLA tests: orders with their freight option and
shipments at given dates (the rows the quoting and shipments services
write)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from plugins.logistics.models import OrderShipping, Package, Shipment, ShipmentStatus
from tests.plugins.logistics.conftest import make_ready
from tests.plugins.orders.conftest import place


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def order_with_option(channel, carrier, *, deadline: int, promised: int = 5):
    """An order ready to ship whose freight option must be handed over
    ``deadline`` days from today (negative: in the past)."""
    order = make_ready(place(channel))
    OrderShipping.objects.create(
        order=order,
        service=carrier.services.order_by("pk").first(),
        price=Decimal("15.00"),
        delivery_days=3,
        handling_deadline=days(deadline),
        promised_date=days(promised),
        quoted_at=timezone.now(),
    )
    return order


def shipment(order, carrier, status, *, deadline=0, promised=3, code=""):
    row = Shipment.objects.create(
        order=order,
        carrier=carrier,
        service=carrier.services.order_by("pk").first(),
        status=status,
        declared_value=order.total,
        handling_deadline=days(deadline),
        promised_date=days(promised),
    )
    Package.objects.create(
        shipment=row,
        number=1,
        tracking_code=code,
        weight_g=500,
        length_cm=20,
        width_cm=15,
        height_cm=10,
    )
    return row


S = ShipmentStatus
