"""The order desk's API (staff tokens and sessions): orders of the channels
the user works; others do not exist (404)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail import hooks

from plugins.orders import hooks as order_hooks
from plugins.orders.models import Order, OrderEvent, OrderStatus
from plugins.orders.services import transition_order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel, place, staff_client

URL = "/api/v1/orders/staff/"
PROBLEM = "https://retaguarda.dev/problems/"


@pytest.fixture
def orders(sellable, loja, mercado_livre):
    """Two storefront orders (one paid, by card) and one Mercado Livre order."""
    first = place(loja)
    second = place(
        loja,
        customer={"name": "João Souza", "email": "joao@example.com"},
        payment_method="card",
        installments=2,
        lines=[{"sku": "CAN-1", "quantity": 3}],
    )
    transition_order(second, "pay", user=None)
    marketplace = place(mercado_livre, external_id="ML-1")
    return {"first": first, "second": second, "ml": marketplace}


@pytest.fixture
def desk(attendant):
    return staff_client(attendant)


@pytest.fixture
def viewer(loja):
    """May see the storefront's orders, not work them."""
    user = UserFactory(username="so-ve", roles=["order_desk"])
    grant_channel(user, loja, "view_saleschannel")
    return user


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [order["number"] for order in response.json()["results"]]


# -- The list --------------------------------------------------------------------------


def test_the_desk_lists_the_orders_of_its_channels(orders, desk):
    response = desk.get(URL)

    assert numbers(response) == [orders["second"].number, orders["first"].number]
    assert response["Cache-Control"] == "private, no-store"
    first = response.json()["results"][1]
    assert first["channel"]["code"] == "loja"
    assert first["customer"]["document"] == "52998224725"
    assert [line["sku"] for line in first["lines"]] == ["CAM-P", "CAN-1"]
    assert first["totals"]["total"] == "154.70"


def test_managers_see_every_channel(orders, manager):
    assert len(numbers(staff_client(manager).get(URL))) == 3


def test_sessions_work_too(orders, client, attendant):
    client.force_login(attendant)
    assert len(numbers(client.get(URL))) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=paid", ["second"]),
        ("status=paid&status=pending_payment", ["ml", "second", "first"]),
        ("payment_method=card", ["second"]),
        ("channel=mercado-livre", ["ml"]),
        ("channel=loja&channel=mercado-livre", ["ml", "second", "first"]),
        ("q=joao@example.com", ["second"]),
        ("q=529.982.247-25", ["ml", "first"]),
        ("q=ML-1", ["ml"]),
        ("ordering=total", ["second", "first", "ml"]),
        ("ordering=-total", ["ml", "first", "second"]),
        ("ordering=placed_at", ["first", "second", "ml"]),
        ("late=true", ["first"]),
        ("placed_after=2020-01-01", ["ml", "second", "first"]),
        ("placed_before=2020-01-01", []),
        ("placed_after=2999-01-01T00:00:00Z", []),
        ("placed_after=0001-01-01T01:00:00%2B05:00", ["ml", "second", "first"]),
        ("placed_before=9999-12-31T23:00:00-05:00", ["ml", "second", "first"]),
    ],
)
def test_filters_and_ordering(orders, superuser, query, expected):
    Order.objects.filter(pk=orders["first"].pk).update(
        promised_delivery_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    Order.objects.filter(pk=orders["ml"].pk).update(
        promised_delivery_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    response = staff_client(superuser).get(f"{URL}?{query}")
    assert numbers(response) == [orders[name].number for name in expected]


@pytest.mark.parametrize(
    "query",
    ["status=lost", "payment_method=cheque", "placed_after=ontem", "ordering=name"],
)
def test_invalid_filters_are_400(orders, desk, query):
    response = desk.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "validation-error"
    assert query.split("=")[0] in response.json()["errors"]


def test_empty_filter_values_are_errors_except_the_search(orders, desk):
    assert desk.get(f"{URL}?ordering=").status_code == 400
    assert desk.get(f"{URL}?placed_after=").status_code == 400
    assert len(numbers(desk.get(f"{URL}?q="))) == 2


def test_options_describe_the_endpoints(orders, desk):
    number = orders["first"].number
    for url in (
        URL,
        f"{URL}{number}/",
        f"{URL}{number}/notes/",
        f"{URL}{number}/transitions/pay/",
        "/api/v1/orders/import/",
    ):
        assert desk.options(url).status_code == 200, url


def test_cursor_pagination(orders, superuser):
    api = staff_client(superuser)
    first = api.get(f"{URL}?page_size=2")
    assert len(numbers(first)) == 2
    rest = api.get(first.json()["next"])
    assert numbers(rest) == [orders["first"].number]
    assert rest.json()["next"] is None
    assert api.get(f"{URL}?cursor=forjado").status_code == 404


def test_the_page_size_is_bounded(sellable, loja, superuser):
    for _ in range(3):
        place(loja)
    api = staff_client(superuser)
    for size in ("0", "101", "dez", "-1"):
        response = api.get(f"{URL}?page_size={size}")
        assert response.status_code == 400
        assert "page_size" in response.json()["errors"]
    Order.objects.bulk_create(
        [
            Order(
                number=f"X{i:03d}-0000",
                channel=loja,
                customer_token=f"token-{i}",
                customer_name="Cliente",
                subtotal=0,
                total=0,
                payment_method="pix",
                placed_at=timezone.now(),
            )
            for i in range(110)
        ]
    )
    assert len(numbers(api.get(f"{URL}?page_size=100"))) == 100
    assert len(numbers(api.get(URL))) == 24


def test_the_query_count_does_not_grow_with_the_page_size(sellable, loja, attendant):
    for i in range(100):
        place(loja, idempotency_key=f"k{i}")
    api = staff_client(attendant)
    counts = {}
    api.get(f"{URL}?page_size=1")  # content types and the like, cached once
    with hooks.register_temporarily(
        order_hooks.ORDER_PAYLOAD, lambda *, order, payload, audience: None
    ):
        for size in (1, 24, 100):
            with CaptureQueriesContext(connection) as queries:
                assert len(numbers(api.get(f"{URL}?page_size={size}"))) == size
            counts[size] = len(queries)
    assert counts[1] == counts[24] == counts[100], counts
    assert counts[100] <= 8, counts


def test_no_orders_for_users_without_the_orders_role(orders, editor):
    response = staff_client(editor).get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_api_keys_are_not_staff_credentials(orders, storefront):
    assert storefront.get(URL).status_code == 401


def test_anonymous_is_401(orders, client):
    assert client.get(URL).status_code == 401


# -- One order -------------------------------------------------------------------------


def test_the_detail_has_the_timeline_and_what_the_user_may_do(orders, attendant, desk):
    order = orders["first"]
    desk.post(f"{URL}{order.number}/notes/", {"text": "Ligar antes"}, format="json")

    response = desk.get(f"{URL}{order.number}/")

    assert response.status_code == 200
    data = response.json()
    assert [(e["kind"], e["message"]) for e in data["timeline"]] == [
        ("placed", "Loja virtual"),
        ("note", "Ligar antes"),
    ]
    assert data["timeline"][1]["user"] == attendant.get_full_name()
    assert [t["name"] for t in data["allowed_transitions"]] == ["pay", "cancel"]
    assert data["allowed_transitions"][1]["needs_reason"] is True
    assert data["survey"] is None


def test_the_number_is_case_insensitive(orders, desk):
    number = orders["first"].number
    assert desk.get(f"{URL}{number.lower()}/").json()["number"] == number


def test_managers_read_but_may_do_nothing(orders, manager):
    data = staff_client(manager).get(f"{URL}{orders['ml'].number}/").json()
    assert data["allowed_transitions"] == []


def test_another_channels_order_does_not_exist(orders, desk):
    number = orders["ml"].number
    for response in (
        desk.get(f"{URL}{number}/"),
        desk.post(f"{URL}{number}/transitions/pay/"),
        desk.post(f"{URL}{number}/notes/", {"text": "oi"}, format="json"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert not orders["ml"].events.filter(kind="note").exists()


def test_an_unknown_number_is_404(orders, superuser):
    assert staff_client(superuser).get(f"{URL}XXXX-0000/").status_code == 404


# -- Transitions -----------------------------------------------------------------------


def test_the_desk_moves_an_order(orders, desk, attendant):
    order = orders["first"]
    response = desk.post(f"{URL}{order.number}/transitions/pay/")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "paid"
    assert [t["name"] for t in data["allowed_transitions"]] == ["invoice", "cancel"]
    event = order.events.get(kind=OrderEvent.Kind.TRANSITION)
    assert event.user == attendant


def test_cancel_takes_a_reason(orders, desk):
    order = orders["first"]
    without = desk.post(f"{URL}{order.number}/transitions/cancel/")
    assert without.status_code == 409
    assert without.json()["field"] == "reason"

    response = desk.post(
        f"{URL}{order.number}/transitions/cancel/",
        {"reason": "Pagamento não veio"},
        format="json",
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Pagamento não veio")


def test_an_illegal_transition_is_409(orders, desk):
    order = orders["first"]
    response = desk.post(f"{URL}{order.number}/transitions/ship/")
    assert response.status_code == 409
    assert response.json()["type"] == PROBLEM + "illegal-transition"
    assert response.json()["status_now"] == "pending_payment"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_an_unknown_transition_is_409(orders, desk):
    response = desk.post(f"{URL}{orders['first'].number}/transitions/teleport/")
    assert response.status_code == 409
    assert "pay" in response.json()["transitions"]


def test_who_may_see_but_not_work_the_order_gets_403(orders, viewer):
    api = staff_client(viewer)
    order = orders["first"]
    assert api.get(f"{URL}{order.number}/").status_code == 200
    assert api.post(f"{URL}{order.number}/transitions/pay/").status_code == 403
    assert (
        api.post(
            f"{URL}{order.number}/notes/", {"text": "x"}, format="json"
        ).status_code
        == 403
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not order.events.filter(kind="note").exists()


def test_managers_may_not_move_orders(orders, manager):
    response = staff_client(manager).post(
        f"{URL}{orders['first'].number}/transitions/pay/"
    )
    assert response.status_code == 403


# -- Notes -----------------------------------------------------------------------------


def test_the_desk_adds_notes(orders, desk):
    order = orders["first"]
    response = desk.post(
        f"{URL}{order.number}/notes/", {"text": "Cliente pediu nota"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["message"] == "Cliente pediu nota"
    assert order.events.filter(kind="note", message="Cliente pediu nota").exists()


def test_an_empty_note_is_400(orders, desk):
    response = desk.post(
        f"{URL}{orders['first'].number}/notes/", {"text": "  "}, format="json"
    )
    assert response.status_code == 400
    assert "text" in response.json()["errors"]


def test_plugins_add_keys_to_staff_payloads(orders, desk):
    def invoice(*, order, payload, audience):
        assert audience == "staff"
        payload["invoice"] = None

    with hooks.register_temporarily(order_hooks.ORDER_PAYLOAD, invoice):
        listed = desk.get(URL).json()["results"]
        detail = desk.get(f"{URL}{orders['first'].number}/").json()
    assert all("invoice" in order for order in listed)
    assert "invoice" in detail
