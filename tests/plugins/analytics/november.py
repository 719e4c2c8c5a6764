"""The hand-computed November the reports' tests share (see
test_orders_kpis for the figures computed from it).

Store days are America/Sao_Paulo (UTC−3).

==  ====  ===========  =========  =====================  ====  ====  ==  ======
#   chan  placed       status     lines (sku×qty@price   disc  ship  UF  paid
          (local)                 − line disc = total)               by
==  ====  ===========  =========  =====================  ====  ====  ==  ======
O1  loja  10/11 10:00  delivered  S1×2@50−10=90;         10    20    SP  pix
                                  S2×1@100=100
O2  loja  10/11 23:30  paid       S1×1@50=50             0     10    RJ  card
          (11/11 UTC)
O3  ml    11/11 00:30  cancelled* S2×2@100=200           0     0     SP  pix
O4  ml    12/11 12:00  returned   S1×3@50−15=135         15    0     MG  boleto
O5  loja  12/11 15:00  pending    S2×1@100=100           0     0     SP  pix
O6  ml    30/11 23:59  delivered  S1×1@50=50;            0     12    SP  card
          (01/12 UTC)             S2×1@100=100
O7  loja  01/12 00:10  paid       S1×1@50=50             0     0     SP  pix
==  ====  ===========  =========  =====================  ====  ====  ==  ======

(*) paid, then cancelled. Totals: O1 210, O2 60, O3 200, O4 135, O5 100,
O6 162, O7 50. O2 was paid by card (R$ 60,00) and R$ 15,00 of it refunded.
S1 is category A / brand X; S2 category B / brand Y.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from plugins.orders.models import Order, OrderEvent, OrderLine, SurveyResponse

D = Decimal


def local(day: str, time: str) -> datetime.datetime:
    (d, m, y), (hh, mm) = day.split("/"), time.split(":")
    return datetime.datetime(
        int(y), int(m), int(d), int(hh), int(mm), tzinfo=timezone.get_default_timezone()
    )


@pytest.fixture
def catalog(db):
    from content.models import Brand, Category, Product, Variant

    cat_a = Category.objects.create(name="Categoria A", slug="cat-a")
    cat_b = Category.objects.create(name="Categoria B", slug="cat-b")
    brand_x = Brand.objects.create(name="Marca X", slug="marca-x")
    brand_y = Brand.objects.create(name="Marca Y", slug="marca-y")
    p1 = Product.objects.create(
        name="Produto 1", slug="produto-1", brand=brand_x, primary_category=cat_a
    )
    p2 = Product.objects.create(
        name="Produto 2", slug="produto-2", brand=brand_y, primary_category=cat_b
    )
    s1 = Variant.objects.create(product=p1, sku="S1", price=D("50"))
    s2 = Variant.objects.create(product=p2, sku="S2", price=D("100"))
    return {
        "cat_a": cat_a,
        "cat_b": cat_b,
        "brand_x": brand_x,
        "brand_y": brand_y,
        "S1": s1,
        "S2": s2,
    }


# number, channel, placed (day, time), status, lines, discount, shipping, uf, payment
ORDERS = (
    ("O1", "loja", ("10/11/2026", "10:00"), "delivered",
     [("S1", 2, "50", "10"), ("S2", 1, "100", "0")], "10", "20", "SP", "pix"),
    ("O2", "loja", ("10/11/2026", "23:30"), "paid",
     [("S1", 1, "50", "0")], "0", "10", "RJ", "card"),
    ("O3", "ml", ("11/11/2026", "00:30"), "cancelled",
     [("S2", 2, "100", "0")], "0", "0", "SP", "pix"),
    ("O4", "ml", ("12/11/2026", "12:00"), "returned",
     [("S1", 3, "50", "15")], "15", "0", "MG", "boleto"),
    ("O5", "loja", ("12/11/2026", "15:00"), "pending_payment",
     [("S2", 1, "100", "0")], "0", "0", "SP", "pix"),
    ("O6", "ml", ("30/11/2026", "23:59"), "delivered",
     [("S1", 1, "50", "0"), ("S2", 1, "100", "0")], "0", "12", "SP", "card"),
    ("O7", "loja", ("01/12/2026", "00:10"), "paid",
     [("S1", 1, "50", "0")], "0", "0", "SP", "pix"),
)  # fmt: skip


def make_order(channel, number, placed, status, lines, discount, shipping, uf, pay,
               variants):  # fmt: skip
    subtotal = sum(D(price) * qty for _sku, qty, price, _d in lines)
    total = subtotal - D(discount) + D(shipping)
    paid = status != "pending_payment"
    shipped = status in ("delivered", "returned")
    order = Order.objects.create(
        number=number,
        channel=channel,
        customer_name="Cliente",
        shipping_address={"uf": uf, "cep": "01001-000"},
        subtotal=subtotal,
        discount_total=D(discount),
        shipping_total=D(shipping),
        total=total,
        payment_method=pay,
        status=status,
        placed_at=placed,
        paid_at=placed if paid else None,
        shipped_at=placed + datetime.timedelta(days=1) if shipped else None,
        delivered_at=placed + datetime.timedelta(days=3) if shipped else None,
        cancelled_at=placed + datetime.timedelta(hours=2)
        if status == "cancelled"
        else None,
        returned_at=placed + datetime.timedelta(days=5)
        if status == "returned"
        else None,
    )
    for sku, qty, price, line_discount in lines:
        OrderLine.objects.create(
            order=order,
            variant=variants[sku],
            sku=sku,
            product_name=sku,
            quantity=qty,
            unit_price=D(price),
            discount=D(line_discount),
            total=D(price) * qty - D(line_discount),
        )
    OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.PLACED, created_at=placed
    )
    return order


@pytest.fixture
def orders(catalog, loja, mercado_livre):
    from plugins.finance.models import Payment, ProviderAccount

    channels = {"loja": loja, "ml": mercado_livre}
    made = {}
    for number, channel, placed, status, lines, disc, ship, uf, pay in ORDERS:
        made[number] = make_order(
            channels[channel], number, local(*placed), status, lines, disc, ship,
            uf, pay, catalog,
        )  # fmt: skip
    account = ProviderAccount.objects.create(name="Balcão", provider="manual")
    Payment.objects.create(
        order=made["O2"],
        account=account,
        method="card",
        amount=D("60"),
        status="partially_refunded",
        refunded_amount=D("15"),
        paid_at=made["O2"].placed_at,
    )
    for number, score, rating, answered in (
        ("O1", 10, None, ("20/11/2026", "10:00")),
        ("O4", 7, None, ("25/11/2026", "09:00")),
        ("O6", 4, 2, ("30/11/2026", "23:50")),
        ("O3", 9, None, ("01/12/2026", "08:00")),
    ):
        SurveyResponse.objects.create(
            order=made[number],
            source="marketplace" if rating else "survey",
            issued_at=local(*answered),
            answered_at=local(*answered),
            score=score,
            rating=rating,
        )
    return made
