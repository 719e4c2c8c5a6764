"""Tracking events applied once, in any order, moving shipments and orders."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from plugins.logistics.models import ShipmentStatus, TrackingEvent
from plugins.logistics.services.tracking import record_events
from plugins.orders.models import OrderStatus
from plugins.orders.services import lifecycle

from .conftest import event, make_shipment

pytestmark = pytest.mark.django_db

S = ShipmentStatus


@pytest.fixture
def shipped(ready_order):
    lifecycle.transition_order(ready_order, "ship", user=None)
    return ready_order


def test_the_same_event_twice_is_recorded_once(shipped, table_carrier):
    shipment = make_shipment(shipped, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)
    moved = event(code, "in_transit", timezone.now() - timedelta(hours=1))

    first = record_events(table_carrier, [moved, moved], source="push")
    again = record_events(table_carrier, [moved], source="push")

    assert (first.new, first.repeated) == (1, 1)
    assert (again.new, again.repeated) == (0, 1)
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 1
    shipment.refresh_from_db()
    assert shipment.status == S.IN_TRANSIT
    # one audit entry for the one move
    assert (
        ModelLogEntry.objects.filter(
            action="logistics.tracking", object_id=str(shipment.pk)
        ).count()
        == 1
    )


def test_delivered_before_in_transit_stays_delivered(shipped, table_carrier):
    shipment = make_shipment(shipped, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)
    now = timezone.now()

    record_events(table_carrier, [event(code, "delivered", now - timedelta(hours=1))])
    late = record_events(
        table_carrier,
        [
            event(code, "in_transit", now - timedelta(hours=20)),
            event(code, "out_for_delivery", now - timedelta(hours=3)),
        ],
    )

    shipment.refresh_from_db()
    assert late.new == 2
    assert shipment.status == S.DELIVERED
    assert shipment.delivered_at == now - timedelta(hours=1)
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.DELIVERED
    # the timeline keeps every event, by when it happened
    assert list(shipment.tracking_events.values_list("status", flat=True)) == [
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]


def test_the_latest_event_wins_whatever_the_arrival_order(shipped, table_carrier):
    shipment = make_shipment(shipped, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)
    now = timezone.now()

    record_events(table_carrier, [event(code, "out_for_delivery", now)])
    record_events(table_carrier, [event(code, "posted", now - timedelta(days=1))])

    shipment.refresh_from_db()
    assert shipment.status == S.OUT_FOR_DELIVERY
    assert shipment.last_event_at == now


def test_delivered_moves_the_order_to_delivered_and_issues_the_survey(
    shipped, table_carrier
):
    shipment = make_shipment(shipped, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)

    result = record_events(table_carrier, [event(code, "delivered", timezone.now())])

    shipped.refresh_from_db()
    assert result.delivered_orders == [shipped.number]
    assert shipped.status == OrderStatus.DELIVERED
    assert shipped.survey.answered_at is None  # the NPS survey, issued


def test_a_ready_order_is_shipped_then_delivered(ready_order, table_carrier):
    shipment = make_shipment(ready_order, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)

    record_events(table_carrier, [event(code, "delivered", timezone.now())])

    ready_order.refresh_from_db()
    assert ready_order.status == OrderStatus.DELIVERED
    steps = list(
        ready_order.events.filter(kind="transition").values_list("to_status", flat=True)
    )
    assert steps[-2:] == ["shipped", "delivered"]


def test_the_order_waits_for_every_package(shipped, table_carrier):
    shipment = make_shipment(shipped, table_carrier, volumes=2)
    first, second = shipment.packages.values_list("tracking_code", flat=True)
    now = timezone.now()

    record_events(
        table_carrier,
        [
            event(first, "delivered", now - timedelta(hours=2)),
            event(second, "out_for_delivery", now - timedelta(hours=3)),
        ],
    )
    shipment.refresh_from_db()
    shipped.refresh_from_db()
    assert shipment.status == S.OUT_FOR_DELIVERY
    assert shipped.status == OrderStatus.SHIPPED

    record_events(table_carrier, [event(second, "delivered", now)])
    shipment.refresh_from_db()
    shipped.refresh_from_db()
    assert shipment.status == S.DELIVERED
    assert shipped.status == OrderStatus.DELIVERED


def test_delivery_failed_and_returned_leave_the_order(shipped, table_carrier):
    failed = make_shipment(shipped, table_carrier)
    (code,) = failed.packages.values_list("tracking_code", flat=True)
    now = timezone.now()

    record_events(table_carrier, [event(code, "delivery_failed", now)])
    failed.refresh_from_db()
    assert failed.status == S.DELIVERY_FAILED

    record_events(table_carrier, [event(code, "returned", now + timedelta(days=3))])
    record_events(table_carrier, [event(code, "delivered", now + timedelta(days=1))])
    failed.refresh_from_db()
    shipped.refresh_from_db()
    assert failed.status == S.RETURNED
    assert shipped.status == OrderStatus.SHIPPED


def test_unknown_codes_and_other_carriers_parcels_are_not_recorded(
    shipped, table_carrier, other_carrier
):
    shipment = make_shipment(shipped, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)

    result = record_events(
        other_carrier,
        [
            event(code, "delivered", timezone.now()),
            event("XX", "posted", timezone.now()),
        ],
    )

    assert result.new == 0
    assert result.unmatched == sorted([code, "XX"])
    shipment.refresh_from_db()
    assert shipment.status == S.HANDED_OVER


def test_a_cancelled_order_is_left_alone_and_the_event_kept(shipped, table_carrier):
    shipment = make_shipment(shipped, table_carrier)
    (code,) = shipment.packages.values_list("tracking_code", flat=True)
    # the order desk returned it meanwhile: delivered → returned
    lifecycle.transition_order(shipped, "deliver", user=None)
    lifecycle.transition_order(shipped, "return", user=None, reason="Arrependimento")

    result = record_events(table_carrier, [event(code, "delivered", timezone.now())])

    assert result.new == 1
    assert result.delivered_orders == []
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.RETURNED
