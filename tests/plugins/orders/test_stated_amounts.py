"""The server decides amounts: a storefront (API key) never states a
discount, a shipping total or a price of its own; channels that sell at their
own prices (marketplaces, B2B) send them with staff credentials of the
channel. One rule (``placing.stated_amounts``) for the API, intake and the
admin."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from content.models import Variant
from plugins.orders.models import Customer, CustomerReference, Order, SalesChannel
from plugins.stock import services as stock_services
from plugins.stock.models import Reservation, Warehouse
from tests.factories import UserFactory
from tests.plugins.orders.conftest import (
    grant_channel,
    order_request,
    staff_client,
)

URL = "/api/v1/orders/"
INTAKE = "/api/v1/orders/import/"


def storefront_body(**overrides) -> dict:
    """CAM-P × 2 and CAN-1 × 1: 139.70 at the catalog's prices."""
    data = order_request(**overrides)
    if "shipping_total" not in overrides:
        del data["shipping_total"]
    return data


@pytest.fixture
def in_stock(sellable):
    """Every SKU stocked, so that an accepted order reserves units."""
    cache.clear()
    warehouse = Warehouse.objects.create(code="SP-01", name="São Paulo")
    for variant in Variant.objects.filter(sku__in=["CAM-P", "CAM-M", "CAN-1"]):
        stock_services.receive_stock(warehouse, variant=variant, quantity=10, user=None)
    yield
    cache.clear()


def assert_nothing_written():
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()
    assert not Customer.objects.exists()
    assert not CustomerReference.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        # the whole order for free: discount_total equal to the lines' amount
        ({"discount_total": "139.70"}, "discount_total"),
        # a line discount equal to the line's price
        (
            {
                "lines": [
                    {"sku": "CAM-P", "quantity": 2, "discount": "99.80"},
                    {"sku": "CAN-1", "quantity": 1},
                ]
            },
            "lines[0].discount",
        ),
        # shipping stated by the client
        ({"shipping_total": "15.00"}, "shipping_total"),
        ({"shipping_total": "0.01"}, "shipping_total"),
    ],
)
def test_a_storefront_cannot_state_a_discount_or_shipping(
    in_stock, loja, storefront, overrides, field
):
    # given a storefront key on a channel at catalog prices
    # when its order states an amount
    response = storefront.post(
        URL, storefront_body(**overrides), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # then a 400 problem names the field, and nothing was written
    assert response.status_code == 400, response.json()
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"], response.json()
    assert_nothing_written()


def test_a_storefront_order_is_priced_by_the_server(in_stock, loja, storefront):
    # given zeros, which state nothing
    body = storefront_body(discount_total="0.00", shipping_total="0")
    response = storefront.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then the order is placed at the catalog's prices (and reserves its units)
    assert response.status_code == 201, response.json()
    assert response.json()["totals"]["total"] == "139.70"
    assert Reservation.objects.exists()


def test_a_storefront_cannot_state_prices_even_on_an_own_price_channel(
    sellable, loja, storefront
):
    # given the storefront channel flagged as selling at its own prices
    SalesChannel.objects.filter(pk=loja.pk).update(accepts_custom_prices=True)
    body = storefront_body(
        lines=[{"sku": "CAM-P", "quantity": 1, "unit_price": "0.01"}]
    )
    # when the key states a price
    response = storefront.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then it is refused: only staff of the channel state prices
    assert response.status_code == 400
    assert "lines[0].unit_price" in response.json()["errors"]
    assert_nothing_written()


def test_a_storefront_key_cannot_use_a_marketplace_channel(
    sellable, loja, mercado_livre, storefront
):
    # given a marketplace channel that sells at its own prices
    body = storefront_body(
        channel="mercado-livre",
        lines=[{"sku": "CAM-P", "quantity": 1, "unit_price": "0.01"}],
        shipping_total="0",
    )
    # when the storefront key names it
    response = storefront.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then the channel is refused
    assert response.status_code == 400
    assert "channel" in response.json()["errors"]
    # and marketplace intake is for staff credentials only
    response = storefront.post(
        INTAKE,
        {"orders": [{"channel": "mercado-livre", "external_id": "ML-1", **body}]},
        format="json",
    )
    assert response.status_code in (401, 403)
    assert_nothing_written()


@pytest.fixture
def ml_staff(loja, mercado_livre):
    """A member of staff working Mercado Livre only."""
    user = UserFactory(username="equipe-ml", roles=["order_desk"])
    grant_channel(user, mercado_livre)
    return user


def intake_item(external_id, channel="mercado-livre", **overrides) -> dict:
    data = order_request(**overrides)
    data["shipping_total"] = str(data["shipping_total"])
    return {"channel": channel, "external_id": external_id, **data}


def test_a_marketplace_states_its_amounts_with_a_staff_token_of_the_channel(
    sellable, mercado_livre, ml_staff
):
    # given staff credentials of the marketplace channel
    item = intake_item(
        "ML-1",
        lines=[
            {"sku": "CAM-P", "quantity": 2, "unit_price": "45.00", "discount": "5.00"},
            {"sku": "CAN-1", "quantity": 1},
        ],
        discount_total="10.00",
        shipping_total="12.50",
    )
    # when the marketplace's order comes in with its own amounts
    response = staff_client(ml_staff).post(INTAKE, {"orders": [item]}, format="json")
    # then they are kept
    assert response.json()["results"][0]["status"] == "created", response.json()
    order = Order.objects.get(external_id="ML-1")
    assert order.lines.get(sku="CAM-P").unit_price == Decimal("45.00")
    assert order.subtotal == Decimal("129.90")
    assert order.discount_total == Decimal("15.00")
    assert order.shipping_total == Decimal("12.50")
    assert order.total == Decimal("127.40")


def test_staff_cannot_state_amounts_on_a_channel_at_catalog_prices(
    sellable, loja, attendant
):
    # given staff of the storefront channel (catalog prices)
    items = [
        intake_item("L-1", channel="loja", shipping_total="15.00"),
        intake_item("L-2", channel="loja", discount_total="139.70", shipping_total="0"),
        intake_item(
            "L-3",
            channel="loja",
            shipping_total="0",
            lines=[{"sku": "CAM-P", "quantity": 1, "discount": "49.90"}],
        ),
    ]
    # when their intake states amounts
    body = staff_client(attendant).post(INTAKE, {"orders": items}, format="json").json()
    # then each order is refused naming its field
    assert [r["status"] for r in body["results"]] == ["error"] * 3
    assert [set(r["errors"]) for r in body["results"]] == [
        {"shipping_total"},
        {"discount_total"},
        {"lines[0].discount"},
    ]
    assert not Order.objects.exists()


def test_the_schema_says_who_states_amounts():
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]
    place = components["schemas"]["PlaceOrderRequest"]["properties"]
    line = components["schemas"]["StorefrontOrderLineRequest"]["properties"]
    for field in (place["shipping_total"], place["discount_total"], line["discount"]):
        assert field["pattern"] == r"^0{1,10}(\.0{1,2})?$"
        assert "server decides" in field["description"]
    marketplace = components["schemas"]["MarketplaceOrderRequest"]["properties"]
    assert "own prices" in marketplace["shipping_total"]["description"]
