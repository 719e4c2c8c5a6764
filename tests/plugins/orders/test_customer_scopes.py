"""Customers follow channel scopes: an attendant reaches a customer only
through orders of their channels, in the admin and in the API; anything else
answers 404. The LGPD actions are the privacy officer's and the manager's."""

import json

import pytest
from wagtail.models import ModelLogEntry

from plugins.orders.customers import ANONYMOUS_NAME
from plugins.orders.models import Customer, SalesChannel
from tests.factories import UserFactory
from tests.plugins.orders.admin_fixtures import is_admin_denied, login, text
from tests.plugins.orders.conftest import grant_channel, place, staff_client


@pytest.fixture
def loja_fisica(db):
    return SalesChannel.objects.create(
        code="loja-fisica", name="Loja física", kind=SalesChannel.Kind.PHYSICAL_STORE
    )


@pytest.fixture
def online_attendant(loja, mercado_livre, loja_fisica):
    """Works the storefront and Mercado Livre, not the physical store."""
    user = UserFactory(username="atendente-online", roles=["order_desk"])
    grant_channel(user, loja)
    grant_channel(user, mercado_livre)
    return user


@pytest.fixture
def maria(sellable, loja):
    """A customer of the storefront: in the attendant's scope."""
    return place(loja).customer


@pytest.fixture
def carlos(sellable, loja_fisica):
    """A customer of the physical store only: out of the attendant's scope."""
    return place(
        loja_fisica,
        customer={
            "name": "Carlos Balcão",
            "email": "carlos@example.com",
            "phone": "11 3333-4444",
            "document": "111.444.777-35",
        },
    ).customer


def admin_urls(pk):
    return {
        "inspect": f"/admin/customers/inspect/{pk}/",
        "edit": f"/admin/customers/edit/{pk}/",
        "history": f"/admin/customers/history/{pk}/",
        "export": f"/admin/customers/export-data/{pk}/",
        "anonymise": f"/admin/customers/anonymise/{pk}/",
    }


# -- admin -------------------------------------------------------------------------


def test_attendant_lists_only_customers_of_their_channels(
    online_attendant, maria, carlos
):
    client = login(online_attendant)
    page = text(client.get("/admin/customers/"))
    assert "Maria da Silva" in page
    assert "Carlos Balcão" not in page
    # The spreadsheet export of the listing too.
    export = client.get("/admin/customers/?export=csv")
    csv = b"".join(export.streaming_content).decode()
    assert "Maria da Silva" in csv and "Carlos" not in csv


@pytest.mark.parametrize("view", ["inspect", "edit", "history", "export", "anonymise"])
def test_customer_of_another_channel_is_404_for_the_attendant(
    online_attendant, maria, carlos, view
):
    client = login(online_attendant)
    url = admin_urls(carlos.pk)[view]
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Outro"}).status_code == 404
    carlos.refresh_from_db()
    assert carlos.name == "Carlos Balcão" and carlos.anonymised_at is None
    assert not ModelLogEntry.objects.filter(
        action="orders.customer.export", object_id=str(carlos.pk)
    ).exists()


def test_attendant_inspects_edits_and_reads_history_of_customers_in_scope(
    online_attendant, maria
):
    client = login(online_attendant)
    urls = admin_urls(maria.pk)
    assert client.get(urls["inspect"]).status_code == 200
    assert client.get(urls["edit"]).status_code == 200
    response = client.post(
        urls["edit"],
        {
            "name": "Maria da Silva Santos",
            "email": maria.email,
            "phone": maria.phone,
            "document": maria.document,
            "addresses-TOTAL_FORMS": 0,
            "addresses-INITIAL_FORMS": 0,
            "addresses-MIN_NUM_FORMS": 0,
            "addresses-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.name == "Maria da Silva Santos"
    assert "Maria da Silva Santos" in text(client.get(urls["history"]))


def test_view_only_attendant_sees_but_does_not_edit(loja, maria):
    viewer = UserFactory(username="so-ve", roles=["order_desk"])
    grant_channel(viewer, loja, "view_saleschannel")
    client = login(viewer)
    assert client.get(admin_urls(maria.pk)["inspect"]).status_code == 200
    assert is_admin_denied(client.get(admin_urls(maria.pk)["edit"]))


def test_order_desk_may_not_export_or_anonymise_even_in_scope(online_attendant, maria):
    client = login(online_attendant)
    urls = admin_urls(maria.pk)
    page = client.get(urls["edit"]).content.decode()
    assert urls["export"] not in page and urls["anonymise"] not in page
    assert is_admin_denied(client.post(urls["export"]))
    assert is_admin_denied(client.post(urls["anonymise"]))
    maria.refresh_from_db()
    assert maria.anonymised_at is None


@pytest.mark.parametrize("role", ["privacy_officer", "manager"])
def test_privacy_officer_and_manager_export_and_anonymise_any_customer(
    role, maria, carlos
):
    user = UserFactory(username=f"lgpd-{role}", roles=[role])
    client = login(user)
    urls = admin_urls(carlos.pk)
    assert "Carlos Balcão" in text(client.get("/admin/customers/"))
    assert client.get(urls["inspect"]).status_code == 200
    response = client.post(urls["export"])
    assert response.status_code == 200
    assert json.loads(response.content)["customer"]["name"] == "Carlos Balcão"
    # the confirmation goes back to the customer's page, which they may open
    # (they may not edit customers)
    confirmation = client.get(urls["anonymise"])
    assert f'href="{urls["inspect"]}"' in confirmation.content.decode()
    response = client.post(urls["anonymise"], follow=True)
    assert response.redirect_chain == [(urls["inspect"], 302)]
    assert response.status_code == 200
    carlos.refresh_from_db()
    assert carlos.name == ANONYMOUS_NAME


def test_customer_without_orders_is_seen_only_by_global_holders(
    online_attendant, privacy_officer, manager, maria
):
    lonely = Customer.objects.create(name="Sem Pedidos", email="sem@example.com")
    assert (
        login(online_attendant).get(admin_urls(lonely.pk)["inspect"]).status_code == 404
    )
    assert "Sem Pedidos" not in text(login(online_attendant).get("/admin/customers/"))
    for user in (privacy_officer, manager):
        assert login(user).get(admin_urls(lonely.pk)["inspect"]).status_code == 200


def test_new_order_is_not_prefilled_with_a_customer_out_of_scope(
    online_attendant, maria, carlos
):
    client = login(online_attendant)
    page = client.get("/admin/orders/new/", {"customer": carlos.pk}).content.decode()
    assert "carlos@example.com" not in page
    page = client.get("/admin/orders/new/", {"customer": maria.pk}).content.decode()
    assert "maria@example.com" in page


def test_customers_created_on_the_new_order_screen_work_for_their_channel(
    online_attendant, sellable, mercado_livre
):
    # given an order the attendant placed for a new customer
    order = place(
        mercado_livre,
        user=online_attendant,
        external_id="MLB-NOVA",
        customer={"name": "Nova Cliente", "email": "nova@example.com"},
    )
    # then the attendant reaches and edits the customer
    client = login(online_attendant)
    assert client.get(admin_urls(order.customer_id)["edit"]).status_code == 200
    detail = client.get(f"/admin/orders/{order.pk}/").content.decode()
    assert admin_urls(order.customer_id)["edit"] in detail


# -- API ---------------------------------------------------------------------------

API = "/api/v1/orders/staff/customers/"


def test_api_lists_only_customers_of_the_users_channels(
    online_attendant, maria, carlos
):
    response = staff_client(online_attendant).get(API)
    assert response.status_code == 200
    names = [c["name"] for c in response.json()["results"]]
    assert names == ["Maria da Silva"]


@pytest.mark.parametrize("size", ["0", "101", "null", "2.5", "-1"])
def test_api_customer_list_refuses_a_page_size_out_of_range(online_attendant, size):
    response = staff_client(online_attendant).get(f"{API}?page_size={size}")
    assert response.status_code == 400
    assert response.json()["errors"]["page_size"] == ["Um número inteiro de 1 a 100."]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("get", "history/"),
        ("post", "export/"),
        ("post", "anonymise/"),
    ],
)
def test_api_customer_of_another_channel_is_404(
    online_attendant, maria, carlos, method, suffix
):
    client = staff_client(online_attendant)
    response = getattr(client, method)(
        f"{API}{carlos.pk}/{suffix}", {"name": "Outro"}, format="json"
    )
    assert response.status_code == 404
    carlos.refresh_from_db()
    assert carlos.name == "Carlos Balcão" and carlos.anonymised_at is None


def test_api_attendant_reads_and_edits_customers_in_scope(online_attendant, maria):
    client = staff_client(online_attendant)
    assert client.get(f"{API}{maria.pk}/").json()["email"] == "maria@example.com"
    response = client.patch(
        f"{API}{maria.pk}/", {"phone": "11 98888-7777"}, format="json"
    )
    assert response.status_code == 200, response.content
    maria.refresh_from_db()
    assert maria.phone == "11 98888-7777"
    history = client.get(f"{API}{maria.pk}/history/").json()
    assert history[0]["action"] == "wagtail.edit"
    # but not the LGPD actions
    assert client.post(f"{API}{maria.pk}/export/").status_code == 403
    assert client.post(f"{API}{maria.pk}/anonymise/").status_code == 403


def test_api_privacy_officer_exports_and_anonymises(privacy_officer, maria, carlos):
    client = staff_client(privacy_officer)
    data = client.post(f"{API}{carlos.pk}/export/").json()
    assert data["customer"]["email"] == "carlos@example.com"
    response = client.post(f"{API}{carlos.pk}/anonymise/")
    assert response.status_code == 200
    assert response.json()["name"] == ANONYMOUS_NAME


def test_migration_takes_the_old_customer_permissions_from_the_order_desk(db):
    import importlib

    from django.apps import apps as django_apps
    from django.contrib.auth.models import Permission

    from plugins.roles import role_group

    migration = importlib.import_module(
        "plugins.orders.migrations.0002_customer_lgpd_permissions"
    )
    # given an order desk group as it was synced before
    group = role_group("order_desk")
    old = Permission.objects.filter(
        content_type__app_label="orders",
        codename__in=["view_customer", "add_customer", "change_customer"],
    )
    group.permissions.add(*old)
    # when the migration runs
    migration.drop_order_desk_customer_permissions(django_apps, None)
    # then the group reaches customers only through its channels again
    assert not group.permissions.filter(codename__endswith="_customer").exists()
    assert group.permissions.filter(codename="access_admin").exists()
