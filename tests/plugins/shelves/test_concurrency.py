"""Concurrent writers through a service never break an invariant."""

import threading

import pytest
from django.db import close_old_connections, connection

from tests.conftest import grant
from tests.factories import ShelfFactory, UserFactory
from tests.shelves_plugin.exceptions import OverCapacity
from tests.shelves_plugin.models import Shelf
from tests.shelves_plugin.services import restock_shelf


def restock_concurrently(shelf_pk, user_pk, threads, units):
    from django.contrib.auth import get_user_model

    barrier = threading.Barrier(threads)
    outcomes = []
    lock = threading.Lock()

    def worker():
        try:
            user = get_user_model().objects.get(pk=user_pk)
            shelf = Shelf.objects.get(pk=shelf_pk)
            barrier.wait(timeout=30)
            try:
                restock_shelf(shelf, units=units, user=user)
                outcome = "ok"
            except OverCapacity:
                outcome = "refused"
            with lock:
                outcomes.append(outcome)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    return outcomes


def run_scenario(threads, capacity):
    shelf = ShelfFactory(code="conc", capacity=capacity, units=0)
    user = UserFactory(username="conc-user")
    grant(user, "restock_shelf", shelf)
    outcomes = restock_concurrently(shelf.pk, user.pk, threads, units=1)
    shelf.refresh_from_db()
    assert len(outcomes) == threads  # no worker died (no deadlock, no lock error)
    assert outcomes.count("ok") == capacity
    assert outcomes.count("refused") == threads - capacity
    assert shelf.units == capacity  # never over capacity


@pytest.mark.django_db(transaction=True)
def test_concurrent_restocks_never_exceed_capacity():
    run_scenario(threads=8, capacity=5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_restocks_on_postgresql_across_many_connections():
    assert connection.vendor == "postgresql"
    run_scenario(threads=24, capacity=10)
