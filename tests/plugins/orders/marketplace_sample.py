"""A marketplace order file shaped like a public marketplace data set: 175
orders, most delivered, some shipped, paid, invoiced, pending or cancelled;
one row per item line or payment (card with installments, boleto, debit card,
vouchers, an order paid with card and vouchers); buyers who come back (the
marketplace's buyer id); ratings 1–5 with comments; delivered orders whose
delivery date is missing; cancelled orders without items (the marketplace
lists them all the same); and items sold long ago that left the catalog.

Deterministic: the same file every time (a seeded generator).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

HEADER = [
    "channel",
    "external_id",
    "placed_at",
    "status",
    "paid_at",
    "invoiced_at",
    "shipped_at",
    "delivered_at",
    "promised_delivery_date",
    "buyer_id",
    "customer_name",
    "customer_email",
    "cep",
    "street",
    "number",
    "district",
    "city",
    "uf",
    "shipping_total",
    "marketplace_fee",
    "marketplace_freight",
    "rating",
    "rating_comment",
    "rated_at",
    "sku",
    "quantity",
    "unit_price",
    "payment_type",
    "payment_value",
    "payment_installments",
    "payment_id",
]
#: SKUs of the test catalog: live ones, and one no longer for sale.
LIVE = {"CAM-P": Decimal("49.90"), "CAM-M": Decimal("52.00"), "CAN-1": Decimal("39.9")}
GONE = {"VEL-1": Decimal("10.00")}
COMMENTS = {
    5: "Chegou antes do prazo, recomendo!",
    4: "Bom produto.",
    3: "",
    2: "Demorou a chegar.",
    1: "Veio com defeito.",
}
CITIES = [
    ("01310-100", "São Paulo", "SP", "Bela Vista"),
    ("20040-002", "Rio de Janeiro", "RJ", "Centro"),
    ("30130-010", "Belo Horizonte", "MG", "Centro"),
    ("80010-000", "Curitiba", "PR", "Centro"),
    ("40020-000", "Salvador", "BA", "Comércio"),
]
STATUS_WEIGHTS = [
    ("delivered", 140),
    ("shipped", 10),
    ("paid", 8),
    ("invoiced", 5),
    ("pending_payment", 4),
    ("cancelled", 8),
]


@dataclass
class SampleOrder:
    """What the file says of one order: what the import must keep."""

    external_id: str
    status: str
    placed_at: datetime.datetime
    paid_at: datetime.datetime | None
    invoiced_at: datetime.datetime | None
    shipped_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    buyer_id: str
    lines: list[tuple[str, int, Decimal]]
    payments: list[tuple[str, Decimal, int, str]]
    shipping: Decimal
    fee: Decimal
    freight: Decimal
    rating: int | None
    comment: str
    rated_at: datetime.datetime | None
    rows: list[list[str]] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return bool(self.lines)


def _brl(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _when(moment: datetime.datetime | None) -> str:
    return moment.strftime("%d/%m/%Y %H:%M:%S") if moment else ""


def build(count: int = 175, *, seed: int = 2018) -> list[SampleOrder]:
    rng = random.Random(seed)
    tz = datetime.timezone(datetime.timedelta(hours=-3))
    start = datetime.datetime(2018, 3, 1, 9, 0, tzinfo=tz)
    buyers = [f"buyer-{n:04d}" for n in range(140)]  # some buy more than once
    statuses = [s for s, weight in STATUS_WEIGHTS for _ in range(weight)]
    orders = []
    for n in range(count):
        status = statuses[n * len(statuses) // count]
        placed = start + datetime.timedelta(hours=7 * n, minutes=rng.randrange(60))
        paid = invoiced = shipped = delivered = None
        if status != "pending_payment" and not (status == "cancelled" and n % 2):
            paid = placed + datetime.timedelta(minutes=rng.randrange(10, 600))
        if status in ("invoiced", "shipped", "delivered"):
            invoiced = paid + datetime.timedelta(hours=rng.randrange(2, 30))
        if status in ("shipped", "delivered"):
            shipped = invoiced + datetime.timedelta(hours=rng.randrange(4, 48))
        if status == "delivered" and n % 23 != 5:  # a few have no delivery date
            delivered = shipped + datetime.timedelta(days=rng.randrange(2, 15))
        sold_before = status in ("delivered", "shipped", "cancelled")
        catalog = {**LIVE, **(GONE if sold_before and n % 17 == 3 else {})}
        skus = rng.sample(sorted(catalog), rng.choice((1, 1, 1, 2)))
        if status == "cancelled" and n % 3 == 0:
            skus = []  # the marketplace lists it without items
        lines = [(sku, rng.choice((1, 1, 2, 3)), catalog[sku]) for sku in skus]
        shipping = Decimal(rng.randrange(0, 4000)) / 100
        total = sum((price * qty for _sku, qty, price in lines), Decimal(0)) + shipping
        kind = n % 10
        if kind < 6:
            payments = [("credit_card", total, rng.choice((1, 2, 3, 6, 10)), "")]
        elif kind == 6:
            payments = [("boleto", total, 1, "")]
        elif kind == 7:
            payments = [("debit_card", total, 1, "")]
        elif kind == 8:  # a voucher and the rest by card
            voucher = min(total, Decimal("20.00"))
            payments = [
                ("credit_card", total - voucher, 2, ""),
                ("voucher", voucher, 1, ""),
            ]
        else:  # paid with two vouchers
            half = (total / 2).quantize(Decimal("0.01"))
            payments = [("voucher", half, 1, ""), ("voucher", total - half, 1, "")]
        payments = [
            (method, value, inst, f"pay-{n:04d}-{i}")
            for i, (method, value, inst, _id) in enumerate(payments, 1)
        ]
        rating = rated_at = None
        comment = ""
        if status in ("delivered", "cancelled") and n % 7 != 0:
            rating = (5, 5, 5, 4, 4, 3, 2, 1)[n % 8]
            comment = COMMENTS[rating]
            rated_at = (delivered or paid or placed) + datetime.timedelta(days=1)
        order = SampleOrder(
            external_id=f"MLB-{2018000 + n}",
            status=status,
            placed_at=placed,
            paid_at=paid,
            invoiced_at=invoiced,
            shipped_at=shipped,
            delivered_at=delivered,
            buyer_id=buyers[rng.randrange(len(buyers))],
            lines=lines,
            payments=payments if lines else [],
            shipping=shipping if lines else Decimal(0),
            fee=(total * Decimal("0.16")).quantize(Decimal("0.01")),
            freight=Decimal(rng.randrange(800, 2500)) / 100,
            rating=rating,
            comment=comment,
            rated_at=rated_at,
        )
        order.rows = _rows(order, rng)
        orders.append(order)
    return orders


def _rows(order: SampleOrder, rng: random.Random) -> list[list[str]]:
    cep, city, uf, district = CITIES[rng.randrange(len(CITIES))]
    number = order.buyer_id.split("-")[1]
    head = {
        "channel": "mercado-livre",
        "external_id": order.external_id,
        "placed_at": _when(order.placed_at),
        "status": order.status,
        "paid_at": _when(order.paid_at),
        "invoiced_at": _when(order.invoiced_at),
        "shipped_at": _when(order.shipped_at),
        "delivered_at": _when(order.delivered_at),
        "promised_delivery_date": (order.placed_at + datetime.timedelta(days=20))
        .date()
        .strftime("%d/%m/%Y"),
        "buyer_id": order.buyer_id,
        "customer_name": f"Cliente {number}",
        "customer_email": f"cliente{number}@example.com",
        "cep": cep,
        "street": "Rua das Flores",
        "number": str(int(number) + 1),
        "district": district,
        "city": city,
        "uf": uf,
        "shipping_total": _brl(order.shipping),
        "marketplace_fee": _brl(order.fee),
        "marketplace_freight": _brl(order.freight),
        "rating": str(order.rating or ""),
        "rating_comment": order.comment,
        "rated_at": _when(order.rated_at),
    }
    count = max(len(order.lines), len(order.payments), 1)
    rows = []
    for i in range(count):
        values = dict(head)
        if i < len(order.lines):
            sku, quantity, price = order.lines[i]
            values.update(sku=sku, quantity=str(quantity), unit_price=_brl(price))
        if i < len(order.payments):
            method, value, installments, provider_id = order.payments[i]
            values.update(
                payment_type=method,
                payment_value=_brl(value),
                payment_installments=str(installments),
                payment_id=provider_id,
            )
        rows.append([values.get(column, "") for column in HEADER])
    return rows


def csv_bytes(orders: list[SampleOrder]) -> bytes:
    lines = [";".join(HEADER)]
    lines += [";".join(row) for order in orders for row in order.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
