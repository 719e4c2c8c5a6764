"""The late parcels' listings, the dashboard panel and the returns listing
read in a number of queries that does not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plugins.logistics.dashboard import late_counts
from plugins.logistics.models import ReturnRequest
from tests.plugins.logistics.admin.sla import S, order_with_option, shipment

pytestmark = pytest.mark.django_db


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def add_late(loja, carrier, n):
    for _ in range(n):
        order_with_option(loja, carrier, deadline=-2)
        on_way = order_with_option(loja, carrier, deadline=-5)
        shipment(on_way, carrier, S.IN_TRANSIT, promised=-1)
        ReturnRequest.objects.create(
            order=on_way, carrier=carrier, reason="defect", requested_via="staff"
        )


@pytest.mark.parametrize(
    "url",
    [
        "logistics_late_shipments",
        "logistics_late_deliveries",
        "logistics_returns:index",
    ],
)
def test_listings_read_in_constant_queries(
    client, shipping_clerk, loja, sellable, table_carrier, url
):
    client.force_login(shipping_clerk)
    add_late(loja, table_carrier, 1)
    client.get(reverse(url))  # warm the caches of the first request
    few = queries(lambda: client.get(reverse(url)))
    add_late(loja, table_carrier, 4)
    many = queries(lambda: client.get(reverse(url)))
    assert many == few


def test_dashboard_counts_in_constant_queries(
    shipping_clerk, loja, sellable, table_carrier, other_carrier
):
    add_late(loja, table_carrier, 1)
    late_counts(shipping_clerk)
    few = queries(lambda: late_counts(shipping_clerk))
    add_late(loja, table_carrier, 3)
    add_late(loja, other_carrier, 3)
    assert queries(lambda: late_counts(shipping_clerk)) == few <= 6
