"""A local freight aggregator in the shape of Melhor Envio's API v2 (see
:mod:`plugins.logistics.carriers.aggregator` for the routes).

Every route checks the bearer token. Services: "1" Correios PAC and "2"
Correios SEDEX (S10 codes ``PC`` and ``SS``), "3" Jadlog .Package (its own
codes, ``JD`` + 12 digits; it answers an ``error`` for volumes above 30 kg).
Prices: a base per service, a price per started kg of the billed weight
(actual or cubic, L × W × H / 6,000), 1 % of the insurance value. Orders go
cart → checkout (paid) → generate (the tracking code) → print (a PDF link
on the simulator) → the journey's steps, each pushed as ``order.<status>``
to ``webhook_url`` with ``X-ME-Signature`` (base64 HMAC-SHA256 of the raw
body with the webhook secret).
"""

from __future__ import annotations

import io
import math
import uuid
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from plugins.finance.simulators.common import ApiError, Reply, Request
from plugins.finance.simulators.webhooks import Notification
from plugins.logistics import s10
from plugins.logistics.carriers.aggregator import signature

from .base import CarrierSimulator

CENT = Decimal("0.01")
#: id → (name, company, base, per kg, days, S10 prefix or "")
SERVICES = {
    1: ("PAC", "Correios", Decimal("16.40"), Decimal("2.30"), 5, "PC"),
    2: ("SEDEX", "Correios", Decimal("21.90"), Decimal("4.80"), 2, "SS"),
    3: (".Package", "Jadlog", Decimal("15.10"), Decimal("1.90"), 4, ""),
}
#: step → (status, description, place)
STEPS = {
    "post": ("posted", "Objeto postado", "São Paulo / SP"),
    "transit": ("in_transit", "Objeto em trânsito", "Cajamar / SP"),
    "out": ("out_for_delivery", "Saiu para entrega", "Rio de Janeiro / RJ"),
    "fail": ("undelivered", "Destinatário ausente", "Rio de Janeiro / RJ"),
    "deliver": ("delivered", "Entregue", "Rio de Janeiro / RJ"),
    "return": ("returned", "Devolvido ao remetente", "São Paulo / SP"),
}


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


class AggregatorSimulator(CarrierSimulator):
    vendor = "aggregator"
    routes = [
        ("POST", r"/api/v2/me/shipment/calculate", "calculate"),
        ("GET", r"/api/v2/me/cart", "cart_list"),
        ("POST", r"/api/v2/me/cart", "cart_add"),
        ("POST", r"/api/v2/me/shipment/checkout", "checkout"),
        ("POST", r"/api/v2/me/shipment/generate", "generate"),
        ("POST", r"/api/v2/me/shipment/print", "print_labels"),
        ("POST", r"/api/v2/me/shipment/tracking", "tracking"),
        ("POST", r"/api/v2/me/shipment/cancel", "cancel"),
    ]
    public_routes = [("GET", r"/imprimir/(?P<key>[\w-]+)", "label_pdf")]

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.orders: dict[str, dict[str, Any]] = {}
        self.prints: dict[str, list[str]] = {}
        self._next_serial = 20_000_001
        self._next_protocol = 1

    def error_reply(self, error: ApiError) -> Reply:
        if error.status == 401:
            return Reply(401, {"message": "Unauthenticated."})
        return Reply(
            error.status,
            {"message": error.message, "errors": error.extra.get("errors", {})},
        )

    # -- Quotes ----------------------------------------------------------------------

    @staticmethod
    def _price(service: int, volumes: list[dict], insurance: Decimal) -> Decimal:
        _name, _company, base, per_kg, _days, _prefix = SERVICES[service]
        total = Decimal(0)
        for volume in volumes:
            sides = [
                Decimal(str(volume.get(n) or 0)) for n in ("height", "width", "length")
            ]
            cubic = math.prod(sides) / 6000
            billed = max(Decimal(str(volume.get("weight") or 0)), cubic)
            total += base + per_kg * (max(math.ceil(billed), 1) - 1)
        return (total + insurance * Decimal("0.01")).quantize(CENT)

    def calculate(self, request: Request) -> Reply:
        data = request.json()
        volumes = data.get("volumes") or data.get("products") or []
        if not volumes:
            raise ApiError(
                422, "The given data was invalid.", errors={"volumes": ["required"]}
            )
        for side in ("from", "to"):
            cep = str((data.get(side) or {}).get("postal_code") or "")
            if len(cep) != 8 or not cep.isdigit():
                raise ApiError(
                    422,
                    "The given data was invalid.",
                    errors={f"{side}.postal_code": ["invalid"]},
                )
        insurance = Decimal(
            str((data.get("options") or {}).get("insurance_value") or 0)
        )
        wanted = [int(s) for s in str(data.get("services") or "1,2,3").split(",") if s]
        answer = []
        for service in wanted:
            if service not in SERVICES:
                continue
            name, company, _base, _per_kg, days, _prefix = SERVICES[service]
            item: dict[str, Any] = {
                "id": service,
                "name": name,
                "company": {"id": service, "name": company},
            }
            if service == 3 and any(
                Decimal(str(v.get("weight") or 0)) > 30 for v in volumes
            ):
                item["error"] = "Peso excede o limite do serviço"
            else:
                price = self._price(service, volumes, insurance)
                item.update(
                    price=_money(price),
                    custom_price=_money(price),
                    discount="0.00",
                    currency="R$",
                    delivery_time=days,
                    custom_delivery_time=days,
                    delivery_range={"min": days - 1, "max": days},
                )
            answer.append(item)
        return Reply(200, answer)

    # -- Orders ----------------------------------------------------------------------

    def cart_list(self, request: Request) -> Reply:
        with self.lock:
            pending = [o for o in self.orders.values() if o["status"] == "pending"]
        return Reply(200, {"data": pending, "total": len(pending)})

    def cart_add(self, request: Request) -> Reply:
        data = request.json()
        try:
            service = int(data.get("service"))
        except (TypeError, ValueError):
            service = 0
        if service not in SERVICES:
            raise ApiError(
                422, "The given data was invalid.", errors={"service": ["invalid"]}
            )
        if not data.get("volumes"):
            raise ApiError(
                422, "The given data was invalid.", errors={"volumes": ["required"]}
            )
        options = data.get("options") or {}
        insurance = Decimal(str(options.get("insurance_value") or 0))
        now = timezone.now()
        with self.lock:
            protocol = f"ORD-{now:%Y%m}{self._next_protocol:08d}"
            self._next_protocol += 1
            order = {
                "id": str(uuid.uuid4()),
                "protocol": protocol,
                "service_id": service,
                "status": "pending",
                "price": float(self._price(service, data["volumes"], insurance)),
                "tracking": None,
                "self_tracking": None,
                "reverse": bool(options.get("reverse")),
                "tags": options.get("tags") or [],
                "created_at": _stamp(now),
                "updated_at": _stamp(now),
                "paid_at": None,
                "generated_at": None,
                "posted_at": None,
                "delivered_at": None,
                "canceled_at": None,
                "history": [],
            }
            self.orders[order["id"]] = order
        return Reply(201, order)

    def _orders(self, ids: list[str], status: tuple[str, ...]) -> list[dict]:
        found = []
        for order_id in ids:
            order = self.orders.get(str(order_id))
            if order is None:
                raise ApiError(404, f"Order {order_id} not found")
            if order["status"] not in status:
                raise ApiError(
                    422,
                    f"Order {order_id} is {order['status']}",
                    errors={"orders": [order_id]},
                )
            found.append(order)
        return found

    def checkout(self, request: Request) -> Reply:
        ids = request.json().get("orders") or []
        now = _stamp(timezone.now())
        with self.lock:
            orders = self._orders(ids, ("pending", "released"))
            for order in orders:
                order.update(status="released", paid_at=now, updated_at=now)
            total = sum(Decimal(str(o["price"])) for o in orders)
        return Reply(
            200,
            {
                "purchase": {
                    "id": str(uuid.uuid4()),
                    "protocol": f"PUR-{self._next_protocol:08d}",
                    "total": float(total),
                    "status": "paid",
                    "orders": orders,
                }
            },
        )

    def generate(self, request: Request) -> Reply:
        ids = request.json().get("orders") or []
        now = _stamp(timezone.now())
        answer = {}
        with self.lock:
            for order in self._orders(ids, ("released", "generated")):
                if order["status"] == "released":
                    order.update(
                        status="generated",
                        generated_at=now,
                        updated_at=now,
                        tracking=self._code(order),
                        self_tracking=f"ME{uuid.uuid4().hex[:12].upper()}",
                    )
                    self.objects[order["tracking"]] = order
                answer[order["id"]] = {"status": True, "message": "Envio gerado"}
        return Reply(200, answer)

    def _code(self, order: dict) -> str:
        prefix = SERVICES[order["service_id"]][5]
        serial = self._next_serial
        self._next_serial += 1
        if order["reverse"]:
            prefix = "LR"
        if prefix:
            return s10.make(prefix, serial)
        return f"JD{serial:012d}"

    def print_labels(self, request: Request) -> Reply:
        ids = request.json().get("orders") or []
        with self.lock:
            self._orders(ids, ("generated", "posted"))
            key = uuid.uuid4().hex
            self.prints[key] = list(ids)
        return Reply(200, {"url": f"{self.url}/imprimir/{key}"})

    def label_pdf(self, request: Request, key: str) -> Reply:
        from reportlab.lib.units import cm
        from reportlab.pdfgen import canvas

        ids = self.prints.get(key)
        if ids is None:
            return Reply(404, {"message": "Not found"})
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=(10 * cm, 15 * cm))
        for order_id in ids:
            order = self.orders[order_id]
            pdf.drawString(1 * cm, 13 * cm, f"{SERVICES[order['service_id']][0]}")
            pdf.drawString(1 * cm, 12 * cm, str(order["tracking"]))
            pdf.drawString(1 * cm, 11 * cm, order["protocol"])
            pdf.showPage()
        pdf.save()
        return Reply(200, buffer.getvalue(), content_type="application/pdf")

    def tracking(self, request: Request) -> Reply:
        keys = [str(k) for k in request.json().get("orders") or []]
        answer = {}
        with self.lock:
            for key in keys:
                order = self.orders.get(key) or self.objects.get(key.upper())
                if order is not None:
                    answer[key] = dict(order)
        return Reply(200, answer)

    def cancel(self, request: Request) -> Reply:
        order_id = str((request.json().get("order") or {}).get("id") or "")
        now = _stamp(timezone.now())
        with self.lock:
            (order,) = self._orders([order_id], ("pending", "released", "generated"))
            order.update(status="canceled", canceled_at=now, updated_at=now)
        return Reply(200, {order_id: {"canceled": True}})

    # -- Journeys ---------------------------------------------------------------------

    def advance(self, code: str, step: str, *, at=None, **details: Any) -> dict:
        status, description, place = STEPS[step]
        moment = at or timezone.now()
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        stamp = _stamp(moment)
        with self.lock:
            order = self._object(code)
            order.update(status=status, updated_at=stamp)
            if status == "posted":
                order["posted_at"] = stamp
            if status == "delivered":
                order["delivered_at"] = stamp
            item = {
                "status": status,
                "status_description": details.get("description") or description,
                "location": place,
                "updated_at": stamp,
            }
            order["history"].append(item)
            data = {k: v for k, v in order.items() if k != "history"}
            data.update(status_description=item["status_description"], location=place)
        self.enqueue(self.webhook_url, {"event": f"order.{status}", "data": data})
        return item

    def sign(self, notification: Notification) -> tuple[str, dict[str, str]]:
        return notification.url, {
            "Content-Type": "application/json",
            "X-ME-Signature": signature(self.webhook_secret, notification.body),
        }
