"""A local Mercado Pago: the v1 Payments API's shapes on loopback.

``POST /v1/payments`` (``X-Idempotency-Key`` required), ``GET`` and ``PUT
/v1/payments/{id}`` (capture, cancel), ``POST /v1/payments/{id}/refunds``,
and the boleto's slip at ``/payments/{id}/ticket``. Webhooks go to the
payment's ``notification_url`` with ``?data.id=<id>&type=payment``, the body
``{"id", "action", "type", "data": {"id"}, "date_created", …}`` and
``x-signature: ts=<seconds>,v1=<HMAC-SHA256>`` over
``id:<data.id>;request-id:<x-request-id>;ts:<ts>;`` keyed with the webhook
secret, as Mercado Pago's "Webhooks" documentation lays it out.

Pix codes are static BR Codes with the amount and ``MP<id>`` as txid (Mercado
Pago's own are dynamic: the amount sits at the code's location), built by
:mod:`plugins.finance.pix`; boletos are Bradesco's (237), built by
:mod:`plugins.finance.boleto`. A card token decides the card's fate the way
Mercado Pago's test cardholder names do: one containing ``OTHE`` or ``FUND``
is rejected, ``CONT`` stays pending, anything else is approved (or only
authorised when ``capture`` is false). Fees are the simulator's own rates:
Pix 0.99 %, boleto R$ 3,49, card 4.98 % plus 1 % per installment after the
first, charged to the seller and shown once the payment is approved.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugins.finance.boleto import build_boleto
from plugins.finance.pix import br_code_png, build_br_code

from .base import Simulator
from .common import (
    BRAZIL,
    CENT,
    MERCHANT_CITY,
    MERCHANT_NAME,
    PIX_KEY,
    ApiError,
    Reply,
    Request,
    SimulatorError,
    boleto_pdf,
    card_outcome,
    stamp,
)
from .webhooks import Notification

CARD_BRANDS = {"visa", "master", "elo", "amex", "hipercard"}
BOLETO_METHODS = {"bolbradesco", "pec"}


def fee(payment: dict[str, Any]) -> Decimal:
    amount = payment["transaction_amount"]
    if payment["payment_type_id"] == "bank_transfer":
        value = amount * Decimal("0.0099")
    elif payment["payment_type_id"] == "ticket":
        value = Decimal("3.49")
    else:
        rate = Decimal("0.0498") + Decimal("0.01") * (payment["installments"] - 1)
        value = amount * rate
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class MercadoPagoSimulator(Simulator):
    vendor = "mercadopago"
    routes = [
        ("POST", r"/v1/payments", "create_payment"),
        ("GET", r"/v1/payments/(?P<payment_id>\d+)", "get_payment"),
        ("PUT", r"/v1/payments/(?P<payment_id>\d+)", "update_payment"),
        ("POST", r"/v1/payments/(?P<payment_id>\d+)/refunds", "create_refund"),
    ]
    public_routes = [("GET", r"/payments/(?P<payment_id>\d+)/ticket", "ticket")]
    state_attributes = ("payments", "_next_id", "_next_notification")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.payments: dict[str, dict[str, Any]] = {}
        self._next_id = 1_310_000_001
        self._next_notification = 110_000_000_001

    # -- Vendor shapes ------------------------------------------------------------

    def error_reply(self, error: ApiError) -> Reply:
        names = {400: "bad_request", 401: "unauthorized", 404: "not_found"}
        return Reply(
            error.status,
            {
                "message": error.message,
                "error": names.get(error.status, "internal_error"),
                "status": error.status,
                "cause": [
                    {"code": error.extra.get("code", 0), "description": error.message}
                ]
                if error.status == 400
                else [],
            },
        )

    def _payment(self, payment_id: str) -> dict[str, Any]:
        try:
            return self.payments[str(payment_id)]
        except KeyError:
            raise ApiError(404, "Payment not found") from None

    # -- API ----------------------------------------------------------------------

    def create_payment(self, request: Request) -> Reply:
        key = request.headers.get("x-idempotency-key")
        if not key:
            raise ApiError(400, "header X-Idempotency-Key is required", code=4292)
        return self.idempotent(request, key, lambda: self._create(request.json()))

    def _create(self, data: dict[str, Any]) -> Reply:
        amount = data.get("transaction_amount")
        if not isinstance(amount, Decimal | int) or amount <= 0:
            raise ApiError(400, "transaction_amount must be positive", code=4037)
        amount = Decimal(amount).quantize(CENT)
        method = data.get("payment_method_id")
        payer = data.get("payer") or {}
        if not payer.get("email"):
            raise ApiError(400, "payer.email must not be null", code=4050)
        now = timezone.now()
        with self.lock:
            payment_id = str(self._next_id)
            self._next_id += 1
        payment: dict[str, Any] = {
            "id": int(payment_id),
            "date_created": stamp(now),
            "date_approved": None,
            "date_last_updated": stamp(now),
            "date_of_expiration": None,
            "status": "pending",
            "status_detail": "",
            "payment_method_id": method,
            "payment_type_id": "",
            "currency_id": "BRL",
            "description": data.get("description"),
            "external_reference": data.get("external_reference"),
            "notification_url": data.get("notification_url"),
            "transaction_amount": amount,
            "transaction_amount_refunded": Decimal("0.00"),
            "installments": int(data.get("installments") or 1),
            "captured": True,
            "live_mode": False,
            "payer": payer,
            "fee_details": [],
            "transaction_details": {
                "net_received_amount": Decimal("0.00"),
                "total_paid_amount": amount,
                "installment_amount": amount,
                "external_resource_url": None,
                "financial_institution": None,
            },
            "refunds": [],
        }
        expires = (
            parse_datetime(data["date_of_expiration"])
            if data.get("date_of_expiration")
            else None
        )
        if method == "pix":
            self._pix(payment, payer, expires or now + timedelta(hours=24))
        elif method in BOLETO_METHODS:
            self._boleto(payment, payer, expires or now + timedelta(days=3))
        elif method in CARD_BRANDS:
            self._card(payment, data)
        else:
            raise ApiError(400, f"payment_method_id {method!r} not found", code=4033)
        with self.lock:
            self.payments[payment_id] = payment
        self._notify(payment, "payment.created")
        return Reply(201, payment)

    def _identification(self, payer: dict[str, Any]) -> None:
        identification = payer.get("identification") or {}
        if identification.get("type") not in ("CPF", "CNPJ") or not identification.get(
            "number"
        ):
            raise ApiError(400, "payer.identification is required", code=2067)

    def _pix(self, payment: dict, payer: dict, expires: datetime) -> None:
        self._identification(payer)
        code = build_br_code(
            key=PIX_KEY,
            merchant_name=MERCHANT_NAME,
            merchant_city=MERCHANT_CITY,
            amount=payment["transaction_amount"],
            txid=f"MP{payment['id']}",
            single_use=True,
        )
        payment |= {
            "payment_type_id": "bank_transfer",
            "status_detail": "pending_waiting_transfer",
            "date_of_expiration": stamp(expires),
            "point_of_interaction": {
                "type": "PIX",
                "transaction_data": {
                    "qr_code": code,
                    "qr_code_base64": base64.b64encode(br_code_png(code)).decode(),
                    "ticket_url": f"{self.url}/payments/{payment['id']}/ticket",
                },
            },
        }

    def _boleto(self, payment: dict, payer: dict, expires: datetime) -> None:
        self._identification(payer)
        address = payer.get("address") or {}
        for name in ("zip_code", "street_name", "street_number", "city"):
            if not address.get(name):
                raise ApiError(400, f"payer.address.{name} is required", code=4020)
        if not payer.get("first_name") or not payer.get("last_name"):
            raise ApiError(400, "payer.first_name and last_name required", code=4020)
        campo_livre = "1234" + "09" + f"{payment['id']:011d}" + "0012345" + "0"
        boleto = build_boleto(
            bank="237",
            due_date=expires.astimezone(BRAZIL).date(),
            amount=payment["transaction_amount"],
            campo_livre=campo_livre,
        )
        payment["transaction_details"] |= {
            "external_resource_url": f"{self.url}/payments/{payment['id']}/ticket",
            "digitable_line": boleto.digitable_line,
            "financial_institution": "bradesco",
        }
        payment |= {
            "payment_type_id": "ticket",
            "status_detail": "pending_waiting_payment",
            "date_of_expiration": stamp(expires),
            "barcode": {"content": boleto.barcode},
        }

    def _card(self, payment: dict, data: dict) -> None:
        token = str(data.get("token") or "")
        if not token:
            raise ApiError(400, "token must not be null", code=2006)
        installments = payment["installments"]
        if not 1 <= installments <= 12:
            raise ApiError(400, "Invalid installments", code=3011)
        amount = payment["transaction_amount"]
        payment["transaction_details"]["installment_amount"] = (
            amount / installments
        ).quantize(CENT, rounding=ROUND_HALF_UP)
        payment |= {
            "payment_type_id": "credit_card",
            "card": {
                "first_six_digits": "503143",
                "last_four_digits": "6351",
                "cardholder": {"name": token[:4].upper()},
            },
        }
        outcome = card_outcome(token, capture=data.get("capture") is not False)
        if outcome.startswith("rejected"):
            detail = "cc_rejected_" + (
                "insufficient_amount" if outcome == "rejected_funds" else "other_reason"
            )
            payment |= {"status": "rejected", "status_detail": detail}
        elif outcome == "pending":
            payment |= {"status": "in_process", "status_detail": "pending_contingency"}
        elif outcome == "authorized":
            payment |= {
                "status": "authorized",
                "status_detail": "pending_capture",
                "captured": False,
            }
        else:
            self._approved(payment)

    def get_payment(self, request: Request, payment_id: str) -> Reply:
        return Reply(200, self._payment(payment_id))

    def update_payment(self, request: Request, payment_id: str) -> Reply:
        key = request.headers.get("x-idempotency-key")
        return self.idempotent(
            request, key, lambda: self._update(payment_id, request.json())
        )

    def _update(self, payment_id: str, data: dict) -> Reply:
        with self.lock:
            payment = self._payment(payment_id)
            if data.get("capture") is True:
                if payment["status"] != "authorized":
                    raise ApiError(400, "Payment can't be captured", code=2063)
                amount = data.get("transaction_amount")
                if amount is not None:
                    amount = Decimal(amount).quantize(CENT)
                    if not 0 < amount <= payment["transaction_amount"]:
                        raise ApiError(400, "Invalid transaction_amount", code=2064)
                    payment["transaction_amount"] = amount
                    payment["transaction_details"]["total_paid_amount"] = amount
                self._approved(payment)
            elif data.get("status") == "cancelled":
                if payment["status"] not in ("pending", "in_process", "authorized"):
                    raise ApiError(400, "Payment can't be cancelled", code=2062)
                self._set(payment, "cancelled", "by_collector")
            else:
                raise ApiError(400, "Nothing to update", code=2000)
        self._notify(payment, "payment.updated")
        return Reply(200, payment)

    def create_refund(self, request: Request, payment_id: str) -> Reply:
        key = request.headers.get("x-idempotency-key")
        data = request.json()

        def produce() -> Reply:
            amount = data.get("amount")
            refund = self._refund(
                payment_id, None if amount is None else Decimal(amount).quantize(CENT)
            )
            return Reply(201, refund)

        return self.idempotent(request, key, produce)

    def _refund(self, payment_id: str, amount: Decimal | None) -> dict[str, Any]:
        with self.lock:
            payment = self._payment(payment_id)
            if payment["status"] != "approved":
                raise ApiError(400, "Payment not refundable", code=2085)
            left = (
                payment["transaction_amount"] - payment["transaction_amount_refunded"]
            )
            amount = left if amount is None else amount
            if not 0 < amount <= left:
                raise ApiError(400, "Invalid refund amount", code=4040)
            refund = {
                "id": int(time.time() * 1000) + len(payment["refunds"]),
                "payment_id": payment["id"],
                "amount": amount,
                "source": {"id": "simulator", "name": "Simulator", "type": "collector"},
                "date_created": stamp(timezone.now()),
                "status": "approved",
                "refund_mode": "standard",
                "adjustment_amount": Decimal("0.00"),
                "reason": None,
                "metadata": {},
            }
            payment["refunds"].append(refund)
            payment["transaction_amount_refunded"] += amount
            if payment["transaction_amount_refunded"] == payment["transaction_amount"]:
                self._set(payment, "refunded", "refunded")
            else:
                self._set(payment, "approved", "partially_refunded")
        self._notify(payment, "payment.updated")
        return refund

    def ticket(self, request: Request, payment_id: str) -> Reply:
        payment = self._payment(payment_id)
        if payment["payment_type_id"] != "ticket":
            raise ApiError(404, "no slip for this payment")
        payer = payment["payer"]
        pdf = boleto_pdf(
            line=payment["transaction_details"]["digitable_line"],
            amount=payment["transaction_amount"],
            due_date=parse_datetime(payment["date_of_expiration"]).date(),
            payer=f"{payer.get('first_name', '')} {payer.get('last_name', '')}",
        )
        return Reply(200, pdf, content_type="application/pdf")

    # -- State changes ------------------------------------------------------------

    def _set(self, payment: dict, status: str, detail: str) -> None:
        payment["status"], payment["status_detail"] = status, detail
        payment["date_last_updated"] = stamp(timezone.now())

    def _approved(self, payment: dict) -> None:
        self._set(payment, "approved", "accredited")
        payment["date_approved"] = payment["date_last_updated"]
        payment["captured"] = True
        charged = fee(payment)
        payment["fee_details"] = [
            {"type": "mercadopago_fee", "amount": charged, "fee_payer": "collector"}
        ]
        payment["transaction_details"]["net_received_amount"] = (
            payment["transaction_amount"] - charged
        )

    def _change(self, payment_id: str, allowed: set[str], change: Any) -> dict:
        with self.lock:
            payment = self.payments.get(str(payment_id))
            if payment is None:
                raise SimulatorError(f"no payment {payment_id}")
            if payment["status"] not in allowed:
                raise SimulatorError(
                    f"payment {payment_id} is {payment['status']}: not allowed"
                )
            change(payment)
        self._notify(payment, "payment.updated")
        return payment

    def payment_id_for(self, key: str) -> str:
        with self.lock:
            if key in self.payments:
                return key
            return next(
                (
                    payment_id
                    for payment_id, payment in self.payments.items()
                    if payment.get("external_reference") == key
                ),
                key,
            )

    def approve(self, payment_id: str | int) -> dict:
        """The payer paid (Pix, boleto) or the pending card went through."""
        return self._change(payment_id, {"pending", "in_process"}, self._approved)

    def reject(self, payment_id: str | int) -> dict:
        return self._change(
            payment_id,
            {"pending", "in_process"},
            lambda p: self._set(p, "rejected", "cc_rejected_other_reason"),
        )

    def refund(self, payment_id: str | int, amount: Decimal | None = None) -> dict:
        """Refund as the seller would from Mercado Pago's own panel."""
        try:
            self._refund(str(payment_id), amount)
        except ApiError as error:
            raise SimulatorError(error.message) from None
        return self.payments[str(payment_id)]

    def chargeback(self, payment_id: str | int) -> dict:
        return self._change(
            payment_id,
            {"approved"},
            lambda p: self._set(p, "charged_back", "settled"),
        )

    def expire(self, payment_id: str | int) -> dict:
        """An unpaid Pix or boleto passed its expiry."""
        return self._change(
            payment_id, {"pending"}, lambda p: self._set(p, "cancelled", "expired")
        )

    # -- Webhooks -----------------------------------------------------------------

    def _notify(self, payment: dict, action: str) -> None:
        with self.lock:
            notification_id = self._next_notification
            self._next_notification += 1
        body = {
            "id": notification_id,
            "live_mode": False,
            "type": "payment",
            "date_created": stamp(timezone.now()),
            "user_id": "1310000000",
            "api_version": "v1",
            "action": action,
            "data": {"id": str(payment["id"])},
        }
        self.enqueue(
            payment.get("notification_url"),
            body,
            notification_id=str(notification_id),
            data_id=str(payment["id"]),
        )

    def sign(self, notification: Notification) -> tuple[str, dict[str, str]]:
        """Query ``data.id`` and ``type``; ``x-signature`` and ``x-request-id``
        new for every attempt, as each is a new request."""
        data_id = notification.data["data_id"]
        separator = "&" if "?" in notification.url else "?"
        url = (
            notification.url
            + separator
            + urlencode({"data.id": data_id, "type": "payment"})
        )
        request_id = str(uuid.uuid4())
        ts = str(int(time.time()))
        signed_id = data_id.lower() if data_id.isalnum() else data_id
        manifest = f"id:{signed_id};request-id:{request_id};ts:{ts};"
        v1 = hmac.new(
            self.webhook_secret.encode(), manifest.encode(), hashlib.sha256
        ).hexdigest()
        return url, {
            "Content-Type": "application/json",
            "x-signature": f"ts={ts},v1={v1}",
            "x-request-id": request_id,
        }
