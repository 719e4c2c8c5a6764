"""Over real HTTP end to end: Correios' simulator pushes its signed events
to the running app, repeated and in reverse order, and the order ends
delivered once; two pushes of the same event at once apply it once."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from plugins.logistics.carriers import adapter_for
from plugins.logistics.models import ShipmentStatus, TrackingEvent
from plugins.logistics.services.tracking import record_events
from plugins.orders.models import OrderEvent, OrderStatus
from plugins.orders.services import lifecycle
from tests.plugins.logistics.carriers.test_correios import shipment_request

from .conftest import event, make_shipment

pytestmark = pytest.mark.django_db(transaction=True)


def test_pushed_events_repeated_and_reordered_deliver_the_order_once(
    live_server, ready_order, correios, correios_sim
):
    lifecycle.transition_order(ready_order, "ship", user=None)
    result = adapter_for(correios).create_shipment(shipment_request())
    shipment = make_shipment(ready_order, correios, codes=list(result.tracking_codes))
    correios_sim.webhook_url = (
        f"{live_server.url}/api/v1/logistics/webhooks/{correios.webhook_token}/"
    )
    correios_sim.webhooks.duplicates = 1
    correios_sim.webhooks.reverse = True

    correios_sim.journey(result.tracking_codes[0])
    deliveries = correios_sim.deliver_until_done()

    assert {d.status for d in deliveries} == {200}
    assert len(deliveries) == 8  # four events, each twice
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 4
    ready_order.refresh_from_db()
    assert ready_order.status == OrderStatus.DELIVERED
    assert (
        OrderEvent.objects.filter(order=ready_order, to_status="delivered").count() == 1
    )


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def _same_event_twice(ready_order, table_carrier):
    lifecycle.transition_order(ready_order, "ship", user=None)
    shipment = make_shipment(ready_order, table_carrier, volumes=2)
    codes = list(shipment.packages.values_list("tracking_code", flat=True))
    now = timezone.now()
    events = [
        event(codes[0], "delivered", now - timedelta(minutes=5)),
        event(codes[1], "delivered", now),
    ]

    results, errors = _at_once(
        [lambda: record_events(table_carrier, events, source="push")] * 4
    )

    assert errors == []
    assert sum(r.new for r in results) == 2
    assert sum(r.repeated for r in results) == 6
    assert sum(len(r.delivered_orders) for r in results) == 1
    ready_order.refresh_from_db()
    assert ready_order.status == OrderStatus.DELIVERED
    assert (
        OrderEvent.objects.filter(order=ready_order, to_status="delivered").count() == 1
    )


def test_the_same_push_at_once_is_applied_once(ready_order, table_carrier):
    _same_event_twice(ready_order, table_carrier)


@pytest.mark.postgres
def test_the_same_push_at_once_is_applied_once_on_postgresql(
    ready_order, table_carrier
):
    assert connection.vendor == "postgresql"
    _same_event_twice(ready_order, table_carrier)
