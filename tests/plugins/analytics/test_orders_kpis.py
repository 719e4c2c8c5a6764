"""The orders' figures against a table computed by hand: the orders of
``november.py``. "Today" is 05/12/2026, so every day of November can be
rolled up.

November, every channel:

* placed O1–O6 = 6; cancelled O3 → cancellation rate 1/6 = 16,7 %;
* paid O1, O2, O3, O4, O6 → GMV 210 + 60 + 200 + 135 + 162 = 767,00;
* sales (paid and beyond, not cancelled nor returned) O1, O2, O6 → 3 orders,
  432,00, average ticket 144,00; units 3 + 1 + 2 = 6;
* net revenue: goods after discounts of the sales 190 + 50 + 150 = 390,
  minus the refund 15 → 375,00;
* shipped O1, O4, O6; returned O4 → return rate 1/3 = 33,3 %;
* share of sales: loja 270/432 = 62,5 %, ml 162/432 = 37,5 %; pix 210/432 =
  48,6 %, card 222/432 = 51,4 %;
* per category, the sales' lines: A 90 + 50 + 50 = 190 (4 units), B 100 +
  100 = 200 (2 units); GMV per category (paid orders' lines): A 90 + 50 +
  135 + 50 = 325, B 100 + 200 + 100 = 400;
* by day: 10/11 GMV 270 (O2 is the 10th's though it is the 11th in UTC),
  11/11 200, 12/11 135, 30/11 162 (O6), nothing on 01/12 in November;
* NPS: answers in November O1 10 (promoter), O4 7 (passive), O6 2 stars = 4
  (detractor, answered 30/11 23:50 local) → (1 − 1)/3 = 0; O3's 9 answered on
  01/12 does not count.

An attendant of loja sees O1, O2, O5: GMV 270, 2 sales, net revenue 190 + 50
− 15 = 225, cancellation rate 0 %. One of ml sees O3, O4, O6: GMV 497, 1
sale, cancellation rate 1/3.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import F

from plugins.analytics import engine, rollups
from plugins.analytics.engine import Progress, Request
from plugins.analytics.models import DailyFact, DirtyDay
from plugins.orders.models import Order
from plugins.orders.services import transition_order
from tests.factories import UserFactory
from tests.plugins.analytics.november import local, make_order
from tests.plugins.orders.conftest import grant_channel

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)
NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
D = Decimal


EXPECTED = {
    "orders.gmv": D("767.00"),
    "orders.net_revenue": D("375.00"),
    "orders.orders": 3,
    "orders.units": 6,
    "orders.average_ticket": D("144.00"),
    "orders.cancellation_rate": D("16.7"),
    "orders.return_rate": D("33.3"),
    "orders.sales_share": D("100.0"),
    "orders.nps": 0,
}


def figures(user, start=NOV[0], end=NOV[1], **kwargs):
    from plugins.analytics.formatting import rounded

    results = engine.compute(user, list(EXPECTED), start, end, today=TODAY, **kwargs)
    return {
        key: rounded(result.value, result.kpi.unit) for key, result in results.items()
    }


def groups(user, key, group_by, **kwargs):
    from plugins.analytics.formatting import rounded

    result = engine.compute(
        user, [key], *NOV, group_by=group_by, today=TODAY, **kwargs
    )[key]
    return {
        label: rounded(value, result.kpi.unit) for _m, label, value in result.groups
    }


def test_each_figure_of_november_live(orders, superuser):
    assert figures(superuser) == EXPECTED


def test_rollup_gives_the_same_figures_and_keeps_them(orders, superuser):
    rollups.refresh(today=TODAY)
    assert DailyFact.objects.filter(source="orders", day=datetime.date(2026, 11, 10))
    assert figures(superuser) == EXPECTED
    # The rollup answers: the raw order tables are not read for November.
    Order.objects.filter(number__in=["O1", "O2"]).update(
        subtotal=F("subtotal") + 1, total=F("total") + 1
    )
    assert figures(superuser)["orders.gmv"] == D("767.00")


def test_orders_crossing_midnight_count_on_the_store_day(orders, superuser):
    by_day = groups(superuser, "orders.gmv", "day")
    assert by_day == {
        "10/11/2026": D("270.00"),
        "11/11/2026": D("200.00"),
        "12/11/2026": D("135.00"),
        "30/11/2026": D("162.00"),
    }
    december = figures(
        superuser, start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 1)
    )
    assert december["orders.gmv"] == D("50.00")


@pytest.mark.parametrize("rolled", [False, True])
def test_groups(orders, superuser, rolled):
    if rolled:
        rollups.refresh(today=TODAY)
    assert groups(superuser, "orders.sales_share", "channel") == {
        "Loja virtual": D("62.5"),
        "Mercado Livre": D("37.5"),
    }
    assert groups(superuser, "orders.sales_share", "payment_method") == {
        "Pix": D("48.6"),
        "Cartão de crédito": D("51.4"),
        "Boleto": D("0.0"),  # O4, returned
    }
    assert groups(superuser, "orders.gmv", "category") == {
        "Categoria B": D("400.00"),
        "Categoria A": D("325.00"),
    }
    assert groups(superuser, "orders.units", "brand") == {"Marca X": 4, "Marca Y": 2}
    assert groups(superuser, "orders.gmv", "uf") == {
        "SP": D("572.00"),
        "MG": D("135.00"),
        "RJ": D("60.00"),
    }


def test_filters_by_category_and_by_two_dimensions(orders, superuser, catalog):
    rollups.refresh(today=TODAY)
    cat_a = str(catalog["cat_a"].pk)
    only_a = figures(superuser, filters={"category": [cat_a]})
    assert only_a["orders.gmv"] == D("325.00")
    assert only_a["orders.units"] == 4
    # Category and UF at once: answered from the orders themselves (O1 and O6
    # have lines of A and are in SP; O3 has no line of A).
    both = figures(superuser, filters={"category": [cat_a], "uf": ["SP"]})
    assert both["orders.gmv"] == D("372.00")  # O1 210 + O6 162 (whole orders)


def test_each_user_sees_only_their_channels(orders, loja, mercado_livre):
    of_loja = UserFactory(username="atendente-loja", roles=["order_desk"])
    grant_channel(of_loja, loja)
    of_ml = UserFactory(username="atendente-ml", roles=["order_desk"])
    grant_channel(of_ml, mercado_livre)
    for rolled in (False, True):
        if rolled:
            rollups.refresh(today=TODAY)
        loja_figures = figures(of_loja)
        assert loja_figures["orders.gmv"] == D("270.00")
        assert loja_figures["orders.orders"] == 2
        assert loja_figures["orders.net_revenue"] == D("225.00")
        assert loja_figures["orders.cancellation_rate"] == D("0.0")
        ml_figures = figures(of_ml)
        assert ml_figures["orders.gmv"] == D("497.00")
        assert ml_figures["orders.orders"] == 1
        assert ml_figures["orders.cancellation_rate"] == D("33.3")
        # A channel outside the user's scope is not reached by filtering on it.
        assert figures(of_loja, filters={"channel": [str(mercado_livre.pk)]})[
            "orders.gmv"
        ] == D("0")


def test_a_change_to_a_rolled_day_shows_at_once_and_is_rolled_again(orders, superuser):
    rollups.refresh(today=TODAY)
    transition_order(orders["O2"], "cancel", user=None, reason="desistência")
    day = datetime.date(2026, 11, 10)
    assert DirtyDay.objects.filter(source="orders", day=day).exists()
    changed = figures(superuser)
    assert changed["orders.orders"] == 2
    assert changed["orders.gmv"] == D("767.00")  # it was paid
    assert changed["orders.cancellation_rate"] == D("33.3")
    rollups.refresh(today=TODAY)
    assert not DirtyDay.objects.filter(source="orders").exists()
    assert figures(superuser) == changed


def test_rollups_equal_the_raw_computation_for_random_periods(
    catalog, loja, mercado_livre, superuser
):
    rng = random.Random(21)
    channels = [loja, mercado_livre]
    statuses = ["paid", "delivered", "cancelled", "returned", "pending_payment"]
    first = datetime.date(2026, 9, 1)
    for index in range(160):
        day = first + datetime.timedelta(days=rng.randrange(95))
        placed = local(
            day.strftime("%d/%m/%Y"), f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        )
        lines = [
            (
                rng.choice(["S1", "S2"]),
                rng.randint(1, 3),
                rng.choice(["50", "100"]),
                rng.choice(["0", "5"]),
            )
            for _ in range(rng.randint(1, 3))
        ]
        discount = str(sum(D(line[3]) for line in lines))
        make_order(
            rng.choice(channels), f"R{index}", placed, rng.choice(statuses), lines,
            discount, rng.choice(["0", "15"]), rng.choice(["SP", "RJ", "MG"]),
            rng.choice(["pix", "card", "boleto"]), catalog,
        )  # fmt: skip
    rollups.refresh(today=TODAY)
    keys = list(EXPECTED)
    source = engine.visible_kpis(superuser)["orders.gmv"].source
    for _ in range(25):
        start = first + datetime.timedelta(days=rng.randrange(90))
        end = min(start + datetime.timedelta(days=rng.randrange(40)), TODAY)
        group_by = rng.choice([None, "day", "channel", "category", "uf"])
        filters = rng.choice(
            [{}, {"channel": [str(loja.pk)]}, {"brand": [str(catalog["brand_x"].pk)]}]
        )
        if group_by in filters:
            filters = {}
        rolled = Request(
            superuser, start, end, filters=filters, group_by=group_by, today=TODAY
        )
        raw = Request(
            superuser, start, end, filters=filters, group_by=group_by, today=TODAY,
            progress=Progress(),
        )  # fmt: skip
        assert _clean(rolled.measures(source)) == _clean(raw.measures(source)), (
            start,
            end,
            group_by,
            filters,
        )
    assert keys


def _clean(measured: dict) -> dict:
    return {
        member: {name: value for name, value in values.items() if value}
        for member, values in measured.items()
        if any(values.values())
    }


def test_rebuild_rolls_every_day_again_with_the_same_figures(orders, superuser):
    rollups.refresh(today=TODAY)
    DailyFact.objects.filter(source="orders").update(value=0)  # spoilt
    result = rollups.rebuild(keys=["orders"], today=TODAY)
    assert result.days["orders"] == (TODAY - datetime.date(2026, 11, 10)).days
    assert figures(superuser) == EXPECTED


def test_one_screen_reads_todays_facts_once(orders, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = engine.Session()
    december = datetime.date(2026, 12, 1), datetime.date(2026, 12, 5)
    keys = list(EXPECTED)
    with CaptureQueriesContext(connection) as first:
        engine.compute(superuser, keys, *december, today=TODAY, session=session)
    with CaptureQueriesContext(connection) as again:
        result = engine.compute(
            superuser, keys, *december, today=TODAY, session=session
        )
    assert len(again) < len(first)
    assert result["orders.gmv"].value == D("50.00")  # O7, today's facts shared
