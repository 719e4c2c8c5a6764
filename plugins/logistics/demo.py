"""Demo logistics data for ``manage.py seed_demo``.

**Set-up**: a shipping origin per stock warehouse (or one, without the stock
plugin), the *Correios* on their local simulator (SEDEX and PAC), a regional
table carrier (*Transportadora Rápida*, Expresso and Econômico) with freight
tables from São Paulo to every state (the states' CEP ranges × eight weight
bands, priced by distance), store pickup, and free shipping on Econômico to
the Southeast above R$ 299. The demo users of the *Expedição* role are
granted the table carrier and the Correios.

Idempotent (everything by code) and deterministic.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from guardian.shortcuts import assign_perm

from plugins.logistics.apps import CARRIER_PERMISSIONS
from plugins.logistics.models import (
    Carrier,
    CarrierKind,
    CarrierService,
    FreeShippingRule,
    FreightRate,
    ShippingOrigin,
)
from plugins.logistics.regions import UF_CEP_RANGES
from plugins.roles import role_group

CENT = Decimal("0.01")
SENDER = "Loja Retaguarda Comércio Ltda"
#: the stock demo's warehouses -> the origin's address
ORIGINS = [
    # code, name, warehouse, CEP, street, number, district, city, UF, handling
    ("sp-01", "CD São Paulo", "SP-01", "07750-000", "Rodovia Anhanguera", "km 26",
     "Polvilho", "Cajamar", "SP", 1),
    ("rj-01", "CD Rio de Janeiro", "RJ-01", "21040-000", "Avenida Brasil", "22000",
     "Bonsucesso", "Rio de Janeiro", "RJ", 1),
    ("mg-01", "CD Belo Horizonte", "MG-01", "32040-000", "Anel Rodoviário", "km 5",
     "Cinco", "Contagem", "MG", 2),
]  # fmt: skip
#: distance tier of each state from São Paulo
TIERS = {
    "SP": 0,
    **dict.fromkeys(("RJ", "MG", "PR"), 1),
    **dict.fromkeys(("ES", "SC", "RS", "GO", "DF", "MS"), 2),
    **dict.fromkeys(("BA", "MT", "TO", "SE", "AL", "PE", "PB", "RN"), 3),
    **dict.fromkeys(("CE", "PI", "MA", "PA", "RO"), 4),
    **dict.fromkeys(("AM", "AP", "RR", "AC"), 5),
}
#: weight bands (g)
BANDS = (300, 500, 1000, 2000, 5000, 10000, 20000, 30000)
#: service -> (base price per tier, price per kg per tier, days per tier)
TABLE_SERVICES = {
    ("EXP", "Expresso"): (
        (14.90, 19.90, 24.90, 29.90, 36.90, 44.90),
        (1.80, 2.60, 3.40, 4.60, 5.90, 7.80),
        (1, 2, 3, 4, 5, 7),
    ),
    ("ECO", "Econômico"): (
        (9.90, 13.90, 16.90, 19.90, 24.90, 29.90),
        (1.10, 1.60, 2.10, 2.90, 3.80, 4.90),
        (3, 5, 6, 8, 10, 13),
    ),
}
SOUTHEAST = "SP, RJ, MG, ES"


def ensure_origins() -> list[ShippingOrigin]:
    with_stock = apps.is_installed("plugins.stock")
    origins = []
    for i, (
        code,
        name,
        warehouse,
        cep,
        street,
        number,
        district,
        city,
        uf,
        days,
    ) in enumerate(ORIGINS):
        if i and not with_stock:
            break
        origin, _ = ShippingOrigin.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "warehouse_code": warehouse if with_stock else "",
                "sender_name": SENDER,
                "sender_document": _store_cnpj(),
                "sender_phone": "+55 11 4000-1234",
                "cep": cep,
                "street": street,
                "number": number,
                "district": district,
                "city": city,
                "uf": uf,
                "handling_days": days,
                "is_default": i == 0,
            },
        )
        origins.append(origin)
    return origins


def _store_cnpj() -> str:
    """The store's CNPJ (the demo catalog's store settings)."""
    from content.demo import demo_cnpj

    return "".join(c for c in demo_cnpj() if c.isalnum())


def table_rates(service: CarrierService, prices, per_kg, days) -> list[FreightRate]:
    """The freight table of ``service`` from anywhere to every state: each
    state's CEP ranges × :data:`BANDS`."""
    rows = []
    for uf, ranges in UF_CEP_RANGES.items():
        tier = TIERS[uf]
        for start, end in ranges:
            low = 0
            for band in BANDS:
                price = Decimal(str(prices[tier])) + Decimal(str(per_kg[tier])) * (
                    Decimal(band) / 1000
                )
                rows.append(
                    FreightRate(
                        service=service,
                        origin_start=1_000_000,
                        origin_end=99_999_999,
                        destination_start=start,
                        destination_end=end,
                        weight_from_g=low,
                        weight_to_g=band,
                        price=price.quantize(CENT),
                        days=days[tier],
                    )
                )
                low = band + 1
    return rows


def ensure_carriers() -> dict[str, Carrier]:
    carriers = {}
    table, created = Carrier.objects.get_or_create(
        code="transportadora-rapida",
        defaults={
            "name": "Transportadora Rápida",
            "kind": CarrierKind.TABLE,
            "tracking_prefix": "TR",
            "webhook_secret": "segredo-demo-rapida",
        },
    )
    carriers["table"] = table
    for (code, name), (prices, per_kg, days) in TABLE_SERVICES.items():
        service, made = CarrierService.objects.get_or_create(
            carrier=table,
            code=code,
            defaults={
                "name": name,
                "min_price": Decimal("9.90"),
                "ad_valorem_percent": Decimal("0.5"),
                "gris_percent": Decimal("0.3"),
                "extra_per_kg": Decimal("4.50"),
            },
        )
        if made or not service.rates.exists():
            FreightRate.objects.bulk_create(table_rates(service, prices, per_kg, days))
    pickup, _ = Carrier.objects.get_or_create(
        code="retirada",
        defaults={"name": "Retirada na loja", "kind": CarrierKind.PICKUP},
    )
    CarrierService.objects.get_or_create(
        carrier=pickup, code="RET", defaults={"name": "Retirada no CD"}
    )
    carriers["pickup"] = pickup
    return carriers


def ensure_free_shipping(table: Carrier) -> None:
    economico = table.services.get(code="ECO")
    FreeShippingRule.objects.get_or_create(
        name="Frete grátis Sudeste acima de R$ 299",
        defaults={
            "service": economico,
            "channel_code": "loja",
            "states": SOUTHEAST,
            "min_order_value": Decimal("299.00"),
        },
    )


def grant_shipping_desk(carriers) -> None:
    group = role_group("shipping_desk")
    if group is None:
        return
    for user in get_user_model().objects.filter(groups=group):
        for carrier in carriers:
            for perm in CARRIER_PERMISSIONS:
                assign_perm(perm, user, carrier)


@transaction.atomic
def seed_demo_logistics_setup(*, stdout) -> dict[str, Carrier]:
    origins = ensure_origins()
    carriers = ensure_carriers()
    ensure_free_shipping(carriers["table"])
    grant_shipping_desk(list(carriers.values()))
    rates = FreightRate.objects.count()
    stdout.write(
        f"Logística: {len(origins)} origens, "
        f"{Carrier.objects.count()} transportadoras, {rates} faixas de frete\n"
    )
    return carriers
