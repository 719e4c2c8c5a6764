"""The staff's return screens and the order screen's Shipping panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plugins.logistics.models import ReturnRequest, ReturnStatus, TrackingEvent
from plugins.logistics.services.returns import authorise_return, request_return
from tests.plugins.logistics.conftest import make_ready
from tests.plugins.logistics.returns.conftest import lines, ship_and_deliver
from tests.plugins.orders.conftest import place


def requested(order):
    return request_return(
        order,
        items=[{"sku": "CAN-1", "quantity": 1}],
        reason="damaged",
        via=ReturnRequest.Channel.STOREFRONT,
    )


@pytest.fixture
def other_return(loja, sellable, other_carrier, origin):
    order = make_ready(place(loja))
    ship_and_deliver(order, other_carrier, origin, code="OU000000019BR")
    return requested(order)


def test_clerk_lists_and_opens_only_returns_of_their_carriers(
    client, shipping_clerk, delivered_order, other_return
):
    mine = requested(delivered_order)
    client.force_login(shipping_clerk)
    listing = client.get(reverse("logistics_returns:index"))
    assert list(listing.context["object_list"]) == [mine]
    assert (
        client.get(reverse("logistics_returns:inspect", args=[mine.pk])).status_code
        == 200
    )
    for name in ("logistics_returns:inspect", "logistics_return_authorise"):
        assert client.get(reverse(name, args=[other_return.pk])).status_code == 404


def test_new_return_from_the_order_then_authorise_refuse(
    client, shipping_clerk, delivered_order
):
    client.force_login(shipping_clerk)
    url = reverse("logistics_order_return", args=[delivered_order.pk])
    assert client.get(url).status_code == 200
    line = lines(delivered_order)["CAM-P"]
    response = client.post(
        url, {"reason": "regret", "comment": "", f"line_{line}": "1"}
    )
    ret = ReturnRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "logistics_returns:inspect", args=[ret.pk]
    )
    assert ret.requested_via == "staff" and ret.created_by == shipping_clerk
    page = client.get(response.url).content.decode()
    assert reverse("logistics_return_authorise", args=[ret.pk]) in page
    # authorise: a confirmation, then the carrier's codes
    authorise = reverse("logistics_return_authorise", args=[ret.pk])
    assert client.get(authorise).status_code == 200
    client.post(authorise)
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.AUTHORISED and ret.tracking_code
    # refuse needs a reason
    refuse = reverse("logistics_return_refuse", args=[ret.pk])
    assert client.post(refuse, {"reason": ""}).status_code == 200
    client.post(refuse, {"reason": "Produto usado"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.REFUSED


def test_receive_screen_offers_the_warehouses(client, shipping_clerk, delivered_order):
    from plugins.stock.models import Warehouse

    Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)
    ret = authorise_return(requested(delivered_order), shipping_clerk)
    client.force_login(shipping_clerk)
    url = reverse("logistics_return_receive", args=[ret.pk])
    assert "SP-01 · São Paulo" in client.get(url).content.decode()
    response = client.post(url, {"warehouse_code": "SP-01"})
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RECEIVED and ret.warehouse_code == "SP-01"


def test_order_screen_shows_shipments_tracking_and_returns(
    client, logistics_manager, delivered_order
):
    shipment = delivered_order.shipments.get()
    TrackingEvent.objects.create(
        carrier=shipment.carrier,
        shipment=shipment,
        event_id="ev-1",
        status="delivered",
        description="Objeto entregue ao destinatário",
        place="São Paulo/SP",
        occurred_at=shipment.delivered_at,
    )
    requested(delivered_order)
    client.force_login(logistics_manager)
    response = client.get(reverse("orders:detail", args=[delivered_order.pk]))
    assert response.status_code == 200, response
    html = response.content.decode()
    panel = html[html.index('id="order-logistics-section"') :]
    assert "RP000000019BR" in panel
    assert "Objeto entregue ao destinatário" in panel
    assert 'id="order-returns"' in panel
    assert reverse("logistics_order_return", args=[delivered_order.pk]) in panel


def test_order_screen_has_no_shipping_panel_for_the_order_desk(client, delivered_order):
    from tests.factories import UserFactory

    desk = UserFactory(username="balcao", roles=["order_desk"], is_superuser=False)
    from tests.plugins.orders.conftest import grant_channel

    grant_channel(desk, delivered_order.channel)
    client.force_login(desk)
    html = client.get(
        reverse("orders:detail", args=[delivered_order.pk])
    ).content.decode()
    assert 'id="order-logistics-section"' not in html
