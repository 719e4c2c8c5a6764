"""The carriers' webhook endpoint: signed pushes applied once, in any
order; a wrong signature applies nothing; an unknown address is 404."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from plugins.logistics.carriers.push import sign
from plugins.logistics.models import ShipmentStatus, TrackingEvent, TrackingInbound
from plugins.orders.models import OrderStatus
from plugins.orders.services import lifecycle

from .conftest import WEBHOOK_SECRET, event, make_shipment, post_push, push_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushing_carrier(table_carrier):
    table_carrier.webhook_secret = WEBHOOK_SECRET
    table_carrier.save()
    return table_carrier


@pytest.fixture
def parcel(ready_order, pushing_carrier):
    lifecycle.transition_order(ready_order, "ship", user=None)
    shipment = make_shipment(ready_order, pushing_carrier)
    return shipment, shipment.packages.get().tracking_code


def test_a_signed_push_is_applied_once(client, pushing_carrier, parcel):
    shipment, code = parcel
    now = timezone.now()
    body = push_body(
        event(code, "delivered", now),
        event(code, "in_transit", now - timedelta(days=1)),
    )

    first = post_push(client, pushing_carrier, body)
    again = post_push(client, pushing_carrier, body)

    assert first.status_code == 200, first.content
    assert first.json() == {"received": 2, "new": 2, "repeated": 0, "unmatched": 0}
    assert again.status_code == 200
    assert again.json()["repeated"] == 2
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.order.status == OrderStatus.DELIVERED
    inbound = TrackingInbound.objects.filter(carrier=pushing_carrier)
    assert [i.applied for i in inbound.order_by("pk")] == [2, 0]
    assert all(i.signature_valid and i.body == body.decode() for i in inbound)


def test_a_wrong_signature_is_401_and_applies_nothing(client, pushing_carrier, parcel):
    shipment, code = parcel
    body = push_body(event(code, "delivered", timezone.now()))

    wrong = post_push(client, pushing_carrier, body, secret="outro-segredo")
    unsigned = client.post(
        f"/api/v1/logistics/webhooks/{pushing_carrier.webhook_token}/",
        data=body,
        content_type="application/json",
    )
    stamp = str(int(time.time()) - 3600)
    stale = client.post(
        f"/api/v1/logistics/webhooks/{pushing_carrier.webhook_token}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Retaguarda-Timestamp": stamp,
            "X-Retaguarda-Signature": sign(WEBHOOK_SECRET, stamp, body),
        },
    )

    assert [r.status_code for r in (wrong, unsigned, stale)] == [401, 401, 401]
    assert wrong["Content-Type"] == "application/problem+json"
    assert TrackingEvent.objects.count() == 0
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.HANDED_OVER
    assert not TrackingInbound.objects.filter(signature_valid=True).exists()
    assert TrackingInbound.objects.filter(signature_valid=False).count() == 3


def test_a_carrier_without_a_secret_accepts_no_push(client, table_carrier, parcel):
    table_carrier.webhook_secret = ""
    table_carrier.save()
    _shipment, code = parcel
    body = push_body(event(code, "delivered", timezone.now()))

    response = post_push(client, table_carrier, body, secret="")

    assert response.status_code == 401
    assert TrackingEvent.objects.count() == 0


def test_an_unreadable_push_is_400(client, pushing_carrier, parcel):
    _shipment, code = parcel
    for body in (
        b"{not json",
        b'{"events": []}',
        json.dumps([{"id": "1", "tracking_code": code, "status": "lost"}]).encode(),
        json.dumps(
            [
                {
                    "id": "1",
                    "tracking_code": code,
                    "status": "delivered",
                    "occurred_at": "2026-05-04T10:00:00",  # no offset
                }
            ]
        ).encode(),
    ):
        response = post_push(client, pushing_carrier, body)
        assert response.status_code == 400, body
    assert TrackingEvent.objects.count() == 0


def test_an_unknown_address_is_404(client, pushing_carrier, parcel):
    _shipment, code = parcel
    body = push_body(event(code, "delivered", timezone.now()))
    pushing_carrier.webhook_token = "desconhecido"

    assert post_push(client, pushing_carrier, body).status_code == 404


def test_an_inactive_carrier_is_404(client, pushing_carrier, parcel):
    _shipment, code = parcel
    pushing_carrier.active = False
    pushing_carrier.save()

    body = push_body(event(code, "delivered", timezone.now()))
    assert post_push(client, pushing_carrier, body).status_code == 404
