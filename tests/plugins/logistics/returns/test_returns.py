"""The return flow: requested (storefront or staff), authorised by the
carrier (its reverse code), received at a warehouse — units back in stock,
the return NF-e when the order was invoiced, the order returned when
everything came back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from plugins.logistics import s10
from plugins.logistics.models import ReturnRequest, ReturnStatus
from plugins.logistics.services.returns import (
    InvalidReturn,
    ReturnRefused,
    authorise_return,
    receive_return,
    refuse_return,
    request_return,
)
from plugins.orders.models import OrderEvent
from plugins.orders.status import OrderStatus
from tests.plugins.logistics.conftest import make_ready
from tests.plugins.logistics.returns.conftest import lines, ship_and_deliver
from tests.plugins.orders.conftest import place

STAFF = ReturnRequest.Channel.STAFF


def ask(order, user=None, **items):
    return request_return(
        order,
        items=[
            {"sku": sku.replace("_", "-"), "quantity": n} for sku, n in items.items()
        ],
        reason="defect",
        comment="A costura abriu",
        via=STAFF if user else ReturnRequest.Channel.STOREFRONT,
        user=user,
    )


def test_request_takes_the_carrier_that_delivered_and_logs_it(delivered_order):
    ret = ask(delivered_order, CAM_P=1)
    assert ret.status == ReturnStatus.REQUESTED
    assert ret.carrier.code == "rapidao"
    assert ret.items == [
        {
            "line": lines(delivered_order)["CAM-P"],
            "sku": "CAM-P",
            "name": ret.items[0]["name"],
            "quantity": 1,
        }
    ]
    assert ModelLogEntry.objects.filter(action="logistics.return.request").exists()
    assert OrderEvent.objects.filter(order=delivered_order, source="logistics").exists()


def test_a_return_takes_at_most_what_was_delivered_less_what_comes_back(
    delivered_order,
):
    ask(delivered_order, CAM_P=1)
    with pytest.raises(InvalidReturn, match="CAM-P"):
        ask(delivered_order, CAM_P=2)  # 2 delivered, 1 on its way back
    assert ask(delivered_order, CAM_P=1).status == ReturnStatus.REQUESTED


def test_a_refused_return_gives_its_units_back(delivered_order, logistics_manager):
    ret = ask(delivered_order, CAM_P=2)
    refuse_return(ret, "Fora do prazo de 7 dias", logistics_manager)
    assert ask(delivered_order, CAM_P=2).status == ReturnStatus.REQUESTED


def test_only_lines_of_the_order_and_whole_units(delivered_order):
    with pytest.raises(InvalidReturn):
        ask(delivered_order, XYZ=1)
    with pytest.raises(InvalidReturn):
        ask(delivered_order, CAM_P=0)
    with pytest.raises(InvalidReturn):
        request_return(delivered_order, items=[], reason="defect", via=STAFF, user=None)


def test_an_order_not_delivered_takes_no_return(ready_order):
    with pytest.raises(ReturnRefused, match="pedido entregue"):
        ask(ready_order, CAM_P=1)


def test_clerk_acts_only_on_returns_of_their_carriers(
    loja, sellable, other_carrier, origin, shipping_clerk
):
    order = make_ready(place(loja))
    ship_and_deliver(order, other_carrier, origin, code="OU000000019BR")
    with pytest.raises(PermissionDenied):
        ask(order, user=shipping_clerk, CAM_P=1)
    ret = ask(order, CAM_P=1)
    with pytest.raises(PermissionDenied):
        authorise_return(ret, shipping_clerk)
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.REQUESTED


def test_authorising_asks_the_carrier_for_its_reverse_code(
    delivered_order, shipping_clerk
):
    ret = ask(delivered_order, user=shipping_clerk, CAM_P=1)
    ret = authorise_return(ret, shipping_clerk)
    assert ret.status == ReturnStatus.AUTHORISED
    assert ret.authorisation_code == f"RV{delivered_order.number}-{ret.pk}"
    assert s10.is_valid(ret.tracking_code) and ret.tracking_code.startswith("RP")
    with pytest.raises(ReturnRefused):
        authorise_return(ret, shipping_clerk)  # once


def test_the_carriers_tracking_of_the_reverse_parcel_puts_the_return_on_its_way(
    delivered_order, shipping_clerk, table_carrier
):
    import datetime

    from django.utils import timezone

    from plugins.logistics.carriers.base import TrackEvent
    from plugins.logistics.models import TrackingStatus
    from plugins.logistics.services.tracking import record_events

    ret = authorise_return(ask(delivered_order, user=shipping_clerk, CAM_P=1), None)
    posted = TrackEvent(
        event_id="reverse-1",
        tracking_code=ret.tracking_code,
        status=TrackingStatus.POSTED,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        description="Objeto postado",
    )
    recorded = record_events(table_carrier, [posted], source="push")
    assert recorded.returns_moving == 1
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.IN_TRANSIT
    assert OrderEvent.objects.filter(
        order=delivered_order, message__contains=ret.tracking_code
    ).exists()
    # again (a repeat): nothing moves twice
    assert record_events(table_carrier, [posted], source="push").returns_moving == 0


@pytest.fixture
def warehouse(db):
    from plugins.stock.models import Warehouse

    return Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)


@pytest.fixture
def stocked_order(loja, sellable, warehouse, table_carrier, origin):
    """An order placed from stock in SP-01 (5 × CAM-P, 5 × CAN-1 there),
    delivered by the table carrier."""
    from content.models import Variant
    from plugins.stock.services import receive_stock

    for sku in ("CAM-P", "CAN-1"):
        receive_stock(
            warehouse, variant=Variant.objects.get(sku=sku), quantity=5, user=None
        )
    order = make_ready(place(loja))
    ship_and_deliver(order, table_carrier, origin)
    return order


def on_hand(sku, warehouse):
    from plugins.stock.models import StockLevel

    return StockLevel.objects.get(variant__sku=sku, warehouse=warehouse).on_hand


def test_full_return_comes_back_into_stock_and_returns_the_order(
    stocked_order, warehouse, shipping_clerk
):
    # given the order's 2 × CAM-P and 1 × CAN-1 left the warehouse
    assert (on_hand("CAM-P", warehouse), on_hand("CAN-1", warehouse)) == (3, 4)
    ret = ask(stocked_order, user=shipping_clerk, CAM_P=2, CAN_1=1)
    authorise_return(ret, shipping_clerk)
    # when every unit comes back
    receive_return(ret, warehouse_code="SP-01", user=shipping_clerk)
    # then they are in stock again, through the stock plugin's return movements
    assert (on_hand("CAM-P", warehouse), on_hand("CAN-1", warehouse)) == (5, 5)
    stocked_order.refresh_from_db()
    assert stocked_order.status == OrderStatus.RETURNED
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RECEIVED
    assert ret.received_by == shipping_clerk
    entry = ModelLogEntry.objects.get(action="logistics.return.receive")
    assert entry.user == shipping_clerk and entry.data["order_returned"] is True
    # the order had no NF-e: the timeline says none was issued
    assert OrderEvent.objects.filter(
        order=stocked_order, message__contains="NF-e"
    ).exists()


def test_partial_return_comes_back_into_stock_and_the_order_stays_delivered(
    stocked_order, warehouse, shipping_clerk
):
    from plugins.stock.models import MovementKind, StockMovement

    ret = ask(stocked_order, user=shipping_clerk, CAM_P=1)
    authorise_return(ret, shipping_clerk)
    receive_return(ret, warehouse_code="SP-01", user=shipping_clerk)
    assert (on_hand("CAM-P", warehouse), on_hand("CAN-1", warehouse)) == (4, 4)
    movement = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert movement.quantity == 1 and movement.reference == stocked_order.number
    stocked_order.refresh_from_db()
    assert stocked_order.status == OrderStatus.DELIVERED


def test_receiving_needs_a_known_warehouse_and_an_authorised_return(
    stocked_order, shipping_clerk
):
    ret = ask(stocked_order, user=shipping_clerk, CAM_P=1)
    with pytest.raises(ReturnRefused):
        receive_return(ret, warehouse_code="SP-01", user=shipping_clerk)
    authorise_return(ret, shipping_clerk)
    with pytest.raises(InvalidReturn):
        receive_return(ret, warehouse_code="XX-99", user=shipping_clerk)
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.AUTHORISED


@pytest.fixture
def invoiced_delivered(sefaz, emitter, ncm_order, tax_tables, table_carrier, origin):
    """The consumer order to Rio de Janeiro with its sale NF-e authorised
    by the local SEFAZ, delivered by the table carrier."""
    from plugins.fiscal.services.issuing import issue_and_send
    from plugins.orders.services import pay_order

    pay_order(ncm_order, user=None)
    sale = issue_and_send(ncm_order, emitter=emitter, user=None)
    assert sale.status == "authorised", sale.status_reason
    ncm_order.refresh_from_db()
    from plugins.orders.services import transition_order

    transition_order(ncm_order, "prepare", user=None)
    ship_and_deliver(ncm_order, table_carrier, origin)
    return ncm_order


def test_receipt_issues_the_return_nfe_of_the_units(
    invoiced_delivered, warehouse, shipping_clerk
):
    from plugins.fiscal.models import FiscalDocument, Operation

    ret = ask(invoiced_delivered, user=shipping_clerk, CAN_1=1)
    authorise_return(ret, shipping_clerk)
    receive_return(ret, warehouse_code="SP-01", user=shipping_clerk)
    document = FiscalDocument.objects.get(operation=Operation.RETURN)
    assert document.status == "authorised", document.status_reason
    assert document.order == invoiced_delivered
    assert [(i.order_line.sku, i.quantity) for i in document.return_items.all()] == [
        ("CAN-1", 1)
    ]
