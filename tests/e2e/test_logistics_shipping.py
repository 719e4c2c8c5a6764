"""Shipping in the browser: the shipping clerk of the table carrier opens
the shipping desk, generates the labels of three orders ready to ship (the
batch's page follows its progress and offers the PDF), closes the manifest
(the orders become shipped), and a "delivered" event the carrier pushes,
signed, to its tracking address moves one order to delivered."""

import datetime
import json

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from plugins.logistics.models import LabelBatch, Manifest, Shipment
from plugins.orders.models import Order, OrderStatus
from tests.factories import UserFactory
from tests.plugins.logistics.conftest import (
    grant_carrier,
    make_origin,
    make_ready,
    make_table_carrier,
)
from tests.plugins.orders.conftest import place

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def shipping_desk(db):
    from plugins.orders.models import SalesChannel
    from tests.content.conftest import make_product

    make_origin()
    carrier = make_table_carrier()
    carrier.webhook_secret = "segredo-da-rapidao"
    carrier.save(update_fields=["webhook_secret"])
    clerk = UserFactory(username="expedicao", roles=["shipping_desk"])
    grant_carrier(clerk, carrier)
    loja = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    make_product("camiseta-basica", variants=[("CAM-P", "49.90")])
    make_product("caneca", variants=[("CAN-1", "39.90")])
    orders = [
        make_ready(place(loja, lines=[{"sku": sku, "quantity": n}]))
        for sku, n in (("CAM-P", 1), ("CAM-P", 2), ("CAN-1", 1))
    ]
    return clerk, carrier, orders


def label_and_ship(page, live_server, orders):
    page.goto(f"{live_server.url}/admin/logistics/shipping/")
    group = page.locator("form.shipping-group[data-carrier=rapidao]")
    for order in orders:
        group.locator(f"tr[data-order='{order.number}'] input[type=checkbox]").check()
    group.locator("select[name=layout]").select_option("a4")
    group.locator("button[value=labels]").click()
    # the batch's page: done, with its PDF
    expect(page.locator("#label-batch-download")).to_be_visible()
    expect(page.locator("td[data-count=done]")).to_have_text("3")
    batch = LabelBatch.objects.get()
    assert batch.status == LabelBatch.Status.DONE and batch.errors == []

    page.goto(f"{live_server.url}/admin/logistics/shipping/")
    group = page.locator("form.shipping-group[data-carrier=rapidao]")
    for order in orders:
        row = group.locator(f"tr[data-order='{order.number}']")
        expect(row).to_contain_text(
            str(Shipment.objects.get(order=order).get_status_display())
        )
        row.locator("input[type=checkbox]").check()
    group.locator("button[value=manifest]").click()
    manifest = Manifest.objects.get()
    page.wait_for_url(f"{live_server.url}/admin/logistics/manifests/{manifest.pk}/")
    expect(page.locator("#manifest-shipments tbody tr")).to_have_count(3)
    manifest.refresh_from_db()
    assert manifest.status == Manifest.Status.CLOSED
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED


def push_delivered(live_server, carrier, code) -> dict:
    """The carrier pushes "delivered" for ``code``: signed, over HTTP, to
    the carrier's tracking address."""
    from plugins.logistics.carriers.base import TrackEvent
    from plugins.logistics.carriers.push import event_json, signed_headers
    from plugins.logistics.models import TrackingStatus

    event = TrackEvent(
        event_id="e2e-delivered-1",
        tracking_code=code,
        status=TrackingStatus.DELIVERED,
        occurred_at=timezone.now() - datetime.timedelta(minutes=5),
        description="Objeto entregue ao destinatário",
        place="São Paulo/SP",
    )
    body = json.dumps([event_json(event)], default=str).encode()
    answer = requests.post(
        f"{live_server.url}/api/v1/logistics/webhooks/{carrier.webhook_token}/",
        data=body,
        headers=signed_headers(carrier.webhook_secret, body),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_clerk_labels_and_ships_three_orders_and_a_push_delivers_one(
    page, login, live_server, shipping_desk
):
    clerk, carrier, orders = shipping_desk
    login(page, clerk.username)

    label_and_ship(page, live_server, orders)

    # the queue is empty now
    page.goto(f"{live_server.url}/admin/logistics/shipping/")
    expect(page.locator("#shipping-queue-empty")).to_be_visible()

    # the carrier pushes "delivered" for the first parcel
    code = Shipment.objects.get(order=orders[0]).packages.get().tracking_code
    push_delivered(live_server, carrier, code)
    assert Order.objects.get(pk=orders[0].pk).status == OrderStatus.DELIVERED
    assert Order.objects.get(pk=orders[1].pk).status == OrderStatus.SHIPPED
    # the order's screen shows the parcel and its delivery
    page.goto(live_server.url + reverse("orders:detail", args=[orders[0].pk]))
    expect(page.locator("body")).to_contain_text(code)
