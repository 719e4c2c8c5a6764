"""The storefront's quote endpoint, and the order's shipping price from the
server only: a storefront names the option it chose (a signed quote id) and
never states a shipping amount."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.logistics.models import FreightRate, OrderShipping
from plugins.orders.models import Order
from tests.plugins.orders.conftest import order_request

QUOTE = "/api/v1/logistics/quote/"
ORDERS = "/api/v1/orders/"
CART = [{"sku": "CAM-P", "quantity": 2}, {"sku": "CAN-1", "quantity": 1}]


@pytest.fixture
def storefront(key_client):
    return key_client("logistics:quote", "orders:write", "orders:read")


def quote(client, cep="01310-100", lines=CART, **extra):
    return client.post(
        QUOTE, {"destination_cep": cep, "lines": lines, **extra}, format="json"
    )


def order_body(**overrides):
    data = order_request(**overrides)
    if "shipping_total" not in overrides:
        del data["shipping_total"]
    return data


def place(client, key="pedido-1", **overrides):
    return client.post(
        ORDERS, order_body(**overrides), format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_the_storefront_gets_freight_options(quoting_store, storefront):
    response = quote(storefront)
    assert response.status_code == 200, response.json()
    assert response["Cache-Control"] == "private, no-store"
    options = response.json()["options"]
    assert [(o["carrier"], o["service"], o["price"], o["free"]) for o in options] == [
        ("Rapidão", "Econômico", "10.00", False),
        ("Rapidão", "Expresso", "15.00", False),
    ]
    first = options[0]
    assert set(first) == {
        "quote_id",
        "carrier",
        "carrier_code",
        "service",
        "service_code",
        "price",
        "delivery_days",
        "delivery_date_from",
        "delivery_date_to",
        "free",
    }
    assert first["delivery_days"] == 5
    assert first["delivery_date_from"] <= first["delivery_date_to"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"destination_cep": "0131010"}, "destination_cep"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "CAN-1", "quantity": 0}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "CAN-1", "quantity": 1}] * 101}, "lines"),
        ({"channel": "mercado-livre"}, "channel"),
    ],
)
def test_bad_quote_requests_are_problems_naming_the_field(
    quoting_store, storefront, payload, field
):
    data = {"destination_cep": "01310-100", "lines": CART, **payload}
    response = storefront.post(QUOTE, data, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_a_key_without_the_scope_is_refused(quoting_store, key_client):
    response = quote(key_client("orders:write"))
    assert response.status_code == 403


def test_the_query_count_does_not_grow_with_the_cart(quoting_store, storefront):
    from tests.content.conftest import make_product

    for i in range(5):
        make_product(f"item-{i}", variants=[(f"IT-{i}", "10.00")])
    assert quote(storefront, cep="20040-020").status_code == 200  # warm
    counts = []
    for size in (1, 5):
        lines = [{"sku": f"IT-{i}", "quantity": 1} for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            assert quote(storefront, lines=lines).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_order_takes_the_shipping_price_from_the_server(quoting_store, storefront):
    option = quote(storefront).json()["options"][1]  # Expresso, 15.00
    response = place(storefront, shipping_quote=option["quote_id"])
    assert response.status_code == 201, response.json()
    assert response.json()["totals"]["shipping_total"] == "15.00"
    assert response.json()["totals"]["total"] == "154.70"
    order = Order.objects.get(number=response.json()["number"])
    assert str(order.promised_delivery_date) == option["delivery_date_to"]
    shipping = OrderShipping.objects.get(order=order)
    assert (shipping.service.code, shipping.price, shipping.delivery_days) == (
        "EXP",
        Decimal("15.00"),
        2,
    )
    assert str(shipping.promised_date) == option["delivery_date_to"]


def test_the_server_prices_the_option_again(quoting_store, storefront):
    option = quote(storefront).json()["options"][0]
    FreightRate.objects.filter(service__code="ECO").update(price=Decimal("12.34"))
    response = place(storefront, shipping_quote=option["quote_id"])
    assert response.status_code == 201, response.json()
    assert response.json()["totals"]["shipping_total"] == "12.34"


def test_a_storefront_may_not_state_shipping(quoting_store, storefront):
    option = quote(storefront).json()["options"][0]
    response = place(
        storefront, shipping_quote=option["quote_id"], shipping_total="1.00"
    )
    assert response.status_code == 400
    assert "shipping_total" in response.json()["errors"]
    assert not Order.objects.exists()


def test_a_storefront_order_must_name_a_quote_while_the_store_quotes(
    quoting_store, storefront
):
    response = place(storefront)
    assert response.status_code == 400
    assert "shipping_quote" in response.json()["errors"]
    assert not Order.objects.exists()


def test_without_active_carriers_a_storefront_order_ships_for_free(
    quoting_store, storefront, table_carrier
):
    table_carrier.active = False
    table_carrier.save()
    response = place(storefront)
    assert response.status_code == 201, response.json()
    assert response.json()["totals"]["shipping_total"] == "0.00"


@pytest.mark.parametrize(
    ("change", "mention"),
    [
        ({"lines": [{"sku": "CAN-1", "quantity": 1}]}, "carrinho"),
        ({"shipping_address": "other CEP"}, "CEP"),
        ({"shipping_quote": "tampered"}, ""),
    ],
)
def test_an_order_with_a_quote_of_another_cart_or_cep_or_tampered_is_refused(
    quoting_store, storefront, change, mention
):
    option = quote(storefront).json()["options"][0]
    overrides = {"shipping_quote": option["quote_id"]}
    if "lines" in change:
        overrides["lines"] = change["lines"]
    if "shipping_address" in change:
        address = dict(order_request()["shipping_address"], cep="20040-020", uf="RJ")
        overrides["shipping_address"] = address
    if "shipping_quote" in change:
        overrides["shipping_quote"] = option["quote_id"][:-3] + "abc"
    response = place(storefront, **overrides)
    assert response.status_code == 400
    errors = response.json()["errors"]["shipping_quote"]
    assert mention in errors[0]
    assert not Order.objects.exists() and not OrderShipping.objects.exists()


def test_a_replay_returns_the_first_order(quoting_store, storefront):
    option = quote(storefront).json()["options"][0]
    first = place(storefront, shipping_quote=option["quote_id"])
    again = place(storefront, shipping_quote=option["quote_id"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert OrderShipping.objects.count() == 1
