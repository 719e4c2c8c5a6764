"""Fixtures of the shipping desk's tests: orders invoiced and ready to ship
with the table carrier, and helpers to ship them."""

from __future__ import annotations

import pytest

from plugins.logistics.services.shipments import create_shipment
from plugins.orders.services import lifecycle
from tests.plugins.logistics.conftest import make_ready
from tests.plugins.orders.conftest import place


def make_invoiced(order):
    for name in ("pay", "invoice"):
        lifecycle.transition_order(order, name, user=None)
    order.refresh_from_db()
    return order


@pytest.fixture
def invoiced_order(loja, sellable, origin):
    return make_invoiced(place(loja))


@pytest.fixture
def ready_orders(loja, sellable, origin):
    """Three orders ready to ship."""
    return [make_ready(place(loja)) for _ in range(3)]


def ship(order, carrier, user, **kwargs):
    return create_shipment(order, carrier=carrier, user=user, **kwargs)
