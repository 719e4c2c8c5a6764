"""A known set of orders for the dashboard's figures, shared by the unit and
the browser tests. ``T`` is today (local day); every figure below was
computed by hand from this table.

=====  =============  ===============  =========  ======  ===============  ==========
order  channel        status           total      placed  promised         survey
=====  =============  ===============  =========  ======  ===============  ==========
A      loja           paid             100.00     T       —                —
B      loja           pending_payment   50.00     T       T-1 (late)       —
C      mercado-livre  invoiced         200.00     T       —                9, at T-1
D      mercado-livre  cancelled         80.00     T       —                —
L      mercado-livre  paid              30.00     T       —                —
K      mercado-livre  pending_payment   70.00     T-1     —                —
E      loja           shipped          150.00     T-3     T-1 (late)       10, at T
F      mercado-livre  ready_to_ship    300.00     T-3     T-1 (late)       7, at T-2
M      loja           paid              25.50     T-6     —                —
G      loja           delivered        400.00     T-10    T-5 (delivered)  10, at T-5
H      mercado-livre  returned          90.00     T-10    —                2, at T-9
I      loja           delivered         60.00     T-29    —                0, at T-40
J      mercado-livre  delivered       1000.00     T-30    —                unanswered
=====  =============  ===============  =========  ======  ===============  ==========

Sales (paid and beyond, not cancelled nor returned): A, C, L, E, F, M, G, I
(J is 30 days old, outside the last 30 days).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from plugins.orders.models import Order, SurveyResponse

ROWS = (
    # key, channel, status, total, placed (days ago, hour), promised (days ago)
    ("A", "loja", "paid", "100.00", (0, 9), None),
    ("B", "loja", "pending_payment", "50.00", (0, 10), 1),
    ("C", "ml", "invoiced", "200.00", (0, 8), None),
    ("D", "ml", "cancelled", "80.00", (0, 11), None),
    ("L", "ml", "paid", "30.00", (0, 12), None),
    ("K", "ml", "pending_payment", "70.00", (1, 10), None),
    ("E", "loja", "shipped", "150.00", (3, 9), 1),
    ("F", "ml", "ready_to_ship", "300.00", (3, 15), 1),
    ("M", "loja", "paid", "25.50", (6, 10), None),
    ("G", "loja", "delivered", "400.00", (10, 9), 5),
    ("H", "ml", "returned", "90.00", (10, 14), None),
    ("I", "loja", "delivered", "60.00", (29, 0), None),
    ("J", "ml", "delivered", "1000.00", (30, 23), None),
)
# order key: (score, answered days ago); None = issued, not answered
SURVEYS = {
    "C": (9, 1),
    "E": (10, 0),
    "F": (7, 2),
    "G": (10, 5),
    "H": (2, 9),
    "I": (0, 40),
    "J": None,
}

#: The order desk, every channel.
DESK_ALL = {
    "to_confirm": 2,  # B, K
    "to_invoice": 3,  # A, L, M
    "to_prepare": 1,  # C
    "to_ship": 1,  # F
    "late": 3,  # B, E, F
}
TODAY_ALL = {"loja": 2, "mercado-livre": 3}  # A, B | C, D, L
#: The order desk of an attendant of the storefront channel only.
DESK_LOJA = {"to_confirm": 1, "to_invoice": 2, "to_prepare": 0, "to_ship": 0, "late": 2}
TODAY_LOJA = {"loja": 2}

#: Sales: (total, orders, average ticket) per period.
SALES = {
    "today": (Decimal("330.00"), 3, Decimal("110.00")),  # A + C + L
    "last_7_days": (Decimal("805.50"), 6, Decimal("134.25")),  # + E, F, M
    "last_30_days": (Decimal("1265.50"), 8, Decimal("158.19")),  # + G, I
}
SALES_SHOWN = {
    "today": ("R$ 330,00", "3", "R$ 110,00"),
    "last_7_days": ("R$ 805,50", "6", "R$ 134,25"),
    "last_30_days": ("R$ 1.265,50", "8", "R$ 158,19"),
}
#: Daily sales of the chart, by days ago (other days: zero).
DAILY = {
    0: Decimal("330.00"),
    3: Decimal("450.00"),
    6: Decimal("25.50"),
    10: Decimal("400.00"),
    29: Decimal("60.00"),
}
#: Survey answers of the last 30 days: C 9, E 10, F 7, G 10, H 2 → 3
#: promoters, 1 passive, 1 detractor; NPS = 100 × (3 − 1) / 5 = 40.
NPS = {"answers": 5, "promoters": 3, "passives": 1, "detractors": 1, "nps": 40}


def at(today: datetime.date, days_ago: int, hour: int = 12) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_dashboard_orders(loja, mercado_livre, today=None, prefix="") -> dict:
    """Create the orders of the table (numbers ``<prefix><key>``)."""
    today = today or timezone.localdate()
    channels = {"loja": loja, "ml": mercado_livre}
    orders = {}
    for key, channel, status, total, (days_ago, hour), promised in ROWS:
        total = Decimal(total)
        orders[key] = Order.objects.create(
            number=f"{prefix}{key}",
            channel=channels[channel],
            customer_name=f"Cliente {key}",
            subtotal=total,
            total=total,
            payment_method="pix",
            status=status,
            placed_at=at(today, days_ago, hour),
            promised_delivery_date=(
                None if promised is None else today - datetime.timedelta(days=promised)
            ),
        )
    for key, answer in SURVEYS.items():
        order = orders[key]
        if answer is None:
            SurveyResponse.objects.create(order=order, issued_at=order.placed_at)
            continue
        score, days_ago = answer
        SurveyResponse.objects.create(
            order=order,
            issued_at=order.placed_at,
            answered_at=at(today, days_ago, 0 if days_ago == 0 else 18),
            score=score,
        )
    return orders
