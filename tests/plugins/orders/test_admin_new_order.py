"""“Novo pedido”: orders taken by phone and B2B sales, through place_order,
with the service's errors on the right fields."""

from decimal import Decimal

from plugins.orders.models import Order, OrderEvent
from tests.factories import UserFactory
from tests.plugins.orders import admin_fixtures
from tests.plugins.orders.admin_fixtures import (
    is_admin_denied,
    login,
)
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER, grant_channel

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


# -- every line, every error at once ------------------------------------------------


def test_three_lines_with_a_removed_one_in_between(attendant, sellable, loja):
    data = form_data(loja, lines=(("CAM-P", 2, ""), ("CAM-M", 5, ""), ("CAN-1", 1, "")))
    data["lines-1-DELETE"] = "1"  # removed in the browser (w-formset)
    response = login(attendant).post(URL, data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert sorted(order.lines.values_list("sku", "quantity")) == [
        ("CAM-P", 2),
        ("CAN-1", 1),
    ]
    assert order.total == Decimal("139.70")
    # the audit log names who placed it
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="orders.place", object_id=str(order.pk))
    assert entry.user == attendant


def test_every_field_error_is_shown_at_once(attendant, sellable, loja):
    data = form_data(loja, lines=(("CAM-P", 0, ""), ("", 2, ""), ("CAN-1", "dois", "")))
    data.update({"customer-name": "", "shipping_address-city": ""})
    response = login(attendant).post(URL, data)
    assert response.status_code == 200
    assert not Order.objects.exists()
    forms = response.context["line_formset"].forms
    assert forms[0].errors["quantity"]
    assert forms[1].errors["sku"]
    assert forms[2].errors["quantity"]
    assert response.context["customer_form"].errors["name"]
    assert response.context["address_form"].errors["city"]
    summary = [
        (item["label"], item["id"]) for item in response.context["error_summary"]
    ]
    assert summary == [
        ("Cliente — Nome", "id_customer-name"),
        ("Endereço de entrega — Cidade", "id_shipping_address-city"),
        ("Item 1 — Quantidade", "id_lines-0-quantity"),
        ("Item 2 — Produto (nome ou SKU)", "id_lines-1-sku"),
        ("Item 3 — Quantidade", "id_lines-2-quantity"),
    ]
    page = response.content.decode()
    assert 'id="order-errors"' in page and 'href="#id_lines-2-quantity"' in page


def test_a_forged_price_is_refused_on_its_line(attendant, sellable, loja):
    # a catalog-price channel, three lines, the second removed and the third
    # sent with a price of its own (the field is hidden there: a forged form)
    data = form_data(
        loja, lines=(("CAM-P", 1, ""), ("CAM-M", 1, ""), ("CAN-1", 1, "1,00"))
    )
    data["lines-1-DELETE"] = "1"
    response = login(attendant).post(URL, data)
    assert response.status_code == 200
    assert not Order.objects.exists()
    forms = response.context["line_formset"].forms
    assert not forms[0].errors and not forms[1].errors
    assert "R$ 39,90, não R$ 1,00" in str(forms[2].errors["unit_price"])
    # the rows shown again keep their catalog price for the running total
    page = response.content.decode()
    assert 'data-price="4990"' in page and 'data-price="3990"' in page


# -- the product search ----------------------------------------------------------

PRODUCTS = "/admin/orders/new/products/"
CUSTOMERS = "/admin/orders/new/customers/"


def stock(sku, quantity):
    from content.models import Variant
    from plugins.stock.models import Warehouse
    from plugins.stock.services import receive_stock

    warehouse, _ = Warehouse.objects.get_or_create(code="SP-01", name="CD São Paulo")
    receive_stock(
        warehouse, variant=Variant.objects.get(sku=sku), quantity=quantity, user=None
    )


def test_product_search_by_name_or_sku(attendant, sellable, loja):
    from plugins.stock.models import Warehouse

    stock("CAM-P", 7)
    rio = Warehouse.objects.create(code="RJ-01", name="CD Rio")
    from content.models import Variant
    from plugins.stock.services import receive_stock

    receive_stock(rio, variant=Variant.objects.get(sku="CAM-P"), quantity=5, user=None)
    client = login(attendant)
    found = client.get(PRODUCTS, {"q": "camis"}).json()["results"]
    assert {p["sku"]: (p["price"], p["available"]) for p in found} == {
        "CAM-P": ("49.90", 12),  # summed over the warehouses
        "CAM-M": ("49.90", None),  # never stocked: not tracked
    }
    assert {p["name"] for p in found} == {"Camiseta Basica"}
    assert {p["price_display"] for p in found} == {"49,90"}
    # by SKU, the exact one first
    found = client.get(PRODUCTS, {"q": "can-1"}).json()["results"]
    assert [p["sku"] for p in found] == ["CAN-1"]
    # drafts and inactive variants are not for sale; too short a query finds nothing
    for query in ("RAS", "VEL-1", "c"):
        assert client.get(PRODUCTS, {"q": query}).json()["results"] == []


def test_product_search_queries_do_not_grow_with_results(attendant, loja):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.content.conftest import make_product

    for i in range(12):
        make_product(f"vaso-{i}", variants=[(f"VASO-{i:02}", "10.00")])
    stock("VASO-01", 3)
    client = login(attendant)
    client.get(PRODUCTS, {"q": "VASO-01"})  # the session, the permissions

    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            results = client.get(PRODUCTS, {"q": query}).json()["results"]
        return len(results), len(captured)

    one, few = queries("VASO-01")
    many, lots = queries("vaso")
    assert (one, many) == (1, 12)
    assert lots == few


# -- the customer lookup ---------------------------------------------------------


def test_customer_lookup_by_cpf_name_or_email(attendant, sellable, loja):
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
    client = login(attendant)
    for query in ("529.982.247-25", "52998224725", "529.982", "maria da", "MARIA@ex"):
        found = client.get(CUSTOMERS, {"q": query}).json()["results"]
        assert [c["id"] for c in found] == [customer.pk], query
    assert found[0]["document"] == "529.982.247-25"
    assert found[0]["address"]["street"] == "Rua Augusta"
    assert client.get(CUSTOMERS, {"q": "111.444"}).json()["results"] == []


def test_customer_lookup_reveals_nobody_outside_the_channels(
    attendant, sellable, loja, mercado_livre
):
    from tests.plugins.orders.conftest import place

    joao = place(
        mercado_livre,
        external_id="MLB-9",
        customer={"name": "João Souza", "document": "111.444.777-35"},
    ).customer
    client = login(attendant)  # the storefront only
    for query in ("111.444.777-35", "11144477735", "joão", "João Souza"):
        assert client.get(CUSTOMERS, {"q": query}).json()["results"] == []
    # the Mercado Livre desk finds him
    other = UserFactory(username="atendente-ml", roles=["order_desk"])
    grant_channel(other, mercado_livre)
    found = login(other).get(CUSTOMERS, {"q": "111.444.777-35"}).json()["results"]
    assert [c["id"] for c in found] == [joao.pk]
    # a phone order of the storefront for his CPF, typed as a new customer,
    # joins his record on the server without the screen showing it
    data = form_data(
        loja, **{"customer-name": "João", "customer-document": "11144477735"}
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    assert Order.objects.get(channel=loja).customer == joao


def test_who_may_not_search(manager, auditor, viewer, editor):
    for user in (manager, auditor, viewer, editor):
        client = login(user)
        for url in (PRODUCTS, CUSTOMERS):
            assert is_admin_denied(client.get(url, {"q": "maria"})), (user, url)


def test_a_customer_found_without_a_document_gets_the_order(
    attendant, sellable, loja, mercado_livre
):
    from tests.plugins.orders.conftest import place

    ana = place(
        loja, customer={"name": "Ana Lima", "email": "ana@example.com"}
    ).customer
    found = login(attendant).get(CUSTOMERS, {"q": "ana lima"}).json()["results"]
    assert [c["id"] for c in found] == [ana.pk]
    data = form_data(
        loja,
        **{
            "customer-id": ana.pk,
            "customer-name": "Ana Lima",
            "customer-document": "",
            "customer-email": "ana@example.com",
        },
    )
    response = login(attendant).post(URL, data)
    assert response.status_code == 302
    assert Order.objects.get(pk=response.url.split("/")[-2]).customer == ana
    assert ana.orders.count() == 2


def test_a_customer_out_of_sight_cannot_be_chosen_by_id(
    attendant, sellable, loja, mercado_livre
):
    from tests.plugins.orders.conftest import place

    joao = place(
        mercado_livre,
        external_id="MLB-7",
        customer={"name": "João Souza", "email": "joao@example.com"},
    ).customer
    data = form_data(loja, **{"customer-id": joao.pk, "customer-document": ""})
    response = login(attendant).post(URL, data)
    assert response.status_code == 200
    assert not Order.objects.filter(channel=loja).exists()
    errors = response.context["customer_form"].non_field_errors()
    assert "Escolha o cliente de novo" in str(errors)
    # nothing of João on the page
    assert "João" not in response.content.decode()


def test_customer_lookup_queries_do_not_grow_with_results(attendant, sellable, loja):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plugins.orders.models import Address
    from tests.plugins.orders.conftest import place

    for i in range(8):
        customer = place(
            loja, customer={"name": f"Paula {i}", "email": f"paula{i}@example.com"}
        ).customer
        Address.objects.create(
            customer=customer,
            recipient=customer.name,
            cep="01310-100",
            street="Rua Augusta",
            number=str(i),
            district="Consolação",
            city="São Paulo",
            uf="SP",
        )
    client = login(attendant)
    client.get(CUSTOMERS, {"q": "paula"})  # the session, the permissions

    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            results = client.get(CUSTOMERS, {"q": query}).json()["results"]
        return len(results), len(captured)

    one, few = queries("paula3@")
    many, lots = queries("paula")
    assert (one, many) == (1, 8)
    assert lots == few


def test_only_staff_choose_the_customer_by_id(attendant, sellable, loja):
    import pytest

    from plugins.orders.exceptions import InvalidOrder
    from plugins.orders.services import place_order
    from tests.plugins.orders.conftest import order_request, place

    ana = place(loja, customer={"name": "Ana Lima"}).customer
    request = order_request(customer={"name": "Ana Lima"}, shipping_total=None)
    # the system (and a storefront) identify customers by reference, not by id
    with pytest.raises(InvalidOrder) as refused:
        place_order(channel=loja, customer_id=ana.pk, **request)
    assert "customer" in refused.value.errors
    # staff who may see her
    order = place_order(channel=loja, customer_id=ana.pk, user=attendant, **request)
    assert order.order.customer == ana


def test_a_forged_price_and_a_forged_discount_are_both_refused(
    attendant, sellable, loja
):
    """Every error at once: the catalog's price check does not wait for the
    other errors to be fixed first."""
    data = form_data(loja, lines=(("CAN-1", 1, "1,00"),))
    data["order-discount_total"] = "5,00"
    response = login(attendant).post(URL, data)
    assert response.status_code == 200
    assert not Order.objects.exists()
    line = response.context["line_formset"].forms[0]
    assert "R$ 39,90, não R$ 1,00" in str(line.errors["unit_price"])
    assert response.context["order_form"].errors["discount_total"]
