"""Demo logistics data for ``manage.py seed_demo``.

**Set-up**: a shipping origin per stock warehouse (or one, without the stock
plugin), the *Correios* on their local simulator (SEDEX and PAC, at
``RETAGUARDA_DEMO_CORREIOS_PORT`` on loopback, where ``make run`` starts
it; its pushes reach the carrier's tracking address), a regional table
carrier (*Transportadora Rápida*, Expresso and Econômico) with freight
tables from São Paulo to every state (the states' CEP ranges × eight weight
bands, priced by distance), store pickup, and free shipping on Econômico to
the Southeast above R$ 299. The demo users of the *Expedição* role are
granted every carrier.

**Shipments at every stage**: sixteen storefront orders (``DEMO-LOG-…``)
placed with the table carrier's cheapest quoted option (the server prices
their shipping from the signed quote), paid and invoiced, then through the
same services as the shipping desk: three wait in the queue, two are
labelled, one is late to ship (its handling deadline passed), the others
are handed over in a closed manifest and tracked through the carrier's
pushes (:func:`~plugins.logistics.services.tracking.record_events`): three
on the way (one of them past its promised date), three delivered, one
delivery failed, and one delivered with a return the carrier authorised.
Made without the Correios simulator (the table carrier issues its own S10
codes, and the Correios carrier is set up after these orders were quoted),
so the demo seeds whether or not the simulator runs.

Idempotent (everything by code, the orders by external id) and
deterministic (a seeded random generator).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plugins.logistics.apps import CARRIER_PERMISSIONS
from plugins.logistics.models import (
    Carrier,
    CarrierKind,
    CarrierService,
    FreeShippingRule,
    FreightRate,
    OrderShipping,
    ReturnReason,
    ReturnRequest,
    Shipment,
    ShippingOrigin,
    TrackingEvent,
    TrackingStatus,
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


def ensure_correios() -> Carrier:
    """The Correios on their local simulator (created last: the demo's own
    orders are quoted before, while the simulator may not run yet)."""
    from plugins.logistics.simulator import (
        DEMO_ACCESS_CODE,
        DEMO_CARTAO,
        DEMO_USERNAME,
        DEMO_WEBHOOK_SECRET,
    )

    correios, _ = Carrier.objects.get_or_create(
        code="correios",
        defaults={
            "name": "Correios",
            "kind": CarrierKind.CORREIOS,
            "base_url": f"http://127.0.0.1:{settings.RETAGUARDA_DEMO_CORREIOS_PORT}",
            "username": DEMO_USERNAME,
            "access_token": DEMO_ACCESS_CODE,
            "contract": DEMO_CARTAO,
            "webhook_secret": DEMO_WEBHOOK_SECRET,
            # the address ``make run`` gives the simulator for its pushes
            "webhook_token": "correios-demo",
        },
    )
    for code, name in (("03220", "SEDEX"), ("03298", "PAC")):
        CarrierService.objects.get_or_create(
            carrier=correios, code=code, defaults={"name": name}
        )
    return correios


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
def ensure_setup() -> dict[str, Carrier]:
    ensure_origins()
    carriers = ensure_carriers()
    ensure_free_shipping(carriers["table"])
    grant_shipping_desk(list(carriers.values()))
    return carriers


# -- shipments at every stage -------------------------------------------------------

PREFIX = "DEMO-LOG-"
#: what becomes of each demo order, in order
STAGES = (
    ("queue", 3),  # invoiced, waiting for its label
    ("labelled", 2),  # labelled, not handed over yet
    ("late_to_ship", 1),  # invoiced, its handling deadline passed
    ("in_transit", 3),  # handed over (closed manifest), scanned on the way
    ("late_delivery", 1),  # on the way, past its promised date
    ("delivered", 3),  # delivered: the tracking moved the order
    ("delivery_failed", 1),  # the carrier could not deliver
    ("returned", 1),  # delivered, then a return authorised by the carrier
)
JOURNEY = (
    (TrackingStatus.POSTED, "Objeto postado", "Cajamar/SP"),
    (TrackingStatus.IN_TRANSIT, "Objeto em trânsito - por favor aguarde", "Cajamar/SP"),
    (TrackingStatus.OUT_FOR_DELIVERY, "Objeto saiu para entrega ao destinatário", ""),
)


def _demo_skus(limit: int = 6) -> list[str]:
    from content.models import Variant

    return list(
        Variant.objects.filter(active=True, product__live=True)
        .order_by("sku")
        .values_list("sku", flat=True)[:limit]
    )


def _request(rng, i: int, skus: list[str]) -> dict:
    from django.utils.text import slugify

    from plugins.orders.demo import CITIES, FIRST, LAST, cpf

    first, last = rng.choice(FIRST.split()), rng.choice(LAST.split())
    city, uf, cep = CITIES[i % len(CITIES)]
    lines = [
        {"sku": sku, "quantity": rng.choice((1, 1, 2))}
        for sku in rng.sample(skus, k=min(len(skus), rng.choice((1, 2))))
    ]
    return {
        "customer": {
            "name": f"{first} {last}",
            "email": f"{slugify(first)}.{slugify(last)}.envio{i}@exemplo.com.br",
            "phone": f"+55 11 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            "document": cpf(rng),
        },
        "shipping_address": {
            "recipient": f"{first} {last}",
            "cep": f"{cep}-{rng.randint(0, 999):03d}",
            "street": rng.choice(("Rua das Flores", "Avenida Brasil", "Rua Augusta")),
            "number": str(rng.randint(1, 2000)),
            "district": "Centro",
            "city": city,
            "uf": uf,
        },
        "lines": lines,
        "payment_method": "pix",
    }


def _place(channel, rng, i: int, skus: list[str], table: Carrier):
    """A storefront order that chose the table carrier's cheapest option (the
    server prices its shipping from the signed quote), paid and invoiced."""
    from plugins.logistics.services.quoting import quote_cart
    from plugins.orders.services import place_order, transition_order

    request = _request(rng, i, skus)
    options = [
        option
        for option in quote_cart(
            channel, request["shipping_address"]["cep"], request["lines"]
        )
        if option.carrier_id == table.pk
    ]
    order = place_order(
        channel=channel,
        external_id=f"{PREFIX}{i + 1:02d}",
        shipping_quote=options[0].quote_id,
        **request,
    ).order
    for step in ("pay", "invoice"):
        transition_order(order, step, user=None)
    return order


def _track(table: Carrier, shipment, steps, *, end=None, ago_days: float = 2):
    """Tracking events of ``shipment``'s parcels, as the carrier pushes them."""
    from plugins.logistics.carriers.base import TrackEvent
    from plugins.logistics.services.tracking import record_events

    start = timezone.now() - datetime.timedelta(days=ago_days)
    events = []
    for package in shipment.packages.all():
        moments = [*steps, *([end] if end else [])]
        for n, (status, description, place) in enumerate(moments):
            events.append(
                TrackEvent(
                    event_id=f"demo-{package.tracking_code}-{n}",
                    tracking_code=package.tracking_code,
                    status=status,
                    occurred_at=start + datetime.timedelta(hours=9 * n),
                    description=description,
                    place=place or shipment.order.shipping_address.get("city", ""),
                )
            )
    record_events(table, events, source=TrackingEvent.Source.PUSH)


def _seed_shipments(carriers, clerk, stdout) -> None:
    import random

    from plugins.logistics.services import returns, shipments
    from plugins.orders.models import Order, SalesChannel

    table = carriers["table"]
    channel = SalesChannel.objects.filter(code="loja").first()
    skus = _demo_skus()
    if channel is None or not skus:
        stdout.write("Envios de demonstração: sem loja virtual ou catálogo\n")
        return
    rng = random.Random(2027)  # noqa: S311  (demo data, not secrets)
    orders = []
    i = 0
    for stage, count in STAGES:
        for _n in range(count):
            orders.append((stage, _place(channel, rng, i, skus, table)))
            i += 1
    today = timezone.localdate()
    to_hand_over = []
    for stage, order in orders:
        if stage == "queue":
            continue
        if stage == "late_to_ship":
            OrderShipping.objects.filter(order=order).update(
                handling_deadline=today - datetime.timedelta(days=3)
            )
            continue
        shipment = shipments.create_shipment(order, carrier=table, user=clerk)
        if stage != "labelled":
            to_hand_over.append((stage, shipment))
    if to_hand_over:
        manifest = shipments.add_to_manifest([s for _st, s in to_hand_over], clerk)
        shipments.close_manifest(manifest, clerk)
    delivered = (TrackingStatus.DELIVERED, "Objeto entregue ao destinatário", "")
    failed = (
        TrackingStatus.DELIVERY_FAILED,
        "Carteiro não atendido - entrega não realizada",
        "",
    )
    for stage, shipment in to_hand_over:
        if stage in ("in_transit", "late_delivery"):
            _track(table, shipment, JOURNEY[:2], ago_days=1)
        elif stage == "delivery_failed":
            _track(table, shipment, JOURNEY, end=failed)
        else:
            _track(table, shipment, JOURNEY, end=delivered, ago_days=4)
        if stage == "late_delivery":
            past = today - datetime.timedelta(days=2)
            Shipment.objects.filter(pk=shipment.pk).update(promised_date=past)
            OrderShipping.objects.filter(order_id=shipment.order_id).update(
                promised_date=past
            )
        if stage == "returned":
            order = Order.objects.get(pk=shipment.order_id)
            line = order.lines.first()
            ret = returns.request_return(
                order,
                items=[{"sku": line.sku, "quantity": 1}],
                reason=ReturnReason.DEFECT,
                comment="A costura veio aberta.",
                via=ReturnRequest.Channel.STOREFRONT,
            )
            returns.authorise_return(ret, clerk)
    stdout.write(
        f"Envios de demonstração: {len(orders)} pedidos da loja com frete cotado "
        f"({Shipment.objects.filter(order__external_id__startswith=PREFIX).count()} "
        "remessas, 2 atrasadas, 1 devolução autorizada)\n"
    )


def _clerk():
    group = role_group("shipping_desk")
    user = (
        get_user_model().objects.filter(groups=group, is_active=True).first()
        if group
        else None
    )
    return user


def seed_demo_logistics(*, stdout) -> None:
    from plugins.orders.models import Order

    carriers = ensure_setup()
    if not Order.objects.filter(external_id__startswith=PREFIX).exists():
        with transaction.atomic():
            _seed_shipments(carriers, _clerk(), stdout)
    grant_shipping_desk([ensure_correios()])
    stdout.write(
        f"Logística: {ShippingOrigin.objects.count()} origens, "
        f"{Carrier.objects.count()} transportadoras, "
        f"{FreightRate.objects.count()} faixas de frete\n"
    )
