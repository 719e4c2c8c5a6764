"""PagBank's webhooks, sent by the local PagBank to a receiver on loopback
and read back by the adapter: the signed order, retries, duplicates and
deliveries out of order (applying each event once is the finance app's
job; here each is received and recognised)."""

import hashlib
import json
from decimal import Decimal

import pytest

from plugins.finance.providers import (
    Credentials,
    InvalidWebhook,
    PagBankProvider,
    PaymentMethod,
    PaymentStatus,
)
from plugins.finance.signatures import MissingSignature, SignatureMismatch

from .charges import charge_request
from .conftest import PAGBANK_TOKEN


@pytest.fixture
def provider(pagbank_simulator):
    return PagBankProvider(Credentials(pagbank_simulator.url, PAGBANK_TOKEN))


def _parse(provider, received):
    return provider.parse_webhook(
        body=received.body, headers=received.headers, query=received.query
    )


@pytest.fixture
def paid_pix(provider, pagbank_simulator, webhook_receiver):
    request = charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
    charge = provider.create_charge(request)
    pagbank_simulator.approve(charge.provider_id)
    pagbank_simulator.deliver()
    return charge


def test_the_signed_order_says_how_the_payment_stands(
    provider, paid_pix, webhook_receiver
):
    # a Pix order is notified once paid (creating it sends nothing)
    (received,) = webhook_receiver.received
    event = _parse(provider, received)
    assert event.provider_payment_id == paid_pix.provider_id
    assert event.reference == paid_pix.reference
    assert event.type == "order.approved"
    assert event.payment.status == PaymentStatus.APPROVED
    assert event.payment.amount == paid_pix.amount
    assert event.occurred_at is not None


def test_the_signature_covers_the_raw_body(provider, paid_pix, webhook_receiver):
    (received,) = webhook_receiver.received
    expected = hashlib.sha256(f"{PAGBANK_TOKEN}-".encode() + received.body)
    assert received.headers["x-authenticity-token"] == expected.hexdigest()


def test_a_tampered_body_is_refused(provider, paid_pix, webhook_receiver):
    (received,) = webhook_receiver.received
    order = json.loads(received.body)
    order["charges"][0]["amount"]["summary"]["paid"] = 1
    with pytest.raises(SignatureMismatch):
        provider.parse_webhook(
            body=json.dumps(order).encode(), headers=received.headers, query={}
        )


def test_a_webhook_without_signature_is_refused(provider, paid_pix, webhook_receiver):
    (received,) = webhook_receiver.received
    with pytest.raises(MissingSignature):
        provider.parse_webhook(body=received.body, headers={}, query={})


def test_a_webhook_checked_with_another_token_is_refused(
    pagbank_simulator, paid_pix, webhook_receiver
):
    other = PagBankProvider(
        Credentials(pagbank_simulator.url, PAGBANK_TOKEN, webhook_secret="other")
    )
    with pytest.raises(SignatureMismatch):
        _parse(other, webhook_receiver.received[0])


def test_a_signed_body_that_is_no_order_is_refused(provider):
    body = b'{"id": "CHEC_1", "status": "EXPIRED"}'
    token = hashlib.sha256(f"{PAGBANK_TOKEN}-".encode() + body).hexdigest()
    with pytest.raises(InvalidWebhook):
        provider.parse_webhook(
            body=body, headers={"X-Authenticity-Token": token}, query={}
        )


def test_a_refused_delivery_is_retried_until_taken(
    provider, pagbank_simulator, webhook_receiver
):
    request = charge_request(
        PaymentMethod.BOLETO, notification_url=webhook_receiver.url
    )
    provider.create_charge(request)
    webhook_receiver.answers = [500]
    attempts = pagbank_simulator.deliver_until_done()
    assert [a.status for a in attempts] == [500, 200]
    first, second = (_parse(provider, r) for r in webhook_receiver.received)
    assert first.event_id == second.event_id
    assert first.payment.status == PaymentStatus.PENDING


def test_duplicates_are_received_as_the_same_event(
    provider, pagbank_simulator, webhook_receiver
):
    pagbank_simulator.webhooks.duplicates = 1
    request = charge_request(PaymentMethod.CARD, notification_url=webhook_receiver.url)
    provider.create_charge(request)
    pagbank_simulator.deliver()
    events = [_parse(provider, r) for r in webhook_receiver.received]
    assert len(events) == 2
    assert events[0].event_id == events[1].event_id


def test_deliveries_out_of_order_are_received_as_they_come(
    provider, pagbank_simulator, webhook_receiver
):
    # given a boleto paid, then refunded in part
    request = charge_request(
        PaymentMethod.BOLETO, notification_url=webhook_receiver.url
    )
    charge = provider.create_charge(request)
    pagbank_simulator.approve(charge.provider_id)
    pagbank_simulator.refund(charge.provider_id, Decimal("30.00"))
    # when the three notifications arrive newest first
    pagbank_simulator.webhooks.reverse = True
    pagbank_simulator.deliver()
    events = [_parse(provider, r) for r in webhook_receiver.received]
    # then each is its own event, received in the order it came
    assert [e.payment.status for e in events] == [
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.APPROVED,
        PaymentStatus.PENDING,
    ]
    assert len({e.event_id for e in events}) == 3
    # and the payment's state is the provider's, whatever the order
    current = provider.fetch_status(charge.provider_id)
    assert current.status == PaymentStatus.PARTIALLY_REFUNDED
    assert current.refunded_amount == Decimal("30.00")
