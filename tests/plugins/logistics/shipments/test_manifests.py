"""Manifests (romaneios): the open manifest of a carrier, closing it moves
every order to shipped (stock turns the reservations into sales), all or
nothing."""

from __future__ import annotations

import pytest

from plugins.logistics.models import Manifest, ShipmentStatus
from plugins.logistics.services.shipments import (
    CarrierNotFound,
    ManifestRefused,
    ShipmentRefused,
    add_to_manifest,
    cancel_shipment,
    close_manifest,
)
from plugins.orders.models import OrderEvent
from plugins.orders.services import lifecycle
from plugins.orders.status import OrderStatus
from tests.plugins.logistics.conftest import grant_carrier, make_ready
from tests.plugins.logistics.shipments.conftest import ship
from tests.plugins.orders.conftest import place


@pytest.fixture
def shipments(ready_orders, table_carrier, shipping_clerk):
    return [ship(o, table_carrier, shipping_clerk) for o in ready_orders]


def test_closing_the_manifest_ships_every_order(shipments, shipping_clerk):
    manifest = add_to_manifest(shipments[:2], shipping_clerk)
    # a second call joins the same open manifest
    assert add_to_manifest(shipments[2:], shipping_clerk).pk == manifest.pk

    close_manifest(manifest, shipping_clerk)

    manifest.refresh_from_db()
    assert manifest.status == Manifest.Status.CLOSED
    assert manifest.closed_by == shipping_clerk and manifest.closed_at
    for shipment in shipments:
        shipment.refresh_from_db()
        shipment.order.refresh_from_db()
        assert shipment.status == ShipmentStatus.HANDED_OVER
        assert shipment.order.status == OrderStatus.SHIPPED
        assert OrderEvent.objects.filter(
            order=shipment.order, source="logistics", data__manifest=manifest.pk
        ).exists()
    # the next shipments go into a new manifest
    assert not Manifest.objects.filter(status=Manifest.Status.OPEN).exists()


def test_closing_is_all_or_nothing(shipments, shipping_clerk):
    manifest = add_to_manifest(shipments, shipping_clerk)
    # one order was cancelled meanwhile (by the order desk, say): it cannot ship
    last = shipments[-1].order
    type(last).objects.filter(pk=last.pk).update(status=OrderStatus.CANCELLED)

    with pytest.raises(ManifestRefused, match=last.number):
        close_manifest(manifest, shipping_clerk)

    manifest.refresh_from_db()
    assert manifest.status == Manifest.Status.OPEN
    for shipment in shipments[:-1]:
        shipment.refresh_from_db()
        shipment.order.refresh_from_db()
        assert shipment.status == ShipmentStatus.LABELLED
        assert shipment.order.status == OrderStatus.READY_TO_SHIP


def test_a_manifest_holds_one_carrier(
    ready_orders, table_carrier, other_carrier, logistics_manager
):
    other_carrier.tracking_prefix = "OT"  # codes of its own
    other_carrier.save(update_fields=["tracking_prefix"])
    mine = ship(ready_orders[0], table_carrier, logistics_manager)
    theirs = ship(ready_orders[1], other_carrier, logistics_manager)
    with pytest.raises(ManifestRefused):
        add_to_manifest([mine, theirs], logistics_manager)


def test_a_clerk_does_not_close_another_carriers_manifest(
    ready_orders, other_carrier, logistics_manager, shipping_clerk
):
    theirs = ship(ready_orders[0], other_carrier, logistics_manager)
    manifest = add_to_manifest([theirs], logistics_manager)
    with pytest.raises(CarrierNotFound):
        close_manifest(manifest, shipping_clerk)
    with pytest.raises(CarrierNotFound):
        add_to_manifest([theirs], shipping_clerk)


def test_a_cancelled_shipment_leaves_its_manifest(shipments, shipping_clerk):
    manifest = add_to_manifest(shipments, shipping_clerk)
    cancel_shipment(shipments[0], shipping_clerk)

    close_manifest(manifest, shipping_clerk)

    assert manifest.shipments.count() == 2
    shipments[0].order.refresh_from_db()
    assert shipments[0].order.status == OrderStatus.READY_TO_SHIP


def test_a_closed_manifest_is_not_closed_again(shipments, shipping_clerk):
    manifest = add_to_manifest(shipments, shipping_clerk)
    close_manifest(manifest, shipping_clerk)
    with pytest.raises(ManifestRefused):
        close_manifest(manifest, shipping_clerk)
    with pytest.raises(ShipmentRefused):  # handed over: not cancelled any more
        cancel_shipment(shipments[0], shipping_clerk)


def test_closing_turns_the_stock_reservations_into_sales(
    loja, sellable, origin, table_carrier, shipping_clerk, settings
):
    from plugins.stock.models import StockLevel, Warehouse
    from tests.plugins.stock.conftest import stock

    settings.RETAGUARDA_STOCK_SELL_UNTRACKED = False
    sp = Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)
    stock("CAM-P", sp, 5)
    stock("CAN-1", sp, 5)
    order = make_ready(place(loja))
    cam = StockLevel.objects.get(variant__sku="CAM-P", warehouse=sp)
    assert (cam.on_hand, cam.reserved) == (5, 2)

    shipment = ship(order, table_carrier, shipping_clerk)
    close_manifest(add_to_manifest([shipment], shipping_clerk), shipping_clerk)

    cam.refresh_from_db()
    assert (cam.on_hand, cam.reserved) == (3, 0)


def test_the_order_desk_permission_is_not_needed_to_ship(
    loja, sellable, origin, table_carrier, other_carrier
):
    # a clerk of both carriers, with no channel of the order desk
    from tests.factories import UserFactory

    clerk = UserFactory(username="expedicao-2", roles=["shipping_desk"])
    grant_carrier(clerk, table_carrier)
    order = place(loja)
    for name in ("pay", "invoice"):
        lifecycle.transition_order(order, name, user=None)

    shipment = ship(order, table_carrier, clerk)
    close_manifest(add_to_manifest([shipment], clerk), clerk)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
