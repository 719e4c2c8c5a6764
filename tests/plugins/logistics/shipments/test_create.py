"""Creating shipments: scope, packing, S10 codes, idempotency, dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from plugins.logistics import s10
from plugins.logistics.models import OrderShipping, Shipment, ShipmentStatus
from plugins.logistics.services.shipments import (
    DEFAULT_ITEM_WEIGHT_G,
    CarrierNotFound,
    InvalidPackages,
    OrderNotShippable,
    cancel_shipment,
    create_shipment,
)
from plugins.orders.models import OrderEvent
from plugins.orders.status import OrderStatus
from tests.plugins.logistics.shipments.conftest import ship

PACKAGES = [
    {
        "weight_g": 800,
        "length_cm": 30,
        "width_cm": 20,
        "height_cm": 10,
        "items": [{"sku": "CAM-P", "quantity": 2}],
    },
    {
        "weight_g": 400,
        "length_cm": 12,
        "width_cm": 12,
        "height_cm": 12,
        "items": [{"sku": "CAN-1", "quantity": 1}],
    },
]


def test_clerk_ships_an_invoiced_order_which_becomes_ready_to_ship(
    invoiced_order, table_carrier, shipping_clerk
):
    shipment = ship(invoiced_order, table_carrier, shipping_clerk, packages=PACKAGES)

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.LABELLED
    codes = [p.tracking_code for p in shipment.packages.all()]
    assert len(codes) == 2 and len(set(codes)) == 2
    assert all(s10.is_valid(code) and code.startswith("RP") for code in codes)
    invoiced_order.refresh_from_db()
    assert invoiced_order.status == OrderStatus.READY_TO_SHIP
    # the declared value is the goods, without the freight
    assert shipment.declared_value == invoiced_order.total - Decimal("15.00")
    timeline = OrderEvent.objects.filter(order=invoiced_order, source="logistics")
    assert codes[0] in timeline.get().message


def test_default_package_holds_every_line_with_default_weights(
    ready_order, table_carrier, shipping_clerk, origin
):
    shipment = ship(ready_order, table_carrier, shipping_clerk)

    (package,) = shipment.packages.all()
    assert sorted((i["sku"], i["quantity"]) for i in package.items) == [
        ("CAM-P", 2),
        ("CAN-1", 1),
    ]
    # the test catalog has no weights: the documented default per unit
    assert package.weight_g == 3 * DEFAULT_ITEM_WEIGHT_G
    assert package.length_cm >= 16 and package.width_cm >= 11


def test_a_carrier_out_of_scope_does_not_exist_for_the_clerk(
    ready_order, other_carrier, shipping_clerk, origin
):
    with pytest.raises(CarrierNotFound):
        ship(ready_order, other_carrier, shipping_clerk)
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "packages",
    [
        # a unit missing
        [{**PACKAGES[0], "items": [{"sku": "CAM-P", "quantity": 1}]}, PACKAGES[1]],
        # a unit packed twice
        [
            PACKAGES[0],
            {
                **PACKAGES[1],
                "items": [
                    {"sku": "CAN-1", "quantity": 1},
                    {"sku": "CAM-P", "quantity": 1},
                ],
            },
        ],
        # a SKU not in the order
        [PACKAGES[0], {**PACKAGES[1], "items": [{"sku": "XYZ", "quantity": 1}]}],
        # no weight
        [{**PACKAGES[0], "weight_g": 0}, PACKAGES[1]],
    ],
    ids=["missing", "twice", "foreign", "weightless"],
)
def test_every_line_is_packed_exactly_once_with_a_weight(
    packages, ready_order, table_carrier, shipping_clerk, origin
):
    serial = table_carrier.next_serial
    with pytest.raises(InvalidPackages):
        ship(ready_order, table_carrier, shipping_clerk, packages=packages)
    assert not Shipment.objects.exists()
    table_carrier.refresh_from_db()
    assert table_carrier.next_serial == serial  # no code spent


def test_shipping_twice_returns_the_live_shipment(
    ready_order, table_carrier, shipping_clerk, origin
):
    first = ship(ready_order, table_carrier, shipping_clerk)
    again = ship(ready_order, table_carrier, shipping_clerk)

    assert again.pk == first.pk
    assert Shipment.objects.filter(order=ready_order).count() == 1
    # unless the clerk asks for another
    other = ship(ready_order, table_carrier, shipping_clerk, another=True)
    assert other.pk != first.pk


def test_a_cancelled_shipment_lets_the_order_ship_again(
    ready_order, table_carrier, shipping_clerk, origin
):
    first = ship(ready_order, table_carrier, shipping_clerk)
    cancel_shipment(first, shipping_clerk)
    second = ship(ready_order, table_carrier, shipping_clerk)

    first.refresh_from_db()
    assert first.status == ShipmentStatus.CANCELLED
    assert second.pk != first.pk


def test_an_order_not_invoiced_is_not_shipped(
    loja, sellable, table_carrier, shipping_clerk, origin
):
    from tests.plugins.orders.conftest import place

    order = place(loja)
    with pytest.raises(OrderNotShippable):
        create_shipment(order, carrier=table_carrier, user=shipping_clerk)
    assert not Shipment.objects.exists()


def test_dates_and_origin_come_from_the_orders_freight_option(
    ready_order, table_carrier, logistics_manager, origin
):
    from django.utils import timezone

    from tests.plugins.logistics.conftest import make_origin

    rj = make_origin(code="rj-01", name="CD Rio", is_default=False, cep="20040-002")
    express = table_carrier.services.get(code="EXP")
    OrderShipping.objects.create(
        order=ready_order,
        service=express,
        origin=rj,
        price=Decimal("15.00"),
        delivery_days=2,
        handling_deadline=datetime.date(2026, 3, 3),
        promised_date=datetime.date(2026, 3, 5),
        quoted_at=timezone.now(),
    )

    shipment = ship(ready_order, table_carrier, logistics_manager)

    assert shipment.service == express
    assert shipment.origin == rj
    assert shipment.handling_deadline == datetime.date(2026, 3, 3)
    assert shipment.promised_date == datetime.date(2026, 3, 5)
