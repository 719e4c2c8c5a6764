"""Pulling tracking from the carriers' APIs (``logistics_track``), with
backoff on retryable errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plugins.logistics.carriers import adapter_for
from plugins.logistics.models import ShipmentStatus
from plugins.logistics.services.tracking import pull_tracking
from plugins.orders.models import OrderStatus
from plugins.orders.services import lifecycle
from tests.plugins.logistics.carriers.test_correios import shipment_request

from .conftest import make_shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_the_way(ready_order, correios, correios_sim):
    """A shipment pre-posted at the simulator and handed over."""
    lifecycle.transition_order(ready_order, "ship", user=None)
    result = adapter_for(correios).create_shipment(shipment_request())
    shipment = make_shipment(ready_order, correios, codes=list(result.tracking_codes))
    return shipment, result.tracking_codes[0]


def test_the_command_pulls_events_and_delivers_the_order(on_the_way, correios_sim):
    shipment, code = on_the_way
    correios_sim.journey(code, ("post", "transit", "out", "deliver"))
    out = StringIO()

    call_command("logistics_track", stdout=out)

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.order.status == OrderStatus.DELIVERED
    assert shipment.tracking_events.count() == 4
    assert "correios: 1 shipment(s) on the way, 4 new event(s)" in out.getvalue()
    # delivered: no longer asked for
    call_command("logistics_track", stdout=out)
    assert "correios: 0 shipment(s)" in out.getvalue()


def test_a_passing_failure_is_retried_after_a_pause(on_the_way, correios_sim):
    shipment, code = on_the_way
    correios_sim.journey(code, ("post", "transit"))
    pauses = []
    correios_sim.faults.fail(status=503, times=2, retry_after=5)

    result = pull_tracking(sleep=pauses.append, pause=1)

    assert result.errors == {}
    assert result.new == {"correios": 2}
    # the token request is not an API route: the two failures hit rastro
    assert pauses == [5, 5]


def test_a_lasting_failure_leaves_the_carrier_for_the_next_run(
    on_the_way, correios_sim
):
    shipment, code = on_the_way
    correios_sim.journey(code, ("post",))
    correios_sim.faults.fail(status=500, times=3)

    result = pull_tracking(sleep=lambda seconds: None)

    assert "correios" in result.errors
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.HANDED_OVER
    # the command says so (here a refusal: not retried)
    correios_sim.faults.fail(status=400)
    with pytest.raises(CommandError):
        call_command("logistics_track", "--batch", "10", stdout=StringIO())


def test_wrong_credentials_are_not_retried(on_the_way, correios_sim):
    shipment, _code = on_the_way
    shipment.carrier.access_token = "errado"
    shipment.carrier.save()
    pauses = []

    result = pull_tracking(sleep=pauses.append)

    assert pauses == []
    assert "correios" in result.errors


def test_a_table_carrier_is_not_pulled(ready_order, table_carrier):
    lifecycle.transition_order(ready_order, "ship", user=None)
    make_shipment(ready_order, table_carrier)

    result = pull_tracking()

    assert "rapidao" not in result.shipments
