"""Webhook signatures of Mercado Pago and PagBank."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import translation

from plugins.finance.signatures import (
    MalformedSignature,
    MercadoPagoNotification,
    MissingSignature,
    SignatureError,
    SignatureMismatch,
    StaleSignature,
    verify_mercadopago_request,
    verify_mercadopago_signature,
    verify_pagbank_request,
    verify_pagbank_signature,
)

SECRET = "mp-webhook-secret"
REQUEST_ID = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
TS = "1704908010"
SIGNED_AT = datetime(2024, 1, 10, 17, 33, 30, tzinfo=UTC)
MANIFEST = f"id:123456;request-id:{REQUEST_ID};ts:{TS};"
BODY = b'{"action":"payment.updated","data":{"id":"123456"},"type":"payment"}'


def _v1(manifest: str, secret: str = SECRET) -> str:
    # the documented template, written out by hand
    return hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()


def _mercadopago(**overrides):
    arguments = {
        "secret": SECRET,
        "x_signature": f"ts={TS},v1={_v1(MANIFEST)}",
        "x_request_id": REQUEST_ID,
        "data_id": "123456",
        "now": SIGNED_AT + timedelta(seconds=3),
    } | overrides
    return verify_mercadopago_signature(**arguments)


def test_a_valid_mercadopago_signature_vouches_for_the_resource_id():
    assert _mercadopago() == MercadoPagoNotification(
        data_id="123456", request_id=REQUEST_ID, signed_at=SIGNED_AT
    )


def test_an_alphanumeric_data_id_is_signed_in_lower_case():
    signature = (
        f"ts={TS},v1={_v1(f'id:ord01jq4s4ky8h;request-id:{REQUEST_ID};ts:{TS};')}"
    )
    notification = _mercadopago(x_signature=signature, data_id="ORD01JQ4S4KY8H")
    assert notification.data_id == "ord01jq4s4ky8h"


def test_parts_absent_from_the_notification_are_left_out_of_the_manifest():
    signature = f"ts={TS},v1={_v1(f'ts:{TS};')}"
    notification = _mercadopago(x_signature=signature, data_id=None, x_request_id=None)
    assert notification.data_id is None and notification.request_id is None
    signature = f"ts={TS},v1={_v1(f'request-id:{REQUEST_ID};ts:{TS};')}"
    assert _mercadopago(x_signature=signature, data_id="").request_id == REQUEST_ID


def test_spaces_and_extra_keys_in_the_header_and_upper_case_hex_are_accepted():
    v1 = _v1(MANIFEST).upper()
    assert _mercadopago(x_signature=f" ts={TS} , v1={v1}, v2=ignored")


@pytest.mark.parametrize(
    "tampered",
    [
        {"data_id": "654321"},  # another resource in the query string
        {"x_request_id": "another-request"},
        {"secret": "wrong-secret"},
    ],
)
def test_anything_changed_breaks_the_mercadopago_signature(tampered):
    with pytest.raises(SignatureMismatch):
        _mercadopago(**tampered)


def test_a_changed_timestamp_breaks_the_mercadopago_signature():
    v1 = _v1(MANIFEST)
    with pytest.raises(SignatureMismatch):
        _mercadopago(x_signature=f"ts=1704908011,v1={v1}")


def test_the_body_is_not_covered_by_the_mercadopago_signature():
    # Mercado Pago signs the query string's data.id, not the body: the request
    # helper never reads the body, so callers must fetch the resource by id
    factory = RequestFactory()
    v1 = _v1(MANIFEST)
    headers = {"x-signature": f"ts={TS},v1={v1}", "x-request-id": REQUEST_ID}
    for body in (BODY, BODY.replace(b"123456", b"999999")):
        request = factory.post(
            "/webhooks/mercadopago?data.id=123456&type=payment",
            data=body,
            content_type="application/json",
            headers=headers,
        )
        notification = verify_mercadopago_request(request, secret=SECRET, now=SIGNED_AT)
        assert notification.data_id == "123456"


def test_the_request_helper_reads_the_query_string_and_headers():
    factory = RequestFactory()
    v1 = _v1(MANIFEST)
    request = factory.post(
        "/webhooks/mercadopago?data.id=654321&type=payment",
        data=BODY,
        content_type="application/json",
        headers={"x-signature": f"ts={TS},v1={v1}", "x-request-id": REQUEST_ID},
    )
    with pytest.raises(SignatureMismatch):
        verify_mercadopago_request(request, secret=SECRET, now=SIGNED_AT)


@pytest.mark.parametrize(
    "now",
    [
        SIGNED_AT + timedelta(minutes=5, seconds=1),
        SIGNED_AT - timedelta(minutes=5, seconds=1),
        SIGNED_AT + timedelta(days=30),
    ],
)
def test_a_stale_mercadopago_signature_is_refused(now):
    with pytest.raises(StaleSignature):
        _mercadopago(now=now)


def test_the_tolerance_is_configurable_and_can_be_switched_off():
    later = SIGNED_AT + timedelta(minutes=9)
    with pytest.raises(StaleSignature):
        _mercadopago(now=later)
    assert _mercadopago(now=later, tolerance=timedelta(minutes=10))
    assert _mercadopago(now=SIGNED_AT + timedelta(days=400), tolerance=None)
    assert _mercadopago(now=SIGNED_AT + timedelta(minutes=5))


def test_a_millisecond_timestamp_is_read_as_such():
    ts = "1704908010250"
    signature = f"ts={ts},v1={_v1(f'id:123456;request-id:{REQUEST_ID};ts:{ts};')}"
    notification = _mercadopago(x_signature=signature)
    assert notification.signed_at == SIGNED_AT + timedelta(milliseconds=250)


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_mercadopago_header_is_refused(header):
    with pytest.raises(MissingSignature, match="x-signature"):
        _mercadopago(x_signature=header)


@pytest.mark.parametrize(
    "header",
    [
        "v1=" + "a" * 64,  # no ts
        f"ts={TS}",  # no v1
        f"ts={TS},v1=abc",  # v1 is not a SHA-256
        f"ts=yesterday,v1={'a' * 64}",
        f"ts=12345,v1={'a' * 64}",  # neither seconds nor milliseconds
        f"ts={TS};v1={'a' * 64}",  # wrong separator
        f"ts={TS},ts={TS},v1={'a' * 64}",
        "garbage",
    ],
)
def test_a_malformed_mercadopago_header_is_refused(header):
    with pytest.raises(MalformedSignature):
        _mercadopago(x_signature=header)


TOKEN = "pagbank-account-token"


def _pagbank_token(body: bytes, token: str = TOKEN) -> str:
    return hashlib.sha256(f"{token}-".encode() + body).hexdigest()


def test_a_valid_pagbank_token_returns_the_authentic_body():
    assert (
        verify_pagbank_signature(
            token=TOKEN, body=BODY, x_authenticity_token=_pagbank_token(BODY)
        )
        == BODY
    )


def test_the_pagbank_request_helper_checks_the_raw_body():
    factory = RequestFactory()
    request = factory.post(
        "/webhooks/pagbank",
        data=BODY,
        content_type="application/json",
        headers={"x-authenticity-token": _pagbank_token(BODY).upper()},
    )
    assert verify_pagbank_request(request, token=TOKEN) == BODY


@pytest.mark.parametrize(
    ("body", "token"),
    [
        (BODY.replace(b"payment.updated", b"payment.created"), TOKEN),  # tampered
        (BODY + b"\n", TOKEN),  # even one byte of whitespace
        (BODY, "another-account-token"),  # wrong secret
    ],
)
def test_a_tampered_pagbank_body_or_a_wrong_token_is_refused(body, token):
    with pytest.raises(SignatureMismatch):
        verify_pagbank_signature(
            token=token, body=body, x_authenticity_token=_pagbank_token(BODY)
        )


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_pagbank_header_is_refused(header):
    with pytest.raises(MissingSignature, match="x-authenticity-token"):
        verify_pagbank_signature(token=TOKEN, body=BODY, x_authenticity_token=header)


@pytest.mark.parametrize("header", ["abc", "z" * 64, _pagbank_token(BODY) + "00"])
def test_a_malformed_pagbank_header_is_refused(header):
    with pytest.raises(MalformedSignature):
        verify_pagbank_signature(token=TOKEN, body=BODY, x_authenticity_token=header)


def test_signature_errors_answer_401_with_a_translated_message():
    with translation.override("pt-br"), pytest.raises(SignatureError) as error:
        verify_pagbank_signature(token=TOKEN, body=BODY, x_authenticity_token=None)
    assert error.value.status == 401
    assert "x-authenticity-token" in str(error.value)
    assert "não tem" in str(error.value)


def test_an_empty_secret_is_a_configuration_error_not_a_key():
    # with an empty key anyone could compute a valid signature
    forged = hmac.new(b"", MANIFEST.encode(), hashlib.sha256).hexdigest()
    with pytest.raises(ImproperlyConfigured):
        _mercadopago(secret="", x_signature=f"ts={TS},v1={forged}")
    with pytest.raises(ImproperlyConfigured):
        verify_pagbank_signature(
            token="", body=BODY, x_authenticity_token=_pagbank_token(BODY, token="")
        )
