"""Staff merge two records of one person: orders, addresses and channel
references move to the customer kept, the other record disappears, and the
merge is in the audit log. Needs ``orders.merge_customer`` (managers)."""

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from plugins.orders.customers import anonymise_customer, export_customer_data
from plugins.orders.exceptions import CustomersNotMergeable
from plugins.orders.models import Address, Customer, CustomerReference
from plugins.orders.services.merging import merge_customers
from tests.factories import UserFactory
from tests.plugins.orders.admin_fixtures import login
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER, place


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente", roles=["manager"])


@pytest.fixture
def two_records(sellable, loja):
    """Maria's record (CPF, one order) and a record of her own storefront
    order (no CPF, a phone, an address and a storefront reference)."""
    maria = place(loja, shipping_total="0").customer
    guest_order = place(
        loja,
        shipping_total="0",
        customer={"name": "Maria", "email": CUSTOMER["email"], "reference": "c-7"},
    )
    guest = guest_order.customer
    Customer.objects.filter(pk=maria.pk).update(phone="")
    Customer.objects.filter(pk=guest.pk).update(phone="+55 11 90000-0000")
    Address.objects.create(customer=guest, is_default=True, **ADDRESS)
    maria.refresh_from_db()
    guest.refresh_from_db()
    return maria, guest, guest_order


def test_a_merge_moves_everything_and_is_audited(two_records, manager):
    maria, guest, guest_order = two_records
    # when a manager merges the guest record into Maria's
    merge_customers(maria, guest, user=manager)
    # then the guest record is gone and Maria has everything
    assert not Customer.objects.filter(pk=guest.pk).exists()
    assert maria.orders.count() == 2
    guest_order.refresh_from_db()
    assert guest_order.customer_id == maria.pk
    assert guest_order.customer_name == "Maria"  # the snapshot is untouched
    assert list(maria.addresses.values_list("cep", "is_default")) == [
        ("01310-100", False)
    ]
    assert CustomerReference.objects.get(reference="c-7").customer_id == maria.pk
    maria.refresh_from_db()
    assert maria.phone == "+55 11 90000-0000"  # filled where Maria had none
    assert maria.name == "Maria da Silva"  # her own data is kept
    exported = export_customer_data(maria, user=None)
    assert guest_order.number in [o["number"] for o in exported["orders"]]
    # and the audit log says who merged whom, and what moved
    entry = ModelLogEntry.objects.get(action="orders.customer.merge")
    assert entry.object_id == str(maria.pk)
    assert entry.user == manager
    assert entry.data["merged_customer"] == {"id": guest.pk, "name": "Maria"}
    assert (entry.data["orders"], entry.data["addresses"]) == (1, 1)
    assert entry.data["references"] == 1


def test_a_merge_needs_the_permission(two_records):
    maria, guest, _order = two_records
    attendant = UserFactory(username="atendente", roles=["order_desk"])
    with pytest.raises(PermissionDenied):
        merge_customers(maria, guest, user=attendant)
    assert Customer.objects.filter(pk=guest.pk).exists()
    assert maria.orders.count() == 1
    assert not ModelLogEntry.objects.filter(action="orders.customer.merge").exists()


def test_no_merge_into_itself_nor_of_anonymised_customers(two_records, manager):
    maria, guest, _order = two_records
    with pytest.raises(CustomersNotMergeable):
        merge_customers(maria, maria, user=manager)
    anonymise_customer(guest, user=None)
    with pytest.raises(CustomersNotMergeable):
        merge_customers(maria, guest, user=manager)
    assert Customer.objects.filter(pk=guest.pk).exists()
    assert maria.orders.count() == 1


def test_the_admin_screen_merges_with_a_confirmation(two_records, manager):
    maria, guest, _order = two_records
    url = f"/admin/customers/merge/{guest.pk}/"
    client = login(manager)
    # the customer's page links to the screen, which offers the same e-mail
    assert url in client.get(f"/admin/customers/inspect/{guest.pk}/").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["target"].queryset) == [maria]
    # without the confirmation, nothing happens
    response = client.post(url, {"target": maria.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    assert Customer.objects.filter(pk=guest.pk).exists()
    # confirmed, the records are merged and the user lands on the one kept
    response = client.post(url, {"target": maria.pk, "confirm": "on"})
    assert response.status_code == 302
    assert response.url == f"/admin/customers/inspect/{maria.pk}/"
    assert not Customer.objects.filter(pk=guest.pk).exists()
    assert maria.orders.count() == 2


def test_the_admin_screen_is_denied_without_the_permission(two_records):
    _maria, guest, _order = two_records
    attendant = UserFactory(username="atendente", roles=["order_desk"])
    client = login(attendant)
    assert client.get(f"/admin/customers/merge/{guest.pk}/").status_code in (
        302,
        403,
    )
    response = client.post(
        f"/admin/customers/merge/{guest.pk}/", {"target_code": 1, "confirm": "on"}
    )
    assert response.status_code in (302, 403)
    assert Customer.objects.filter(pk=guest.pk).exists()
