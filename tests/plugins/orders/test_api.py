"""The storefront's orders API (API keys): placing orders with an idempotency
key, the customer's status page by token, cancelling, the survey."""

from decimal import Decimal

import pytest
from wagtail import hooks

from plugins.exceptions import Refused
from plugins.orders import hooks as order_hooks
from plugins.orders.models import Order, OrderStatus, SalesChannel
from plugins.orders.services import add_note, transition_order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import ADDRESS, CNPJ, order_request, place

URL = "/api/v1/orders/"
PROBLEM = "https://retaguarda.dev/problems/"


def body(**overrides) -> dict:
    """A storefront's order: no shipping (the server decides amounts)."""
    data = order_request(**overrides)
    if "shipping_total" not in overrides:
        del data["shipping_total"]
    elif isinstance(data["shipping_total"], Decimal):
        data["shipping_total"] = str(data["shipping_total"])
    return data


def post_order(client, data=None, key="pedido-1", **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, data or body(), format="json", **headers)


def status_url(token: str) -> str:
    return f"{URL}status/{token}/"


@pytest.fixture
def placed(sellable, loja, storefront):
    response = post_order(storefront)
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"])


# -- Placing ---------------------------------------------------------------------------


def test_a_storefront_places_an_order(sellable, loja, storefront):
    response = post_order(storefront)

    assert response.status_code == 201
    data = response.json()
    order = Order.objects.get(number=data["number"])
    assert order.channel == loja
    assert order.idempotency_key == "pedido-1"
    assert data["token"] == order.customer_token
    assert data["status"] == "pending_payment"
    assert data["status_url"].endswith(status_url(order.customer_token))
    assert response["Location"] == data["status_url"]
    assert response["Cache-Control"] == "private, no-store"
    assert "Idempotent-Replayed" not in response
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [
        ("CAM-P", 2),
        ("CAN-1", 1),
    ]
    assert data["totals"] == {
        "subtotal": "139.70",
        "discount_total": "0.00",
        "shipping_total": "0.00",
        "total": "139.70",
    }
    assert data["payment"]["method"] == "pix"
    assert data["payment"]["installment_amounts"] == ["139.70"]
    assert data["shipping_address"]["cep"] == "01310-100"
    assert [event["status"] for event in data["timeline"]] == ["pending_payment"]
    assert data["can_cancel"] is True
    assert data["survey"] is None
    # The order as placed is the order as stored: the status page says the
    # same, to the last digit.
    assert storefront.get(data["status_url"]).json() == data


def test_a_replay_returns_the_first_order(sellable, loja, storefront):
    first = post_order(storefront)
    again = post_order(storefront)
    assert again.json() == first.json()

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["token"] == first.json()["token"]
    assert Order.objects.count() == 1


def test_the_same_key_with_other_contents_is_a_conflict(sellable, loja, storefront):
    first = post_order(storefront)
    other = post_order(storefront, body(lines=[{"sku": "CAM-M", "quantity": 1}]))

    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["type"] == PROBLEM + "idempotency-conflict"
    assert other.json()["order"] == first.json()["number"]
    assert Order.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "x" * 81, "com espaço"])
def test_an_idempotency_key_is_required(sellable, loja, storefront, key):
    response = post_order(storefront, key=key)

    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "idempotency-key-required"
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"customer": {"email": "a@b.com"}}, "customer.name"),
        ({"customer": {"name": "Ana", "email": "não é e-mail"}}, "customer.email"),
        (
            {"customer": {"name": "Ana", "document": "123.456.789-00"}},
            "customer.document",
        ),
        (
            {"customer": {"name": "Ana", "document": "11.222.333/0001-00"}},
            "customer.document",
        ),
        ({"customer": {"name": "Ana", "document": "1234"}}, "customer.document"),
        ({"shipping_address": {**ADDRESS, "cep": "0131-100"}}, "shipping_address.cep"),
        ({"shipping_address": {**ADDRESS, "uf": "XX"}}, "shipping_address.uf"),
        ({"shipping_address": {**ADDRESS, "city": ""}}, "shipping_address.city"),
        ({"billing_address": {**ADDRESS, "street": ""}}, "billing_address.street"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "CAM-P", "quantity": 0}]}, "lines[0].quantity"),
        (
            {"lines": [{"sku": "CAM-P", "quantity": 1}, {"sku": "", "quantity": 1}]},
            "lines[1].sku",
        ),
        ({"lines": [{"sku": "NAO-EXISTE", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "RAS-1", "quantity": 1}]}, "lines[0].sku"),  # draft
        ({"lines": [{"sku": "VEL-1", "quantity": 1}]}, "lines[0].sku"),  # inactive
        (
            {"lines": [{"sku": "CAM-P", "quantity": 1, "unit_price": "1.00"}]},
            "lines[0].unit_price",
        ),
        (
            {
                "lines": [
                    {"sku": "CAM-P", "quantity": 1},
                    {"sku": "CAM-P", "quantity": 1},
                ]
            },
            "lines",
        ),
        ({"payment_method": "cheque"}, "payment_method"),
        ({"installments": 3}, "installments"),  # Pix: one installment
        ({"discount_total": "1000.00"}, "discount_total"),
        ({"shipping_total": "-1"}, "shipping_total"),
        ({"channel": "mercado-livre"}, "channel"),  # not a storefront
        ({"channel": "nao-existe"}, "channel"),
        # exactly the types and shapes of the schema: no coercion, no trimming
        ({"customer": {"name": 123}}, "customer.name"),
        ({"customer": {"name": " \t "}}, "customer.name"),
        (
            {"customer": {"name": "Ana", "accepts_marketing": "sim"}},
            "customer.accepts_marketing",
        ),
        ({"shipping_total": 15.0}, "shipping_total"),
        (
            {"shipping_address": {**ADDRESS, "cep": "01310-100\n"}},
            "shipping_address.cep",
        ),
        ({"shipping_address": {**ADDRESS, "cep": "٠١٣١٠١٠٠"}}, "shipping_address.cep"),
        ({"lines": [{"sku": "CAM-P", "quantity": "2"}]}, "lines[0].quantity"),
        ({"channel": " loja"}, "channel"),
    ],
)
def test_invalid_orders_name_the_field(
    sellable, loja, mercado_livre, storefront, overrides, field
):
    response = post_order(storefront, body(**overrides))

    assert response.status_code == 400, response.json()
    problem = response.json()
    assert problem["type"] == PROBLEM + "order-invalid"
    assert field in problem["errors"], problem["errors"]
    assert not Order.objects.exists()


def test_cnpj_customers_and_card_installments(sellable, loja, storefront):
    data = body(
        customer={"name": "Empresa Ltda", "document": CNPJ},
        payment_method="card",
        installments=3,
        lines=[{"sku": "CAM-P", "quantity": 1, "unit_price": "49.90"}],
    )
    response = post_order(storefront, data)

    assert response.status_code == 201, response.json()
    payment = response.json()["payment"]
    assert payment["installments"] == 3
    assert payment["installment_amounts"] == ["16.64", "16.63", "16.63"]
    assert Order.objects.get().customer_document == "11222333000181"


def test_the_active_storefront_is_the_default_channel(sellable, loja, storefront):
    SalesChannel.objects.create(
        code="loja-antiga", name="Antiga", kind="storefront", active=False
    )
    assert post_order(storefront).status_code == 201
    assert Order.objects.get().channel == loja


def test_with_two_storefronts_the_channel_is_named(sellable, loja, storefront):
    SalesChannel.objects.create(code="loja-b2c", name="Outra loja", kind="storefront")
    response = post_order(storefront)
    assert response.status_code == 400
    assert "channel" in response.json()["errors"]

    response = post_order(storefront, body(channel="loja-b2c"), key="pedido-2")
    assert response.status_code == 201
    assert response.json()["channel"]["code"] == "loja-b2c"


def test_an_inactive_storefront_takes_no_orders(sellable, loja, storefront):
    assert post_order(storefront).status_code == 201  # the channels are cached
    loja.active = False
    loja.save()
    response = post_order(storefront, body(channel="loja"), key="pedido-2")
    assert response.status_code == 400
    assert "channel" in response.json()["errors"]


def test_a_hook_refusing_the_order_is_a_conflict(sellable, loja, storefront):
    class NotEnoughStock(Refused):
        code = "insufficient-stock"

    def refuse(*, order):
        raise NotEnoughStock("Not enough units of CAM-P", sku="CAM-P", available=1)

    with hooks.register_temporarily(order_hooks.ORDER_PLACED, refuse):
        response = post_order(storefront)

    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == PROBLEM + "insufficient-stock"
    assert (problem["sku"], problem["available"]) == ("CAM-P", 1)
    assert not Order.objects.exists()


# -- Scopes ----------------------------------------------------------------------------


def test_api_keys_need_the_scope_of_each_endpoint(sellable, loja, key_client):
    order = place(loja)
    readonly = key_client("orders:read")
    writer = key_client("orders:write")
    catalog = key_client("catalog:read")

    for client in (readonly, catalog):
        assert post_order(client).status_code == 403
        assert (
            client.post(status_url(order.customer_token) + "cancel/").status_code == 403
        )
        assert client.post(f"{URL}survey/x/", {"score": 9}).status_code == 403
    for client in (writer, catalog):
        assert client.get(status_url(order.customer_token)).status_code == 403
    assert readonly.get(status_url(order.customer_token)).status_code == 200
    assert not Order.objects.exclude(pk=order.pk).exists()


def test_without_a_key_it_is_401_and_sessions_do_not_count(sellable, loja, client):
    order = place(loja)
    staff = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(staff)
    for response in (
        client.post(URL, body(), content_type="application/json"),
        client.get(status_url(order.customer_token)),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_cors_preflight_allows_the_idempotency_key(db, key_client):
    from api.services import create_api_key

    create_api_key(
        name="SPA",
        scopes=["orders:write"],
        allowed_origins=["https://loja.example.com"],
        rate_limit=0,
        user=None,
    )
    response = key_client().options(
        URL,
        HTTP_ORIGIN="https://loja.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, idempotency-key",
    )
    assert "idempotency-key" in response["Access-Control-Allow-Headers"]


# -- The status page -------------------------------------------------------------------


def test_the_status_page_shows_status_changes_but_never_notes(
    placed, storefront, superuser
):
    add_note(placed, "Cliente suspeito, conferir CPF", user=superuser)
    transition_order(placed, "pay", user=superuser)

    response = storefront.get(status_url(placed.customer_token))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["status"] == "paid"
    assert data["timestamps"]["paid_at"] is not None
    assert [e["status"] for e in data["timeline"]] == ["pending_payment", "paid"]
    assert "conferir CPF" not in response.content.decode()
    assert data["can_cancel"] is False


def test_an_unknown_token_is_404(db, storefront):
    response = storefront.get(status_url("nao-existe"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response["Cache-Control"] == "private, no-store"


def test_plugins_add_keys_to_the_payload(placed, storefront):
    def tracking(*, order, payload, audience):
        assert audience == "customer"
        payload["tracking"] = {"code": f"BR{order.pk:09d}"}

    with hooks.register_temporarily(order_hooks.ORDER_PAYLOAD, tracking):
        data = storefront.get(status_url(placed.customer_token)).json()
    assert data["tracking"] == {"code": f"BR{placed.pk:09d}"}


# -- Cancelling ------------------------------------------------------------------------


def test_the_customer_cancels_while_payment_is_pending(placed, storefront):
    response = storefront.post(status_url(placed.customer_token) + "cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    placed.refresh_from_db()
    assert placed.status == OrderStatus.CANCELLED
    assert placed.cancel_reason  # the default reason, translated


def test_the_customer_gives_a_reason(placed, storefront):
    storefront.post(
        status_url(placed.customer_token) + "cancel/",
        {"reason": "Comprei errado"},
        format="json",
    )
    placed.refresh_from_db()
    assert placed.cancel_reason == "Comprei errado"


def test_a_paid_order_is_not_cancelled_by_the_customer(placed, storefront):
    transition_order(placed, "pay", user=None)

    response = storefront.post(status_url(placed.customer_token) + "cancel/")

    assert response.status_code == 409
    assert response.json()["type"] == PROBLEM + "illegal-transition"
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PAID


def test_cancelling_an_unknown_order_is_404(db, storefront):
    assert storefront.post(status_url("nao-existe") + "cancel/").status_code == 404


# -- The survey ------------------------------------------------------------------------


def deliver(order):
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(order, name, user=None)


def test_the_survey_is_answered_once(placed, storefront):
    deliver(placed)
    survey = storefront.get(status_url(placed.customer_token)).json()["survey"]
    assert survey["token"] == placed.survey.token
    assert survey["token"] in survey["url"]

    answer = storefront.post(
        f"{URL}survey/{survey['token']}/",
        {"score": 9, "comment": "Chegou rápido"},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["score"] == 9

    again = storefront.post(
        f"{URL}survey/{survey['token']}/", {"score": 0}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["type"] == PROBLEM + "survey-closed"
    placed.survey.refresh_from_db()
    assert placed.survey.score == 9
    # answered: the status page no longer offers it
    assert storefront.get(status_url(placed.customer_token)).json()["survey"] is None


@pytest.mark.parametrize("score", [-1, 11, "dez", None])
def test_the_score_is_0_to_10(placed, storefront, score):
    deliver(placed)
    response = storefront.post(
        f"{URL}survey/{placed.survey.token}/", {"score": score}, format="json"
    )
    assert response.status_code == 400
    assert "score" in response.json()["errors"]


def test_an_unknown_survey_is_404(db, storefront):
    response = storefront.post(f"{URL}survey/nao-existe/", {"score": 9}, format="json")
    assert response.status_code == 404
