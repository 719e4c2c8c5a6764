"""Mercado Pago's webhooks, sent by the local Mercado Pago to a receiver on
loopback and read back by the adapter: signatures, retries, duplicates and
deliveries out of order (applying each event once is the finance app's
job; here each is received and recognised)."""

import json
from decimal import Decimal

import pytest

from plugins.finance.providers import (
    Credentials,
    InvalidWebhook,
    MercadoPagoProvider,
    PaymentMethod,
    PaymentStatus,
)
from plugins.finance.signatures import MissingSignature, SignatureMismatch

from .charges import charge_request
from .conftest import MP_SECRET, MP_TOKEN


@pytest.fixture
def provider(mercadopago_simulator):
    credentials = Credentials(mercadopago_simulator.url, MP_TOKEN, MP_SECRET)
    return MercadoPagoProvider(credentials)


@pytest.fixture
def paid_pix(provider, mercadopago_simulator, webhook_receiver):
    """A Pix charge paid by the customer; both its webhooks received."""
    request = charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
    charge = provider.create_charge(request)
    mercadopago_simulator.approve(charge.provider_id)
    mercadopago_simulator.deliver()
    return charge


def _parse(provider, received):
    return provider.parse_webhook(
        body=received.body, headers=received.headers, query=received.query
    )


def test_a_signed_webhook_names_the_payment_to_fetch(
    provider, paid_pix, webhook_receiver
):
    created, updated = (_parse(provider, r) for r in webhook_receiver.received)
    assert created.type == "payment.created"
    assert updated.type == "payment.updated"
    assert updated.provider_payment_id == paid_pix.provider_id
    assert updated.event_id != created.event_id
    assert updated.occurred_at >= created.occurred_at
    # Mercado Pago signs only the id: the status comes from fetching it
    assert updated.payment is None
    assert provider.fetch_status(updated.provider_payment_id).status == (
        PaymentStatus.APPROVED
    )


def test_the_notification_address_carries_the_id_and_topic(paid_pix, webhook_receiver):
    received = webhook_receiver.received[-1]
    assert received.path == "/webhooks/payments"
    assert received.query == {"data.id": paid_pix.provider_id, "type": "payment"}
    assert received.headers["x-signature"].startswith("ts=")
    assert received.headers["x-request-id"]


def test_another_payment_id_in_the_address_fails_the_signature(
    provider, paid_pix, webhook_receiver
):
    received = webhook_receiver.received[-1]
    with pytest.raises(SignatureMismatch):
        provider.parse_webhook(
            body=received.body,
            headers=received.headers,
            query={**received.query, "data.id": "1310009999"},
        )


def test_a_body_about_another_payment_is_refused(provider, paid_pix, webhook_receiver):
    received = webhook_receiver.received[-1]
    body = json.loads(received.body)
    body["data"]["id"] = "1310009999"
    with pytest.raises(InvalidWebhook):
        provider.parse_webhook(
            body=json.dumps(body).encode(),
            headers=received.headers,
            query=received.query,
        )


def test_a_webhook_without_signature_is_refused(provider, paid_pix, webhook_receiver):
    received = webhook_receiver.received[-1]
    headers = {k: v for k, v in received.headers.items() if k != "x-signature"}
    with pytest.raises(MissingSignature):
        provider.parse_webhook(
            body=received.body, headers=headers, query=received.query
        )


def test_a_webhook_checked_with_another_secret_is_refused(
    mercadopago_simulator, paid_pix, webhook_receiver
):
    other = MercadoPagoProvider(
        Credentials(mercadopago_simulator.url, MP_TOKEN, "another-secret")
    )
    with pytest.raises(SignatureMismatch):
        _parse(other, webhook_receiver.received[-1])


def test_a_refused_delivery_is_retried_until_taken(
    provider, mercadopago_simulator, webhook_receiver
):
    # given our endpoint fails twice (a deploy, a database hiccup)
    request = charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
    provider.create_charge(request)
    webhook_receiver.answers = [500, 503]
    # when Mercado Pago keeps delivering
    attempts = mercadopago_simulator.deliver_until_done()
    # then the third attempt is taken, and all three are the same event
    assert [a.status for a in attempts] == [500, 503, 200]
    events = [_parse(provider, r) for r in webhook_receiver.received]
    assert len({e.event_id for e in events}) == 1
    # each attempt is a new request, signed anew
    assert len({r.headers["x-request-id"] for r in webhook_receiver.received}) == 3
    assert mercadopago_simulator.outbox == []


def test_duplicates_are_received_as_the_same_event(
    provider, mercadopago_simulator, webhook_receiver
):
    mercadopago_simulator.webhooks.duplicates = 2
    request = charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
    provider.create_charge(request)
    mercadopago_simulator.deliver()
    events = [_parse(provider, r) for r in webhook_receiver.received]
    assert len(events) == 3
    assert len({e.event_id for e in events}) == 1


def test_deliveries_out_of_order_are_received_as_they_come(
    provider, mercadopago_simulator, webhook_receiver
):
    # given a card payment refunded in part, then in full
    request = charge_request(PaymentMethod.CARD, notification_url=webhook_receiver.url)
    charge = provider.create_charge(request)
    mercadopago_simulator.deliver()
    mercadopago_simulator.refund(charge.provider_id, Decimal("50.00"))
    mercadopago_simulator.refund(charge.provider_id)
    # when the two notifications arrive newest first
    mercadopago_simulator.webhooks.reverse = True
    mercadopago_simulator.deliver()
    late, early = (_parse(provider, r) for r in webhook_receiver.received[1:])
    # then both are read, the later event first
    assert int(late.event_id) > int(early.event_id)
    assert late.occurred_at >= early.occurred_at
    # and the payment's state is the provider's, whatever the order
    assert provider.fetch_status(charge.provider_id).status == PaymentStatus.REFUNDED


def test_a_receiver_that_never_answers_2xx_is_given_up_on(
    provider, mercadopago_simulator, webhook_receiver
):
    mercadopago_simulator.webhooks.max_attempts = 3
    webhook_receiver.answers = [500] * 10
    request = charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
    provider.create_charge(request)
    attempts = mercadopago_simulator.deliver_until_done()
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert mercadopago_simulator.outbox == []
