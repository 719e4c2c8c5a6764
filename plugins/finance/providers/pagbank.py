"""PagBank: Pix, boleto and cards through the Orders API ("API de Pedidos").

The shapes follow PagBank's API reference: "Criar pedido" (``POST
/orders``) with ``qr_codes`` for Pix ("Criar pedido com QR Code (PIX)":
``amount.value`` in centavos, ``expiration_date``; the code comes back in
``qr_codes[].text``) and ``charges`` for boleto ("Criar e pagar pedido com
Boleto": ``payment_method.type: BOLETO`` with ``due_date``, ``holder`` and
its address; the line in ``payment_method.boleto.barcode`` and the PDF in
the charge's ``links``) and cards (``CREDIT_CARD`` with ``installments``,
``capture`` and ``card.encrypted``, the card encrypted by PagBank's script
in the browser); "Consultar pedido" (``GET /orders/{id}``); "Capturar
pagamento" (``POST /charges/{id}/capture``) and "Cancelar pagamento"
(``POST /charges/{id}/cancel``, which voids an authorisation and refunds a
paid charge in whole or in part); "Objeto Charge" for the statuses and
``amount.summary``; and "Webhooks": the notification's body is the order,
as the API returns it, sent to the order's ``notification_urls`` and signed
with ``x-authenticity-token`` (:mod:`plugins.finance.signatures`). POSTs
carry ``x-idempotency-key``.

The provider id of a charge is the order's id (``ORDE_…``); capture and
refunds act on the charge inside it (``CHAR_…``), found by reading the order
first. A Pix order has no charge until it is paid.

Statuses of the charge: ``WAITING`` and ``IN_ANALYSIS`` are pending;
``AUTHORIZED``; ``PAID`` is approved, or partially refunded when
``amount.summary.refunded`` is above zero; ``DECLINED`` is rejected;
``CANCELED`` is refunded when it had been paid, expired for an unpaid boleto
past its due date, cancelled otherwise. A Pix order without a charge is
pending until its QR code's ``expiration_date``, expired after it. PagBank
reports chargebacks through a separate Chargeback API, not in the order, so
this adapter never reports ``charged_back``.

PagBank's notifications have no id of their own: the event id is a digest
of the state the order reports (each charge's id, status, amount paid and
refunded), so a redelivery or a duplicate of the same state is the same
event and a new state is a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
    money_from_cents,
)
from .errors import (
    InvalidChargeRequest,
    InvalidWebhook,
    OperationNotSupported,
    UnexpectedResponse,
)
from .http import JSONClient

BASE_URL = DEFAULT_API_URLS[Provider.PAGBANK]
SANDBOX_URL = "https://sandbox.api.pagseguro.com"

_METHODS = {
    "PIX": PaymentMethod.PIX,
    "BOLETO": PaymentMethod.BOLETO,
    "CREDIT_CARD": PaymentMethod.CARD,
    "DEBIT_CARD": PaymentMethod.DEBIT_CARD,
}
_OPEN = {"WAITING", "IN_ANALYSIS", "AUTHORIZED"}
CARDS = (PaymentMethod.CARD, PaymentMethod.DEBIT_CARD)


def describe_error(payload: Any) -> str:
    """``{"error_messages": [{"code", "description", "parameter_name"}]}``."""
    parts = []
    for message in payload.get("error_messages") or []:
        text = " ".join(
            str(message[key])
            for key in ("code", "description", "parameter_name")
            if message.get(key)
        )
        parts.append(text)
    return "; ".join(parts)


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


class PagBankProvider:
    kind = Provider.PAGBANK.value
    methods = frozenset({PaymentMethod.PIX, PaymentMethod.BOLETO, PaymentMethod.CARD})

    def __init__(self, credentials: Credentials, *, timeout: Timeout | None = None):
        self.credentials = credentials
        self.client = JSONClient(
            provider=self.kind,
            base_url=credentials.base_url or BASE_URL,
            access_token=credentials.access_token,
            timeout=timeout or Timeout(),
            idempotency_header="x-idempotency-key",
            describe=describe_error,
        )

    # -- Calls ------------------------------------------------------------------

    def create_charge(self, request: ChargeRequest) -> ChargeResult:
        """``POST /orders`` keyed by our payment's reference."""
        check_method(self, request)
        order = self.client.call(
            "POST",
            "/orders",
            body=self.order_body(request),
            idempotency_key=request.reference,
        )
        return self.read_order(order)

    def fetch_status(self, provider_id: str) -> ChargeResult:
        return self.read_order(self._order(provider_id))

    def capture(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> ChargeResult:
        """``POST /charges/{id}/capture`` for the order's authorised charge."""
        order = self._order(provider_id)
        charge = self._charge(
            order, {"AUTHORIZED"}, pgettext("payment operation", "capture")
        )
        value = charge["amount"]["value"] if amount is None else _cents(amount)
        updated = self.client.call(
            "POST",
            f"/charges/{charge['id']}/capture",
            body={"amount": {"value": value}},
            idempotency_key=idempotency_key,
        )
        return self.read_order(_with_charge(order, updated))

    def refund(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> RefundResult:
        """``POST /charges/{id}/cancel`` for the order's paid charge: the whole
        amount paid less what was refunded, or ``amount``."""
        order = self._order(provider_id)
        charge = self._charge(order, {"PAID"}, pgettext("payment operation", "refund"))
        summary = charge["amount"].get("summary") or {}
        left = int(summary.get("paid", charge["amount"]["value"])) - int(
            summary.get("refunded", 0)
        )
        value = left if amount is None else _cents(amount)
        updated = self.client.call(
            "POST",
            f"/charges/{charge['id']}/cancel",
            body={"amount": {"value": value}},
            idempotency_key=idempotency_key,
        )
        payment = self.read_order(_with_charge(order, updated))
        return RefundResult(
            provider_refund_id=None,
            amount=money_from_cents(value),
            payment=payment,
            raw=updated,
        )

    def cancel(self, provider_id: str, *, idempotency_key: str) -> ChargeResult:
        """``POST /charges/{id}/cancel`` for a charge not yet paid (a boleto,
        an authorised card). A Pix QR code cannot be cancelled: it expires."""
        order = self._order(provider_id)
        charge = self._charge(order, _OPEN, pgettext("payment operation", "cancel"))
        updated = self.client.call(
            "POST",
            f"/charges/{charge['id']}/cancel",
            body={"amount": {"value": charge["amount"]["value"]}},
            idempotency_key=idempotency_key,
        )
        return self.read_order(_with_charge(order, updated))

    def _order(self, provider_id: str) -> dict[str, Any]:
        return self.client.call("GET", f"/orders/{provider_id}")

    def _charge(
        self, order: Mapping[str, Any], statuses: set[str], operation: str
    ) -> dict[str, Any]:
        charge = _last_charge(order)
        if charge is None or charge.get("status") not in statuses:
            raise OperationNotSupported(
                _("PagBank cannot %(operation)s this payment (status: %(status)s).")
                % {
                    "operation": operation,
                    "status": self.read_order(order).status.label,
                },
                provider=self.kind,
            )
        return charge

    # -- Webhooks ---------------------------------------------------------------

    def parse_webhook(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        query: Mapping[str, str],
    ) -> WebhookEvent:
        """Check ``x-authenticity-token`` over the raw body, then read the order
        it carries (signed, so the event includes the payment as reported).

        Raises a :class:`~plugins.finance.signatures.SignatureError` (401) or
        :class:`~.errors.InvalidWebhook` (400).
        """
        headers = lower_keys(headers)
        signatures.verify_pagbank_signature(
            token=self.credentials.webhook_secret or self.credentials.access_token,
            body=body,
            x_authenticity_token=headers.get("x-authenticity-token"),
        )
        order = json_object(body)
        if not str(order.get("id", "")).startswith("ORDE_"):
            raise InvalidWebhook(_("The webhook's body is not a PagBank order."))
        try:
            payment = self.read_order(order)
        except UnexpectedResponse as exc:
            raise InvalidWebhook(exc.message) from exc
        charge = _last_charge(order)
        return WebhookEvent(
            provider=self.kind,
            event_id=state_digest(order),
            type=f"order.{payment.status}",
            provider_payment_id=payment.provider_id,
            occurred_at=_occurred_at(order, charge),
            reference=payment.reference,
            payment=payment,
            raw=order,
        )

    # -- Shapes -----------------------------------------------------------------

    def order_body(self, request: ChargeRequest) -> dict[str, Any]:
        """The body of ``POST /orders`` for ``request``."""
        payer = request.payer
        value = request.cents
        body: dict[str, Any] = {
            "reference_id": request.reference,
            "customer": {
                "name": payer.name,
                "email": payer.email,
                "tax_id": payer.document_digits,
            },
            "items": [
                {
                    "reference_id": request.reference,
                    "name": request.description[:64],
                    "quantity": 1,
                    "unit_amount": value,
                }
            ],
        }
        if request.notification_url:
            body["notification_urls"] = [request.notification_url]
        if request.method == PaymentMethod.PIX:
            qr_code: dict[str, Any] = {"amount": {"value": value}}
            if request.expires_at:
                qr_code["expiration_date"] = request.expires_at.isoformat(
                    timespec="seconds"
                )
            body["qr_codes"] = [qr_code]
            return body
        if request.method == PaymentMethod.BOLETO:
            payment_method = self._boleto(request)
        else:
            payment_method = {
                "type": "CREDIT_CARD",
                "installments": request.installments,
                "capture": request.capture,
                "card": {"encrypted": request.card_token, "store": False},
            }
        charge: dict[str, Any] = {
            "reference_id": request.reference,
            "description": request.description[:64],
            "amount": {"value": value, "currency": "BRL"},
            "payment_method": payment_method,
        }
        if request.notification_url:
            charge["notification_urls"] = [request.notification_url]
        body["charges"] = [charge]
        return body

    def _boleto(self, request: ChargeRequest) -> dict[str, Any]:
        payer, address = request.payer, request.payer.address
        if address is None:
            raise InvalidChargeRequest(_("A boleto needs the payer's address."))
        if request.due_date is None:
            raise InvalidChargeRequest(_("A boleto needs a due date."))
        return {
            "type": "BOLETO",
            "boleto": {
                "due_date": request.due_date.isoformat(),
                "instruction_lines": {
                    "line_1": request.description[:75],
                    "line_2": f"Ref. {request.reference}"[:75],
                },
                "holder": {
                    "name": payer.name,
                    "tax_id": payer.document_digits,
                    "email": payer.email,
                    "address": {
                        "street": address.street,
                        "number": address.number,
                        "complement": address.complement or None,
                        "locality": address.neighborhood,
                        "city": address.city,
                        "region_code": address.state,
                        "country": "BRA",
                        "postal_code": address.postal_code,
                    },
                },
            },
        }

    def read_order(self, order: Mapping[str, Any]) -> ChargeResult:
        """A PagBank order as a :class:`ChargeResult` (its last charge, or its
        QR code while no charge exists)."""
        try:
            provider_id = str(order["id"])
        except (KeyError, TypeError) as exc:
            raise self._unexpected(_("an order without id")) from exc
        charge = _last_charge(order)
        qr_code = (order.get("qr_codes") or [{}])[0]
        pix_fields = {
            "pix_payload": qr_code.get("text") or None,
            "pix_expires_at": _datetime(qr_code.get("expiration_date")),
        }
        if charge is None:
            if not qr_code:
                raise self._unexpected(_("an order with neither charge nor QR code"))
            expires = pix_fields["pix_expires_at"]
            expired = expires is not None and expires <= timezone.now()
            return ChargeResult(
                provider=self.kind,
                provider_id=provider_id,
                status=PaymentStatus.EXPIRED if expired else PaymentStatus.PENDING,
                method=PaymentMethod.PIX,
                amount=money_from_cents(qr_code["amount"]["value"]),
                status_detail="EXPIRED" if expired else "WAITING",
                reference=order.get("reference_id"),
                raw=order,
                **pix_fields,
            )
        try:
            amount = charge["amount"]
            payment_method = charge["payment_method"]
            method = _METHODS[payment_method["type"]]
            raw_status = str(charge["status"])
        except (KeyError, TypeError) as exc:
            raise self._unexpected(_("a charge it does not describe fully")) from exc
        summary = amount.get("summary") or {}
        paid = int(summary.get("paid", 0))
        refunded = int(summary.get("refunded", 0))
        boleto = payment_method.get("boleto") or {}
        due_date = parse_date(boleto["due_date"]) if boleto.get("due_date") else None
        status = self._status(raw_status, paid, refunded, method, due_date)
        line, barcode = self._boleto_codes(boleto)
        card = payment_method.get("card") or {}
        response = charge.get("payment_response") or {}
        detail = response.get("message")
        return ChargeResult(
            provider=self.kind,
            provider_id=provider_id,
            provider_charge_id=charge.get("id"),
            status=status,
            method=method,
            amount=money_from_cents(amount["value"]),
            status_detail=f"{raw_status}/{detail}" if detail else raw_status,
            reference=order.get("reference_id"),
            refunded_amount=money_from_cents(refunded),
            paid_at=_datetime(charge.get("paid_at")),
            captured=paid > 0 if method in CARDS else None,
            boleto_line=line,
            boleto_barcode=barcode,
            boleto_pdf_url=_link(charge, "application/pdf"),
            boleto_due_date=due_date,
            installments=payment_method.get("installments"),
            card_brand=card.get("brand"),
            card_last_digits=card.get("last_digits"),
            raw=order,
            **(pix_fields if method == PaymentMethod.PIX else {}),
        )

    def _status(
        self,
        raw: str,
        paid: int,
        refunded: int,
        method: PaymentMethod,
        due_date: Any,
    ) -> PaymentStatus:
        if raw in ("WAITING", "IN_ANALYSIS"):
            return PaymentStatus.PENDING
        if raw == "AUTHORIZED":
            return PaymentStatus.AUTHORIZED
        if raw == "PAID":
            return (
                PaymentStatus.PARTIALLY_REFUNDED if refunded else PaymentStatus.APPROVED
            )
        if raw == "DECLINED":
            return PaymentStatus.REJECTED
        if raw == "CANCELED":
            if paid:
                return (
                    PaymentStatus.REFUNDED
                    if refunded >= paid
                    else PaymentStatus.PARTIALLY_REFUNDED
                )
            if (
                method == PaymentMethod.BOLETO
                and due_date is not None
                and due_date < timezone.localdate()
            ):
                return PaymentStatus.EXPIRED
            return PaymentStatus.CANCELLED
        raise self._unexpected(_("the unknown status “%(value)s”") % {"value": raw})

    def _boleto_codes(self, boleto: Mapping[str, Any]) -> tuple[str | None, str | None]:
        # PagBank's "barcode" holds the 47 digits of the typed line.
        text = boleto.get("barcode") or boleto.get("formatted_barcode")
        if not text:
            return None, None
        try:
            parsed = parse_boleto(str(text))
        except BoletoError as exc:
            raise self._unexpected(_("a boleto line that does not check")) from exc
        return parsed.digitable_line, parsed.barcode

    def _unexpected(self, what: str) -> UnexpectedResponse:
        return UnexpectedResponse(
            _("PagBank sent %(what)s.") % {"what": what}, provider=self.kind
        )


def _last_charge(order: Mapping[str, Any]) -> dict[str, Any] | None:
    charges = order.get("charges") or []
    return charges[-1] if charges else None


def _with_charge(order: Mapping[str, Any], charge: Mapping[str, Any]) -> dict:
    """The order with ``charge`` in place of its earlier version."""
    charges = [c for c in order.get("charges") or [] if c.get("id") != charge.get("id")]
    return {**order, "charges": [*charges, charge]}


def _link(charge: Mapping[str, Any], media: str) -> str | None:
    for link in charge.get("links") or []:
        if link.get("media") == media:
            return link.get("href")
    return None


def _datetime(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _occurred_at(
    order: Mapping[str, Any], charge: Mapping[str, Any] | None
) -> datetime | None:
    """The time the order states for its current state; none for a refund or
    a cancellation, which PagBank's charge does not date."""
    if charge is None:
        return _datetime(order.get("created_at"))
    refunded = ((charge.get("amount") or {}).get("summary") or {}).get("refunded")
    if charge.get("status") == "CANCELED" or refunded:
        return None
    if charge.get("status") == "PAID":
        return _datetime(charge.get("paid_at"))
    return _datetime(charge.get("created_at"))


def state_digest(order: Mapping[str, Any]) -> str:
    """The event id of a PagBank notification: a digest of the state the
    order reports."""
    state = [str(order.get("id"))]
    for charge in order.get("charges") or []:
        summary = (charge.get("amount") or {}).get("summary") or {}
        state.append(
            f"{charge.get('id')}:{charge.get('status')}:"
            f"{summary.get('paid', 0)}:{summary.get('refunded', 0)}"
        )
    digest = hashlib.sha256(json.dumps(state).encode()).hexdigest()
    return f"{order.get('id')}:{digest[:32]}"
