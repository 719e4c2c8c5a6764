"""A freight aggregator, in the shape of Melhor Envio's API v2
(``melhorenvio.com.br/api/v2``): one account that quotes and buys labels
of many carriers. Tests and the demo use the local simulator
(:class:`plugins.logistics.simulator.AggregatorSimulator`).

The carrier row holds the application's bearer token (``access_token``)
and the secret its webhooks are signed with (``webhook_secret``). Services
are the aggregator's service ids ("1" Correios PAC, "2" Correios SEDEX …).

- **Quote**: ``POST /api/v2/me/shipment/calculate`` with ``from``, ``to``,
  ``volumes`` (cm, kg), ``options.insurance_value`` and ``services`` →
  a list of services with ``price`` (or ``error``) and ``delivery_time``.
- **Shipment**: one cart order per volume (``POST /api/v2/me/cart``, its
  ``tags`` carry our reference, so a retry finds the order already in the
  cart: ``GET /api/v2/me/cart``), then ``POST /api/v2/me/shipment/checkout``
  (pays from the account's balance), ``/generate`` and ``/print`` (a link
  to the carrier's label PDF, fetched by :meth:`label`). The tracking code
  of each order (``tracking``) is read with ``POST
  /api/v2/me/shipment/tracking``. The carrier reference is the orders' ids.
- **Cancel**: ``POST /api/v2/me/shipment/cancel`` per order.
- **Reverse**: a cart order with ``options.reverse`` true, bought and
  generated the same way: its ``protocol`` is the authorisation code.
- **Webhook**: ``{"event": "order.posted", "data": {order}}`` signed with
  ``X-ME-Signature``: the base64 HMAC-SHA256 of the raw body, keyed with
  the application's secret. :data:`ME_STATUS` maps the events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from content.validators import only_digits
from plugins.logistics import s10
from plugins.logistics.models import Carrier as CarrierRow
from plugins.logistics.models import CarrierKind, TrackingStatus

from .base import (
    Party,
    QuoteOption,
    QuoteRequest,
    ReverseRequest,
    ReverseResult,
    ShipmentRequest,
    ShipmentResult,
    Timeout,
    TrackEvent,
    Volume,
)
from .errors import InvalidWebhook, UnexpectedResponse, WebhookSignatureInvalid
from .http import JSONClient, money

DEFAULT_URL = "https://melhorenvio.com.br"
SIGNATURE_HEADER = "X-ME-Signature"
T = TrackingStatus
#: The order statuses (and webhook events ``order.<status>``) that are
#: tracking events, and ours; the others (created, pending, released,
#: generated, canceled …) are the purchase's, not the parcel's.
ME_STATUS: dict[str, TrackingStatus] = {
    "posted": T.POSTED,
    "in_transit": T.IN_TRANSIT,
    "out_for_delivery": T.OUT_FOR_DELIVERY,
    "undelivered": T.DELIVERY_FAILED,
    "delivered": T.DELIVERED,
    "returned": T.RETURNED,
}
#: The time stamp of each status in an order.
STATUS_TIME = {
    "posted": "posted_at",
    "delivered": "delivered_at",
}


def _describe(payload: Any) -> str:
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, dict):
            parts = []
            for key, value in errors.items():
                text = ", ".join(map(str, value)) if isinstance(value, list) else value
                parts.append(f"{key}: {text}")
            return "; ".join(parts)
        return str(payload.get("message") or payload.get("error") or "")
    return ""


def _kg(grams: int) -> float:
    return round(grams / 1000, 3)


def signature(secret: str, body: bytes) -> str:
    """The ``X-ME-Signature`` of ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def order_event(order: Mapping[str, Any], event: str = "") -> TrackEvent | None:
    """A tracking event of an aggregator's order (its current status), or
    ``None`` when the status is not a parcel's."""
    status = str(order.get("status") or event.removeprefix("order.") or "")
    tracking_status = ME_STATUS.get(status)
    code = str(order.get("tracking") or order.get("self_tracking") or "")
    if tracking_status is None or not code:
        return None
    stamp = order.get(STATUS_TIME.get(status, "")) or order.get("updated_at")
    occurred_at = parse_datetime(str(stamp or ""))
    if occurred_at is None or occurred_at.tzinfo is None:
        return None
    identity = f"{order.get('id')}|{status}|{occurred_at.isoformat()}"
    return TrackEvent(
        event_id="me-" + hashlib.sha256(identity.encode()).hexdigest()[:40],
        tracking_code=s10.normalise(code),
        status=tracking_status,
        occurred_at=occurred_at,
        carrier_status=status,
        description=str(order.get("status_description") or status)[:300],
        place=str(order.get("location") or "")[:150],
        raw=dict(order),
    )


class AggregatorCarrier:
    kind = CarrierKind.AGGREGATOR

    def __init__(self, carrier: CarrierRow, *, timeout: Timeout | None = None):
        self.carrier = carrier
        token = carrier.access_token
        self.client = JSONClient(
            carrier=self.kind,
            base_url=(carrier.base_url or DEFAULT_URL).rstrip("/"),
            timeout=timeout or Timeout(),
            describe=_describe,
            authorization=lambda: f"Bearer {token}",
        )

    # -- Quotes ----------------------------------------------------------------------

    @staticmethod
    def _volume(volume: Volume) -> dict[str, Any]:
        return {
            "height": volume.height_cm,
            "width": volume.width_cm,
            "length": volume.length_cm,
            "weight": _kg(volume.weight_g),
        }

    def quote(self, request: QuoteRequest) -> list[QuoteOption]:
        services = self.carrier.services.filter(active=True)
        if request.services:
            services = services.filter(code__in=request.services)
        names = dict(services.values_list("code", "name"))
        if not names:
            return []
        answer = self.client.call(
            "POST",
            "/api/v2/me/shipment/calculate",
            body={
                "from": {"postal_code": only_digits(request.origin_cep)},
                "to": {"postal_code": only_digits(request.destination_cep)},
                "volumes": [self._volume(v) for v in request.volumes],
                "options": {
                    "insurance_value": float(request.declared_value),
                    "receipt": False,
                    "own_hand": False,
                },
                "services": ",".join(sorted(names)),
            },
        )
        if not isinstance(answer, list):
            raise UnexpectedResponse(
                _("The aggregator answered the quote with something else than a list."),
                carrier=self.kind,
            )
        options = []
        for item in answer:
            code = str(item.get("id", ""))
            if code not in names or item.get("error"):
                continue
            options.append(
                QuoteOption(
                    service_code=code,
                    service_name=names[code],
                    price=money(
                        item.get("custom_price") or item.get("price"),
                        carrier=self.kind,
                        field="price",
                    ),
                    days=int(item.get("custom_delivery_time") or item["delivery_time"]),
                    raw=item,
                )
            )
        return options

    # -- Shipments -----------------------------------------------------------------

    @staticmethod
    def _party(party: Party) -> dict[str, Any]:
        document = only_digits(party.document)
        return {
            "name": party.name,
            "phone": only_digits(party.phone),
            "email": party.email,
            "document": document if len(document) == 11 else "",
            "company_document": document if len(document) == 14 else "",
            "address": party.street,
            "complement": party.complement,
            "number": party.number,
            "district": party.district,
            "city": party.city,
            "state_abbr": party.uf,
            "country_id": "BR",
            "postal_code": only_digits(party.cep),
        }

    def _cart(self, body: dict[str, Any], tag: str) -> dict[str, Any]:
        """Put an order in the cart, or find the one a lost answer left there
        (by its tag: our reference)."""
        existing = self.client.call("GET", "/api/v2/me/cart")
        for order in (
            (existing or {}).get("data", []) if isinstance(existing, dict) else []
        ):
            if any(t.get("tag") == tag for t in order.get("tags") or []):
                return order
        return self.client.call("POST", "/api/v2/me/cart", body=body)

    def _buy(
        self,
        *,
        reference: str,
        service_code: str,
        sender: Party,
        recipient: Party,
        volumes: tuple[Volume, ...],
        declared_value: Decimal,
        extra: Mapping[str, Any] | None = None,
        products: list[dict[str, Any]] | None = None,
    ) -> tuple[list[str], list[str], list[dict]]:
        ids = []
        for number, volume in enumerate(volumes, start=1):
            tag = f"{reference}-{number}"
            options: dict[str, Any] = {
                "insurance_value": float(declared_value) if number == 1 else 0,
                "receipt": False,
                "own_hand": False,
                "reverse": False,
                "non_commercial": True,
                "platform": "Retaguarda",
                "tags": [{"tag": tag, "url": None}],
                **(extra or {}),
            }
            order = self._cart(
                {
                    "service": int(service_code),
                    "from": self._party(sender),
                    "to": self._party(recipient),
                    "products": products or [],
                    "volumes": [self._volume(volume)],
                    "options": options,
                },
                tag,
            )
            if not isinstance(order, dict) or not order.get("id"):
                raise UnexpectedResponse(
                    _("The aggregator did not answer the cart order's id."),
                    carrier=self.kind,
                )
            ids.append(str(order["id"]))
        self.client.call("POST", "/api/v2/me/shipment/checkout", body={"orders": ids})
        self.client.call("POST", "/api/v2/me/shipment/generate", body={"orders": ids})
        tracking = self.client.call(
            "POST", "/api/v2/me/shipment/tracking", body={"orders": ids}
        )
        codes, raws = [], []
        for order_id in ids:
            entry = (
                (tracking or {}).get(order_id) if isinstance(tracking, dict) else None
            )
            code = s10.normalise(str((entry or {}).get("tracking") or ""))
            if not code:
                raise UnexpectedResponse(
                    _("The aggregator generated a label without a tracking code."),
                    carrier=self.kind,
                    detail=order_id,
                )
            codes.append(code)
            raws.append(entry)
        return ids, codes, raws

    def create_shipment(self, request: ShipmentRequest) -> ShipmentResult:
        products = [
            {
                "name": str(item.get("name", ""))[:60],
                "quantity": int(item.get("quantity", 1)),
                "unitary_value": float(Decimal(str(item.get("unit_value", "0")))),
            }
            for item in request.items
        ]
        extra = {"invoice": {"key": request.nfe_key}} if request.nfe_key else {}
        ids, codes, raws = self._buy(
            reference=request.reference,
            service_code=request.service_code,
            sender=request.sender,
            recipient=request.recipient,
            volumes=request.volumes,
            declared_value=request.declared_value,
            extra=extra,
            products=products,
        )
        return ShipmentResult(
            carrier_reference=",".join(ids),
            tracking_codes=tuple(codes),
            raw={"orders": raws},
        )

    def label(self, result: ShipmentResult) -> bytes | None:
        """The carrier's label PDF, from the link ``/print`` answers."""
        ids = [i for i in result.carrier_reference.split(",") if i]
        answer = self.client.call(
            "POST", "/api/v2/me/shipment/print", body={"mode": "public", "orders": ids}
        )
        url = str((answer or {}).get("url") or "")
        base = self.client.base_url
        if not url.startswith(base + "/"):
            # only from the aggregator's own host (the link is ours to fetch)
            raise UnexpectedResponse(
                _("The aggregator's label link is not on its own address."),
                carrier=self.kind,
                detail=url[:300],
            )
        return self.client.call("GET", url[len(base) :], raw=True)

    def cancel(self, carrier_reference: str) -> None:
        for order_id in filter(None, carrier_reference.split(",")):
            self.client.call(
                "POST",
                "/api/v2/me/shipment/cancel",
                body={
                    "order": {
                        "id": order_id,
                        "reason_id": "2",
                        "description": "Cancelado pela loja",
                    }
                },
            )

    # -- Tracking -------------------------------------------------------------------

    def track(self, tracking_codes: list[str]) -> list[TrackEvent]:
        """The current status of the aggregator's orders of these codes
        (looked up by code: ``/shipment/tracking`` takes codes or ids)."""
        codes = [s10.normalise(c) for c in tracking_codes if c]
        if not codes:
            return []
        answer = self.client.call(
            "POST", "/api/v2/me/shipment/tracking", body={"orders": codes}
        )
        events = []
        for entry in (answer or {}).values() if isinstance(answer, dict) else []:
            for item in entry.get("history") or [entry]:
                event = order_event({**entry, **item})
                if event is not None:
                    events.append(event)
        return events

    # -- Reverse ----------------------------------------------------------------------

    def reverse(self, request: ReverseRequest) -> ReverseResult:
        ids, codes, raws = self._buy(
            reference=f"{request.reference}-R",
            service_code=request.service_code,
            sender=request.sender,
            recipient=request.recipient,
            volumes=request.volumes[:1],
            declared_value=request.declared_value,
            extra={"reverse": True},
        )
        protocol = str((raws[0] or {}).get("protocol") or ids[0])
        return ReverseResult(
            authorisation_code=protocol, tracking_code=codes[0], raw=raws[0]
        )

    # -- Webhook ---------------------------------------------------------------------

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str]
    ) -> list[TrackEvent]:
        secret = self.carrier.webhook_secret
        if not secret:
            raise WebhookSignatureInvalid(
                _("The carrier has no webhook secret: its pushes cannot be checked."),
                carrier=self.kind,
            )
        received = next(
            (v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()),
            "",
        ).strip()
        if not received or not hmac.compare_digest(
            signature(secret, body).encode(), received.encode()
        ):
            raise WebhookSignatureInvalid(
                _(
                    "The webhook's signature does not match: it was not sent by "
                    "the carrier."
                ),
                carrier=self.kind,
            )
        try:
            data = json.loads(body)
            event, order = str(data["event"]), data["data"]
            if not isinstance(order, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise InvalidWebhook(
                _("The aggregator's webhook is not in its format."), carrier=self.kind
            ) from None
        tracked = order_event(order, event)
        return [tracked] if tracked is not None else []


def tracking_url(code: str) -> str:
    return f"https://melhorrastreio.com.br/rastreio/{code}"
