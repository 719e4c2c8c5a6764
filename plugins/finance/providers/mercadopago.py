"""Mercado Pago: Pix, boleto and cards through the v1 Payments API.

The shapes follow Mercado Pago's API reference ("Payments": create
``POST /v1/payments``, get ``GET /v1/payments/{id}``, update ``PUT
/v1/payments/{id}`` — ``{"capture": true}`` to capture, ``{"status":
"cancelled"}`` to cancel — and "Refunds": ``POST /v1/payments/{id}/refunds``,
``{"amount": …}`` for a partial refund), the Checkout Transparente guides for
Pix (``payment_method_id: "pix"``, the code in
``point_of_interaction.transaction_data.qr_code``) and boleto
(``"bolbradesco"``, the payer's address required, the slip at
``transaction_details.external_resource_url``), and "Notifications >
Webhooks" (``?data.id=…&type=payment``, ``x-signature``, a body with the
notification's ``id``, ``action`` and ``date_created``). Every ``POST``
carries ``X-Idempotency-Key``, which Mercado Pago requires.

Why ``requests`` and not the official ``mercadopago`` SDK: the SDK's API
host is a private class attribute (``Config.__api_base_url``) behind a
read-only property, so pointing it at the local simulator would mean
patching a private name or rewriting URLs in a custom HTTP client; its
timeout is one number for connect and read together, it retries inside on
its own and sends a random idempotency key unless told otherwise, and it
decodes every answer as JSON (an HTML error page raises a decoding error
rather than a typed one). The API is a handful of JSON calls; doing them
here keeps the timeouts, retries and errors ours.

Statuses (``status`` / ``status_detail``): ``pending`` and ``in_process``
are pending; ``authorized`` authorised; ``approved`` approved, or partially
refunded when its detail says ``partially_refunded``; ``rejected``;
``cancelled``, or expired when its detail says ``expired`` (an unpaid Pix or
boleto); ``refunded``; ``charged_back``; and ``in_mediation`` (the buyer
opened a dispute: the money is held) is treated as charged back until
Mercado Pago settles it, when the payment comes back approved.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from plugins.finance import signatures
from plugins.finance.boleto import BoletoError, parse_boleto
from plugins.finance.models.payments import PaymentStatus
from plugins.finance.models.providers import DEFAULT_API_URLS, Provider
from plugins.orders.models import PaymentMethod

from .base import (
    ChargeRequest,
    ChargeResult,
    Credentials,
    RefundResult,
    Timeout,
    WebhookEvent,
    check_method,
    json_object,
    lower_keys,
)
from .errors import InvalidChargeRequest, InvalidWebhook, UnexpectedResponse
from .http import JSONClient, money, number

BASE_URL = DEFAULT_API_URLS[Provider.MERCADO_PAGO]
BOLETO_METHOD_ID = "bolbradesco"
BRAZIL = zoneinfo.ZoneInfo("America/Sao_Paulo")

_STATUSES = {
    "pending": PaymentStatus.PENDING,
    "in_process": PaymentStatus.PENDING,
    "authorized": PaymentStatus.AUTHORIZED,
    "approved": PaymentStatus.APPROVED,
    "rejected": PaymentStatus.REJECTED,
    "cancelled": PaymentStatus.CANCELLED,
    "refunded": PaymentStatus.REFUNDED,
    "charged_back": PaymentStatus.CHARGED_BACK,
    "in_mediation": PaymentStatus.CHARGED_BACK,
}
CARDS = (PaymentMethod.CARD, PaymentMethod.DEBIT_CARD)
_PAYMENT_TYPES = {
    "bank_transfer": PaymentMethod.PIX,
    "ticket": PaymentMethod.BOLETO,
    "credit_card": PaymentMethod.CARD,
    "debit_card": PaymentMethod.DEBIT_CARD,
}


def describe_error(payload: Any) -> str:
    """``{"message": …, "cause": [{"code": …, "description": …}]}`` in one line."""
    parts = [str(payload.get("message") or payload.get("error") or "")]
    for cause in payload.get("cause") or []:
        if isinstance(cause, Mapping) and cause.get("description"):
            parts.append(f"{cause.get('code', '')} {cause['description']}".strip())
    return "; ".join(part for part in parts if part)


def _iso(moment: datetime) -> str:
    return moment.astimezone(BRAZIL).isoformat(timespec="milliseconds")


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=BRAZIL)


def _datetime(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


class MercadoPagoProvider:
    kind = Provider.MERCADO_PAGO.value
    methods = frozenset({PaymentMethod.PIX, PaymentMethod.BOLETO, PaymentMethod.CARD})

    def __init__(self, credentials: Credentials, *, timeout: Timeout | None = None):
        self.credentials = credentials
        self.client = JSONClient(
            provider=self.kind,
            base_url=credentials.base_url or BASE_URL,
            access_token=credentials.access_token,
            timeout=timeout or Timeout(),
            idempotency_header="X-Idempotency-Key",
            describe=describe_error,
        )

    # -- Calls ------------------------------------------------------------------

    def create_charge(self, request: ChargeRequest) -> ChargeResult:
        """``POST /v1/payments`` keyed by our payment's reference."""
        check_method(self, request)
        payload = self.client.call(
            "POST",
            "/v1/payments",
            body=self.payment_body(request),
            idempotency_key=request.reference,
        )
        return self.read_payment(payload)

    def fetch_status(self, provider_id: str) -> ChargeResult:
        return self.read_payment(self.client.call("GET", f"/v1/payments/{provider_id}"))

    def capture(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> ChargeResult:
        """``PUT /v1/payments/{id}`` with ``capture: true`` (and the amount to
        capture, when less than what was authorised)."""
        body: dict[str, Any] = {"capture": True}
        if amount is not None:
            body["transaction_amount"] = number(amount)
        payload = self.client.call(
            "PUT",
            f"/v1/payments/{provider_id}",
            body=body,
            idempotency_key=idempotency_key,
        )
        return self.read_payment(payload)

    def cancel(self, provider_id: str, *, idempotency_key: str) -> ChargeResult:
        """``PUT /v1/payments/{id}`` with ``status: cancelled``: a pending Pix or
        boleto can no longer be paid, an authorised card is released."""
        payload = self.client.call(
            "PUT",
            f"/v1/payments/{provider_id}",
            body={"status": "cancelled"},
            idempotency_key=idempotency_key,
        )
        return self.read_payment(payload)

    def refund(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> RefundResult:
        """``POST /v1/payments/{id}/refunds`` (the whole payment, or ``amount``),
        then the payment as it stands after it."""
        body = {} if amount is None else {"amount": number(amount)}
        refund = self.client.call(
            "POST",
            f"/v1/payments/{provider_id}/refunds",
            body=body,
            idempotency_key=idempotency_key,
        )
        payment = self.fetch_status(provider_id)
        refunded = refund.get("amount")
        return RefundResult(
            provider_refund_id=str(refund["id"]) if refund.get("id") else None,
            amount=money(refunded, provider=self.kind, field="amount")
            if refunded is not None
            else payment.refunded_amount,
            payment=payment,
            raw=refund,
        )

    # -- Webhooks ---------------------------------------------------------------

    def parse_webhook(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        query: Mapping[str, str],
    ) -> WebhookEvent:
        """Check ``x-signature`` (:mod:`plugins.finance.signatures`) and read the
        notification. Only the query's ``data.id`` is signed, so the event
        carries no payment status: fetch it with :meth:`fetch_status`.

        Raises a :class:`~plugins.finance.signatures.SignatureError` (401) or
        :class:`~.errors.InvalidWebhook` (400).
        """
        headers = lower_keys(headers)
        data_id = query.get("data.id")
        signed = signatures.verify_mercadopago_signature(
            secret=self.credentials.webhook_secret,
            x_signature=headers.get("x-signature"),
            x_request_id=headers.get("x-request-id"),
            data_id=data_id,
        )
        notification = json_object(body)
        body_id = str((notification.get("data") or {}).get("id") or "")
        if not signed.data_id or not body_id or body_id.lower() != signed.data_id:
            raise InvalidWebhook(
                _("The webhook's body is about another resource than its address.")
            )
        if notification.get("id") in (None, ""):
            raise InvalidWebhook(_("The webhook has no notification id."))
        topic = str(notification.get("type") or query.get("type") or "")
        return WebhookEvent(
            provider=self.kind,
            event_id=str(notification["id"]),
            type=str(notification.get("action") or topic),
            provider_payment_id=body_id if topic == "payment" else None,
            occurred_at=_datetime(notification.get("date_created")) or signed.signed_at,
            raw=notification,
        )

    # -- Shapes -----------------------------------------------------------------

    def payment_body(self, request: ChargeRequest) -> dict[str, Any]:
        """The body of ``POST /v1/payments`` for ``request``."""
        payer = request.payer
        body: dict[str, Any] = {
            "transaction_amount": number(request.amount),
            "description": request.description,
            "external_reference": request.reference,
            "payer": {
                "email": payer.email,
                "first_name": payer.first_name,
                "last_name": payer.last_name,
                "identification": {
                    "type": payer.document_type,
                    "number": payer.document_digits,
                },
            },
        }
        if request.notification_url:
            body["notification_url"] = request.notification_url
        if request.method == PaymentMethod.PIX:
            body["payment_method_id"] = "pix"
            if request.expires_at:
                body["date_of_expiration"] = _iso(request.expires_at)
        elif request.method == PaymentMethod.BOLETO:
            address = payer.address
            if address is None:
                raise InvalidChargeRequest(_("A boleto needs the payer's address."))
            body["payment_method_id"] = BOLETO_METHOD_ID
            body["payer"]["address"] = {
                "zip_code": address.postal_code,
                "street_name": address.street,
                "street_number": address.number,
                "neighborhood": address.neighborhood,
                "city": address.city,
                "federal_unit": address.state,
            }
            if request.due_date:
                body["date_of_expiration"] = _iso(_end_of_day(request.due_date))
        else:
            if not request.card_brand:
                raise InvalidChargeRequest(
                    _("Mercado Pago needs the card brand the card form reported.")
                )
            body |= {
                "payment_method_id": request.card_brand,
                "token": request.card_token,
                "installments": request.installments,
                "capture": request.capture,
            }
        return body

    def read_payment(self, payload: Mapping[str, Any]) -> ChargeResult:
        """A Mercado Pago payment as a :class:`ChargeResult`."""
        try:
            provider_id = str(payload["id"])
            raw_status = str(payload["status"])
            amount = money(
                payload["transaction_amount"], provider=self.kind, field="amount"
            )
        except (KeyError, TypeError) as exc:
            raise self._unexpected(_("a payment without id, status or amount")) from exc
        detail = str(payload.get("status_detail") or "")
        status = _STATUSES.get(raw_status)
        if status is None:
            raise self._unexpected(
                _("the unknown status “%(value)s”") % {"value": raw_status}
            )
        if status == PaymentStatus.APPROVED and detail == "partially_refunded":
            status = PaymentStatus.PARTIALLY_REFUNDED
        if status == PaymentStatus.CANCELLED and detail == "expired":
            status = PaymentStatus.EXPIRED
        method = _PAYMENT_TYPES.get(str(payload.get("payment_type_id")))
        if payload.get("payment_method_id") == "pix":
            method = PaymentMethod.PIX
        if method is None:
            raise self._unexpected(
                _("the unknown payment type “%(value)s”")
                % {"value": payload.get("payment_type_id")}
            )
        details = payload.get("transaction_details") or {}
        transaction_data = (payload.get("point_of_interaction") or {}).get(
            "transaction_data"
        ) or {}
        expires = _datetime(payload.get("date_of_expiration"))
        line, barcode = self._boleto_codes(payload, details)
        fees = [
            money(fee.get("amount"), provider=self.kind, field="fee")
            for fee in payload.get("fee_details") or []
            if fee.get("fee_payer", "collector") == "collector"
        ]
        card = payload.get("card") or {}
        installment_amount = details.get("installment_amount")
        return ChargeResult(
            provider=self.kind,
            provider_id=provider_id,
            status=status,
            method=method,
            amount=amount,
            status_detail=f"{raw_status}/{detail}" if detail else raw_status,
            reference=payload.get("external_reference") or None,
            refunded_amount=money(
                payload.get("transaction_amount_refunded") or 0,
                provider=self.kind,
                field="refunded",
            ),
            paid_at=_datetime(payload.get("date_approved")),
            captured=payload.get("captured"),
            pix_payload=transaction_data.get("qr_code") or None,
            pix_expires_at=expires if method == PaymentMethod.PIX else None,
            boleto_line=line,
            boleto_barcode=barcode,
            boleto_pdf_url=details.get("external_resource_url")
            if method == PaymentMethod.BOLETO
            else None,
            boleto_due_date=expires.astimezone(BRAZIL).date()
            if expires and method == PaymentMethod.BOLETO
            else None,
            installments=payload.get("installments"),
            installment_amount=money(
                installment_amount, provider=self.kind, field="installment"
            )
            if installment_amount is not None and method in CARDS
            else None,
            fee_amount=sum(fees, Decimal("0.00")) if fees else None,
            card_brand=payload.get("payment_method_id") if method in CARDS else None,
            card_last_digits=card.get("last_four_digits"),
            raw=payload,
        )

    def _boleto_codes(
        self, payload: Mapping[str, Any], details: Mapping[str, Any]
    ) -> tuple[str | None, str | None]:
        """The typed line and barcode of a boleto, each checked (one is
        derived from the other when only one is sent)."""
        text = details.get("digitable_line") or (payload.get("barcode") or {}).get(
            "content"
        )
        if not text:
            return None, None
        try:
            boleto = parse_boleto(str(text), reference=None)
        except BoletoError as exc:
            raise self._unexpected(_("a boleto line that does not check")) from exc
        return boleto.digitable_line, boleto.barcode

    def _unexpected(self, what: str) -> UnexpectedResponse:
        return UnexpectedResponse(
            _("Mercado Pago sent %(what)s.") % {"what": what}, provider=self.kind
        )
