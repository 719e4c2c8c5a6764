"""The aggregator's adapter (Melhor Envio's shape) against its simulator,
over real loopback HTTP: quote, cart → checkout → generate → print,
tracking, cancel, reverse, its signed webhook, and its failures."""

import json
from decimal import Decimal

import pytest

from plugins.logistics import s10
from plugins.logistics.carriers import adapter_for
from plugins.logistics.carriers.aggregator import AggregatorCarrier, signature
from plugins.logistics.carriers.base import QuoteRequest, ReverseRequest, Timeout
from plugins.logistics.carriers.errors import (
    CarrierAuthenticationFailed,
    CarrierRejected,
    CarrierTimeout,
    CarrierUnavailable,
    InvalidWebhook,
    WebhookSignatureInvalid,
)
from plugins.logistics.models import TrackingStatus
from tests.plugins.logistics.tracking.conftest import WEBHOOK_SECRET

from .test_correios import BOX, RECIPIENT, SENDER, shipment_request

pytestmark = pytest.mark.django_db


def me_request(reference="42", volumes=(BOX,)):
    request = shipment_request(reference, volumes)
    return type(request)(**{**request.__dict__, "service_code": "2"})


def test_quotes_the_services_of_the_carrier(aggregator):
    options = adapter_for(aggregator).quote(
        QuoteRequest("01310100", "22021001", (BOX,), Decimal("100.00"))
    )

    assert {(o.service_code, o.service_name) for o in options} == {
        ("1", "PAC"),
        ("2", "SEDEX"),
    }
    sedex = next(o for o in options if o.service_code == "2")
    assert sedex.price == Decimal("21.90") + Decimal("1.00")
    assert sedex.days == 2


def test_a_shipment_is_bought_with_valid_s10_codes_and_a_label(
    aggregator, aggregator_sim
):
    adapter = adapter_for(aggregator)

    result = adapter.create_shipment(me_request(volumes=(BOX, BOX)))

    assert len(result.tracking_codes) == 2
    assert all(s10.is_valid(code) for code in result.tracking_codes)
    assert {o["status"] for o in aggregator_sim.orders.values()} == {"generated"}
    pdf = adapter.label(result)
    assert pdf.startswith(b"%PDF")


def test_a_retry_finds_the_order_left_in_the_cart(aggregator, aggregator_sim):
    adapter = adapter_for(aggregator)
    # a first attempt whose answer was lost after the cart took the order
    adapter.client.call(
        "POST",
        "/api/v2/me/cart",
        body={
            "service": 2,
            "volumes": [{"height": 10, "width": 15, "length": 20, "weight": 0.8}],
            "options": {"tags": [{"tag": "42-1"}]},
        },
    )

    result = adapter.create_shipment(me_request())

    assert len(aggregator_sim.orders) == 1
    assert s10.is_valid(result.tracking_codes[0])


def test_tracking_and_the_signed_webhook_agree(aggregator, aggregator_sim):
    adapter = adapter_for(aggregator)
    (code,) = adapter.create_shipment(me_request()).tracking_codes
    aggregator_sim.webhook_url = "http://127.0.0.1:9/unused"
    aggregator_sim.journey(code, ("post", "transit", "deliver"))

    pulled = adapter.track([code])
    pushed = []
    for notification in aggregator_sim.outbox:
        headers = {"X-ME-Signature": signature(WEBHOOK_SECRET, notification.body)}
        pushed += adapter.parse_webhook(notification.body, headers)

    assert [e.status for e in sorted(pulled, key=lambda e: e.occurred_at)] == [
        TrackingStatus.POSTED,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.DELIVERED,
    ]
    assert {e.event_id for e in pulled} == {e.event_id for e in pushed}


def test_a_webhook_with_a_wrong_signature_is_refused(aggregator):
    body = json.dumps({"event": "order.delivered", "data": {"id": "x"}}).encode()

    with pytest.raises(WebhookSignatureInvalid):
        adapter_for(aggregator).parse_webhook(
            body, {"X-ME-Signature": signature("outro-segredo", body)}
        )
    with pytest.raises(WebhookSignatureInvalid):
        adapter_for(aggregator).parse_webhook(body, {})
    with pytest.raises(InvalidWebhook):
        adapter_for(aggregator).parse_webhook(
            b"[]", {"X-ME-Signature": signature("segredo-dos-eventos", b"[]")}
        )


def test_cancel_and_reverse(aggregator, aggregator_sim):
    adapter = adapter_for(aggregator)
    result = adapter.create_shipment(me_request())
    adapter.cancel(result.carrier_reference)
    assert {o["status"] for o in aggregator_sim.orders.values()} == {"canceled"}

    reverse = adapter.reverse(
        ReverseRequest(
            reference="42",
            service_code="1",
            sender=RECIPIENT,
            recipient=SENDER,
            volumes=(BOX,),
            declared_value=Decimal("50.00"),
        )
    )
    assert reverse.authorisation_code.startswith("ORD-")
    assert s10.is_valid(reverse.tracking_code)


def test_a_wrong_token_is_refused(aggregator):
    aggregator.access_token = "outro-token"
    with pytest.raises(CarrierAuthenticationFailed) as caught:
        adapter_for(aggregator).quote(
            QuoteRequest("01310100", "22021001", (BOX,), Decimal("0"))
        )
    assert caught.value.http_status == 401
    assert not caught.value.retryable


def test_invalid_data_is_rejected(aggregator):
    with pytest.raises(CarrierRejected) as caught:
        adapter_for(aggregator).quote(
            QuoteRequest("0131", "22021001", (BOX,), Decimal("0"))
        )
    assert caught.value.http_status == 422
    assert "postal_code" in caught.value.detail


@pytest.mark.parametrize("status", [500, 429])
def test_unavailable_is_retryable(aggregator, aggregator_sim, status):
    aggregator_sim.faults.fail(status=status)
    with pytest.raises(CarrierUnavailable) as caught:
        adapter_for(aggregator).track(["SS100000014BR"])
    assert caught.value.retryable


def test_a_hung_request_times_out(aggregator, aggregator_sim):
    aggregator_sim.faults.hang()
    with pytest.raises(CarrierTimeout):
        AggregatorCarrier(aggregator, timeout=Timeout(connect=2, read=0.3)).track(
            ["SS100000014BR"]
        )
