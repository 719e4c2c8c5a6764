"""Purchase planning against a ledger computed by hand.

D is today; every movement is at 10:00 (São Paulo) of its day. Warehouses
A = SP-01 and B = RJ-01. Nordeste Têxtil (CAM-P, CAM-M) has a supplier lead
time of 20 days and a minimum purchase quantity of 12; Casa & Cia (CAN-1)
has none: the default lead time (15 days) and a minimum of 1. VEL-1 is
inactive: not planned. The window is the 30 days D−30..D−1, the target
coverage 45 days.

========  ======================================================  =========
level     movements                                                now
========  ======================================================  =========
A CAM-P   +10 D−40, sale −2 D−25, sale −3 D−15                      on hand 5
A CAM-M   +6 D−40, sale −6 D−20 (ends the day at 0 but sold:        on hand 1,
          counts), 0 on D−19..D−11 (9 stock-out days), +4 D−10,     10 in
          sale −3 D−5                                               transit
A CAN-1   +50 D−60, sale −6 D−20, sale −6 D−10                      38, 3
                                                                    reserved
B CAM-P   +3 D−8 (0 on D−30..D−9: 22 stock-out days), no sales      3
B CAN-1   +10 D−35, sale −4 D−3, return +1 D−2 (not a sale)         7
========  ======================================================  =========

========  =====  =======  ====  ========  ===========  ========  ====  ===  =====
level     avail  transit  sold  out days  avg/day      coverage  lead  min  sugg.
========  =====  =======  ====  ========  ===========  ========  ====  ===  =====
A CAM-M       1       10     9         9  9/21 = 0,43  2,3         20   12     24
A CAM-P       5        0     5         0  5/30 = 0,17  30,0        20   12     12
A CAN-1      35        0    12         0  12/30 = 0,4  87,5        15    1      0
B CAM-P       3        0     0        22  0/8 = 0      —           20   12      0
B CAN-1       7        0     4         0  4/30 = 0,13  52,5        15    1      1
========  =====  =======  ====  ========  ===========  ========  ====  ===  =====

Suggestions: need = avg × (45 + lead) − (available + in transit), rounded
up, then up to a multiple of the minimum.

* A CAM-M: 9/21 × 65 − 11 = 16,86 → 17 → 24 (without leaving the stock-out
  days out: 9/30 × 65 − 11 = 8,5 → 12);
* A CAM-P: 5/30 × 65 − 5 = 5,83 → 6 → 12;
* A CAN-1: 0,4 × 60 − 35 < 0 → 0;
* B CAM-P: no sales → 0;
* B CAN-1: 4/30 × 60 − 7 = 1 → 1.
"""

import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.analytics.models import LeadTime
from plugins.analytics.planning import plan, suggestion
from plugins.stock.models import MovementKind
from tests.content.conftest import make_product
from tests.factories import UserFactory
from tests.plugins.analytics.stock_ledger import (
    catalog,
    in_transit,
    make_brand,
    move,
    receive,
    reserve,
    sell,
    today,
)
from tests.plugins.stock.conftest import grant_warehouse, rj, sp  # noqa: F401

URL = "/admin/reports/planning/"
EXPECTED = {
    # (sku, warehouse): (available, in transit, sold, stock-out days,
    #                    average, coverage, lead time, suggestion)
    ("CAM-M", "SP-01"): (1, 10, 9, 9, Decimal(9) / 21, Decimal(7) / 3, 20, 24),
    ("CAM-P", "SP-01"): (5, 0, 5, 0, Decimal(5) / 30, Decimal(30), 20, 12),
    ("CAM-P", "RJ-01"): (3, 0, 0, 22, Decimal(0), None, 20, 0),
    ("CAN-1", "SP-01"): (35, 0, 12, 0, Decimal("0.4"), Decimal("87.5"), 15, 0),
    ("CAN-1", "RJ-01"): (7, 0, 4, 0, Decimal(4) / 30, Decimal("52.5"), 15, 1),
}


@pytest.fixture
def ledger(sp, rj):  # noqa: F811
    names = catalog()
    LeadTime.objects.create(
        brand=names["nordeste"],
        supplier="Fiação Nordeste",
        days=20,
        minimum_quantity=12,
    )
    receive("CAM-P", sp, 10, 40)
    sell("CAM-P", sp, 2, 25)
    sell("CAM-P", sp, 3, 15)
    receive("CAM-M", sp, 6, 40)
    sell("CAM-M", sp, 6, 20)
    receive("CAM-M", sp, 4, 10)
    sell("CAM-M", sp, 3, 5)
    in_transit("CAM-M", sp, 10)
    receive("CAN-1", sp, 50, 60)
    sell("CAN-1", sp, 6, 20)
    sell("CAN-1", sp, 6, 10)
    reserve("CAN-1", sp, 3)
    receive("VEL-1", sp, 1, 40)
    receive("CAM-P", rj, 3, 8)
    receive("CAN-1", rj, 10, 35)
    sell("CAN-1", rj, 4, 3)
    move("CAN-1", rj, MovementKind.RETURN, 1, 2)
    return names


def by_key(rows):
    return {(row.sku, row.warehouse): row for row in rows}


def summary(row):
    return (
        row.available,
        row.in_transit,
        row.sold,
        row.stockout_days,
        row.average,
        row.coverage,
        row.lead_time,
        row.suggestion,
    )


@pytest.fixture
def planner_sp(sp, rj):  # noqa: F811
    """A stock clerk of SP-01 who was also given the purchase planning."""
    user = UserFactory(username="estoquista-sp", roles=["stock_clerk"])
    grant_warehouse(user, sp)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="analytics", codename="view_planning"
        )
    )
    return user


# -- the computation -------------------------------------------------------------


#: What to buy first: the suggestions by shortest coverage, then the rest
#: (no sales, no coverage: last).
ORDER = [
    ("CAM-M", "SP-01"),
    ("CAM-P", "SP-01"),
    ("CAN-1", "RJ-01"),
    ("CAN-1", "SP-01"),
    ("CAM-P", "RJ-01"),
]


def test_suggestions_by_hand(ledger, manager):
    rows = plan(manager, today=today())
    assert [(row.sku, row.warehouse) for row in rows] == ORDER
    assert {key: summary(row) for key, row in by_key(rows).items()} == EXPECTED
    cam_m = by_key(rows)["CAM-M", "SP-01"]
    assert cam_m.selling_days == 21 and cam_m.minimum_quantity == 12
    assert by_key(rows)["CAN-1", "SP-01"].default_lead_time is True


def test_only_skus_to_reorder(ledger, manager):
    rows = plan(manager, only_to_reorder=True, today=today())
    assert {key: row.suggestion for key, row in by_key(rows).items()} == {
        ("CAM-M", "SP-01"): 24,
        ("CAM-P", "SP-01"): 12,
        ("CAN-1", "RJ-01"): 1,
    }


def test_the_default_lead_time_and_the_target_come_from_the_form(ledger, manager):
    rows = by_key(plan(manager, default_lead_time=30, target_days=60, today=today()))
    # CAN-1 (no lead time: the default 30): B 4/30 × 90 − 7 = 5; A 0,4 × 90
    # − 35 = 1. CAM-P A (Nordeste's 20 days): 5/30 × 80 − 5 = 8,33 → 12.
    assert rows["CAN-1", "RJ-01"].suggestion == 5
    assert rows["CAN-1", "SP-01"].suggestion == 1
    assert rows["CAM-P", "SP-01"].suggestion == 12
    assert rows["CAM-P", "SP-01"].lead_time == 20


def test_a_shorter_window(ledger, manager):
    rows = by_key(plan(manager, window=7, today=today()))
    # D−7..D−1: CAM-M A sold 3 on D−5 and never ran out: 3/7 × 65 − 11 =
    # 16,86 → 24; CAM-P A sold nothing: 0.
    assert summary(rows["CAM-M", "SP-01"])[2:5] == (3, 0, Decimal(3) / 7)
    assert rows["CAM-M", "SP-01"].suggestion == 24
    assert rows["CAM-P", "SP-01"].suggestion == 0
    assert rows["CAM-P", "RJ-01"].stockout_days == 0  # received on D−8


def test_filters(ledger, manager, rj):  # noqa: F811
    rows = plan(manager, warehouse=rj, today=today())
    assert set(by_key(rows)) == {("CAM-P", "RJ-01"), ("CAN-1", "RJ-01")}
    rows = plan(manager, brand=ledger["casa_cia"], today=today())
    assert set(by_key(rows)) == {("CAN-1", "SP-01"), ("CAN-1", "RJ-01")}
    # Camisetas is below Moda: a category includes its subcategories
    moda = ledger["moda"]
    rows = plan(manager, category=moda, today=today())
    assert {sku for sku, _w in by_key(rows)} == {"CAM-P", "CAM-M"}


def test_a_clerk_plans_only_their_warehouse(ledger, planner_sp, rj):  # noqa: F811
    rows = plan(planner_sp, today=today())
    assert {w for _sku, w in by_key(rows)} == {"SP-01"}
    assert plan(planner_sp, warehouse=rj, today=today()) == []


@pytest.mark.parametrize(
    ("average", "available", "in_transit", "minimum", "expected"),
    [
        (Decimal(1), 10, 0, 1, 50),  # 1 × 60 − 10
        (Decimal(1), 10, 5, 1, 45),
        (Decimal(1), 10, 5, 12, 48),
        (Decimal(1), 61, 0, 1, 0),
        (Decimal(1), -4, 0, 1, 64),  # sold beyond the stock (backorders)
        (Decimal("0.01"), 0, 0, 1, 1),  # 0,6 → 1
        (None, 0, 0, 1, 0),
    ],
)
def test_suggestion_rule(average, available, in_transit, minimum, expected):
    assert (
        suggestion(
            average,
            available=available,
            in_transit=in_transit,
            target_days=45,
            lead_time=15,
            minimum_quantity=minimum,
        )
        == expected
    )


def test_queries_do_not_grow_with_the_skus(ledger, manager, sp):  # noqa: F811
    plan(manager, today=today())  # the user's permissions are cached
    with CaptureQueriesContext(connection) as before:
        plan(manager, today=today())
    brand = make_brand("outra", "Outra")
    make_product(
        "mais",
        name="Mais",
        brand=brand,
        variants=[(f"MAIS-{n}", "10.00") for n in range(8)],
    )
    for n in range(8):
        receive(f"MAIS-{n}", sp, 5, 12)
        sell(f"MAIS-{n}", sp, 1, 4)
    with CaptureQueriesContext(connection) as after:
        rows = plan(manager, today=today())
    assert len(rows) == len(EXPECTED) + 8
    assert len(after) == len(before)


# -- the screen --------------------------------------------------------------------


class RowParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-sku" in attrs:
            self.rows.append(attrs)


def table(response):
    parser = RowParser()
    parser.feed(response.content.decode())
    return {(r["data-sku"], r["data-warehouse"]): r for r in parser.rows}


def test_the_screen_as_manager(ledger, manager, client):
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200
    rows = table(response)
    assert list(rows) == ORDER
    cam_m = rows["CAM-M", "SP-01"]
    assert cam_m["data-available"] == "1"
    assert cam_m["data-in-transit"] == "10"
    assert cam_m["data-average"] == "0.43"
    assert cam_m["data-stockout-days"] == "9"
    assert cam_m["data-coverage"] == "2.3"
    assert cam_m["data-lead-time"] == "20"
    assert cam_m["data-suggestion"] == "24"
    assert rows["CAM-P", "RJ-01"]["data-coverage"] == ""
    assert "0,43" in response.content.decode()  # shown with a decimal comma


def test_the_screen_filters(ledger, manager, client):
    client.force_login(manager)
    response = client.get(
        URL,
        {
            "window": "30",
            "target_days": "45",
            "lead_time": "15",
            "only_to_reorder": "on",
            "brand": ledger["nordeste"].pk,
        },
    )
    assert {key: r["data-suggestion"] for key, r in table(response).items()} == {
        ("CAM-M", "SP-01"): "24",
        ("CAM-P", "SP-01"): "12",
    }


def test_the_screen_refuses_bad_figures(ledger, manager, client):
    client.force_login(manager)
    response = client.get(URL, {"window": "45", "target_days": "0", "lead_time": "15"})
    assert response.status_code == 200
    assert table(response) == {}
    assert set(response.context["form"].errors) == {"window", "target_days"}


def test_the_screen_as_a_scoped_clerk(ledger, planner_sp, client, rj):  # noqa: F811
    client.force_login(planner_sp)
    response = client.get(URL)
    assert response.status_code == 200
    assert {w for _sku, w in table(response)} == {"SP-01"}
    # another warehouse is not a choice
    response = client.get(
        URL,
        {"warehouse": rj.pk, "window": "30", "target_days": "45", "lead_time": "15"},
    )
    assert table(response) == {}
    assert "warehouse" in response.context["form"].errors


def test_the_stock_manager_plans_every_warehouse(ledger, client, db):
    user = UserFactory(username="gerente-estoque", roles=["stock_manager"])
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(table(response)) == set(EXPECTED)


def test_the_screen_is_refused_without_the_permission(ledger, client, sp):  # noqa: F811
    clerk = UserFactory(username="estoquista", roles=["stock_clerk"])
    grant_warehouse(clerk, sp)
    client.force_login(clerk)
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert b"data-sku" not in response.content
    response = client.get(URL, {"export": "csv"})
    assert response.status_code in (302, 403)
    assert not response.get("Content-Disposition")


def test_csv_export(ledger, manager, client):
    client.force_login(manager)
    response = client.get(URL, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "planejamento-de-compras" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert len(lines[0].split(";")) == 13
    assert lines[1:] == [
        "CAM-M;Camiseta;Nordeste Têxtil;SP-01;1;10;9;0,43;9;2,3;20;12;24",
        "CAM-P;Camiseta;Nordeste Têxtil;SP-01;5;0;5;0,17;0;30,0;20;12;12",
        "CAN-1;Caneca;Casa & Cia;RJ-01;7;0;4;0,13;0;52,5;15;1;1",
        "CAN-1;Caneca;Casa & Cia;SP-01;35;0;12;0,40;0;87,5;15;1;0",
        "CAM-P;Camiseta;Nordeste Têxtil;RJ-01;3;0;0;0,00;22;;20;12;0",
        "",
    ]


def test_xlsx_export(ledger, planner_sp, client):
    from openpyxl import load_workbook

    client.force_login(planner_sp)
    response = client.get(
        URL,
        {
            "window": "30",
            "target_days": "45",
            "lead_time": "15",
            "only_to_reorder": "on",
            "export": "xlsx",
        },
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 13
    assert [(r[0], r[3], r[7], r[9], r[12]) for r in rows[1:]] == [
        ("CAM-M", "SP-01", 0.43, 2.3, 24),
        ("CAM-P", "SP-01", 0.17, 30, 12),
    ]


# -- lead times ------------------------------------------------------------------------


def test_manager_edits_lead_times(ledger, manager, client):
    client.force_login(manager)
    response = client.get("/admin/reports/lead-times/")
    assert response.status_code == 200
    assert "Fiação Nordeste" in response.content.decode()
    response = client.post(
        "/admin/reports/lead-times/new/",
        {
            "brand": ledger["casa_cia"].pk,
            "supplier": "Louças Casa",
            "days": "10",
            "minimum_quantity": "6",
        },
    )
    assert response.status_code == 302
    rows = by_key(plan(manager, today=today()))
    # B CAN-1: 4/30 × 55 − 7 = 0,33 → 1 → 6
    assert rows["CAN-1", "RJ-01"].suggestion == 6
    assert rows["CAN-1", "RJ-01"].lead_time == 10


def test_lead_times_are_refused_without_the_permission(ledger, planner_sp, client):
    client.force_login(planner_sp)
    response = client.get("/admin/reports/lead-times/")
    assert response.status_code in (302, 403)
    assert "Fiação Nordeste" not in response.content.decode()


def test_the_reports_menu_offers_the_planning_to_who_may_plan(
    ledger, manager, planner_sp, rf, db
):
    from plugins.analytics.wagtail_hooks import planning_menu_item

    item = planning_menu_item()
    assert item.url == URL
    for user, shown in (
        (manager, True),
        (planner_sp, True),
        (UserFactory(username="atendente", roles=["order_desk"]), False),
    ):
        request = rf.get("/admin/")
        request.user = user
        assert item.is_shown(request) is shown
