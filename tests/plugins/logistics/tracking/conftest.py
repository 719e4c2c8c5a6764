"""Fixtures of the tracking tests: carriers at their simulators, and
shipments with packages created as rows (test data) for the orders of the
shared fixtures."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugins.logistics import s10
from plugins.logistics.carriers.base import TrackEvent
from plugins.logistics.carriers.push import event_json, signed_headers
from plugins.logistics.models import (
    Carrier,
    CarrierKind,
    CarrierService,
    Package,
    Shipment,
    ShipmentStatus,
    TrackingStatus,
)
from plugins.logistics.simulator import AggregatorSimulator, CorreiosSimulator

WEBHOOK_SECRET = "segredo-dos-eventos"  # noqa: S105
CORREIOS_USER = "loja-exemplo"
CORREIOS_CODE = "codigo-de-acesso-secreto"
CARTAO = "0067599079"
ME_TOKEN = "token-melhor-envio"  # noqa: S105


@pytest.fixture
def correios_sim():
    with CorreiosSimulator(
        username=CORREIOS_USER,
        access_code=CORREIOS_CODE,
        cartao=CARTAO,
        webhook_secret=WEBHOOK_SECRET,
    ) as simulator:
        yield simulator


@pytest.fixture
def aggregator_sim():
    with AggregatorSimulator(
        access_token=ME_TOKEN, webhook_secret=WEBHOOK_SECRET
    ) as simulator:
        yield simulator


def make_correios(base_url: str, **overrides) -> Carrier:
    values = {
        "code": "correios",
        "name": "Correios",
        "kind": CarrierKind.CORREIOS,
        "base_url": base_url,
        "username": CORREIOS_USER,
        "access_token": CORREIOS_CODE,
        "contract": CARTAO,
        "webhook_secret": WEBHOOK_SECRET,
    }
    values.update(overrides)
    carrier = Carrier.objects.create(**values)
    CarrierService.objects.create(carrier=carrier, code="03220", name="SEDEX")
    CarrierService.objects.create(carrier=carrier, code="03298", name="PAC")
    return carrier


def make_aggregator(base_url: str, **overrides) -> Carrier:
    values = {
        "code": "melhor-envio",
        "name": "Melhor Envio",
        "kind": CarrierKind.AGGREGATOR,
        "base_url": base_url,
        "access_token": ME_TOKEN,
        "webhook_secret": WEBHOOK_SECRET,
    }
    values.update(overrides)
    carrier = Carrier.objects.create(**values)
    CarrierService.objects.create(carrier=carrier, code="1", name="PAC")
    CarrierService.objects.create(carrier=carrier, code="2", name="SEDEX")
    return carrier


@pytest.fixture
def correios(db, correios_sim) -> Carrier:
    return make_correios(correios_sim.url)


@pytest.fixture
def aggregator(db, aggregator_sim) -> Carrier:
    return make_aggregator(aggregator_sim.url)


_serial = iter(range(50_000_000, 99_999_999))


def make_shipment(
    order,
    carrier: Carrier,
    *,
    codes: list[str] | None = None,
    volumes: int = 1,
    status: str = ShipmentStatus.HANDED_OVER,
) -> Shipment:
    """A shipment of ``order`` with ``carrier``, one package per code, as
    the shipments service leaves it once handed over."""
    codes = codes or [
        s10.make(carrier.tracking_prefix or "TT", next(_serial)) for _ in range(volumes)
    ]
    shipment = Shipment.objects.create(
        order=order,
        carrier=carrier,
        service=carrier.services.order_by("pk").first(),
        status=status,
        declared_value=Decimal("100.00"),
        carrier_reference="PR0000000001",
        handed_over_at=(
            timezone.now() - timedelta(hours=2)
            if status not in (ShipmentStatus.CREATED, ShipmentStatus.LABELLED)
            else None
        ),
    )
    for number, code in enumerate(codes, start=1):
        Package.objects.create(
            shipment=shipment,
            number=number,
            tracking_code=code,
            weight_g=800,
            length_cm=20,
            width_cm=15,
            height_cm=10,
            items=[{"sku": "CAN-1", "name": "Caneca", "quantity": 1}],
        )
    return shipment


def event(
    code: str,
    status: str,
    at: datetime,
    *,
    event_id: str | None = None,
    place: str = "São Paulo / SP",
) -> TrackEvent:
    return TrackEvent(
        event_id=event_id or f"{code}-{status}-{at.timestamp():.0f}",
        tracking_code=code,
        status=TrackingStatus(status),
        occurred_at=at,
        carrier_status=status.upper()[:3],
        description=f"Evento {status}",
        place=place,
    )


def push_body(*events: TrackEvent) -> bytes:
    import json

    return json.dumps([event_json(e) for e in events]).encode()


def post_push(client, carrier: Carrier, body: bytes, *, secret=WEBHOOK_SECRET):
    headers = signed_headers(secret, body)
    return client.post(
        f"/api/v1/logistics/webhooks/{carrier.webhook_token}/",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
