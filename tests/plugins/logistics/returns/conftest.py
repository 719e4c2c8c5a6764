"""Fixtures of the returns' tests: a delivered order of the table carrier,
its shipment and package written as test data (what the shipping desk's
services write), and the fiscal plugin's emitter, certificate and local
SEFAZ for the return NF-e."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from plugins.logistics.models import Package, Shipment, ShipmentStatus
from plugins.orders.services import transition_order

# The fiscal plugin's emitter with its A1 and the local SEFAZ.
from tests.plugins.fiscal.conftest import (  # noqa: F401
    a1,
    certificate_file,
    emitter,
    ncm_order,
    sefaz,
    tax_tables,
)


def ship_and_deliver(order, carrier, origin, *, code="RP000000019BR"):
    """``order`` (ready to ship) shipped by ``carrier`` in one package and
    delivered: the rows the shipments service writes, then the orders
    service's transitions."""
    service = carrier.services.order_by("pk").first()
    now = timezone.now()
    shipment = Shipment.objects.create(
        order=order,
        carrier=carrier,
        service=service,
        origin=origin,
        status=ShipmentStatus.DELIVERED,
        declared_value=order.total,
        handling_deadline=timezone.localdate(),
        promised_date=timezone.localdate() + datetime.timedelta(days=3),
        handed_over_at=now,
        delivered_at=now,
    )
    Package.objects.create(
        shipment=shipment,
        number=1,
        tracking_code=code,
        weight_g=800,
        length_cm=30,
        width_cm=20,
        height_cm=10,
        items=[
            {"sku": line.sku, "quantity": line.quantity} for line in order.lines.all()
        ],
    )
    for name in ("ship", "deliver"):
        transition_order(order, name, user=None)
    order.refresh_from_db()
    return shipment


@pytest.fixture
def delivered_order(ready_order, table_carrier, origin):
    """2 × CAM-P and 1 × CAN-1, delivered by the table carrier."""
    ship_and_deliver(ready_order, table_carrier, origin)
    return ready_order


def lines(order) -> dict[str, int]:
    return {line.sku: line.pk for line in order.lines.all()}
