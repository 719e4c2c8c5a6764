"""“Novo pedido”: orders taken by phone and B2B sales, through place_order,
with the service's errors on the right fields."""

from decimal import Decimal

from plugins.orders.models import Order, OrderEvent
from tests.plugins.orders import admin_fixtures
from tests.plugins.orders.admin_fixtures import (
    is_admin_denied,
    login,
)
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER

# fixtures shared by the admin tests
viewer = admin_fixtures.viewer

URL = "/admin/orders/new/"


def form_data(channel, lines=(("CAM-P", 2, ""),), **overrides):
    data = {
        "order-channel": channel.pk,
        "order-payment_method": "pix",
        "order-installments": 1,
        "order-shipping_total": "",
        "order-discount_total": "",
        "order-promised_delivery_date": "",
        "order-note": "Pedido por telefone",
        **{f"customer-{k}": v for k, v in CUSTOMER.items()},
        **{f"shipping_address-{k}": v for k, v in ADDRESS.items()},
        "lines-TOTAL_FORMS": len(lines),
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 200,
    }
    for i, (sku, quantity, price) in enumerate(lines):
        data.update(
            {
                f"lines-{i}-sku": sku,
                f"lines-{i}-quantity": quantity,
                f"lines-{i}-unit_price": price,
                f"lines-{i}-discount": "",
            }
        )
    data.update(overrides)
    return data


def test_attendant_places_an_order_and_lands_on_it(attendant, sellable, loja):
    client = login(attendant)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL, form_data(loja, lines=(("CAM-P", 2, ""), ("CAN-1", 1, "")))
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/orders/{order.pk}/"
    assert (order.channel, order.customer_document) == (loja, "52998224725")
    assert order.total == Decimal("139.70")
    assert order.lines.count() == 2
    placed = order.events.get(kind=OrderEvent.Kind.PLACED)
    assert placed.user == attendant
    assert order.events.get(kind=OrderEvent.Kind.NOTE).message == "Pedido por telefone"


def test_channel_choices_are_the_users_channels_with_add(
    attendant, sellable, loja, mercado_livre
):
    client = login(attendant)
    page = client.get(URL).content.decode()
    assert "Loja virtual" in page and "Mercado Livre" not in page
    response = client.post(URL, form_data(mercado_livre))
    assert response.status_code == 200
    assert not Order.objects.exists()
    assert response.context["order_form"].errors["channel"]


def test_service_errors_land_on_their_fields(attendant, sellable, loja):
    data = form_data(
        loja,
        lines=(("CAM-P", 1, ""), ("NOPE", 1, "")),
        **{"customer-document": "123.456.789-00", "shipping_address-cep": "0131"},
    )
    response = login(attendant).post(URL, data)
    assert response.status_code == 200
    assert not Order.objects.exists()
    context = response.context
    assert context["customer_form"].errors["document"]
    assert context["address_form"].errors["cep"]
    lines = context["line_formset"].forms
    assert not lines[0].errors
    # the catalog is checked once the rest is valid
    data["customer-document"] = "529.982.247-25"
    data["shipping_address-cep"] = "01310-100"
    response = login(attendant).post(URL, data)
    lines = response.context["line_formset"].forms
    assert "Unknown SKU" in str(lines[1].errors) or "SKU desconhecido" in str(
        lines[1].errors
    )


def test_own_prices_only_on_channels_that_accept_them(
    superuser, sellable, loja, mercado_livre
):
    client = login(superuser)
    response = client.post(URL, form_data(loja, lines=(("CAM-P", 1, "10,00"),)))
    assert response.status_code == 200
    assert response.context["line_formset"].forms[0].errors["unit_price"]
    response = client.post(
        URL, form_data(mercado_livre, lines=(("CAM-P", 1, "10,00"),))
    )
    assert response.status_code == 302
    assert Order.objects.get().lines.get().unit_price == Decimal("10.00")


def test_shipping_and_discounts_only_on_channels_at_their_own_prices(
    superuser, sellable, loja, mercado_livre
):
    # given staff typing a phone order with shipping and discounts
    amounts = {
        "order-shipping_total": "15,00",
        "order-discount_total": "5,00",
        "lines-0-discount": "1,00",
    }
    client = login(superuser)
    # when the channel sells at the catalog's prices
    response = client.post(URL, form_data(loja, **amounts))
    # then each amount is refused on its field, and nothing is written
    assert response.status_code == 200
    assert response.context["order_form"].errors["shipping_total"]
    assert response.context["order_form"].errors["discount_total"]
    assert response.context["line_formset"].forms[0].errors["discount"]
    assert not Order.objects.exists()
    # and a channel that sells at its own prices takes them
    response = client.post(URL, form_data(mercado_livre, **amounts))
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.shipping_total, order.discount_total) == (
        Decimal("15.00"),
        Decimal("6.00"),
    )


def test_an_order_needs_a_line(attendant, sellable, loja):
    data = form_data(loja, lines=(("", 1, ""),))  # the blank row as sent
    response = login(attendant).post(URL, data)
    assert response.status_code == 200
    assert response.context["line_formset"].non_form_errors()
    assert not Order.objects.exists()


def test_card_installments(attendant, sellable, loja):
    data = form_data(loja, **{"order-payment_method": "card", "order-installments": 3})
    assert login(attendant).post(URL, data).status_code == 302
    assert Order.objects.get().installments == 3
    data = form_data(loja, **{"order-installments": 3})  # pix in 3: no
    response = login(attendant).post(URL, data)
    assert response.context["order_form"].errors["installments"]


def test_prefilled_from_a_customer(attendant, sellable, loja):
    from plugins.orders.models import Address
    from tests.plugins.orders.conftest import place

    customer = place(loja).customer
    Address.objects.create(
        customer=customer,
        recipient="Maria da Silva",
        cep="01310-100",
        street="Rua Augusta",
        number="5",
        district="Consolação",
        city="São Paulo",
        uf="SP",
    )
    response = login(attendant).get(URL, {"customer": customer.pk})
    customer_form = response.context["customer_form"]
    address_form = response.context["address_form"]
    assert customer_form["document"].value() == "529.982.247-25"
    assert address_form["street"].value() == "Rua Augusta"


def test_who_may_not_place_orders(manager, auditor, viewer, editor):
    for user in (manager, auditor, viewer, editor):
        assert is_admin_denied(login(user).get(URL)), user
