"""The customer's status page shows the tracking timeline and nothing
staff-only; the order desk's order shows the carrier's references too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from plugins.logistics.services.tracking import record_events
from plugins.orders.services import lifecycle
from tests.plugins.orders.conftest import (  # noqa: F401
    key_client,
    staff_client,
    storefront,
)

from .conftest import event, make_correios, make_shipment

pytestmark = pytest.mark.django_db

STAFF_ONLY = {"carrier_reference", "carrier_status", "description", "source", "id"}


@pytest.fixture
def tracked(ready_order):
    lifecycle.transition_order(ready_order, "ship", user=None)
    carrier = make_correios("")
    shipment = make_shipment(ready_order, carrier, codes=["SS100000014BR"])
    now = timezone.now()
    record_events(
        carrier,
        [
            event("SS100000014BR", "posted", now - timedelta(days=2)),
            event(
                "SS100000014BR",
                "out_for_delivery",
                now - timedelta(hours=3),
                place="Rio de Janeiro / RJ",
            ),
            event("SS100000014BR", "in_transit", now - timedelta(days=1)),
        ],
    )
    return ready_order, shipment


def keys(value) -> set:
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            found |= keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= keys(item)
    return found


def test_the_status_page_shows_the_timeline(storefront, tracked):  # noqa: F811
    order, _shipment = tracked

    response = storefront.get(f"/api/v1/orders/status/{order.customer_token}/")

    assert response.status_code == 200
    (shipment,) = response.json()["tracking"]
    assert shipment["carrier"] == "Correios"
    assert shipment["status"] == "out_for_delivery"
    assert shipment["tracking_codes"] == ["SS100000014BR"]
    assert shipment["tracking_url"].endswith("objeto=SS100000014BR")
    assert [step["status"] for step in shipment["timeline"]] == [
        "posted",
        "in_transit",
        "out_for_delivery",
    ]
    assert shipment["timeline"][-1]["place"] == "Rio de Janeiro / RJ"
    assert shipment["timeline"][-1]["status_label"] == "Saiu para entrega"
    assert not keys(response.json()["tracking"]) & STAFF_ONLY


def test_an_order_without_shipments_has_an_empty_tracking(
    storefront,  # noqa: F811
    ready_order,
):
    response = storefront.get(f"/api/v1/orders/status/{ready_order.customer_token}/")
    assert response.json()["tracking"] == []


def test_the_order_desk_sees_the_carriers_references(tracked):
    from tests.factories import UserFactory

    order, shipment = tracked
    manager = UserFactory(username="gerente", roles=["manager"])

    response = staff_client(manager).get(f"/api/v1/orders/staff/{order.number}/")

    assert response.status_code == 200, response.content
    (payload,) = response.json()["tracking"]
    assert payload["carrier_reference"] == shipment.carrier_reference
    assert payload["timeline"][0]["source"] == "pull"
    # lists stay lean
    listing = staff_client(manager).get("/api/v1/orders/staff/")
    assert all("tracking" not in row for row in listing.json()["results"])
