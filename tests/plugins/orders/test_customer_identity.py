"""Which customer an order joins: a storefront order (API key) joins an
existing customer only by a reference the storefront authenticated, unique per
channel; otherwise it gets a customer record of its own. Staff and
marketplace orders also join by CPF/CNPJ, never by e-mail alone."""

import pytest

from plugins.orders.customers import export_customer_data
from plugins.orders.models import Customer, CustomerReference, Order, SalesChannel
from tests.plugins.orders.conftest import CPF, CUSTOMER, order_request, place

URL = "/api/v1/orders/"


def storefront_order(client, key, **customer):
    data = order_request(customer={**CUSTOMER, **customer})
    del data["shipping_total"]
    response = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"])


@pytest.fixture
def maria(sellable, loja):
    """Maria, a customer with an order placed by the order desk."""
    return place(loja, shipping_total="0").customer


def test_a_strangers_order_with_marias_email_never_joins_her_record(maria, storefront):
    # given Maria's record with her order
    # when a stranger places an order with Maria's e-mail and CPF
    order = storefront_order(
        storefront, "estranho-1", name="Um Estranho", email=maria.email, document=CPF
    )
    # then the order has a customer of its own, with the order's data
    assert order.customer_id != maria.pk
    assert order.customer.name == "Um Estranho"
    assert order.customer_email == maria.email  # the order's own snapshot
    # and Maria's record and her LGPD export do not show it
    assert order not in maria.orders.all()
    exported = export_customer_data(maria, user=None)
    assert order.number not in [o["number"] for o in exported["orders"]]
    assert len(exported["orders"]) == 1
    # while the new customer's export has it (the LGPD still covers the order)
    own = export_customer_data(order.customer, user=None)
    assert [o["number"] for o in own["orders"]] == [order.number]


def test_a_verified_reference_reuses_the_customer(sellable, loja, storefront):
    # given two orders of the storefront's authenticated account "conta-1"
    first = storefront_order(storefront, "k-1", reference="conta-1")
    second = storefront_order(
        storefront, "k-2", reference="conta-1", name="Maria S.", email="outro@x.com"
    )
    # then they join one customer, which holds the reference on that channel
    assert first.customer_id == second.customer_id
    assert second.customer_name == "Maria S."  # the snapshot is the order's own
    reference = CustomerReference.objects.get()
    assert (reference.channel, reference.reference) == (loja, "conta-1")
    assert reference.customer_id == first.customer_id
    # and another reference is another customer, though the e-mail is the same
    third = storefront_order(storefront, "k-3", reference="conta-2")
    assert third.customer_id != first.customer_id


def test_a_reference_is_unique_per_channel(sellable, loja, storefront):
    # given an account "42" of the storefront, and a second storefront (an
    # app) whose account "42" is someone else
    loja_order = storefront_order(storefront, "k-1", reference="42")
    SalesChannel.objects.create(
        code="app", name="App", kind=SalesChannel.Kind.STOREFRONT
    )
    data = order_request(customer={**CUSTOMER, "reference": "42"}, channel="app")
    del data["shipping_total"]
    response = storefront.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    app_order = Order.objects.get(number=response.json()["number"])
    # then they are different customers
    assert app_order.customer_id != loja_order.customer_id
    assert CustomerReference.objects.count() == 2


def test_an_anonymised_customers_reference_gets_a_new_customer(
    sellable, loja, storefront
):
    from plugins.orders.customers import anonymise_customer

    first = storefront_order(storefront, "k-1", reference="conta-1")
    anonymise_customer(first.customer, user=None)
    second = storefront_order(storefront, "k-2", reference="conta-1")
    assert second.customer_id != first.customer_id
    assert second.customer.anonymised_at is None


def test_a_reference_is_at_most_80_characters(sellable, loja, storefront):
    data = order_request(customer={**CUSTOMER, "reference": "x" * 81})
    del data["shipping_total"]
    response = storefront.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 400
    assert "customer.reference" in response.json()["errors"]
    assert not Customer.objects.exists()


def test_staff_orders_join_by_document_never_by_email_alone(maria, loja):
    # given staff (or marketplace intake) placing orders
    by_document = place(
        loja,
        shipping_total="0",
        customer={"name": "Maria S.", "document": CPF},
    )
    by_email = place(
        loja,
        shipping_total="0",
        customer={"name": "Alguém", "email": maria.email},
    )
    # then the CPF/CNPJ joins Maria's record, the e-mail alone does not
    assert by_document.customer_id == maria.pk
    assert by_email.customer_id != maria.pk


def test_a_marketplace_buyer_id_is_a_reference(sellable, mercado_livre):
    first = place(
        mercado_livre,
        external_id="ML-1",
        customer={"name": "Comprador", "reference": "ml-buyer-9"},
    )
    second = place(
        mercado_livre,
        external_id="ML-2",
        customer={"name": "Comprador", "reference": "ml-buyer-9"},
    )
    assert first.customer_id == second.customer_id
    assert CustomerReference.objects.get().channel == mercado_livre


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_orders_of_a_reference_make_one_customer(sellable, loja):
    import threading

    from django.db import connection

    from api.services import create_api_key
    from plugins.orders.services import place_order

    key, _secret = create_api_key(
        name="Loja",
        scopes=["orders:write"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    results, errors = [], []
    barrier = threading.Barrier(6)

    def worker(i):
        try:
            barrier.wait()
            data = order_request(customer={**CUSTOMER, "reference": "conta-nova"})
            results.append(
                place_order(
                    channel=loja,
                    idempotency_key=f"k-{i}",
                    api_key=key,
                    **{**data, "shipping_total": None},
                ).order.customer_id
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 6 and len(set(results)) == 1
    assert Customer.objects.count() == 1
    assert CustomerReference.objects.get().customer_id == results[0]
