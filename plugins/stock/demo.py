"""Demo stock for ``manage.py seed_demo``: three warehouses (São Paulo, Rio de
Janeiro, Belo Horizonte), initial receipts for every active variant of the
demo catalog (91 days ago, before the demo orders), reorder points with a few
SKUs already below them, the storefront channel preferring São Paulo, and the
demo stock clerk granted São Paulo.

Runs before the other apps' demo data (``order=-1``) so that the demo orders
placed by the orders plugin reserve, sell and take back real stock; it makes
sure the demo catalog exists first (the catalog's own step then finds it
done). Idempotent and deterministic.
"""

from __future__ import annotations

import datetime
import io
import random

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plugins.roles import role_group
from plugins.stock.apps import WAREHOUSE_PERMISSIONS
from plugins.stock.models import ChannelWarehouse, StockLevel, Warehouse
from plugins.stock.services.ledger import Entry, post_entries

WAREHOUSES = [
    # code, name, address, priority, allow backorders
    ("SP-01", "CD São Paulo", "Rod. Anhanguera, km 26 — Cajamar/SP", 10, False),
    ("RJ-01", "CD Rio de Janeiro", "Av. Brasil, 22.000 — Rio de Janeiro/RJ", 20, False),
    ("MG-01", "CD Belo Horizonte", "Anel Rodoviário, km 5 — Contagem/MG", 30, True),
]
REFERENCE = "DEMO-INICIAL"
LOW_SKUS = 8


def ensure_warehouses() -> dict[str, Warehouse]:
    found = {}
    for code, name, address, priority, backorders in WAREHOUSES:
        found[code], _ = Warehouse.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "address": address,
                "priority": priority,
                "allow_backorders": backorders,
            },
        )
    return found


def ensure_catalog() -> None:
    from content.demo import seed_demo_catalog
    from content.models import Variant

    if not Variant.objects.exists():
        seed_demo_catalog(stdout=io.StringIO())


def initial_stock(warehouses: dict[str, Warehouse]) -> int:
    from content.models import Variant

    variants = list(
        Variant.objects.filter(active=True, product__live=True)
        .order_by("sku")
        .values_list("pk", "sku")
    )
    rng = random.Random(20251201)  # noqa: S311  (demo data, not secrets)
    ranges = {"SP-01": (20, 90), "RJ-01": (5, 40), "MG-01": (0, 25)}
    entries = []
    for variant_id, sku in variants:
        for code, (low, high) in ranges.items():
            units = rng.randint(low, high)
            if units:
                entries.append(
                    Entry(
                        variant_id,
                        warehouses[code].pk,
                        sku,
                        kind="receipt",
                        quantity=units,
                        reason="Estoque inicial",
                        reference=REFERENCE,
                    )
                )
    at = timezone.now() - datetime.timedelta(days=91)
    post_entries(entries, user=None, at=at)
    StockLevel.objects.filter(warehouse=warehouses["SP-01"]).update(reorder_point=10)
    StockLevel.objects.filter(warehouse=warehouses["RJ-01"]).update(reorder_point=3)
    # A few SKUs running low in São Paulo: most of the initial units broke.
    low = rng.sample(variants, k=min(LOW_SKUS, len(variants)))
    levels = {
        lv.variant_id: lv
        for lv in StockLevel.objects.filter(
            warehouse=warehouses["SP-01"], variant_id__in=[v for v, _s in low]
        )
    }
    post_entries(
        [
            Entry(
                variant_id,
                warehouses["SP-01"].pk,
                sku,
                kind="adjustment",
                quantity=-(levels[variant_id].on_hand - rng.randint(1, 4)),
                reason="Avaria no recebimento",
            )
            for variant_id, sku in low
            if variant_id in levels and levels[variant_id].on_hand > 4
        ],
        user=None,
        at=at + datetime.timedelta(days=1),
    )
    return len(entries)


def grant_clerk(warehouse: Warehouse) -> None:
    group = role_group("stock_clerk")
    if group is None:
        return
    for user in get_user_model().objects.filter(groups=group):
        for perm in WAREHOUSE_PERMISSIONS:
            assign_perm(perm, user, warehouse)


def seed_demo_stock(*, stdout) -> None:
    ensure_catalog()
    with transaction.atomic():
        warehouses = ensure_warehouses()
        grant_clerk(warehouses["SP-01"])
        if apps.is_installed("plugins.orders"):
            ChannelWarehouse.objects.get_or_create(
                channel_code="loja", defaults={"warehouse": warehouses["SP-01"]}
            )
            ChannelWarehouse.objects.get_or_create(
                channel_code="mercado-livre",
                defaults={
                    "warehouse": warehouses["MG-01"],
                    "returns_warehouse": warehouses["SP-01"],
                },
            )
        from plugins.stock.models import StockMovement

        if StockMovement.objects.filter(reference=REFERENCE).exists():
            return
        receipts = initial_stock(warehouses)
    stdout.write(
        f"Estoque de demonstração: {len(warehouses)} depósitos, {receipts} entradas "
        f"iniciais, {StockLevel.objects.below_reorder_point().count()} SKUs abaixo "
        "do ponto de reposição"
    )
