"""Demo orders for `manage.py seed_demo`.

Sales channels (own storefront, four marketplaces, B2B, a physical store) and
a few hundred orders over the last 90 days, placed and moved through their
lifecycle by the same services the order desk uses (so every order has its
timeline, audit entries and, with the stock plugin, its stock movements).
About half of the delivered orders answered the post-sale survey. The demo
users of the order-desk role are granted the storefront and Mercado Livre.

Idempotent (channels by code, orders by external id ``DEMO-…``) and
deterministic (a seeded random generator).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from guardian.shortcuts import assign_perm

from plugins.exceptions import RetaguardaError
from plugins.orders.apps import CHANNEL_PERMISSIONS
from plugins.orders.models import Order, SalesChannel, SurveyResponse
from plugins.orders.services import place_order, transition_order
from plugins.orders.surveys import submit_survey
from plugins.roles import role_group

ORDER_COUNT = 300
CENT = Decimal("0.01")
DAYS = 90

CHANNELS = [
    # code, name, kind, marketplace, custom prices, weight
    ("loja", "Loja virtual", "storefront", "", False, 40),
    ("mercado-livre", "Mercado Livre", "marketplace", "Mercado Livre", True, 25),
    ("shopee", "Shopee", "marketplace", "Shopee", True, 12),
    ("amazon", "Amazon", "marketplace", "Amazon", True, 8),
    ("magalu", "Magalu", "marketplace", "Magalu", True, 6),
    ("b2b", "Vendas B2B", "b2b", "", True, 5),
    ("loja-fisica", "Loja física — Pinheiros", "store", "", False, 4),
]

FIRST = "Ana Beatriz Bruno Camila Carlos Daniela Eduardo Fernanda Gabriel Helena"
FIRST += " Igor Juliana Lucas Mariana Natália Otávio Patrícia Rafael Sofia Tiago"
LAST = "Silva Santos Oliveira Souza Lima Pereira Costa Ferreira Almeida Ribeiro"
CITIES = [
    ("São Paulo", "SP", "01310"),
    ("Campinas", "SP", "13010"),
    ("Rio de Janeiro", "RJ", "20040"),
    ("Niterói", "RJ", "24020"),
    ("Belo Horizonte", "MG", "30130"),
    ("Curitiba", "PR", "80010"),
    ("Porto Alegre", "RS", "90010"),
    ("Salvador", "BA", "40010"),
    ("Recife", "PE", "50010"),
    ("Brasília", "DF", "70040"),
]
COMMENTS = {
    "promoter": ["Chegou antes do prazo!", "Produto ótimo, recomendo.", ""],
    "passive": ["Tudo certo, mas a embalagem veio amassada.", ""],
    "detractor": ["Atrasou uma semana.", "Veio a cor errada.", ""],
}


def cpf(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(9)]
    for weight in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight, 1, -1), strict=False))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def ensure_channels() -> dict[str, SalesChannel]:
    channels = {}
    for code, name, kind, marketplace, custom, _weight in CHANNELS:
        channels[code], _ = SalesChannel.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "marketplace": marketplace,
                "accepts_custom_prices": custom,
            },
        )
    return channels


def grant_order_desk(channels: dict[str, SalesChannel]) -> None:
    group = role_group("order_desk")
    if group is None:
        return
    for user in get_user_model().objects.filter(groups=group):
        for code in ("loja", "mercado-livre"):
            for perm in CHANNEL_PERMISSIONS:
                assign_perm(perm, user, channels[code])


def _skus() -> list[tuple[str, Decimal]]:
    from content.models import Variant

    return list(
        Variant.objects.filter(active=True, product__live=True)
        .order_by("sku")
        .values_list("sku", "price")
    )


def _request(rng: random.Random, i: int, channel: SalesChannel, skus) -> dict:
    first, last = rng.choice(FIRST.split()), rng.choice(LAST.split())
    city, uf, cep = rng.choice(CITIES)
    chosen = rng.sample(skus, k=min(len(skus), rng.choice((1, 1, 2, 2, 3, 4))))
    lines = []
    for sku, price in chosen:
        line = {"sku": sku, "quantity": rng.choice((1, 1, 1, 2, 3))}
        if channel.accepts_custom_prices and rng.random() < 0.5:
            line["unit_price"] = (price * Decimal("0.95")).quantize(Decimal("0.01"))
        lines.append(line)
    payment = rng.choices(("pix", "card", "boleto"), weights=(45, 45, 10))[0]
    return {
        "customer": {
            "name": f"{first} {last}",
            "email": f"{slugify(first)}.{slugify(last)}{i}@exemplo.com.br",
            "phone": f"+55 11 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            "document": cpf(rng),
        },
        "shipping_address": {
            "recipient": f"{first} {last}",
            "cep": f"{cep}-{rng.randint(0, 999):03d}",
            "street": rng.choice(("Rua das Flores", "Avenida Brasil", "Rua Augusta")),
            "number": str(rng.randint(1, 2000)),
            "complement": rng.choice(("", "", "apto 31", "casa 2")),
            "district": "Centro",
            "city": city,
            "uf": uf,
        },
        "lines": lines,
        "payment_method": payment,
        "installments": rng.choice((1, 2, 3, 6, 10)) if payment == "card" else 1,
        "shipping_total": rng.choice(("0.00", "12.90", "19.90", "24.50")),
        "discount_total": rng.choice(("0.00", "0.00", "0.00", "5.00", "10.00")),
    }


PATH = ("pay", "invoice", "prepare", "ship", "deliver")


def _target_steps(rng: random.Random, age_days: float) -> tuple[int, str | None]:
    """How far an order of this age got: (steps along PATH, final detour)."""
    if age_days > 20:
        roll = rng.random()
        if roll < 0.07:
            return 0, "cancel"
        if roll < 0.10:
            return 5, "return"
        return 5, None
    if age_days > 7:
        return rng.choice((3, 4, 4, 5, 5)), None
    roll = rng.random()
    if roll < 0.05:
        return 1, "cancel"
    return rng.choice((0, 0, 1, 1, 2, 3)), None


def seed_demo_orders(*, stdout) -> None:
    channels = ensure_channels()
    grant_order_desk(channels)
    if Order.objects.filter(external_id__startswith="DEMO-").exists():
        return
    skus = _skus()
    if not skus:
        stdout.write("Orders demo skipped: there is no catalog to sell.")
        return
    rng = random.Random(2026)  # noqa: S311  (demo data, not secrets)
    now = timezone.now()
    weights = [c[5] for c in CHANNELS]
    created = refused = 0
    for i in range(ORDER_COUNT):
        channel = channels[rng.choices([c[0] for c in CHANNELS], weights)[0]]
        age = rng.uniform(0, DAYS)
        placed_at = now - datetime.timedelta(days=age)
        try:
            with transaction.atomic():
                order = place_order(
                    channel=channel,
                    external_id=f"DEMO-{i + 1:04d}",
                    placed_at=placed_at,
                    promised_delivery_date=(
                        placed_at + datetime.timedelta(days=7)
                    ).date(),
                    **_request(rng, i, channel, skus),
                ).order
                _advance(rng, order, placed_at, now, age)
        except RetaguardaError:
            refused += 1  # e.g. the stock plugin has no units left
            continue
        created += 1
    stdout.write(
        f"Pedidos de demonstração: {created} nos últimos {DAYS} dias"
        + (f" ({refused} recusados)" if refused else "")
    )
    imported = _import_marketplace_orders(rng, channels["mercado-livre"], skus, now)
    stdout.write(
        f"Pedidos importados do Mercado Livre (com pagamentos e avaliações): {imported}"
    )


IMPORTED_COUNT = 24
RATING_COMMENTS = {
    5: "Chegou antes do prazo, recomendo!",
    4: "Bom produto, embalagem simples.",
    3: "",
    2: "Demorou para chegar.",
    1: "Veio com defeito.",
}


def _import_marketplace_orders(rng, channel, skus, now) -> int:
    """Orders as the marketplace sends them: already paid, shipped or
    delivered, with their payments (card and voucher), fee, freight, buyer id
    and rating, through marketplace intake."""
    from plugins.orders.intake import CREATED, place_order_batch

    items = []
    for i in range(IMPORTED_COUNT):
        age = rng.uniform(1, DAYS)
        placed = now - datetime.timedelta(days=age)
        request = _request(rng, 1000 + i, channel, skus)
        request.pop("payment_method"), request.pop("installments")
        request.pop("discount_total")
        request["customer"]["reference"] = f"ML-{rng.randint(10**8, 10**9)}"
        paid = placed + datetime.timedelta(minutes=rng.uniform(5, 300))
        status = "delivered" if age > 12 else rng.choice(("paid", "shipped"))
        history = {"status": status, "paid_at": paid.isoformat()}
        if status in ("shipped", "delivered"):
            history["invoiced_at"] = (paid + datetime.timedelta(hours=6)).isoformat()
            shipped = paid + datetime.timedelta(hours=rng.uniform(8, 40))
            history["shipped_at"] = shipped.isoformat()
            if status == "delivered":
                delivered = shipped + datetime.timedelta(days=rng.uniform(2, 8))
                history["delivered_at"] = delivered.isoformat()
                stars = rng.choices((5, 4, 3, 2, 1), weights=(50, 25, 10, 8, 7))[0]
                history["rating"] = {
                    "stars": stars,
                    "comment": RATING_COMMENTS[stars],
                    "rated_at": (delivered + datetime.timedelta(days=1)).isoformat(),
                }
        prices = dict(skus)
        total = sum(
            Decimal(str(line.get("unit_price") or prices[line["sku"]]))
            * line["quantity"]
            for line in request["lines"]
        ) + Decimal(request["shipping_total"])
        voucher = Decimal("15.00") if i % 4 == 0 and total > 30 else Decimal(0)
        history["payments"] = [
            {
                "method": "card",
                "value": str(total - voucher),
                "installments": rng.choice((1, 2, 3, 6)),
                "provider_id": f"MP-{rng.randint(10**9, 10**10)}",
            }
        ] + ([{"method": "voucher", "value": str(voucher)}] if voucher else [])
        history["marketplace_fee"] = str((total * Decimal("0.16")).quantize(CENT))
        history["marketplace_freight"] = rng.choice(("18.90", "22.40", "31.00"))
        items.append(
            {
                "channel": channel.code,
                "external_id": f"DEMO-MLB-{i + 1:03d}",
                "placed_at": placed,
                "promised_delivery_date": (placed + datetime.timedelta(days=10)).date(),
                **request,
                **history,
            }
        )
    results = place_order_batch(items, user=None)
    return sum(1 for result in results if result.status == CREATED)


def _advance(rng, order, placed_at, now, age) -> None:
    steps, detour = _target_steps(rng, age)
    at = placed_at
    for name in PATH[:steps]:
        at = min(at + datetime.timedelta(hours=rng.uniform(2, 40)), now)
        transition_order(order, name, user=None, at=at)
    if detour:
        at = min(at + datetime.timedelta(hours=rng.uniform(1, 30)), now)
        reason = (
            "Cliente desistiu da compra" if detour == "cancel" else "Tamanho errado"
        )
        transition_order(order, detour, user=None, reason=reason, at=at)
    if steps == 5 and rng.random() < 0.5:
        survey = SurveyResponse.objects.get(order=order)
        score = rng.choices(range(11), weights=(1, 1, 1, 1, 1, 2, 3, 6, 10, 14, 18))[0]
        kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        submit_survey(survey.token, score=score, comment=rng.choice(COMMENTS[kind]))
        SurveyResponse.objects.filter(pk=survey.pk).update(
            answered_at=min(at + datetime.timedelta(days=rng.uniform(0.5, 5)), now)
        )
