"""Replays racing each other through the API, on PostgreSQL: many requests
with the same idempotency key, or the same marketplace order in several
batches at once, make exactly one order."""

import threading

import pytest
from django.db import connection

from plugins.orders.models import Order
from tests.plugins.orders.conftest import order_request, staff_client

THREADS = 12

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(make_client, send) -> list:
    """``send(client)`` from THREADS threads released at the same moment; each
    thread has its own client and database connection."""
    clients = [make_client() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    responses, errors = [], []

    def worker(client):
        try:
            barrier.wait()
            responses.append(send(client))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return responses


def json_body(**overrides) -> dict:
    data = order_request(**overrides)
    del data["shipping_total"]  # a storefront states no amounts
    return data


def test_racing_replays_of_an_idempotency_key_make_one_order(
    sellable, loja, key_client
):
    responses = race(
        lambda: key_client("orders:write"),
        lambda client: client.post(
            "/api/v1/orders/",
            json_body(),
            format="json",
            HTTP_IDEMPOTENCY_KEY="corrida-1",
        ),
    )

    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Order.objects.count() == 1
    assert Order.objects.get().lines.count() == 2


def test_racing_batches_with_the_same_marketplace_orders_make_one_each(
    sellable, mercado_livre, superuser
):
    batch = {
        "orders": [
            {"channel": "mercado-livre", "external_id": f"ML-{i}", **json_body()}
            for i in range(3)
        ]
    }
    responses = race(
        lambda: staff_client(superuser),
        lambda client: client.post("/api/v1/orders/import/", batch, format="json"),
    )

    assert {r.status_code for r in responses} == {200}
    for i in range(3):
        results = [r.json()["results"][i] for r in responses]
        assert sorted(r["status"] for r in results) == ["created"] + ["replayed"] * (
            THREADS - 1
        )
        assert len({r["number"] for r in results}) == 1
    assert Order.objects.count() == 3
