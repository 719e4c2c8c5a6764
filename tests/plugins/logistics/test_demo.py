"""The demo's logistics: the carriers and tables, and storefront orders
priced from signed quotes at every stage of their shipping, seeded once."""

import io

import pytest

from plugins.logistics.demo import PREFIX, seed_demo_logistics
from plugins.logistics.models import (
    Carrier,
    FreightRate,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentStatus,
)
from plugins.logistics.querysets import late_to_ship
from plugins.orders.models import Order, OrderStatus, SalesChannel
from tests.content.conftest import make_product
from tests.factories import UserFactory


@pytest.fixture
def store(db):
    SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    make_product("camiseta-basica", variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")])
    make_product("caneca", variants=[("CAN-1", "39.90")])
    return UserFactory(username="expedicao", roles=["shipping_desk"])


def test_the_demo_ships_quoted_orders_at_every_stage(store):
    out = io.StringIO()
    seed_demo_logistics(stdout=out)

    assert set(Carrier.objects.values_list("code", flat=True)) == {
        "transportadora-rapida",
        "retirada",
        "correios",
    }
    assert FreightRate.objects.count() == 480
    orders = Order.objects.filter(external_id__startswith=PREFIX)
    assert orders.count() == 15
    # the server priced every order's shipping from its signed quote
    for order in orders.select_related("logistics_shipping"):
        assert order.shipping_total == order.logistics_shipping.price
    statuses = dict.fromkeys(OrderStatus.values, 0)
    for status in orders.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses[OrderStatus.INVOICED] == 4  # the queue and the late one
    assert statuses[OrderStatus.READY_TO_SHIP] == 2  # labelled
    assert statuses[OrderStatus.SHIPPED] == 5  # on the way, one failed
    assert statuses[OrderStatus.DELIVERED] == 4
    shipments = Shipment.objects.filter(order__in=orders)
    assert shipments.filter(status=ShipmentStatus.DELIVERY_FAILED).count() == 1
    assert shipments.late_delivery().count() == 1
    assert late_to_ship(orders).count() == 1
    assert ReturnRequest.objects.get().status == ReturnStatus.AUTHORISED
    # the clerk of the shipping desk is granted every carrier
    assert store.has_perm(
        "logistics.ship_carrier", Carrier.objects.get(code="correios")
    )
    assert "Logística: 3 origens, 3 transportadoras, 480 faixas de frete" in (
        out.getvalue()
    )

    # seeded once
    seed_demo_logistics(stdout=io.StringIO())
    assert Order.objects.filter(external_id__startswith=PREFIX).count() == 15
    assert Carrier.objects.count() == 3
