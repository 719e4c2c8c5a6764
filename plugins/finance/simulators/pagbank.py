"""A local PagBank: the Orders API's shapes on loopback.

``POST /orders`` (Pix through ``qr_codes``, boleto and card through
``charges``; ``x-idempotency-key`` honoured when sent), ``GET
/orders/{id}``, ``GET /charges/{id}``, ``POST /charges/{id}/capture`` and
``POST /charges/{id}/cancel`` (void or refund, in whole or in part), plus
the public links of a boleto's PDF and a QR code's PNG. Amounts are integer
centavos. Webhooks go to the order's ``notification_urls``: the order as
the API returns it, with ``x-authenticity-token`` = SHA-256 of
``<token>-<body>``, as PagBank's "Webhooks" and "Confirmar autenticidade da
notificação" describe.

Pix codes are static BR Codes with the amount (:mod:`plugins.finance.pix`);
boletos are Santander's (033), as in PagBank's examples
(:mod:`plugins.finance.boleto`); ``payment_method.boleto.barcode`` carries
the 47 digits of the typed line, as PagBank's does. Card tokens decide the
outcome as in the Mercado Pago simulator (``OTHE``/``FUND``: declined,
``CONT``: in analysis, otherwise paid or, without capture, authorised).

Approving a Pix order adds its ``PIX`` charge, paid. Expiring a boleto
cancels its charge and moves its due date to yesterday (time has passed);
expiring a Pix order moves its QR code's expiry to the past and sends no
webhook. PagBank reports chargebacks through its separate Chargeback API,
which this simulator does not speak: :meth:`PagBankSimulator.chargeback`
says so.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from stdnum.br import cnpj, cpf

from plugins.finance.boleto import build_boleto
from plugins.finance.pix import br_code_png, build_br_code

from .base import Simulator
from .common import (
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

OK = {"code": "20000", "message": "SUCESSO"}
DECLINED = {"code": "10002", "message": "NAO AUTORIZADA"}


def _id(prefix: str) -> str:
    return f"{prefix}_{str(uuid.uuid4()).upper()}"


def _positive(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ApiError(400, "must be a positive integer", parameter=name)
    return value


class PagBankSimulator(Simulator):
    vendor = "pagbank"
    routes = [
        ("POST", r"/orders", "create_order"),
        ("GET", r"/orders/(?P<order_id>ORDE_[\w-]+)", "get_order"),
        ("GET", r"/charges/(?P<charge_id>CHAR_[\w-]+)", "get_charge"),
        ("POST", r"/charges/(?P<charge_id>CHAR_[\w-]+)/capture", "capture_charge"),
        ("POST", r"/charges/(?P<charge_id>CHAR_[\w-]+)/cancel", "cancel_charge"),
    ]
    public_routes = [
        ("GET", r"/boletos/(?P<charge_id>CHAR_[\w-]+)\.pdf", "boleto_slip"),
        ("GET", r"/qrcode/(?P<qr_id>QRCO_[\w-]+)/png", "qr_code_png"),
    ]
    state_attributes = ("orders", "charges")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.orders: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, str] = {}  # charge id -> order id

    def error_reply(self, error: ApiError) -> Reply:
        if error.status == 401:
            message = {
                "code": "UNAUTHORIZED",
                "description": "Invalid credential. Review AUTHORIZATION header",
            }
        else:
            message = {"code": str(40000 + error.status), "description": error.message}
            if error.extra.get("parameter"):
                message["parameter_name"] = error.extra["parameter"]
        return Reply(error.status, {"error_messages": [message]})

    # -- API ----------------------------------------------------------------------

    def create_order(self, request: Request) -> Reply:
        key = request.headers.get("x-idempotency-key")
        return self.idempotent(request, key, lambda: self._create(request.json()))

    def _create(self, data: dict[str, Any]) -> Reply:
        customer = data.get("customer") or {}
        for name in ("name", "email", "tax_id"):
            if not customer.get(name):
                raise ApiError(400, "must not be blank", parameter=f"customer.{name}")
        tax_id = str(customer["tax_id"])
        if not (cpf.is_valid(tax_id) or cnpj.is_valid(tax_id)):
            raise ApiError(
                400, "must be a valid CPF or CNPJ", parameter="customer.tax_id"
            )
        if not data.get("qr_codes") and not data.get("charges"):
            raise ApiError(400, "qr_codes or charges is required", parameter="charges")
        now = timezone.now()
        order_id = _id("ORDE")
        order: dict[str, Any] = {
            "id": order_id,
            "reference_id": data.get("reference_id"),
            "created_at": stamp(now),
            "customer": customer,
            "items": data.get("items") or [],
            "notification_urls": data.get("notification_urls") or [],
            "links": [
                {
                    "rel": "SELF",
                    "href": f"{self.url}/orders/{order_id}",
                    "media": "application/json",
                    "type": "GET",
                }
            ],
        }
        if data.get("qr_codes"):
            order["qr_codes"] = [self._qr_code(data["qr_codes"][0], order, now)]
        else:
            order["charges"] = [self._charge(data["charges"][0], order, now)]
        with self.lock:
            self.orders[order_id] = order
            for charge in order.get("charges", []):
                self.charges[charge["id"]] = order_id
        if order.get("charges"):
            self._notify(order)
        return Reply(201, order)

    def _qr_code(self, data: dict, order: dict, now: datetime) -> dict[str, Any]:
        value = _positive((data.get("amount") or {}).get("value"), "amount.value")
        expires = parse_datetime(data.get("expiration_date") or "") or (
            now + timedelta(hours=24)
        )
        qr_id = _id("QRCO")
        text = build_br_code(
            key=PIX_KEY,
            merchant_name=MERCHANT_NAME,
            merchant_city=MERCHANT_CITY,
            amount=Decimal(value) / 100,
            txid=qr_id[5:13].replace("-", ""),
            single_use=True,
        )
        return {
            "id": qr_id,
            "expiration_date": stamp(expires),
            "amount": {"value": value},
            "text": text,
            "arrangements": ["PIX"],
            "links": [
                {
                    "rel": "QRCODE.PNG",
                    "href": f"{self.url}/qrcode/{qr_id}/png",
                    "media": "image/png",
                    "type": "GET",
                }
            ],
        }

    def _charge(self, data: dict, order: dict, now: datetime) -> dict[str, Any]:
        amount = data.get("amount") or {}
        value = _positive(amount.get("value"), "charges[0].amount.value")
        method = data.get("payment_method") or {}
        charge_id = _id("CHAR")
        charge: dict[str, Any] = {
            "id": charge_id,
            "reference_id": data.get("reference_id"),
            "status": "WAITING",
            "created_at": stamp(now),
            "description": data.get("description"),
            "amount": {
                "value": value,
                "currency": amount.get("currency", "BRL"),
                "summary": {"total": value, "paid": 0, "refunded": 0},
            },
            "payment_response": {**OK, "reference": charge_id[5:17]},
            "links": [
                {
                    "rel": "SELF",
                    "href": f"{self.url}/charges/{charge_id}",
                    "media": "application/json",
                    "type": "GET",
                }
            ],
        }
        if method.get("type") == "BOLETO":
            charge["payment_method"] = self._boleto(method.get("boleto") or {}, value)
            charge["links"].insert(
                0,
                {
                    "rel": "SELF",
                    "href": f"{self.url}/boletos/{charge_id}.pdf",
                    "media": "application/pdf",
                    "type": "GET",
                },
            )
        elif method.get("type") == "CREDIT_CARD":
            self._card(charge, method, now)
        else:
            raise ApiError(
                400, "invalid payment method", parameter="payment_method.type"
            )
        return charge

    def _boleto(self, data: dict, value: int) -> dict[str, Any]:
        due = parse_date(str(data.get("due_date") or ""))
        if due is None or due < timezone.localdate():
            raise ApiError(400, "must be a future date", parameter="boleto.due_date")
        holder = data.get("holder") or {}
        address = holder.get("address") or {}
        for name in ("street", "number", "locality", "city", "region_code"):
            if not address.get(name):
                raise ApiError(
                    400, "must not be blank", parameter=f"boleto.holder.address.{name}"
                )
        if not address.get("postal_code") or not holder.get("tax_id"):
            raise ApiError(400, "must not be blank", parameter="boleto.holder")
        with self.lock:
            sequence = len(self.charges) + 1
        campo_livre = "9" + "1234567" + f"{sequence:013d}" + "0" + "101"
        boleto = build_boleto(
            bank="033",
            due_date=due,
            amount=Decimal(value) / 100,
            campo_livre=campo_livre,
        )
        return {
            "type": "BOLETO",
            "boleto": {
                "id": str(uuid.uuid4()).upper(),
                "barcode": boleto.digitable_line,
                "formatted_barcode": boleto.formatted_line,
                "due_date": due.isoformat(),
                "instruction_lines": data.get("instruction_lines") or {},
                "holder": holder,
            },
        }

    def _card(self, charge: dict, method: dict, now: datetime) -> None:
        card = method.get("card") or {}
        token = str(card.get("encrypted") or card.get("id") or card.get("number") or "")
        if not token:
            raise ApiError(400, "must not be blank", parameter="card.encrypted")
        installments = method.get("installments", 1)
        if not isinstance(installments, int) or not 1 <= installments <= 18:
            raise ApiError(400, "invalid installments", parameter="installments")
        capture = method.get("capture", True)
        charge["payment_method"] = {
            "type": "CREDIT_CARD",
            "installments": installments,
            "capture": capture,
            "card": {
                "brand": "visa",
                "first_digits": "411111",
                "last_digits": "1111",
                "exp_month": "12",
                "exp_year": "2030",
                "holder": {"name": token[:4].upper()},
                "store": False,
            },
            "soft_descriptor": "LOJASIMULADA",
        }
        outcome = card_outcome(token, capture=capture is not False)
        if outcome.startswith("rejected"):
            charge["status"] = "DECLINED"
            charge["payment_response"] = {**DECLINED, "reference": charge["id"][5:17]}
        elif outcome == "pending":
            charge["status"] = "IN_ANALYSIS"
        elif outcome == "authorized":
            charge["status"] = "AUTHORIZED"
        else:
            self._paid(charge, charge["amount"]["value"], now)

    def get_order(self, request: Request, order_id: str) -> Reply:
        return Reply(200, self._order(order_id))

    def get_charge(self, request: Request, charge_id: str) -> Reply:
        return Reply(200, self._find_charge(charge_id))

    def capture_charge(self, request: Request, charge_id: str) -> Reply:
        data = request.json()

        def produce() -> Reply:
            with self.lock:
                charge = self._find_charge(charge_id)
                if charge["status"] != "AUTHORIZED":
                    raise ApiError(400, "charge cannot be captured", parameter="status")
                value = (data.get("amount") or {}).get("value")
                value = _positive(value, "amount.value")
                if value > charge["amount"]["value"]:
                    raise ApiError(
                        400, "above the authorised amount", parameter="amount"
                    )
                self._paid(charge, value, timezone.now())
            self._notify(self._order(self.charges[charge_id]))
            return Reply(201, charge)

        return self.idempotent(
            request, request.headers.get("x-idempotency-key"), produce
        )

    def cancel_charge(self, request: Request, charge_id: str) -> Reply:
        data = request.json()

        def produce() -> Reply:
            value = (data.get("amount") or {}).get("value")
            charge = self._cancel(charge_id, _positive(value, "amount.value"))
            return Reply(201, charge)

        return self.idempotent(
            request, request.headers.get("x-idempotency-key"), produce
        )

    def _cancel(self, charge_id: str, value: int) -> dict[str, Any]:
        with self.lock:
            charge = self._find_charge(charge_id)
            summary = charge["amount"]["summary"]
            if charge["status"] in ("WAITING", "IN_ANALYSIS", "AUTHORIZED"):
                charge["status"] = "CANCELED"
            elif charge["status"] == "PAID":
                if value > summary["paid"] - summary["refunded"]:
                    raise ApiError(400, "above the amount paid", parameter="amount")
                summary["refunded"] += value
                if summary["refunded"] == summary["paid"]:
                    charge["status"] = "CANCELED"
            else:
                raise ApiError(400, "charge cannot be canceled", parameter="status")
        self._notify(self._order(self.charges[charge_id]))
        return charge

    def boleto_slip(self, request: Request, charge_id: str) -> Reply:
        charge = self._find_charge(charge_id)
        boleto = charge["payment_method"].get("boleto")
        if not boleto:
            raise ApiError(404, "no boleto")
        pdf = boleto_pdf(
            line=boleto["formatted_barcode"],
            amount=Decimal(charge["amount"]["value"]) / 100,
            due_date=date.fromisoformat(boleto["due_date"]),
            payer=boleto["holder"].get("name", ""),
        )
        return Reply(200, pdf, content_type="application/pdf")

    def qr_code_png(self, request: Request, qr_id: str) -> Reply:
        for order in self.orders.values():
            for qr_code in order.get("qr_codes", []):
                if qr_code["id"] == qr_id:
                    return Reply(200, br_code_png(qr_code["text"]), "image/png")
        raise ApiError(404, "no such QR code")

    # -- State ----------------------------------------------------------------------

    def _order(self, order_id: str) -> dict[str, Any]:
        try:
            return self.orders[order_id]
        except KeyError:
            raise ApiError(404, "order not found") from None

    def _find_charge(self, charge_id: str) -> dict[str, Any]:
        order = self._order(self.charges.get(charge_id, ""))
        return next(c for c in order["charges"] if c["id"] == charge_id)

    def _paid(self, charge: dict, value: int, now: datetime) -> None:
        charge["status"] = "PAID"
        charge["paid_at"] = stamp(now)
        charge["amount"]["summary"]["paid"] = value

    def _control_order(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(str(order_id))
        if order is None:
            raise SimulatorError(f"no order {order_id}")
        return order

    def _charge_in(self, order: dict, statuses: set[str], action: str) -> dict:
        charges = order.get("charges") or []
        if not charges or charges[-1]["status"] not in statuses:
            status = charges[-1]["status"] if charges else "without charge"
            raise SimulatorError(f"cannot {action} order {order['id']}: {status}")
        return charges[-1]

    def payment_id_for(self, key: str) -> str:
        with self.lock:
            if key in self.orders:
                return key
            return next(
                (
                    order_id
                    for order_id, order in self.orders.items()
                    if order.get("reference_id") == key
                ),
                key,
            )

    def approve(self, order_id: str) -> dict:
        """The payer paid the Pix code or the boleto, or the card in analysis
        went through."""
        now = timezone.now()
        with self.lock:
            order = self._control_order(order_id)
            if order.get("qr_codes") and not order.get("charges"):
                qr_code = order["qr_codes"][0]
                charge_id = _id("CHAR")
                value = qr_code["amount"]["value"]
                charge = {
                    "id": charge_id,
                    "reference_id": order.get("reference_id"),
                    "status": "PAID",
                    "created_at": stamp(now),
                    "paid_at": stamp(now),
                    "amount": {
                        "value": value,
                        "currency": "BRL",
                        "summary": {"total": value, "paid": value, "refunded": 0},
                    },
                    "payment_response": {**OK, "reference": charge_id[5:17]},
                    "payment_method": {
                        "type": "PIX",
                        "pix": {
                            "notification_id": _id("NTF"),
                            "end_to_end_id": "E" + uuid.uuid4().hex[:31].upper(),
                            "holder": {"name": order["customer"]["name"]},
                        },
                    },
                    "links": [],
                }
                order["charges"] = [charge]
                self.charges[charge_id] = order["id"]
            else:
                charge = self._charge_in(order, {"WAITING", "IN_ANALYSIS"}, "approve")
                if charge["payment_method"].get("capture") is False:
                    charge["status"] = "AUTHORIZED"
                else:
                    self._paid(charge, charge["amount"]["value"], now)
        self._notify(order)
        return order

    def reject(self, order_id: str) -> dict:
        with self.lock:
            order = self._control_order(order_id)
            charge = self._charge_in(order, {"IN_ANALYSIS"}, "reject")
            charge["status"] = "DECLINED"
            charge["payment_response"] = {**DECLINED, "reference": charge["id"][5:17]}
        self._notify(order)
        return order

    def refund(self, order_id: str, amount: Decimal | None = None) -> dict:
        order = self._control_order(order_id)
        charge = self._charge_in(order, {"PAID"}, "refund")
        summary = charge["amount"]["summary"]
        value = (
            summary["paid"] - summary["refunded"]
            if amount is None
            else int(amount * 100)
        )
        try:
            self._cancel(charge["id"], value)
        except ApiError as error:
            raise SimulatorError(error.message) from None
        return order

    def chargeback(self, order_id: str) -> dict:
        raise SimulatorError(
            "PagBank reports chargebacks through its Chargeback API, not in the "
            "order; this simulator speaks the Orders API only"
        )

    def expire(self, order_id: str) -> dict:
        """The boleto's due date passed unpaid (its charge is cancelled), or
        the Pix code's expiry passed (no webhook)."""
        with self.lock:
            order = self._control_order(order_id)
            if order.get("qr_codes") and not order.get("charges"):
                past = timezone.now() - timedelta(seconds=1)
                order["qr_codes"][0]["expiration_date"] = stamp(past)
                return order
            charge = self._charge_in(order, {"WAITING"}, "expire")
            charge["status"] = "CANCELED"
            yesterday = timezone.localdate() - timedelta(days=1)
            charge["payment_method"]["boleto"]["due_date"] = yesterday.isoformat()
        self._notify(order)
        return order

    # -- Webhooks -----------------------------------------------------------------

    def _notify(self, order: dict) -> None:
        for url in order.get("notification_urls") or []:
            self.enqueue(url, order)

    def sign(self, notification: Notification) -> tuple[str, dict[str, str]]:
        token = hashlib.sha256(
            self.webhook_secret.encode() + b"-" + notification.body
        ).hexdigest()
        return notification.url, {
            "Content-Type": "application/json",
            "x-authenticity-token": token,
        }
