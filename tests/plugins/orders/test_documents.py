"""Brazilian documents and invisible characters wherever orders come in: the
storefront API, the spreadsheet import and the customer editor. Alphanumeric
CNPJs (July 2026) are accepted in any case and stored in upper case without
punctuation; bad check digits and all-zero documents are refused; invisible
characters are refused in identifiers and stripped from names."""

import pytest
from django.utils import translation

from plugins.orders.customers import personal_values
from plugins.orders.models import Customer, Order, SalesChannel
from plugins.orders.services import add_note, transition_order
from tests.plugins.orders.admin_fixtures import login
from tests.plugins.orders.conftest import CUSTOMER, place
from tests.plugins.orders.test_admin_customers import customer_data
from tests.plugins.orders.test_api import body, post_order
from tests.plugins.orders.test_import import importer, row, run_order_import, sheet  # noqa: F401

ALPHANUMERIC_CNPJ = "12.ABC.345/01DE-35"  # the Receita Federal's example
INVISIBLE = "Remova os caracteres invisíveis"


def with_customer(**changes) -> dict:
    data = body()
    data["customer"] = {**data["customer"], **changes}
    return data


def test_the_api_takes_an_alphanumeric_cnpj_in_any_case(sellable, loja, storefront):
    # when a storefront sends the CNPJ in lower case, with punctuation
    response = post_order(storefront, with_customer(document="12.abc.345/01de-35"))
    # then the order is placed with the CNPJ in upper case, without punctuation
    assert response.status_code == 201, response.json()
    order = Order.objects.get(number=response.json()["number"])
    assert order.customer_document == "12ABC34501DE35"
    assert order.customer.document == "12ABC34501DE35"
    assert order.customer.document_display == ALPHANUMERIC_CNPJ


def test_the_api_takes_an_unformatted_alphanumeric_cnpj(sellable, loja, storefront):
    response = post_order(storefront, with_customer(document="12ABC34501DE35"))
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "document",
    [
        "12.ABC.345/01DE-36",  # wrong check digit
        "12.ABC.345/01DE-53",  # check digits swapped
        "000.000.000-00",
        "111.111.111-11",
        "00.000.000/0000-00",
        "11.111.111/1111-11",
    ],
)
def test_the_api_refuses_bad_and_all_zero_documents(
    sellable, loja, storefront, document
):
    with translation.override("pt-br"):
        response = post_order(storefront, with_customer(document=document))
    assert response.status_code == 400
    assert "customer.document" in response.json()["errors"]
    assert not Order.objects.exists()


def test_the_api_refuses_cep_00000_000(sellable, loja, storefront):
    data = body()
    data["shipping_address"] = {**data["shipping_address"], "cep": "00000-000"}
    with translation.override("pt-br"):
        response = post_order(storefront, data)
    assert response.status_code == 400
    assert response.json()["errors"]["shipping_address.cep"] == [
        "O CEP 00000-000 não existe."
    ]


def test_the_api_refuses_a_sku_with_invisible_characters(sellable, loja, storefront):
    # given a SKU that would read "CAM-P" with a zero-width space in it
    data = body()
    data["lines"] = [{"sku": "CAM\u200b-P", "quantity": 1}]
    # when it is sent
    with translation.override("pt-br"):
        response = post_order(storefront, data)
    # then it is refused, saying why, in pt-BR
    assert response.status_code == 400
    assert any(
        INVISIBLE in message for message in response.json()["errors"]["lines[0].sku"]
    )


def test_the_api_strips_invisible_characters_from_names(sellable, loja, storefront):
    # given a name with a right-to-left override and a zero-width space
    data = with_customer(name="Maria \u202eavliS\u202c da\u200b Silva")
    data["shipping_address"] = {
        **data["shipping_address"],
        "street": "Avenida\u2066 Paulista\u2069",
    }
    # when the order is placed
    response = post_order(storefront, data)
    # then the names are stored without them
    assert response.status_code == 201, response.json()
    order = Order.objects.get(number=response.json()["number"])
    assert order.customer_name == "Maria avliS da Silva"
    assert order.customer.name == "Maria avliS da Silva"
    assert order.shipping_address["street"] == "Avenida Paulista"


def test_the_import_takes_an_alphanumeric_cnpj(importer):  # noqa: F811
    data = sheet(row("CAM-P", "2", "45,00", customer_document="12.abc.345/01de-35"))
    report = run_order_import(data, user=importer, dry_run=False)
    assert report.errors == []
    assert Order.objects.get().customer_document == "12ABC34501DE35"


def test_the_import_refuses_a_bad_check_digit_and_zero_documents(importer):  # noqa: F811
    data = sheet(
        row("CAM-P", "1", "", external_id="A", customer_document="12.ABC.345/01DE-36"),
        row("CAM-P", "1", "", external_id="B", customer_document="000.000.000-00"),
        row("CAM-P", "1", "", external_id="C", cep="00000-000"),
    )
    report = run_order_import(data, user=importer, dry_run=False)
    assert {(e["row"], e["column"]) for e in report.errors} == {
        (2, "customer_document"),
        (3, "customer_document"),
        (4, "cep"),
    }
    assert not Order.objects.exists()


def post_customer(superuser, **changes):
    return login(superuser).post("/admin/customers/new/", customer_data(**changes))


def test_the_customer_editor_says_a_cnpj_may_have_letters(superuser):
    page = login(superuser).get("/admin/customers/new/").content.decode()
    assert "um CNPJ pode ter letras (12.ABC.345/01DE-35)" in page
    assert 'maxlength="18"' in page


def test_the_customer_editor_takes_an_alphanumeric_cnpj(superuser):
    response = post_customer(superuser, document="12.abc.345/01de-35")
    assert response.status_code == 302, response.context["form"].errors
    assert Customer.objects.get().document == "12ABC34501DE35"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("document", "12.ABC.345/01DE-36"),
        ("document", "000.000.000-00"),
        ("document", "12.ABC.345/01DE\u202e-35"),
        ("addresses-0-cep", "00000-000"),
    ],
)
def test_the_customer_editor_refuses_bad_documents(superuser, field, value):
    response = post_customer(superuser, **{field: value})
    assert response.status_code == 200
    form = response.context["form"]
    errors = (
        form.errors
        if field == "document"
        else form.formsets["addresses"].forms[0].errors
    )
    assert errors[field.rsplit("-", 1)[-1]]
    assert not Customer.objects.exists()


def test_the_customer_editor_strips_invisible_characters_from_names(superuser):
    response = post_customer(
        superuser,
        name="Ana\u200b \u202eLima",
        **{"addresses-0-recipient": "Ana\ufeff Lima"},
    )
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get()
    assert customer.name == "Ana Lima"
    assert customer.addresses.get().recipient == "Ana Lima"


def test_anonymising_looks_for_an_alphanumeric_cnpj_as_stored_and_as_typed(
    sellable, loja
):
    # given an order of a company with an alphanumeric CNPJ
    customer = {**CUSTOMER, "document": "12.abc.345/01de-35"}
    order = place(loja, customer=customer)
    # then anonymising its customer looks for the CNPJ in both spellings
    values = personal_values(order.customer, [order])
    assert {"12ABC34501DE35", ALPHANUMERIC_CNPJ} <= values


def test_notes_and_reasons_lose_invisible_characters(sellable, loja, superuser):
    order = place(loja)
    note = add_note(order, "Cliente \u202epediu\u202c troca\u200b", user=superuser)
    assert note.message == "Cliente pediu troca"
    transition_order(order, "cancel", user=superuser, reason="\u2066Desistiu\u2069")
    order.refresh_from_db()
    assert order.cancel_reason == "Desistiu"


def test_sales_channel_names_lose_invisible_characters_and_codes_refuse_them(
    manager,
):
    client = login(manager)
    response = client.post(
        "/admin/sales-channels/new/",
        {
            "code": "shopee",
            "name": "Sho\u202epee",
            "kind": "marketplace",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert SalesChannel.objects.get(code="shopee").name == "Shopee"
    with translation.override("pt-br"):
        response = client.post(
            "/admin/sales-channels/new/",
            {"code": "ama\u200bzon", "name": "Amazon", "kind": "marketplace"},
        )
    assert response.status_code == 200
    assert INVISIBLE in " ".join(response.context["form"].errors["code"])
