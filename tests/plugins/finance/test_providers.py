"""What every charge request must be, and the manual provider (no HTTP)."""

import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from plugins.finance.pix import InvalidPixKey, parse_br_code
from plugins.finance.providers import (
    Credentials,
    InvalidChargeRequest,
    ManualProvider,
    MercadoPagoProvider,
    OperationNotSupported,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
)

from .charges import PAYER, TOTAL, charge_request

PIX_KEY = "contato@lojaexemplo.com.br"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": 150.0}, "decimal number"),
        ({"amount": Decimal("0")}, "greater than zero"),
        ({"amount": Decimal("10.005")}, "two decimal places"),
        ({"currency": "USD"}, "reais"),
        ({"reference": ""}, "reference"),
        ({"installments": 3}, "Only card payments"),
        ({"expires_at": datetime(2030, 1, 1)}, "aware"),  # noqa: DTZ001
    ],
)
def test_a_charge_request_says_what_is_wrong(overrides, message):
    with pytest.raises(InvalidChargeRequest, match=message):
        charge_request(PaymentMethod.PIX, **overrides)


def test_a_card_charge_needs_its_token():
    with pytest.raises(InvalidChargeRequest, match="card token"):
        charge_request(PaymentMethod.CARD, card_token=None)


def test_the_payer_needs_a_valid_cpf_or_cnpj():
    payer = type(PAYER)(name="Ana", email="a@example.com", document="111.111.111-12")
    with pytest.raises(InvalidChargeRequest, match="CPF or CNPJ"):
        charge_request(PaymentMethod.PIX, payer=payer)
    company = type(PAYER)(
        name="ACME", email="a@example.com", document="11.222.333/0001-81"
    )
    assert (
        charge_request(PaymentMethod.PIX, payer=company).payer.document_type == "CNPJ"
    )


def test_a_charge_request_error_reads_in_portuguese():
    with translation.override("pt-br"), pytest.raises(InvalidChargeRequest) as error:
        charge_request(PaymentMethod.PIX, installments=2)
    assert error.value.message == "Só pagamentos com cartão têm parcelas."


def test_a_provider_refuses_a_method_it_does_not_offer_before_calling():
    provider = MercadoPagoProvider(Credentials("http://127.0.0.1:9", "t", "s"))
    with pytest.raises(InvalidChargeRequest, match="Cash on delivery is not offered"):
        provider.create_charge(charge_request(PaymentMethod.CASH_ON_DELIVERY))


def test_the_manual_provider_is_a_payment_provider():
    assert isinstance(ManualProvider(), PaymentProvider)


def test_manual_pix_is_a_static_code_for_the_total_with_our_reference():
    provider = ManualProvider(
        pix_key=PIX_KEY, merchant_name="Loja Exemplo", merchant_city="Curitiba"
    )
    request = charge_request(PaymentMethod.PIX, reference="pay-00042")
    charge = provider.create_charge(request)
    assert charge.status == PaymentStatus.PENDING
    assert charge.provider_id == "pay-00042"
    code = parse_br_code(charge.pix_payload)
    assert (code.key, code.amount, code.txid) == (PIX_KEY, TOTAL, "pay00042")
    assert code.single_use
    assert charge.pix_expires_at == request.expires_at
    assert "bank statement" in charge.instructions


def test_the_finance_apps_uuid_reference_fits_a_txid_whole():
    provider = ManualProvider(
        pix_key=PIX_KEY, merchant_name="Loja", merchant_city="Rio"
    )
    reference = uuid.UUID("f47ac10b-58cc-4372-a567-0e02b2c3d479")
    charge = provider.create_charge(
        charge_request(PaymentMethod.PIX, reference=str(reference))
    )
    txid = parse_br_code(charge.pix_payload).txid
    assert txid == charge.pix_txid
    assert len(txid) == 25
    # base 36 of the UUID's 128 bits: nothing cut, so no two payments share it
    assert int(txid, 36) == reference.int


def test_manual_pix_needs_a_key():
    with pytest.raises(InvalidChargeRequest, match="Pix is not offered"):
        ManualProvider().create_charge(charge_request(PaymentMethod.PIX))
    with pytest.raises(InvalidPixKey):
        ManualProvider(pix_key="not a key")


def test_a_reference_too_long_for_a_txid_is_refused_not_cut():
    provider = ManualProvider(
        pix_key=PIX_KEY, merchant_name="Loja", merchant_city="Rio"
    )
    with pytest.raises(InvalidChargeRequest, match="txid"):
        provider.create_charge(charge_request(PaymentMethod.PIX, reference="x" * 26))


@pytest.mark.parametrize(
    "method",
    [
        PaymentMethod.TRANSFER,
        PaymentMethod.CASH_ON_DELIVERY,
        PaymentMethod.TERMS,
    ],
)
def test_manual_methods_are_pending_with_instructions(method):
    provider = ManualProvider(instructions={PaymentMethod.TRANSFER: "Banco 001"})
    charge = provider.create_charge(charge_request(method))
    assert charge.status == PaymentStatus.PENDING
    assert charge.pix_payload is None
    assert charge.instructions
    if method == PaymentMethod.TRANSFER:
        assert charge.instructions == "Banco 001"


def test_a_manual_charge_changes_only_by_staff():
    provider = ManualProvider()
    calls = [
        lambda: provider.fetch_status("pay-1"),
        lambda: provider.capture("pay-1", idempotency_key="k"),
        lambda: provider.refund("pay-1", idempotency_key="k"),
        lambda: provider.cancel("pay-1", idempotency_key="k"),
        lambda: provider.parse_webhook(body=b"{}", headers={}, query={}),
    ]
    for call in calls:
        with pytest.raises(OperationNotSupported) as error:
            call()
        assert error.value.retryable is False
