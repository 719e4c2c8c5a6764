"""On PostgreSQL every query binds its parameters on the server (Django's
``server_side_binding``), so each connection prepares the statements of the
order path once they ran a few times; the option turns it off for proxies
that pool per transaction. Logging queries (``DEBUG``, a test capturing
them) changes nothing: the same cursor runs them."""

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


def place_orders(storefront, count: int, prefix: str = "pedido") -> None:
    for i in range(count):
        response = post_order(storefront, key=f"{prefix}-{i}")
        assert response.status_code == 201, response.json()


def test_the_connection_binds_on_the_server():
    from django.db.backends.postgresql.base import ServerBindingCursor

    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, ServerBindingCursor)


def test_the_order_path_is_prepared_after_a_few_orders(sellable, loja, storefront):
    place_orders(storefront, 6)

    statements = prepared()
    for table in ("orders_order", "orders_orderline", "wagtailcore_modellogentry"):
        assert any(s.startswith(f'INSERT INTO "{table}"') for s in statements), table
    assert any('FROM "content_variant"' in s for s in statements)
    assert Order.objects.count() == 6


def test_logged_queries_run_the_same_path(sellable, loja, storefront):
    with CaptureQueriesContext(connection) as queries:
        place_orders(storefront, 6)

    assert any(q["sql"].startswith('INSERT INTO "orders_order"') for q in queries)
    # Prepared as when nothing is logged.
    assert any(s.startswith('INSERT INTO "orders_order"') for s in prepared())


@pytest.mark.django_db(transaction=True)
def test_turned_off_nothing_is_prepared(sellable, loja, storefront):
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    options.update(server_side_binding=False, prepare_threshold=None)
    connection.close()  # the options apply to new connections
    try:
        place_orders(storefront, 6)

        assert not any("orders_order" in s for s in prepared())
        assert Order.objects.count() == 6
    finally:
        options.clear()
        options.update(saved)
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(sellable, loja, storefront):
    place_orders(storefront, 6)
    connection.close()  # the server dropped it, or it grew too old

    place_orders(storefront, 6, prefix="depois")

    assert any(s.startswith('INSERT INTO "orders_order"') for s in prepared())
    assert Order.objects.count() == 12


def test_a_generic_plan_of_the_replay_lookup_uses_an_index(mercado_livre):
    """The replay lookup by (channel, external_id) runs for every order of
    marketplace intake, so it is prepared, and PostgreSQL may plan it
    generically, for any parameters: the partial unique index is then out of
    reach (its condition cannot be proven for a parameter), and the lookup
    must still find its order through an index, not by scanning the channel's
    orders."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table
        # On a table this small the channel's own index costs the same as
        # the replay index, and the planner's pick between them follows the
        # table's statistics of the moment; without it (dropped inside the
        # test's transaction, which rolls back) the plan shows whether an
        # index serves both columns.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'orders_order' "
            "AND indexdef LIKE '%%(channel_id)'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "PREPARE lookup(bigint, text, text) AS SELECT id FROM orders_order "
            "WHERE channel_id = $1 AND external_id = $2 AND NOT external_id = $3"
        )
        cursor.execute(f"EXPLAIN EXECUTE lookup({int(mercado_livre.pk)}, 'MLB-1', '')")
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE lookup")
    assert "Index" in plan and "orders_order_replay_idx" in plan, plan
    # both columns are the index's condition, not a filter over its rows
    assert "Index Cond: ((channel_id = $1) AND ((external_id)::text = $2))" in plan
