"""The ``tracking`` key of order payloads (``orders.hooks.ORDER_PAYLOAD``).

On the customer's status page (audience "customer"): per shipment, the
carrier's name, the service, the status, the tracking codes, the carrier's
tracking page when it has one, the promised date, and the timeline (status,
time, place), oldest first. Nothing else: not the carrier's references,
codes or raw payloads.

On the order desk's order detail (audience "staff", the payload that
carries ``allowed_transitions``): the same plus the carrier's references,
the carrier's own status codes and descriptions and where each event came
from. Order lists get no ``tracking`` (three queries per order would make
a page's cost grow with its size).
"""

from __future__ import annotations

from django.db.models import Prefetch

from plugins.logistics.models import (
    CarrierKind,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    TrackingStatus,
)


def tracking_url(kind: str, code: str) -> str | None:
    """The carrier's public page of a tracking code, if it has one."""
    if not code:
        return None
    if kind == CarrierKind.CORREIOS:
        from plugins.logistics.carriers.correios import tracking_url as url
    elif kind == CarrierKind.AGGREGATOR:
        from plugins.logistics.carriers.aggregator import tracking_url as url
    else:
        return None
    return url(code)


def _shipments(order) -> list[Shipment]:
    return list(
        Shipment.objects.filter(order=order)
        .exclude(status=ShipmentStatus.CANCELLED)
        .select_related("carrier", "service")
        .prefetch_related(
            "packages",
            Prefetch(
                "tracking_events",
                queryset=TrackingEvent.objects.order_by("occurred_at", "pk"),
            ),
        )
        .order_by("created_at", "pk")
    )


def _at(moment) -> str | None:
    return moment.isoformat() if moment else None


def shipment_payload(shipment: Shipment, *, staff: bool) -> dict:
    codes = [p.tracking_code for p in shipment.packages.all() if p.tracking_code]
    timeline = []
    for event in shipment.tracking_events.all():
        entry = {
            "status": event.status,
            "status_label": str(TrackingStatus(event.status).label),
            "at": _at(event.occurred_at),
            "place": event.place,
        }
        if staff:
            entry.update(
                tracking_code=next(
                    (
                        p.tracking_code
                        for p in shipment.packages.all()
                        if p.pk == event.package_id
                    ),
                    "",
                ),
                carrier_status=event.carrier_status,
                description=event.description,
                source=event.source,
            )
        timeline.append(entry)
    payload = {
        "carrier": shipment.carrier.name,
        "service": shipment.service.name,
        "status": shipment.status,
        "status_label": str(ShipmentStatus(shipment.status).label),
        "tracking_codes": codes,
        "tracking_url": tracking_url(shipment.carrier.kind, codes[0] if codes else ""),
        "promised_date": (
            shipment.promised_date.isoformat() if shipment.promised_date else None
        ),
        "delivered_at": _at(shipment.delivered_at),
        "timeline": timeline,
    }
    if staff:
        payload.update(
            id=shipment.pk,
            carrier_code=shipment.carrier.code,
            carrier_reference=shipment.carrier_reference,
            handed_over_at=_at(shipment.handed_over_at),
            last_event_at=_at(shipment.last_event_at),
        )
    return payload


def add_tracking(*, order, payload: dict, audience: str) -> None:
    """``orders.hooks.ORDER_PAYLOAD``: ``tracking`` on the customer's status
    page and the staff order detail (an empty list before any shipment)."""
    if audience == "customer":
        staff = False
    elif audience == "staff" and "allowed_transitions" in payload:
        staff = True
    else:
        return
    payload["tracking"] = [
        shipment_payload(shipment, staff=staff) for shipment in _shipments(order)
    ]


_EVENT = {
    "status": {"type": "string", "enum": list(TrackingStatus.values)},
    "status_label": {"type": "string"},
    "at": {"type": "string", "format": "date-time"},
    "place": {"type": "string"},
}
_STAFF_EVENT = {
    "tracking_code": {"type": "string"},
    "carrier_status": {"type": "string", "description": "The carrier's own code."},
    "description": {"type": "string", "description": "The carrier's text."},
    "source": {"type": "string", "enum": list(TrackingEvent.Source.values)},
}
_SHIPMENT = {
    "carrier": {"type": "string"},
    "service": {"type": "string"},
    "status": {"type": "string", "enum": list(ShipmentStatus.values)},
    "status_label": {"type": "string"},
    "tracking_codes": {"type": "array", "items": {"type": "string"}},
    "tracking_url": {
        "type": "string",
        "format": "uri",
        "nullable": True,
        "description": "The carrier's tracking page, when it has one.",
    },
    "promised_date": {"type": "string", "format": "date", "nullable": True},
    "delivered_at": {"type": "string", "format": "date-time", "nullable": True},
}
_STAFF_SHIPMENT = {
    "id": {"type": "integer"},
    "carrier_code": {"type": "string"},
    "carrier_reference": {
        "type": "string",
        "description": "The carrier's ids of the pre-postings or orders.",
    },
    "handed_over_at": {"type": "string", "format": "date-time", "nullable": True},
    "last_event_at": {"type": "string", "format": "date-time", "nullable": True},
}


def _schema(staff: bool) -> dict:
    event = {**_EVENT, **(_STAFF_EVENT if staff else {})}
    shipment = {**_SHIPMENT, **(_STAFF_SHIPMENT if staff else {})}
    shipment["timeline"] = {
        "type": "array",
        "description": "Tracking events, oldest first.",
        "items": {"type": "object", "properties": event, "required": list(event)},
    }
    return {
        "type": "array",
        "description": "The order's shipments (cancelled ones left out) with "
        "their tracking.",
        "items": {
            "type": "object",
            "properties": shipment,
            "required": list(shipment),
        },
    }


def payload_schema() -> dict:
    """``api.hooks.PAYLOAD_SCHEMA``: what ``tracking`` looks like."""
    return {
        "CustomerOrder": {"tracking": _schema(staff=False)},
        "StaffOrderDetail": {"tracking": _schema(staff=True)},
    }
