"""PostgreSQL prepares the statements written out on the order path once per
connection (``plugins.sql.hot_cursor``); Django's own queries stay unprepared,
and the option turns it off for proxies that pool per transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.orders.models import Order
from tests.plugins.orders.test_api import post_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def place_orders(storefront, count: int) -> None:
    for i in range(count):
        response = post_order(storefront, key=f"pedido-{i}")
        assert response.status_code == 201, response.json()


def test_the_order_path_is_prepared_after_a_few_orders(sellable, loja, storefront):
    place_orders(storefront, 6)

    statements = prepared()
    for table in ("orders_order", "orders_orderline", "wagtailcore_modellogentry"):
        assert any(s.startswith(f'INSERT INTO "{table}"') for s in statements), table
    assert any('FROM "content_variant" v' in s for s in statements)
    # Django's own queries bind on the client and are never prepared.
    assert not any('FROM "api_apikey"' in s for s in statements)
    assert Order.objects.count() == 6


def test_logged_queries_show_their_values(sellable, loja, storefront):
    place_orders(storefront, 6)

    with CaptureQueriesContext(connection) as queries:
        response = post_order(storefront, key="pedido-seguinte")
    assert response.status_code == 201
    number = response.json()["number"]
    assert any(
        q["sql"].startswith('INSERT INTO "orders_order"') and f"'{number}'" in q["sql"]
        for q in queries
    )


def test_turned_off_nothing_is_prepared(sellable, loja, storefront, monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "prepare_threshold", None)

    place_orders(storefront, 6)

    assert not any("orders_order" in s for s in prepared())
    assert Order.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_gets_its_own_cursor(sellable, loja, storefront):
    place_orders(storefront, 6)
    connection.close()  # the server dropped it, or it grew too old

    response = post_order(storefront, key="pedido-depois")

    assert response.status_code == 201, response.json()
    assert Order.objects.count() == 7
