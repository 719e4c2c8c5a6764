"""The PagBank adapter against the local PagBank, over real HTTP."""

from decimal import Decimal

import pytest
import requests

from plugins.finance.boleto import parse_boleto
from plugins.finance.pix import parse_br_code
from plugins.finance.providers import (
    Credentials,
    OperationNotSupported,
    PagBankProvider,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    ProviderAuthenticationFailed,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    Timeout,
)
from plugins.finance.simulators import SimulatorError

from .charges import PAYER, TOTAL, charge_request
from .conftest import PAGBANK_TOKEN

PIX, BOLETO, CARD = PaymentMethod.PIX, PaymentMethod.BOLETO, PaymentMethod.CARD


@pytest.fixture
def provider(pagbank_simulator):
    credentials = Credentials(pagbank_simulator.url, PAGBANK_TOKEN)
    # A generous read timeout: on a busy machine (the suite run in parallel
    # beside other work) an answer may take seconds; the timeout tests
    # make providers of their own with a short one.
    return PagBankProvider(credentials, timeout=Timeout(connect=2, read=15))


def test_the_adapter_is_a_payment_provider(provider):
    assert isinstance(provider, PaymentProvider)


def test_a_pix_order_carries_a_code_for_exactly_the_order_total(
    provider, pagbank_simulator
):
    request = charge_request(PIX)
    charge = provider.create_charge(request)
    assert charge.provider_id.startswith("ORDE_")
    assert charge.status == PaymentStatus.PENDING
    assert charge.reference == request.reference
    assert parse_br_code(charge.pix_payload).amount == TOTAL
    assert charge.pix_expires_at == request.expires_at.replace(microsecond=0)
    # the order was sent in centavos, with the payer's CPF without punctuation
    order = pagbank_simulator.orders[charge.provider_id]
    assert order["qr_codes"][0]["amount"] == {"value": 15000}
    assert order["customer"]["tax_id"] == PAYER.document_digits


def test_a_paid_pix_order_gets_its_charge(provider, pagbank_simulator):
    charge = provider.create_charge(charge_request(PIX))
    pagbank_simulator.approve(charge.provider_id)
    paid = provider.fetch_status(charge.provider_id)
    assert paid.status == PaymentStatus.APPROVED
    assert paid.provider_charge_id.startswith("CHAR_")
    assert paid.paid_at is not None
    assert paid.amount == TOTAL


def test_an_unpaid_pix_code_expires(provider, pagbank_simulator):
    charge = provider.create_charge(charge_request(PIX))
    pagbank_simulator.expire(charge.provider_id)
    assert provider.fetch_status(charge.provider_id).status == PaymentStatus.EXPIRED


def test_a_pix_code_cannot_be_cancelled(provider):
    charge = provider.create_charge(charge_request(PIX))
    with pytest.raises(OperationNotSupported, match="cannot cancel this payment"):
        provider.cancel(charge.provider_id, idempotency_key="c-1")


def test_a_boleto_has_a_line_that_checks_and_a_pdf(provider):
    request = charge_request(BOLETO)
    charge = provider.create_charge(request)
    assert charge.status == PaymentStatus.PENDING
    boleto = parse_boleto(charge.boleto_line)
    assert boleto.barcode == charge.boleto_barcode
    assert boleto.amount == TOTAL
    assert boleto.due_date == request.due_date == charge.boleto_due_date
    slip = requests.get(charge.boleto_pdf_url, timeout=5)
    assert slip.headers["Content-Type"] == "application/pdf"
    assert slip.content.startswith(b"%PDF")


def test_a_boleto_is_paid_cancelled_or_expired(provider, pagbank_simulator):
    paid = provider.create_charge(charge_request(BOLETO))
    pagbank_simulator.approve(paid.provider_id)
    assert provider.fetch_status(paid.provider_id).status == PaymentStatus.APPROVED
    cancelled = provider.create_charge(charge_request(BOLETO))
    result = provider.cancel(cancelled.provider_id, idempotency_key="c-2")
    assert result.status == PaymentStatus.CANCELLED
    expired = provider.create_charge(charge_request(BOLETO))
    pagbank_simulator.expire(expired.provider_id)
    assert provider.fetch_status(expired.provider_id).status == PaymentStatus.EXPIRED


def test_a_card_in_installments(provider, pagbank_simulator):
    charge = provider.create_charge(charge_request(CARD, installments=6))
    assert charge.status == PaymentStatus.APPROVED
    assert charge.installments == 6
    assert charge.card_last_digits == "1111"
    method = pagbank_simulator.orders[charge.provider_id]["charges"][0]
    assert method["payment_method"]["card"]["holder"] == {"name": "CARD"}


def test_a_declined_card_and_one_in_analysis(provider, pagbank_simulator):
    declined = provider.create_charge(charge_request(CARD, card_token="enc-FUND"))
    assert declined.status == PaymentStatus.REJECTED
    analysed = provider.create_charge(charge_request(CARD, card_token="enc-CONT"))
    assert analysed.status == PaymentStatus.PENDING
    pagbank_simulator.reject(analysed.provider_id)
    assert provider.fetch_status(analysed.provider_id).status == (
        PaymentStatus.REJECTED
    )


def test_an_authorised_card_is_captured(provider):
    charge = provider.create_charge(charge_request(CARD, capture=False))
    assert charge.status == PaymentStatus.AUTHORIZED
    captured = provider.capture(charge.provider_id, idempotency_key="cap-1")
    assert captured.status == PaymentStatus.APPROVED
    assert captured.captured is True


def test_an_authorised_card_is_released(provider):
    charge = provider.create_charge(charge_request(CARD, capture=False))
    released = provider.cancel(charge.provider_id, idempotency_key="void-1")
    assert released.status == PaymentStatus.CANCELLED


def test_partial_then_full_refund(provider):
    charge = provider.create_charge(charge_request(CARD))
    first = provider.refund(
        charge.provider_id, idempotency_key="r-1", amount=Decimal("40.00")
    )
    assert first.amount == Decimal("40.00")
    assert first.payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert first.payment.refunded_amount == Decimal("40.00")
    rest = provider.refund(charge.provider_id, idempotency_key="r-2")
    assert rest.amount == Decimal("110.00")
    assert rest.payment.status == PaymentStatus.REFUNDED


def test_refunding_an_unpaid_boleto_is_not_possible(provider):
    charge = provider.create_charge(charge_request(BOLETO))
    with pytest.raises(OperationNotSupported) as error:
        provider.refund(charge.provider_id, idempotency_key="r-3")
    assert error.value.retryable is False


def test_creating_twice_with_the_same_reference_makes_one_order(
    provider, pagbank_simulator
):
    request = charge_request(BOLETO)
    first = provider.create_charge(request)
    assert provider.create_charge(request).provider_id == first.provider_id
    assert len(pagbank_simulator.orders) == 1


def test_a_lost_answer_is_retried_into_the_same_order(pagbank_simulator):
    pagbank_simulator.faults.hang(after_processing=True)
    provider = PagBankProvider(
        Credentials(pagbank_simulator.url, PAGBANK_TOKEN),
        timeout=Timeout(connect=2, read=0.3),
    )
    request = charge_request(CARD)
    with pytest.raises(ProviderTimeout) as error:
        provider.create_charge(request)
    assert error.value.retryable is True
    charge = provider.create_charge(request)
    assert list(pagbank_simulator.orders) == [charge.provider_id]


def test_server_errors_are_retryable(provider, pagbank_simulator):
    pagbank_simulator.faults.fail(502)
    with pytest.raises(ProviderUnavailable) as error:
        provider.create_charge(charge_request(PIX))
    assert (error.value.retryable, error.value.http_status) == (True, 502)


def test_a_wrong_token_is_refused(pagbank_simulator):
    provider = PagBankProvider(Credentials(pagbank_simulator.url, "wrong"))
    with pytest.raises(ProviderAuthenticationFailed) as error:
        provider.create_charge(charge_request(PIX))
    assert error.value.retryable is False
    assert "Invalid credential" in error.value.detail


def test_a_refusal_names_the_field(provider):
    with pytest.raises(ProviderRejected, match="installments"):
        provider.create_charge(charge_request(CARD, installments=24))


def test_pagbank_has_no_chargebacks_in_its_orders(provider, pagbank_simulator):
    charge = provider.create_charge(charge_request(CARD))
    with pytest.raises(SimulatorError, match="Chargeback API"):
        pagbank_simulator.chargeback(charge.provider_id)
