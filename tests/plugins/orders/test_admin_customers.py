"""Customers (with inline addresses and the LGPD actions), sales channels and
the post-sale survey report."""

import datetime
import json

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from plugins.orders.customers import ANONYMOUS_NAME
from plugins.orders.models import Customer, Order, SalesChannel, SurveyResponse
from plugins.orders.services import transition_order
from plugins.orders.surveys import submit_survey
from tests.plugins.orders import admin_fixtures
from tests.plugins.orders.admin_fixtures import (
    is_admin_denied,
    login,
    text,
)
from tests.plugins.orders.conftest import place

# fixtures shared by the admin tests
ml_order = admin_fixtures.ml_order
order = admin_fixtures.order
viewer = admin_fixtures.viewer


def customer_data(**overrides):
    data = {
        "name": "Ana Lima",
        "email": "ana@example.com",
        "phone": "11 99999-0000",
        "document": "529.982.247-25",
        "addresses-TOTAL_FORMS": 1,
        "addresses-INITIAL_FORMS": 0,
        "addresses-MIN_NUM_FORMS": 0,
        "addresses-MAX_NUM_FORMS": 1000,
        "addresses-0-label": "Casa",
        "addresses-0-recipient": "Ana Lima",
        "addresses-0-cep": "01310-100",
        "addresses-0-street": "Avenida Paulista",
        "addresses-0-number": "10",
        "addresses-0-complement": "",
        "addresses-0-district": "Bela Vista",
        "addresses-0-city": "São Paulo",
        "addresses-0-uf": "SP",
    }
    data.update(overrides)
    return data


# -- customers ---------------------------------------------------------------------


def test_customers_are_created_with_an_address_by_global_holders(superuser, attendant):
    # The order desk creates customers by placing their orders ("new order").
    assert is_admin_denied(login(attendant).get("/admin/customers/new/"))
    response = login(superuser).post("/admin/customers/new/", customer_data())
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get()
    assert customer.document == "52998224725"
    address = customer.addresses.get()
    assert (address.cep, address.uf, address.label) == ("01310-100", "SP", "Casa")
    assert ModelLogEntry.objects.filter(
        action="wagtail.create", object_id=str(customer.pk)
    ).exists()


@pytest.mark.parametrize(
    ("field", "value", "error_on"),
    [
        ("document", "123.456.789-00", "document"),
        ("document", "11.222.333/0001-00", "document"),
        ("addresses-0-cep", "0131", "cep"),
        ("addresses-0-uf", "XX", "uf"),
    ],
)
def test_customer_validation(superuser, field, value, error_on):
    response = login(superuser).post(
        "/admin/customers/new/", customer_data(**{field: value})
    )
    assert response.status_code == 200
    form = response.context["form"]
    if error_on == "document":
        assert form.errors["document"]
    else:
        assert form.formsets["addresses"].forms[0].errors[error_on]
    assert not Customer.objects.exists()


def test_customer_search(manager, order, sellable, loja):
    place(loja, customer={"name": "Empresa X", "email": "x@example.com"})
    client = login(manager)
    for query in ("Maria", "maria@example.com", "52998224725", "529.982.247-25"):
        page = text(client.get("/admin/customers/", {"q": query}))
        assert "Maria da Silva" in page and "Empresa X" not in page, query


def test_customers_are_not_deleted_but_anonymised(superuser, order):
    client = login(superuser)
    assert (
        client.get(f"/admin/customers/delete/{order.customer_id}/").status_code == 404
    )
    page = client.get(f"/admin/customers/edit/{order.customer_id}/").content.decode()
    assert f"/admin/customers/anonymise/{order.customer_id}/" in page
    assert f"/admin/customers/export-data/{order.customer_id}/" in page


def test_lgpd_export_downloads_the_customers_data_and_is_audited(manager, order):
    url = f"/admin/customers/export-data/{order.customer_id}/"
    client = login(manager)
    assert client.get(url).status_code == 200  # the confirmation step
    assert not ModelLogEntry.objects.filter(action="orders.customer.export").exists()
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["customer"]["document"] == "52998224725"
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert ModelLogEntry.objects.filter(
        action="orders.customer.export", user=manager
    ).exists()


def test_anonymise_asks_first_then_scrubs_customer_and_orders(privacy_officer, order):
    url = f"/admin/customers/anonymise/{order.customer_id}/"
    client = login(privacy_officer)
    assert client.get(url).status_code == 200
    assert Customer.objects.get().anonymised_at is None
    response = client.post(url)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.anonymised_at is not None and customer.name == ANONYMOUS_NAME
    order.refresh_from_db()
    assert (order.customer_name, order.customer_document) == (ANONYMOUS_NAME, "")
    assert ModelLogEntry.objects.filter(
        action="orders.customer.anonymise", user=privacy_officer
    ).exists()


def test_lgpd_actions_need_their_permissions(attendant, auditor, editor, order):
    pk = order.customer_id
    # The order desk sees the customer (an order in their channel) but the
    # LGPD actions are not theirs.
    assert is_admin_denied(login(attendant).post(f"/admin/customers/anonymise/{pk}/"))
    assert is_admin_denied(login(attendant).post(f"/admin/customers/export-data/{pk}/"))
    assert is_admin_denied(login(editor).get(f"/admin/customers/export-data/{pk}/"))
    assert is_admin_denied(login(auditor).get(f"/admin/customers/anonymise/{pk}/"))
    assert Customer.objects.get().anonymised_at is None


def test_read_only_roles_inspect_customers(auditor, order):
    client = login(auditor)
    assert client.get("/admin/customers/").status_code == 200
    assert (
        client.get(f"/admin/customers/inspect/{order.customer_id}/").status_code == 200
    )
    assert is_admin_denied(client.get(f"/admin/customers/edit/{order.customer_id}/"))


# -- sales channels ----------------------------------------------------------------


def test_managers_add_channels(manager):
    response = login(manager).post(
        "/admin/sales-channels/new/",
        {"code": "shopee", "name": "Shopee", "kind": "marketplace", "active": "on"},
    )
    assert response.status_code == 302
    assert SalesChannel.objects.filter(code="shopee").exists()


def test_attendants_see_their_channels_only(attendant, loja, mercado_livre):
    client = login(attendant)
    page = text(client.get("/admin/sales-channels/"))
    assert "Loja virtual" in page and "Mercado Livre" not in page
    assert is_admin_denied(client.get("/admin/sales-channels/new/"))
    assert is_admin_denied(client.get(f"/admin/sales-channels/edit/{loja.pk}/"))
    # out of scope: 404
    assert (
        client.get(f"/admin/sales-channels/inspect/{mercado_livre.pk}/").status_code
        == 404
    )


def test_channels_are_deactivated_not_deleted(superuser, loja):
    assert (
        login(superuser).get(f"/admin/sales-channels/delete/{loja.pk}/").status_code
        == 404
    )


# -- post-sale survey ----------------------------------------------------------------


def deliver_and_answer(order, user, score, comment=""):
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(order, name, user=user)
    survey = SurveyResponse.objects.get(order=order)
    submit_survey(survey.token, score=score, comment=comment)


def test_nps_report_by_channel_within_the_users_channels(
    attendant, manager, superuser, sellable, loja, mercado_livre
):
    deliver_and_answer(place(loja), superuser, 10, "Adorei")
    deliver_and_answer(place(loja), superuser, 6, "Demorou")
    deliver_and_answer(place(loja), superuser, 9)
    deliver_and_answer(place(mercado_livre, external_id="m1"), superuser, 0, "Ruim")
    response = login(attendant).get("/admin/orders/survey/")
    assert response.status_code == 200
    assert response.context["summary"]["nps"] == 33  # (2 − 1) / 3
    assert [row["channel"] for row in response.context["by_channel"]] == [
        "Loja virtual"
    ]
    page = text(response)
    assert "Adorei" in page and "Ruim" not in page
    order_links = {r["order_url"] for r in response.context["rows"]}
    assert all(url.startswith("/admin/orders/") for url in order_links)
    everything = login(manager).get("/admin/orders/survey/").context
    assert everything["summary"]["answers"] == 4
    assert everything["summary"]["nps"] == 0  # (2 − 2) / 4


def test_nps_report_period_defaults_to_90_days(manager, sellable, loja, superuser):
    order = place(loja)
    deliver_and_answer(order, superuser, 10)
    SurveyResponse.objects.filter(order=order).update(
        answered_at=timezone.now() - datetime.timedelta(days=120)
    )
    client = login(manager)
    assert client.get("/admin/orders/survey/").context["summary"]["answers"] == 0
    since = (timezone.localdate() - datetime.timedelta(days=200)).isoformat()
    response = client.get("/admin/orders/survey/", {"since": since})
    assert response.context["summary"]["answers"] == 1


def test_nps_report_is_for_the_order_desk(editor, attendant):
    assert is_admin_denied(login(editor).get("/admin/orders/survey/"))
    assert login(attendant).get("/admin/orders/survey/").status_code == 200


def test_orders_of_anonymised_customers_stay_listed(manager, order):
    from plugins.orders.customers import anonymise_customer

    anonymise_customer(order.customer, user=None)
    assert order.number in text(login(manager).get("/admin/orders/"))
    assert Order.objects.count() == 1
