"""The Mercado Pago adapter against the local Mercado Pago, over real HTTP."""

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.utils import timezone, translation

from plugins.finance.boleto import parse_boleto
from plugins.finance.pix import parse_br_code
from plugins.finance.providers import (
    ChargeNotFound,
    Credentials,
    InvalidChargeRequest,
    MercadoPagoProvider,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    ProviderAuthenticationFailed,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    Timeout,
)
from plugins.finance.simulators import MercadoPagoSimulator

from .charges import TOTAL, charge_request
from .conftest import MP_SECRET, MP_TOKEN

PIX, BOLETO, CARD = PaymentMethod.PIX, PaymentMethod.BOLETO, PaymentMethod.CARD


@pytest.fixture
def provider(mercadopago_simulator):
    credentials = Credentials(mercadopago_simulator.url, MP_TOKEN, MP_SECRET)
    # A generous read timeout: on a busy machine (the suite run in parallel
    # beside other work) an answer may take seconds; the timeout tests
    # make providers of their own with a short one.
    return MercadoPagoProvider(credentials, timeout=Timeout(connect=2, read=15))


def test_the_adapter_is_a_payment_provider(provider):
    assert isinstance(provider, PaymentProvider)


def test_a_pix_charge_carries_a_code_for_exactly_the_order_total(provider):
    request = charge_request(PIX)
    charge = provider.create_charge(request)
    assert charge.status == PaymentStatus.PENDING
    assert charge.method == PIX
    assert charge.amount == TOTAL
    assert charge.reference == request.reference
    code = parse_br_code(charge.pix_payload)
    assert code.amount == TOTAL
    assert abs(charge.pix_expires_at - request.expires_at) < timedelta(seconds=1)


def test_a_boleto_charge_has_a_line_that_checks_and_a_pdf(provider):
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


def test_a_boleto_without_the_payers_address_is_refused_before_calling(
    provider, mercadopago_simulator
):
    request = charge_request(BOLETO)
    payer = type(request.payer)(
        name="Ana Lima", email="a@example.com", document=(request.payer.document)
    )
    with pytest.raises(InvalidChargeRequest, match="address"):
        provider.create_charge(charge_request(BOLETO, payer=payer))
    assert mercadopago_simulator.payments == {}


def test_a_card_in_installments_is_approved_with_its_fee(provider):
    charge = provider.create_charge(charge_request(CARD, installments=3))
    assert charge.status == PaymentStatus.APPROVED
    assert charge.captured is True
    assert charge.installments == 3
    assert charge.installment_amount == Decimal("50.00")
    # the simulator's rate: 4.98 % + 1 % for each installment after the first
    assert charge.fee_amount == Decimal("10.47")
    assert charge.card_last_digits == "6351"


def test_a_declined_card_is_rejected(provider):
    charge = provider.create_charge(charge_request(CARD, card_token="tok-OTHE"))
    assert charge.status == PaymentStatus.REJECTED
    assert charge.status_detail == "rejected/cc_rejected_other_reason"


def test_an_authorised_card_is_captured_for_less(provider):
    charge = provider.create_charge(charge_request(CARD, capture=False))
    assert charge.status == PaymentStatus.AUTHORIZED
    assert charge.captured is False
    captured = provider.capture(
        charge.provider_id, idempotency_key="cap-1", amount=Decimal("120.00")
    )
    assert captured.status == PaymentStatus.APPROVED
    assert captured.captured is True
    assert captured.amount == Decimal("120.00")


def test_capturing_an_approved_payment_is_refused(provider):
    charge = provider.create_charge(charge_request(CARD))
    with pytest.raises(ProviderRejected) as error:
        provider.capture(charge.provider_id, idempotency_key="cap-2")
    assert error.value.retryable is False
    assert error.value.http_status == 400


def test_the_status_follows_the_payer(provider, mercadopago_simulator):
    charge = provider.create_charge(charge_request(PIX))
    mercadopago_simulator.approve(charge.provider_id)
    paid = provider.fetch_status(charge.provider_id)
    assert paid.status == PaymentStatus.APPROVED
    assert paid.paid_at is not None
    assert paid.fee_amount == Decimal("1.49")  # 0.99 % of 150,00


def test_partial_then_full_refund(provider):
    charge = provider.create_charge(charge_request(CARD))
    first = provider.refund(
        charge.provider_id, idempotency_key="ref-1", amount=Decimal("50.00")
    )
    assert first.amount == Decimal("50.00")
    assert first.provider_refund_id
    assert first.payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert first.payment.refunded_amount == Decimal("50.00")
    rest = provider.refund(charge.provider_id, idempotency_key="ref-2")
    assert rest.amount == Decimal("100.00")
    assert rest.payment.status == PaymentStatus.REFUNDED


def test_a_refund_retried_with_its_key_refunds_once(provider):
    charge = provider.create_charge(charge_request(CARD))
    for _ in range(2):
        refund = provider.refund(
            charge.provider_id, idempotency_key="ref-x", amount=Decimal("10.00")
        )
    assert refund.payment.refunded_amount == Decimal("10.00")


def test_cancel_expire_and_chargeback(provider, mercadopago_simulator):
    pix = provider.create_charge(charge_request(PIX))
    cancelled = provider.cancel(pix.provider_id, idempotency_key="cancel-1")
    assert cancelled.status == PaymentStatus.CANCELLED
    boleto = provider.create_charge(charge_request(BOLETO))
    mercadopago_simulator.expire(boleto.provider_id)
    assert provider.fetch_status(boleto.provider_id).status == PaymentStatus.EXPIRED
    card = provider.create_charge(charge_request(CARD))
    mercadopago_simulator.chargeback(card.provider_id)
    assert provider.fetch_status(card.provider_id).status == PaymentStatus.CHARGED_BACK


def test_creating_twice_with_the_same_reference_makes_one_payment(
    provider, mercadopago_simulator
):
    request = charge_request(PIX)
    first = provider.create_charge(request)
    again = provider.create_charge(request)
    assert again.provider_id == first.provider_id
    assert len(mercadopago_simulator.payments) == 1


def test_the_same_key_for_another_charge_is_refused(provider):
    request = charge_request(PIX)
    provider.create_charge(request)
    with pytest.raises(ProviderRejected) as error:
        provider.create_charge(
            charge_request(PIX, reference=request.reference, amount=TOTAL + 1)
        )
    assert error.value.http_status == 409


def test_a_lost_answer_is_retried_into_the_same_payment(
    mercadopago_simulator,
):
    # given Mercado Pago makes the payment but its answer never arrives
    mercadopago_simulator.faults.hang(after_processing=True)
    provider = MercadoPagoProvider(
        Credentials(mercadopago_simulator.url, MP_TOKEN, MP_SECRET),
        timeout=Timeout(connect=2, read=0.3),
    )
    request = charge_request(PIX)
    with pytest.raises(ProviderTimeout) as error:
        provider.create_charge(request)
    assert error.value.retryable is True
    # when the task retries with the same reference
    charge = provider.create_charge(request)
    # then there is still one payment
    assert list(mercadopago_simulator.payments) == [charge.provider_id]


def test_no_answer_at_all_is_a_retryable_timeout(mercadopago_simulator):
    mercadopago_simulator.faults.hang()
    provider = MercadoPagoProvider(
        Credentials(mercadopago_simulator.url, MP_TOKEN, MP_SECRET),
        timeout=Timeout(connect=2, read=0.3),
    )
    with pytest.raises(ProviderTimeout) as error:
        provider.create_charge(charge_request(PIX))
    assert error.value.retryable is True
    assert mercadopago_simulator.payments == {}


def test_5xx_and_429_are_retryable(provider, mercadopago_simulator):
    mercadopago_simulator.faults.fail(500)
    with pytest.raises(ProviderUnavailable) as error:
        provider.create_charge(charge_request(PIX))
    assert (error.value.retryable, error.value.http_status) == (True, 500)
    mercadopago_simulator.faults.fail(429, retry_after=7)
    with pytest.raises(ProviderUnavailable) as error:
        provider.fetch_status("1310000001")
    assert (error.value.retryable, error.value.retry_after) == (True, 7.0)


def test_a_wrong_token_is_refused_and_not_retryable(mercadopago_simulator):
    provider = MercadoPagoProvider(
        Credentials(mercadopago_simulator.url, "TEST-wrong", MP_SECRET)
    )
    with pytest.raises(ProviderAuthenticationFailed) as error:
        provider.create_charge(charge_request(PIX))
    assert (error.value.retryable, error.value.http_status) == (False, 401)
    assert mercadopago_simulator.payments == {}


def test_an_unreachable_provider_is_retryable():
    with MercadoPagoSimulator(access_token=MP_TOKEN) as stopped:
        url = stopped.url
    provider = MercadoPagoProvider(Credentials(url, MP_TOKEN, MP_SECRET))
    with pytest.raises(ProviderUnavailable) as error:
        provider.fetch_status("1")
    assert error.value.retryable is True
    assert not isinstance(error.value, requests.RequestException)


def test_an_unknown_payment_is_not_found(provider):
    with pytest.raises(ChargeNotFound):
        provider.fetch_status("999")


def test_the_providers_refusal_names_its_reason(provider):
    with pytest.raises(ProviderRejected, match="Invalid installments"):
        provider.create_charge(charge_request(CARD, installments=18))


def test_a_provider_error_reads_in_portuguese(mercadopago_simulator):
    provider = MercadoPagoProvider(Credentials(mercadopago_simulator.url, "x", "y"))
    with translation.override("pt-br"), pytest.raises(ProviderError) as error:
        provider.fetch_status("1")
    assert error.value.message == (
        "O Mercado Pago recusou as credenciais (HTTP 401): confira o token de "
        "acesso nas configurações."
    )


def test_expiry_and_due_date_are_sent_in_brazilian_time(
    provider, mercadopago_simulator
):
    request = charge_request(BOLETO, due_date=timezone.localdate() + timedelta(days=5))
    charge = provider.create_charge(request)
    stored = mercadopago_simulator.payments[charge.provider_id]
    assert stored["date_of_expiration"].startswith(
        f"{request.due_date.isoformat()}T23:59:59.000-03:00"
    )
