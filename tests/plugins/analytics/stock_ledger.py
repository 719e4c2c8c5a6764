"""Helpers of the stock figures' and the purchase planning's tests: a small
catalog with cost prices, and movements posted through the ledger service
at a given local moment."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from content.models import Brand, Variant
from plugins.analytics.periods import store_today
from plugins.stock.models import MovementKind
from plugins.stock.services import Entry, post_entries
from tests.content.conftest import make_category, make_product, publish


def today() -> datetime.date:
    """The store's today (D)."""
    return store_today()


def day(offset: int) -> datetime.date:
    """D − ``offset``."""
    return today() - datetime.timedelta(days=offset)


def at(offset: int, hour: int = 10) -> datetime.datetime:
    """A local moment: ``at(3)`` is D − 3 at 10:00 in São Paulo."""
    moment = datetime.datetime.combine(day(offset), datetime.time(hour))
    return timezone.make_aware(moment, timezone.get_default_timezone())


def variant(sku: str) -> Variant:
    return Variant.objects.get(sku=sku)


def move(sku, warehouse, kind, quantity, offset, hour=10):
    """Post one movement of ``kind`` on D − ``offset``."""
    item = variant(sku)
    return post_entries(
        [Entry(item.pk, warehouse.pk, sku, kind=kind, quantity=quantity)],
        user=None,
        at=at(offset, hour),
    )


def receive(sku, warehouse, quantity, offset):
    return move(sku, warehouse, MovementKind.RECEIPT, quantity, offset)


def sell(sku, warehouse, quantity, offset, hour=10):
    return move(sku, warehouse, MovementKind.SALE, -quantity, offset, hour)


def reserve(sku, warehouse, quantity):
    """Units promised to orders (no movement: only ``reserved`` changes)."""
    item = variant(sku)
    post_entries(
        [Entry(item.pk, warehouse.pk, sku, reserved_change=quantity)], user=None
    )


def in_transit(sku, warehouse, quantity):
    """Units on their way to ``warehouse`` (as a sent transfer leaves them)."""
    item = variant(sku)
    post_entries(
        [Entry(item.pk, warehouse.pk, sku, in_transit_change=quantity)], user=None
    )


def make_brand(slug, name):
    brand = Brand(slug=slug, name=name)
    brand.save()
    return publish(brand)


def catalog():
    """Camiseta (brand Nordeste Têxtil, category Camisetas): CAM-P at cost
    20,00 and CAM-M at 25,00; Caneca (brand Casa & Cia, category Casa):
    CAN-1 at 8,00; Velha (no brand, no category): VEL-1 at 5,00, inactive."""
    moda = make_category("moda", "Moda")
    camisetas = make_category("camisetas", "Camisetas", parent=moda)
    casa = make_category("casa", "Casa")
    nordeste = make_brand("nordeste", "Nordeste Têxtil")
    casa_cia = make_brand("casa-cia", "Casa & Cia")
    make_product(
        "camiseta",
        name="Camiseta",
        brand=nordeste,
        primary_category=camisetas,
        variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")],
    )
    make_product(
        "caneca",
        name="Caneca",
        brand=casa_cia,
        primary_category=casa,
        variants=[("CAN-1", "39.90")],
    )
    make_product("velha", name="Velha", variants=[("VEL-1", "10.00")])
    for sku, cost in (
        ("CAM-P", "20.00"),
        ("CAM-M", "25.00"),
        ("CAN-1", "8.00"),
        ("VEL-1", "5.00"),
    ):
        Variant.objects.filter(sku=sku).update(cost_price=Decimal(cost))
    Variant.objects.filter(sku="VEL-1").update(active=False)
    return {
        "moda": moda,
        "camisetas": camisetas,
        "casa": casa,
        "nordeste": nordeste,
        "casa_cia": casa_cia,
    }
