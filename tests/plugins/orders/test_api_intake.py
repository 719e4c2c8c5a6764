"""Marketplace intake: batches of orders, each placed on its own and
idempotently by (channel, external id)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail import hooks

from plugins.exceptions import Refused
from plugins.orders import hooks as order_hooks
from plugins.orders.models import Order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel, order_request, staff_client

URL = "/api/v1/orders/import/"


def item(external_id, channel="mercado-livre", **overrides) -> dict:
    data = order_request(**overrides)
    if "shipping_total" in overrides:
        data["shipping_total"] = str(data["shipping_total"])
    else:  # the storefront channel takes none from staff: the server decides
        del data["shipping_total"]
    return {"channel": channel, "external_id": external_id, **data}


@pytest.fixture
def intake(superuser):
    return staff_client(superuser)


def send(client, *items):
    response = client.post(URL, {"orders": list(items)}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_batch_creates_replays_and_reports_errors(
    sellable, loja, mercado_livre, intake
):
    first = send(intake, item("ML-1"))
    assert first["results"][0]["status"] == "created"

    body = send(
        intake,
        item("ML-1"),  # sent before: replayed
        item("ML-2", lines=[{"sku": "NAO-EXISTE", "quantity": 1}]),
        item("ML-3", customer={"name": "Ana", "document": "111.111.111-12"}),
        item("ML-4"),
        item("ML-5", customer={"email": "sem-nome@example.com"}),  # shape error
        item("LOJA-1", channel="loja"),
    )

    assert (body["created"], body["replayed"], body["errors"]) == (2, 1, 3)
    results = body["results"]
    assert [r["status"] for r in results] == [
        "replayed",
        "error",
        "error",
        "created",
        "error",
        "created",
    ]
    assert [r["external_id"] for r in results] == [
        "ML-1",
        "ML-2",
        "ML-3",
        "ML-4",
        "ML-5",
        "LOJA-1",
    ]
    assert results[0]["number"] == first["results"][0]["number"]
    assert results[1]["errors"].keys() == {"lines[0].sku"}
    assert results[1]["code"] == "order-invalid"
    assert results[1]["number"] is None
    assert results[2]["errors"].keys() == {"customer.document"}
    assert results[4]["errors"].keys() == {"customer.name"}
    assert results[3]["code"] is None and results[3]["errors"] == {}
    assert set(Order.objects.values_list("external_id", flat=True)) == {
        "ML-1",
        "ML-4",
        "LOJA-1",
    }


def test_marketplaces_sell_at_their_own_prices_the_storefront_does_not(
    sellable, loja, mercado_livre, intake
):
    lines = [{"sku": "CAM-P", "quantity": 2, "unit_price": "45.00"}]
    body = send(
        intake,
        item("ML-1", lines=lines),
        item("LOJA-1", channel="loja", lines=lines),
    )

    assert [r["status"] for r in body["results"]] == ["created", "error"]
    assert body["results"][1]["errors"].keys() == {"lines[0].unit_price"}
    order = Order.objects.get(external_id="ML-1")
    assert order.lines.get().unit_price == Decimal("45.00")
    assert order.subtotal == Decimal("90.00")


def test_marketplace_dates_are_kept(sellable, mercado_livre, intake):
    send(
        intake,
        item(
            "ML-1",
            placed_at="2025-03-10T14:30:00-03:00",
            promised_delivery_date="2025-03-20",
        ),
    )
    order = Order.objects.get()
    assert order.placed_at == datetime.datetime(
        2025, 3, 10, 17, 30, tzinfo=datetime.UTC
    )
    assert order.promised_delivery_date == datetime.date(2025, 3, 20)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("placed_at", "2025-03-10T14:30:00"),  # no offset
        ("placed_at", "10/03/2025"),
        ("promised_delivery_date", "2025-3-20"),
    ],
)
def test_dates_are_rfc_3339(sellable, mercado_livre, intake, field, value):
    result = send(intake, item("ML-1", **{field: value}))["results"][0]
    assert (result["status"], list(result["errors"])) == ("error", [field])


def test_a_changed_order_under_the_same_external_id_is_a_conflict(
    sellable, mercado_livre, intake
):
    send(intake, item("ML-1"))
    body = send(intake, item("ML-1", lines=[{"sku": "CAN-1", "quantity": 5}]))
    result = body["results"][0]
    assert (result["status"], result["code"]) == ("error", "idempotency-conflict")
    assert "external_id" in result["errors"]
    assert Order.objects.count() == 1


def test_the_same_order_twice_in_a_batch_is_placed_once(
    sellable, mercado_livre, intake
):
    body = send(intake, item("ML-1"), item("ML-1"))
    assert [r["status"] for r in body["results"]] == ["created", "replayed"]
    assert Order.objects.count() == 1


def test_a_hook_refusing_one_order_does_not_block_the_others(
    sellable, mercado_livre, intake
):
    class NotEnoughStock(Refused):
        code = "insufficient-stock"

    def refuse_big_orders(*, order):
        if order.lines.filter(quantity__gt=5).exists():
            raise NotEnoughStock("Not enough units of CAN-1", sku="CAN-1")

    with hooks.register_temporarily(order_hooks.ORDER_PLACED, refuse_big_orders):
        body = send(
            intake,
            item("ML-1"),
            item("ML-2", lines=[{"sku": "CAN-1", "quantity": 50}]),
            item("ML-3"),
        )

    results = body["results"]
    assert [r["status"] for r in results] == ["created", "error", "created"]
    assert results[1]["code"] == "insufficient-stock"
    assert results[1]["extra"] == {"sku": "CAN-1"}
    assert results[1]["errors"].keys() == {"non_field_errors"}
    assert not Order.objects.filter(external_id="ML-2").exists()


def test_the_user_places_orders_only_on_their_channels(
    sellable, loja, mercado_livre, attendant
):
    body = send(
        staff_client(attendant),
        item("LOJA-1", channel="loja"),
        item("ML-1"),
        item("X-1", channel="nao-existe"),
    )
    results = body["results"]
    assert [r["status"] for r in results] == ["created", "error", "error"]
    assert results[1]["code"] == "permission-denied"
    assert results[2]["code"] == "order-invalid"
    assert {r["channel"] for r in results} == {"loja", "mercado-livre", "nao-existe"}
    assert list(Order.objects.values_list("external_id", flat=True)) == ["LOJA-1"]


def test_view_only_users_and_others_may_not_send_batches(
    sellable, loja, editor, manager
):
    viewer = UserFactory(username="so-ve", roles=["order_desk"])
    grant_channel(viewer, loja, "view_saleschannel")
    for user in (viewer, editor, manager):
        response = staff_client(user).post(
            URL, {"orders": [item("L-1", channel="loja")]}, format="json"
        )
        assert response.status_code == 403
    assert not Order.objects.exists()


def test_storefront_keys_may_not_send_batches(sellable, loja, storefront):
    response = storefront.post(URL, {"orders": [item("L-1", "loja")]}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"orders": []},
        {"orders": "ML-1"},
        {"orders": [1, 2]},
        {"orders": [{"external_id": "x"}] * 501},
    ],
)
def test_a_malformed_batch_is_400(db, intake, payload):
    response = intake.post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["type"].endswith("/validation-error")
    assert "orders" in " ".join(response.json()["errors"])


def test_queries_per_order_are_bounded(sellable, loja, mercado_livre, intake):
    send(intake, item("WARM-UP"))
    batch = [item(f"ML-{i}") for i in range(20)]
    with CaptureQueriesContext(connection) as queries:
        send(intake, *batch)
    per_order = len(queries) / len(batch)
    assert per_order <= 16, per_order
    with CaptureQueriesContext(connection) as queries:
        body = send(intake, *batch)
    assert body["replayed"] == 20
    assert len(queries) / len(batch) <= 2
