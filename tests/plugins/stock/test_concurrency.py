"""Concurrent orders never oversell: exactly the available units are sold, the
rest is refused, the ledger adds up and nobody deadlocks — on SQLite (writers
take turns) and on PostgreSQL (row locks, many connections)."""

import random
import threading
from collections import Counter

import pytest
from django.db import close_old_connections, connection
from django.db.models import F, Sum

from plugins.orders.models import Order
from plugins.stock.exceptions import InsufficientStock
from plugins.stock.models import Reservation, StockLevel
from tests.plugins.stock.conftest import assert_ledger_ok, level, order_request, stock


def place_concurrently(requests, channel_pk):
    """Place one order per request, each in its own thread and connection,
    all released at once. Returns the outcomes ("ok", "refused" or an error)."""
    from plugins.orders.models import SalesChannel
    from plugins.orders.services import place_order

    barrier = threading.Barrier(len(requests))
    outcomes = []
    lock = threading.Lock()

    def worker(request):
        try:
            channel = SalesChannel.objects.get(pk=channel_pk)
            barrier.wait(timeout=60)
            try:
                place_order(channel=channel, **request)
                outcome = "ok"
            except InsufficientStock:
                outcome = "refused"
            except Exception as error:  # a deadlock or lock timeout fails the test
                outcome = f"{type(error).__name__}: {error}"
            with lock:
                outcomes.append(outcome)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def assert_never_oversold():
    assert not StockLevel.objects.filter(reserved__gt=F("on_hand")).exists()
    for row in StockLevel.objects.all():
        active = (
            Reservation.objects.filter(level=row, status="active").aggregate(
                total=Sum("quantity")
            )["total"]
            or 0
        )
        assert row.reserved == active


def hot_sku_scenario(loja, sp, *, threads, units):
    stock("CAM-P", sp, units)
    requests = [
        order_request(lines=[{"sku": "CAM-P", "quantity": 1}]) for _ in range(threads)
    ]
    outcomes = place_concurrently(requests, loja.pk)
    assert len(outcomes) == threads, "a worker died"
    assert Counter(outcomes) == {"ok": units, "refused": threads - units}, outcomes
    level = StockLevel.objects.get(variant__sku="CAM-P", warehouse=sp)
    assert (level.on_hand, level.reserved) == (units, units)
    assert Order.objects.count() == units
    assert_never_oversold()
    assert_ledger_ok()


def mixed_scenario(loja, sp, rj, *, threads):
    units = {"CAM-P": (6, 4), "CAM-M": (3, 5), "CAN-1": (5, 2)}
    for sku, (in_sp, in_rj) in units.items():
        stock(sku, sp, in_sp)
        stock(sku, rj, in_rj)
    rng = random.Random(7)
    requests = []
    for _ in range(threads):
        skus = rng.sample(list(units), k=rng.choice((1, 2, 3)))
        requests.append(
            order_request(
                lines=[{"sku": sku, "quantity": rng.choice((1, 2))} for sku in skus]
            )
        )
    outcomes = place_concurrently(requests, loja.pk)
    assert len(outcomes) == threads, "a worker died"
    assert set(outcomes) <= {"ok", "refused"}, outcomes
    assert outcomes.count("ok") == Order.objects.count() > 0
    assert "refused" in outcomes  # more was asked than there is
    assert_never_oversold()
    assert_ledger_ok()
    for sku, (in_sp, in_rj) in units.items():
        ordered = (
            Order.objects.filter(lines__sku=sku).aggregate(q=Sum("lines__quantity"))[
                "q"
            ]
            or 0
        )
        reserved = StockLevel.objects.filter(variant__sku=sku).aggregate(
            r=Sum("reserved")
        )["r"]
        assert reserved == ordered <= in_sp + in_rj


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_for_a_hot_sku_on_sqlite(sellable, loja, sp):
    hot_sku_scenario(loja, sp, threads=16, units=5)


@pytest.mark.django_db(transaction=True)
def test_concurrent_mixed_orders_across_warehouses_on_sqlite(sellable, loja, sp, rj):
    mixed_scenario(loja, sp, rj, threads=16)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_for_a_hot_sku_on_postgresql(sellable, loja, sp):
    assert connection.vendor == "postgresql"
    hot_sku_scenario(loja, sp, threads=40, units=15)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_mixed_orders_across_warehouses_on_postgresql(
    sellable, loja, sp, rj
):
    assert connection.vendor == "postgresql"
    mixed_scenario(loja, sp, rj, threads=40)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_locking_levels_does_not_wait_for_an_order_writing_its_reservations(
    sellable, sp
):
    """Inserting a reservation takes a key-share lock on its level until the
    order commits; the locked reservation pass must not wait for it (it
    did, and two orders waiting on each other's levels deadlocked)."""
    from django.db import connections, transaction

    from plugins.stock.services import ledger
    from plugins.stock.services.reservations import _candidates

    assert connection.vendor == "postgresql"
    stock("CAM-P", sp, 3)
    held = level("CAM-P", sp)
    holding, release = threading.Event(), threading.Event()

    def other_order():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:  # what the FK check takes
                    cursor.execute(
                        "SELECT 1 FROM stock_stocklevel WHERE id = %s FOR KEY SHARE",
                        [held.pk],
                    )
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_order)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic():
            with connections["default"].cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert [c.pk for c in _candidates({held.variant_id}, lock=True)] == [
                held.pk
            ]
            assert list(ledger.lock_levels([held.pk])) == [held.pk]
    finally:
        release.set()
        thread.join(timeout=30)
