"""Checks that a webhook really comes from the payment provider.

**Mercado Pago** sends ``x-signature: ts=<timestamp>,v1=<hex>`` and
``x-request-id``. ``v1`` is the HMAC-SHA256, keyed with the application's
secret, of the manifest ``id:<data.id>;request-id:<x-request-id>;ts:<ts>;``
where ``data.id`` comes from the notification URL's query string (lower-cased
when alphanumeric) and any part whose value is absent is left out, as
Mercado Pago's "Notifications > Webhooks" documentation describes. The
signature covers neither the body nor anything else: trust the ``data.id``
of the query string, then fetch that resource from Mercado Pago's API rather
than believe the body. ``ts`` is read in seconds or, when it has 13 digits or
more, in milliseconds (Mercado Pago's examples use both); a signature older
or newer than the tolerance (5 minutes by default) is refused as stale, so a
captured request cannot be replayed later.

**PagBank** sends ``x-authenticity-token``: the hex SHA-256 of the account's
token, a hyphen and the raw body exactly as received
(``sha256(f"{token}-{body}")``), per PagBank's "Confirmar autenticidade da
notificação". It covers the body, so verify the bytes before parsing them.

Every comparison uses :func:`hmac.compare_digest`; an empty secret or token
is a configuration error (``ImproperlyConfigured``), never a key. Failures
raise a subclass of :class:`SignatureError` (HTTP 401 for the API) naming
what is wrong: missing header, malformed header, mismatch, stale timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.exceptions import RetaguardaError

DEFAULT_TOLERANCE = timedelta(minutes=5)

_HEX = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)
_TIMESTAMP = re.compile(r"\d{10}|\d{13}", re.ASCII)  # seconds or milliseconds


class SignatureError(RetaguardaError):
    """A webhook whose origin could not be proven: answer 401, do nothing."""

    status = 401
    code = "webhook-signature-invalid"


class MissingSignature(SignatureError):
    code = "webhook-signature-missing"


class MalformedSignature(SignatureError):
    code = "webhook-signature-malformed"


class SignatureMismatch(SignatureError):
    code = "webhook-signature-mismatch"


class StaleSignature(SignatureError):
    code = "webhook-signature-stale"


@dataclass(frozen=True)
class MercadoPagoNotification:
    """What a valid Mercado Pago signature vouches for."""

    data_id: str | None
    request_id: str | None
    signed_at: datetime


def _missing(header: str) -> MissingSignature:
    return MissingSignature(
        _("The webhook has no %(header)s header.") % {"header": header}
    )


def _malformed(header: str) -> MalformedSignature:
    return MalformedSignature(
        _("The webhook's %(header)s header is malformed.") % {"header": header}
    )


def _require_secret(secret: str, name: str) -> None:
    # An empty key would make every signature computable by anyone.
    if not secret:
        raise ImproperlyConfigured(f"The webhook {name} is empty: set it first.")


def _mismatch() -> SignatureMismatch:
    return SignatureMismatch(
        _("The webhook's signature does not match: it was not sent by the provider.")
    )


def _parse_mercadopago_header(header: str) -> tuple[str, str]:
    """``ts`` and ``v1`` of an ``x-signature`` header (other keys ignored)."""
    parts: dict[str, str] = {}
    for part in header.split(","):
        key, separator, value = part.partition("=")
        if not separator:
            raise _malformed("x-signature")
        key, value = key.strip(), value.strip()
        if key in parts:
            raise _malformed("x-signature")
        parts[key] = value
    ts, v1 = parts.get("ts", ""), parts.get("v1", "")
    if not _TIMESTAMP.fullmatch(ts) or not _HEX.fullmatch(v1):
        raise _malformed("x-signature")
    return ts, v1


def _signed_data_id(data_id: str | None) -> str | None:
    """``data.id`` as Mercado Pago signs it: lower-cased when alphanumeric."""
    if not data_id:
        return None
    return data_id.lower() if data_id.isascii() and data_id.isalnum() else data_id


def mercadopago_manifest(
    *, data_id: str | None, request_id: str | None, ts: str
) -> str:
    """The text Mercado Pago signs, parts with no value left out."""
    manifest = ""
    data_id = _signed_data_id(data_id)
    if data_id:
        manifest += f"id:{data_id};"
    if request_id:
        manifest += f"request-id:{request_id};"
    return manifest + f"ts:{ts};"


def _timestamp(ts: str) -> datetime:
    seconds = int(ts) / 1000 if len(ts) >= 13 else int(ts)
    return datetime.fromtimestamp(seconds, tz=UTC)


def verify_mercadopago_signature(
    *,
    secret: str,
    x_signature: str | None,
    x_request_id: str | None,
    data_id: str | None,
    tolerance: timedelta | None = DEFAULT_TOLERANCE,
    now: datetime | None = None,
) -> MercadoPagoNotification:
    """Check Mercado Pago's ``x-signature`` and return what it vouches for.

    ``data_id`` is the ``data.id`` query parameter of the notification URL.
    ``tolerance=None`` accepts any age (to replay old notifications by hand).
    Raises :class:`MissingSignature`, :class:`MalformedSignature`,
    :class:`SignatureMismatch` or :class:`StaleSignature`.
    """
    _require_secret(secret, "secret")
    if not x_signature:
        raise _missing("x-signature")
    ts, v1 = _parse_mercadopago_header(x_signature)
    manifest = mercadopago_manifest(data_id=data_id, request_id=x_request_id, ts=ts)
    expected = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, v1.lower()):
        raise _mismatch()
    signed_at = _timestamp(ts)
    if tolerance is not None:
        age = (now or timezone.now()) - signed_at
        if abs(age) > tolerance:
            raise StaleSignature(
                _(
                    "The webhook's signature is from %(signed_at)s, outside the "
                    "%(minutes)s minutes accepted."
                )
                % {
                    "signed_at": signed_at.isoformat(),
                    "minutes": int(tolerance.total_seconds() // 60),
                }
            )
    return MercadoPagoNotification(
        data_id=_signed_data_id(data_id),
        request_id=x_request_id or None,
        signed_at=signed_at,
    )


def verify_mercadopago_request(
    request: HttpRequest,
    *,
    secret: str,
    tolerance: timedelta | None = DEFAULT_TOLERANCE,
    now: datetime | None = None,
) -> MercadoPagoNotification:
    """:func:`verify_mercadopago_signature` on a Django request: the headers
    and the ``data.id`` of its query string."""
    return verify_mercadopago_signature(
        secret=secret,
        x_signature=request.headers.get("x-signature"),
        x_request_id=request.headers.get("x-request-id"),
        data_id=request.GET.get("data.id"),
        tolerance=tolerance,
        now=now,
    )


def verify_pagbank_signature(
    *, token: str, body: bytes, x_authenticity_token: str | None
) -> bytes:
    """Check PagBank's ``x-authenticity-token`` against the raw body.

    Returns the body, now known to be authentic, to be parsed; raises
    :class:`MissingSignature`, :class:`MalformedSignature` or
    :class:`SignatureMismatch`.
    """
    _require_secret(token, "token")
    if not x_authenticity_token:
        raise _missing("x-authenticity-token")
    received = x_authenticity_token.strip()
    if not _HEX.fullmatch(received):
        raise _malformed("x-authenticity-token")
    expected = hashlib.sha256(token.encode() + b"-" + body).hexdigest()
    if not hmac.compare_digest(expected, received.lower()):
        raise _mismatch()
    return body


def verify_pagbank_request(request: HttpRequest, *, token: str) -> bytes:
    """:func:`verify_pagbank_signature` on a Django request's raw body."""
    return verify_pagbank_signature(
        token=token,
        body=request.body,
        x_authenticity_token=request.headers.get("x-authenticity-token"),
    )
