"""The stock plugin's figures against a ledger computed by hand.

D is today; every movement is at 10:00 (São Paulo) of its day, the return at
11:00. Warehouses A = SP-01 and B = RJ-01.

=========  ======  ================  =====================================
SKU        cost    brand / category  movements
=========  ======  ================  =====================================
CAM-P      20,00   Nordeste /        A: +10 D−39, sale −3 D−21, sale −3 D−11
                   Camisetas         B: +6 D−34, sale −2 D−6; 4 reserved
CAM-M      25,00   Nordeste /        A: +5 D−39, sale −5 D−16
                   Camisetas
CAN-1       8,00   Casa & Cia /      A: +20 D−30, sale −6 D−26; 4 reserved
                   Casa              B: +30 D−29, sale −9 D−1, return +1 D−1
VEL-1       5,00   — / —, inactive   A: +1 D−39, adjustment −1 D−38
=========  ======  ================  =====================================

Now (D):

=====  ======  ========  =========  =========
level  on      reserved  available  value at
       hand                         cost
=====  ======  ========  =========  =========
A CAM-P    4        0          4      80,00
A CAM-M    0        0          0       0,00   stock-out
A CAN-1   14        4         10     112,00
A VEL-1    0        0          0       0,00   inactive: not a stock-out
B CAM-P    4        4          0      80,00   stock-out
B CAN-1   22        0         22     176,00
=====  ======  ========  =========  =========

* value at cost: A 192,00, B 256,00, all 448,00 (Camisetas/Nordeste 160,00,
  Casa/Casa & Cia 288,00); units on hand: A 18, B 26, all 44;
  stock-outs: A 1, B 1, all 2 (Nordeste 2, Casa & Cia 0).
* coverage: units sold D−30..D−1 (sales only, the return does not offset):
  A 3+3+5+6 = 17, B 2+9 = 11. A 14 ÷ (17/30) = 420/17 days, B 22 ÷ (11/30)
  = 60 days, all 36 ÷ (28/30) = 270/7 days.
* turnover over D−30..D−1 (30 days), stock at the end of each day:

  - A CAM-P: 10 × 9 days (D−30..D−22), 7 × 10 (D−21..D−12), 4 × 11
    (D−11..D−1) = 204 unit-days × 20,00 = 4.080,00;
    A CAM-M: 5 × 14 (D−30..D−17), then 0 = 70 × 25,00 = 1.750,00;
    A CAN-1: 20 × 4 (D−30..D−27), 14 × 26 = 444 × 8,00 = 3.552,00;
    A: 9.382,00 value-days; cost of sales 6 × 20 + 5 × 25 + 6 × 8 = 293,00.
  - B CAM-P: 6 × 24 (D−30..D−7), 4 × 6 = 168 × 20,00 = 3.360,00;
    B CAN-1: 0 on D−30, 30 × 28 (D−29..D−2), 22 on D−1 = 862 × 8,00
    = 6.896,00; B: 10.256,00 value-days; cost of sales 2 × 20 + 9 × 8
    = 112,00.
  - turnover = cost of sales × 365 ÷ value-days: A 293 × 365 ÷ 9.382,
    B 112 × 365 ÷ 10.256, all 405 × 365 ÷ 19.638.
"""

from decimal import Decimal

import pytest

from plugins.analytics import rollups
from plugins.analytics.engine import compute
from plugins.kpis import all_kpis
from plugins.stock.models import MovementKind
from tests.factories import UserFactory
from tests.plugins.analytics.stock_ledger import (
    catalog,
    day,
    move,
    receive,
    reserve,
    sell,
    today,
)
from tests.plugins.stock.conftest import grant_warehouse, rj, sp  # noqa: F401

LEVEL_KPIS = [
    "stock.value_at_cost",
    "stock.units_on_hand",
    "stock.stockouts",
    "stock.coverage_days",
]
TURNOVER = "stock.turnover"
PLACES = Decimal("0.0001")


def q(value):
    return None if value is None else Decimal(value).quantize(PLACES)


@pytest.fixture
def ledger(sp, rj):  # noqa: F811
    names = catalog()
    receive("CAM-P", sp, 10, 39)
    sell("CAM-P", sp, 3, 21)
    sell("CAM-P", sp, 3, 11)
    receive("CAM-M", sp, 5, 39)
    sell("CAM-M", sp, 5, 16)
    receive("CAN-1", sp, 20, 30)
    sell("CAN-1", sp, 6, 26)
    reserve("CAN-1", sp, 4)
    receive("VEL-1", sp, 1, 39)
    move("VEL-1", sp, MovementKind.ADJUSTMENT, -1, 38)
    receive("CAM-P", rj, 6, 34)
    sell("CAM-P", rj, 2, 6)
    reserve("CAM-P", rj, 4)
    receive("CAN-1", rj, 30, 29)
    sell("CAN-1", rj, 9, 1)
    move("CAN-1", rj, MovementKind.RETURN, 1, 1, hour=11)
    return names


@pytest.fixture
def clerk_a(sp, rj):  # noqa: F811
    user = UserFactory(username="estoquista-a", roles=["stock_clerk"])
    grant_warehouse(user, sp)
    return user


@pytest.fixture
def clerk_b(sp, rj):  # noqa: F811
    user = UserFactory(username="estoquista-b", roles=["stock_clerk"])
    grant_warehouse(user, rj)
    return user


def figures(user, keys, start=None, end=None, **kwargs):
    end = end or today()
    return compute(user, keys, start or end, end, today=today(), **kwargs)


def values(user, keys, **kwargs):
    return {key: q(r.value) for key, r in figures(user, keys, **kwargs).items()}


def test_every_stock_kpi_is_declared_with_a_definition():
    kpis = all_kpis()
    for key in [*LEVEL_KPIS, TURNOVER]:
        assert key in kpis
        assert str(kpis[key].definition)
        assert kpis[key].source.scope == "warehouse"
    assert kpis["stock.value_at_cost"].permission == "content.view_cost_price"
    assert kpis[TURNOVER].permission == "content.view_cost_price"
    assert kpis["stock.stockouts"].higher_is_better is False


def test_level_figures_of_the_whole_stock(ledger, manager):
    assert values(manager, LEVEL_KPIS) == {
        "stock.value_at_cost": q("448"),
        "stock.units_on_hand": q("44"),
        "stock.stockouts": q("2"),
        "stock.coverage_days": q(Decimal(270) / 7),
    }


def test_level_figures_per_warehouse(ledger, manager, sp, rj):  # noqa: F811
    results = figures(manager, LEVEL_KPIS, group_by="warehouse")
    per = {
        key: {member: q(value) for member, _label, value in result.groups}
        for key, result in results.items()
    }
    a, b = str(sp.pk), str(rj.pk)
    assert per["stock.value_at_cost"] == {a: q("192"), b: q("256")}
    assert per["stock.units_on_hand"] == {a: q("18"), b: q("26")}
    assert per["stock.stockouts"] == {a: q("1"), b: q("1")}
    assert per["stock.coverage_days"] == {a: q(Decimal(420) / 17), b: q("60")}
    labels = {member: label for member, label, _v in results["stock.stockouts"].groups}
    assert labels[a].startswith("SP-01")


def test_level_figures_per_brand_and_category(ledger, manager):
    by_brand = figures(manager, LEVEL_KPIS, group_by="brand")
    value = {label: q(v) for _m, label, v in by_brand["stock.value_at_cost"].groups}
    assert value == {"Casa & Cia": q("288"), "Nordeste Têxtil": q("160")}
    outs = {label: q(v) for _m, label, v in by_brand["stock.stockouts"].groups}
    assert outs == {"Nordeste Têxtil": q("2"), "Casa & Cia": q("0")}
    camisetas = str(ledger["camisetas"].pk)
    filtered = values(manager, LEVEL_KPIS, filters={"category": [camisetas]})
    assert filtered["stock.value_at_cost"] == q("160")
    assert filtered["stock.units_on_hand"] == q("8")
    # CAM-P/CAM-M: available 4 (A) + 0 + 0 (B); sold 3 + 3 + 5 + 2 = 13
    assert filtered["stock.coverage_days"] == q(Decimal(4 * 30) / 13)


def test_turnover_over_a_period_live_and_rolled_up(ledger, manager, sp, rj):  # noqa: F811
    start, end = day(30), day(1)
    expected = q(Decimal(405 * 365) / 19638)
    live = figures(manager, [TURNOVER], start, end, group_by="warehouse")
    assert q(live[TURNOVER].value) == expected
    assert {m: q(v) for m, _l, v in live[TURNOVER].groups} == {
        str(sp.pk): q(Decimal(293 * 365) / 9382),
        str(rj.pk): q(Decimal(112 * 365) / 10256),
    }
    rollups.refresh(today=today())
    rolled = figures(manager, [TURNOVER], start, end, group_by="warehouse")
    assert q(rolled[TURNOVER].value) == expected
    assert {m: q(v) for m, _l, v in rolled[TURNOVER].groups} == {
        m: q(v) for m, _l, v in live[TURNOVER].groups
    }


def test_turnover_per_brand(ledger, manager):
    results = figures(manager, [TURNOVER], day(30), day(1), group_by="brand")
    # Nordeste: cost of sales 6 × 20 + 5 × 25 + 2 × 20 = 285; value-days
    # 4.080 + 1.750 + 3.360 = 9.190. Casa & Cia: 6 × 8 + 9 × 8 = 120;
    # 3.552 + 6.896 = 10.448.
    assert {label: q(v) for _m, label, v in results[TURNOVER].groups} == {
        "Nordeste Têxtil": q(Decimal(285 * 365) / 9190),
        "Casa & Cia": q(Decimal(120 * 365) / 10448),
    }


def test_each_clerk_sees_only_their_warehouse(ledger, clerk_a, clerk_b):
    keys = ["stock.units_on_hand", "stock.stockouts", "stock.coverage_days"]
    assert values(clerk_a, keys) == {
        "stock.units_on_hand": q("18"),
        "stock.stockouts": q("1"),
        "stock.coverage_days": q(Decimal(420) / 17),
    }
    assert values(clerk_b, keys) == {
        "stock.units_on_hand": q("26"),
        "stock.stockouts": q("1"),
        "stock.coverage_days": q("60"),
    }


def test_a_clerk_who_sees_costs_gets_the_cost_figures_of_their_warehouse(
    ledger, clerk_b
):
    from django.contrib.auth.models import Permission

    cost = Permission.objects.get(
        content_type__app_label="content", codename="view_cost_price"
    )
    clerk_b.user_permissions.add(cost)
    clerk_b = type(clerk_b).objects.get(pk=clerk_b.pk)  # fresh permission cache
    assert values(clerk_b, ["stock.value_at_cost"]) == {"stock.value_at_cost": q("256")}
    turnover = values(clerk_b, [TURNOVER], start=day(30), end=day(1))
    assert turnover == {TURNOVER: q(Decimal(112 * 365) / 10256)}


def test_cost_figures_are_hidden_without_the_cost_permission(ledger, clerk_a, db):
    stock_manager = UserFactory(username="gerente-estoque", roles=["stock_manager"])
    keys = [*LEVEL_KPIS, TURNOVER]
    for user in (stock_manager, clerk_a):
        seen = figures(user, keys)
        assert "stock.value_at_cost" not in seen
        assert TURNOVER not in seen
        assert "stock.units_on_hand" in seen
    assert values(stock_manager, ["stock.units_on_hand"]) == {
        "stock.units_on_hand": q("44")
    }


def test_stock_figures_are_hidden_from_who_sees_no_stock(ledger, db):
    attendant = UserFactory(username="atendente", roles=["order_desk"])
    assert figures(attendant, [*LEVEL_KPIS, TURNOVER]) == {}


def test_drilldown_opens_the_stock_listing_filtered(ledger, manager, sp):  # noqa: F811
    kpis = all_kpis()
    stockouts = kpis["stock.stockouts"]
    url = stockouts.source.drilldown_url(
        stockouts, start=today(), end=today(), filters={"warehouse": [str(sp.pk)]}
    )
    assert url.startswith("/admin/stock/levels/?")
    assert f"warehouse={sp.pk}" in url and "out_of_stock=true" in url
    turnover = kpis[TURNOVER]
    url = turnover.source.drilldown_url(turnover, start=day(30), end=day(1), filters={})
    assert url.startswith("/admin/stock/movements/?") and "kind=sale" in url


def test_the_drilldown_listing_shows_the_stockouts(ledger, manager, client, sp):  # noqa: F811
    kpis = all_kpis()
    stockouts = kpis["stock.stockouts"]
    url = stockouts.source.drilldown_url(
        stockouts, start=today(), end=today(), filters={"warehouse": [str(sp.pk)]}
    )
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    levels = list(response.context["object_list"])
    assert {(lv.variant.sku, lv.warehouse.code) for lv in levels} == {
        ("CAM-M", "SP-01"),
        ("VEL-1", "SP-01"),  # the listing shows inactive SKUs too
    }


def test_the_stock_listing_filters_by_brand(ledger, manager, client):
    client.force_login(manager)
    response = client.get("/admin/stock/levels/", {"brand": ledger["casa_cia"].pk})
    assert response.status_code == 200
    skus = {lv.variant.sku for lv in response.context["object_list"]}
    assert skus == {"CAN-1"}


def test_a_movement_dated_in_the_past_changes_the_rolled_up_days(
    ledger,
    manager,
    sp,  # noqa: F811
):
    from plugins.analytics.models import DirtyDay

    rollups.refresh(today=today())
    # an order shipped 2 units of CAN-1 from A on D−3, recorded today: cost
    # of sales + 2 × 8 = 309,00; CAN-1 A holds 12 instead of 14 on D−3..D−1:
    # value-days 9.382 − 2 × 8 × 3 = 9.334
    sell("CAN-1", sp, 2, 3)
    dirty = set(
        DirtyDay.objects.filter(source="stock_flow").values_list("day", flat=True)
    )
    assert dirty == {day(3), day(2), day(1)}
    results = figures(
        manager, [TURNOVER], day(30), day(1), filters={"warehouse": [str(sp.pk)]}
    )
    assert q(results[TURNOVER].value) == q(Decimal(309 * 365) / 9334)
    rollups.refresh(today=today())
    assert not DirtyDay.objects.filter(source="stock_flow").exists()
    results = figures(
        manager, [TURNOVER], day(30), day(1), filters={"warehouse": [str(sp.pk)]}
    )
    assert q(results[TURNOVER].value) == q(Decimal(309 * 365) / 9334)
