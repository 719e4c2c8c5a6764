"""The logistics figures (:mod:`plugins.logistics.analytics`), computed live
and from the rollups, per carrier and UF, within the user's carriers.

The flow figures are read over 06/01/2025 – 12/01/2025, on 01/02/2025.
Times are the store's (America/Sao_Paulo, UTC−3); "deadline" and
"promised" are the shipment's own dates unless said otherwise.

====  =======  ==  ========  ===========  ========  ===============  ========
row   carrier  UF  deadline  handed over  promised  delivered        counts
====  =======  ==  ========  ===========  ========  ===============  ========
s1    A        SP  06/01     06/01 10:00  08/01     08/01 15:00      S+ D+ 2
s2    A        SP  06/01     07/01 09:00  09/01     12/01 22:30 [1]  S− D− 5
s3    A        RJ  08/01 [2] 08/01 23:30  13/01 [2] —                S+ [3]
s4    B        RJ  07/01     07/01 08:00  10/01     12/01 10:00      S+ D− 5
s5    B        MG  09/01     10/01 12:00  14/01     13/01 09:00      S− [4]
s6    A        SP  03/01     03/01 11:00  07/01     07/01 00:30      D+ 4 [5]
s7    A        SP  10/01     —            15/01     —                [6]
====  =======  ==  ========  ===========  ========  ===============  ========

S+ / S−: shipped in the period on time / late; D+ / D−: delivered in the
period on time / late, then its delivery days.

[1] 01:30 UTC on 13/01: the 12th in the store, inside the period.
[2] No dates of its own: its order's freight option's.
[3] 02:30 UTC on 09/01, a day after the deadline in UTC; the 8th in the store.
[4] Delivered after the period: no delivery figure.
[5] Shipped before the period: no shipping figure.
[6] Still in the warehouse: counts nowhere.

Figures:

=====================  =============  ==========  ==========  ===========  ==========
figure                 total          carrier A   carrier B   SP           RJ / MG
=====================  =============  ==========  ==========  ===========  ==========
shipped on time        3/5 = 60 %     2/3         1/2         1/2          2/2 / 0/1
delivered on time      2/4 = 50 %     2/3         0/1         2/3          0/1 / —
average delivery days  16/4 = 4       11/3        5           11/3         5 / —
=====================  =============  ==========  ==========  ===========  ==========

The late figures are read today (``late_world``; days from today):

=======  ==  =====================================  ===============
carrier  UF  row                                    counts
=======  ==  =====================================  ===============
A        SP  order, hand over by −2                 late to ship
A        SP  order, hand over by today              —
A        RJ  shipment in transit, promised −1       late to deliver
A        SP  shipment delivered, promised −1        —
A        SP  shipment out for delivery, promised +1 —
B        MG  order, hand over by −1                 late to ship
B        MG  shipment in transit, promised −3       late to deliver
=======  ==  =====================================  ===============

Late to deliver: 2 (A 1, B 1; RJ 1, MG 1); late to ship: 2 (A 1, B 1; SP 1,
MG 1).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from plugins.analytics import engine, rollups
from plugins.analytics.models import DailyFact
from plugins.analytics.periods import store_today
from plugins.logistics.analytics import (
    LATE_SOURCE_KEY,
    SOURCE_KEY,
    LateParcelsSource,
    ShippingSource,
)
from plugins.logistics.carriers.base import TrackEvent
from plugins.logistics.models import (
    OrderShipping,
    Package,
    Shipment,
    ShipmentStatus,
    TrackingStatus,
)
from plugins.logistics.services.tracking import record_events
from plugins.orders.models import Order
from tests.factories import UserFactory
from tests.plugins.logistics.admin.sla import order_with_option
from tests.plugins.logistics.admin.sla import shipment as sla_shipment
from tests.plugins.logistics.conftest import (  # noqa: F401
    grant_carrier,
    logistics_manager,
    make_ready,
    other_carrier,
    table_carrier,
)
from tests.plugins.orders.conftest import ADDRESS, loja, place, sellable  # noqa: F401

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/Sao_Paulo")
S = ShipmentStatus
START = datetime.date(2025, 1, 6)
END = datetime.date(2025, 1, 12)
#: The day the figures are read (everything up to 31/01 can be rolled up).
READ_ON = datetime.date(2025, 2, 1)
FLOW = ["logistics.on_time_shipping", "logistics.on_time_delivery"]
FLOW_KPIS = [*FLOW, "logistics.delivery_days"]
LEVEL_KPIS = ["logistics.late_parcels", "logistics.late_to_ship"]


def day(n: int) -> datetime.date:
    return datetime.date(2025, 1, n)


def at(n: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 1, n, hour, minute, tzinfo=ZONE)


def set_uf(order, uf: str) -> None:
    Order.objects.filter(pk=order.pk).update(shipping_address={**ADDRESS, "uf": uf})


def make_shipment(
    channel,
    carrier,
    uf,
    *,
    deadline=None,
    promised=None,
    handed=None,
    delivered=None,
    code="",
):
    """A shipment of a new order to ``uf``, as the shipments and tracking
    services leave it."""
    order = make_ready(place(channel))
    set_uf(order, uf)
    status = S.DELIVERED if delivered else S.IN_TRANSIT if handed else S.LABELLED
    row = Shipment.objects.create(
        order=order,
        carrier=carrier,
        service=carrier.services.order_by("pk").first(),
        status=status,
        declared_value=order.total,
        handling_deadline=deadline,
        promised_date=promised,
        handed_over_at=handed,
        delivered_at=delivered,
    )
    Package.objects.create(
        shipment=row,
        number=1,
        tracking_code=code,
        weight_g=500,
        length_cm=20,
        width_cm=15,
        height_cm=10,
    )
    return row


@pytest.fixture
def world(loja, sellable, table_carrier, other_carrier):  # noqa: F811
    """The table of the module docstring (A: the table carrier, B: the
    other one)."""
    a, b = table_carrier, other_carrier
    make_shipment(
        loja, a, "SP", deadline=day(6), handed=at(6, 10), promised=day(8),
        delivered=at(8, 15),
    )  # fmt: skip
    make_shipment(
        loja, a, "SP", deadline=day(6), handed=at(7, 9), promised=day(9),
        delivered=at(12, 22, 30),
    )  # fmt: skip
    s3 = make_shipment(loja, a, "RJ", handed=at(8, 23, 30))
    OrderShipping.objects.create(
        order=s3.order,
        service=a.services.order_by("pk").first(),
        price=Decimal("15.00"),
        delivery_days=5,
        handling_deadline=day(8),
        promised_date=day(13),
        quoted_at=at(5, 12),
    )
    make_shipment(
        loja, b, "RJ", deadline=day(7), handed=at(7, 8), promised=day(10),
        delivered=at(12, 10),
    )  # fmt: skip
    make_shipment(
        loja, b, "MG", deadline=day(9), handed=at(10, 12), promised=day(14),
        delivered=at(13, 9),
    )  # fmt: skip
    make_shipment(
        loja, a, "SP", deadline=day(3), handed=at(3, 11), promised=day(7),
        delivered=at(7, 0, 30),
    )  # fmt: skip
    make_shipment(loja, a, "SP", deadline=day(10), promised=day(15))
    return {"a": a, "b": b}


def clerk_of(username, carrier):
    user = UserFactory(username=username, roles=["shipping_desk"])
    grant_carrier(user, carrier)
    return user


def figures(user, keys, *, group_by=None, filters=None, start=START, end=END, **kw):
    """``{key: (value, {member: value})}``, values rounded to centésimos."""

    def rounded(value):
        return None if value is None else round(value, 2)

    results = engine.compute(
        user, keys, start, end, group_by=group_by, filters=filters, **kw
    )
    return {
        key: (
            rounded(result.value),
            {member: rounded(value) for member, _label, value in result.groups},
        )
        for key, result in results.items()
    }


def percent(numerator, denominator):
    return round(Decimal(numerator) * 100 / Decimal(denominator), 2)


def days(total, count):
    return round(Decimal(total) / Decimal(count), 2)


def test_flow_figures_by_carrier_live_and_rolled_up(world, logistics_manager):  # noqa: F811
    a, b = str(world["a"].pk), str(world["b"].pk)
    expected = {
        "logistics.on_time_shipping": (
            percent(3, 5),
            {a: percent(2, 3), b: percent(1, 2)},
        ),
        "logistics.on_time_delivery": (percent(2, 4), {a: percent(2, 3), b: 0}),
        "logistics.delivery_days": (days(16, 4), {a: days(11, 3), b: days(5, 1)}),
    }
    live = figures(logistics_manager, FLOW_KPIS, group_by="carrier", today=READ_ON)
    assert live == expected

    rollups.refresh(keys=[SOURCE_KEY], today=READ_ON)

    assert DailyFact.objects.filter(source=SOURCE_KEY, day=day(12)).exists()
    rolled = figures(logistics_manager, FLOW_KPIS, group_by="carrier", today=READ_ON)
    assert rolled == expected


def test_flow_figures_by_uf_live_and_rolled_up(world, logistics_manager):  # noqa: F811
    expected = {
        "logistics.on_time_shipping": (
            percent(3, 5),
            {"SP": percent(1, 2), "RJ": percent(2, 2), "MG": 0},
        ),
        "logistics.on_time_delivery": (
            percent(2, 4),
            {"SP": percent(2, 3), "RJ": 0, "MG": None},
        ),
        "logistics.delivery_days": (
            days(16, 4),
            {"SP": days(11, 3), "RJ": 5, "MG": None},
        ),
    }
    assert figures(logistics_manager, FLOW_KPIS, group_by="uf", today=READ_ON) == (
        expected
    )
    rollups.refresh(keys=[SOURCE_KEY], today=READ_ON)
    assert figures(logistics_manager, FLOW_KPIS, group_by="uf", today=READ_ON) == (
        expected
    )


def test_filtered_by_uf_and_carrier(world, logistics_manager):  # noqa: F811
    a = str(world["a"].pk)
    filters = {"uf": ["SP"], "carrier": [a]}
    expected = {
        "logistics.on_time_shipping": (percent(1, 2), {}),
        "logistics.on_time_delivery": (percent(2, 3), {}),
        "logistics.delivery_days": (days(11, 3), {}),
    }
    live = figures(logistics_manager, FLOW_KPIS, filters=filters, today=READ_ON)
    assert live == expected
    rollups.refresh(keys=[SOURCE_KEY], today=READ_ON)
    rolled = figures(logistics_manager, FLOW_KPIS, filters=filters, today=READ_ON)
    assert rolled == expected


def test_a_day_is_the_stores_local_day(world, logistics_manager):  # noqa: F811
    # s2 was delivered on the 12th at 22:30 (the 13th in UTC); s3 handed
    # over on the 8th at 23:30 (the 9th in UTC), on its deadline.
    result = figures(
        logistics_manager, FLOW, group_by="day", start=day(8), end=day(12),
        today=READ_ON,
    )  # fmt: skip
    shipping = result["logistics.on_time_shipping"][1]
    delivery = result["logistics.on_time_delivery"][1]
    assert shipping == {day(8): 100, day(10): 0, day(12): None}
    assert delivery == {day(8): 100, day(10): None, day(12): 0}


def test_a_delivery_reported_days_later_is_rolled_up_again(
    loja,  # noqa: F811
    sellable,  # noqa: F811
    table_carrier,  # noqa: F811
    logistics_manager,  # noqa: F811
):
    # given a parcel handed over on 06/01, still on its way when rolled up
    parcel = make_shipment(
        loja, table_carrier, "SP", deadline=day(6), handed=at(6, 10),
        promised=day(9), code="RP000000019BR",
    )  # fmt: skip
    rollups.refresh(keys=[SOURCE_KEY], today=READ_ON)
    keys = ["logistics.on_time_delivery", "logistics.delivery_days"]
    assert figures(logistics_manager, keys, today=READ_ON) == {
        key: (None, {}) for key in keys
    }
    # when the carrier reports today that it was delivered on 09/01
    record_events(
        table_carrier,
        [
            TrackEvent(
                event_id="entregue-1",
                tracking_code="RP000000019BR",
                status=TrackingStatus.DELIVERED,
                occurred_at=at(9, 18),
            )
        ],
    )
    parcel.refresh_from_db()
    assert parcel.status == S.DELIVERED
    # then the next rollup rolls 09/01 again
    rollups.refresh(keys=[SOURCE_KEY], today=READ_ON)
    assert figures(logistics_manager, keys, today=READ_ON) == {
        "logistics.on_time_delivery": (100, {}),
        "logistics.delivery_days": (3, {}),
    }


def test_clerks_see_only_their_carriers_share(world):
    a, b = world["a"], world["b"]
    clerk_a = clerk_of("expedicao-a", a)
    clerk_b = clerk_of("expedicao-b", b)
    for refreshed in (False, True):
        if refreshed:
            rollups.refresh(keys=[SOURCE_KEY], today=READ_ON)
        mine = figures(clerk_a, FLOW_KPIS, group_by="carrier", today=READ_ON)
        assert mine == {
            "logistics.on_time_shipping": (percent(2, 3), {str(a.pk): percent(2, 3)}),
            "logistics.on_time_delivery": (percent(2, 3), {str(a.pk): percent(2, 3)}),
            "logistics.delivery_days": (days(11, 3), {str(a.pk): days(11, 3)}),
        }
        theirs = figures(clerk_b, FLOW_KPIS, group_by="uf", today=READ_ON)
        assert theirs == {
            "logistics.on_time_shipping": (
                percent(1, 2),
                {"RJ": 100, "MG": 0},
            ),
            "logistics.on_time_delivery": (0, {"RJ": 0, "MG": None}),
            "logistics.delivery_days": (5, {"RJ": 5, "MG": None}),
        }
        # asking for the other carrier gives nothing
        other = figures(clerk_a, FLOW, filters={"carrier": [str(b.pk)]}, today=READ_ON)
        assert other == {key: (None, {}) for key in FLOW}


def test_users_without_logistics_permissions_see_no_logistics_figure(world):
    attendant = UserFactory(username="atendente", roles=["order_desk"])
    visible = engine.visible_kpis(attendant)
    assert not [key for key in visible if key.startswith("logistics.")]
    assert figures(attendant, [*FLOW_KPIS, *LEVEL_KPIS]) == {}
    clerk = clerk_of("expedicao-a", world["a"])
    assert {*FLOW_KPIS, *LEVEL_KPIS} <= set(engine.visible_kpis(clerk))


def test_every_figure_says_what_it_counts():
    kpis = [*ShippingSource().get_kpis(), *LateParcelsSource().get_kpis()]
    assert {kpi.key for kpi in kpis} == {*FLOW_KPIS, *LEVEL_KPIS}
    for kpi in kpis:
        assert kpi.key.startswith("logistics.")
        assert str(kpi.name) and str(kpi.definition)
        assert kpi.drilldown
    better_lower = {kpi.key for kpi in kpis if not kpi.higher_is_better}
    assert better_lower == {"logistics.delivery_days", *LEVEL_KPIS}


def test_facts_take_a_fixed_number_of_queries(
    world,
    django_assert_max_num_queries,
):
    for source in (ShippingSource(), LateParcelsSource()):
        for dimension in ("", "uf"):
            with django_assert_max_num_queries(2):
                facts = list(source.facts(day(1), day(31), dimension))
            assert facts


# -- what is late now (a level) --------------------------------------------------


@pytest.fixture
def late_world(loja, sellable, table_carrier, other_carrier):  # noqa: F811
    """Today, of the table carrier (A): an order past its handling deadline
    (SP, late to ship), one due today (not late), a shipment past its
    promised date (RJ, late to deliver), one delivered past it and one due
    tomorrow (neither late). Of the other carrier (B): one order late to
    ship and one shipment late to deliver (both MG)."""
    a, b = table_carrier, other_carrier
    set_uf(order_with_option(loja, a, deadline=-2), "SP")
    set_uf(order_with_option(loja, a, deadline=0), "SP")
    on_way = order_with_option(loja, a, deadline=-5)
    set_uf(on_way, "RJ")
    sla_shipment(on_way, a, S.IN_TRANSIT, promised=-1, code="RP000000019BR")
    delivered = order_with_option(loja, a, deadline=-5)
    sla_shipment(delivered, a, S.DELIVERED, promised=-1)
    tomorrow = order_with_option(loja, a, deadline=-5)
    sla_shipment(tomorrow, a, S.OUT_FOR_DELIVERY, promised=1)
    set_uf(order_with_option(loja, b, deadline=-1), "MG")
    other = order_with_option(loja, b, deadline=-5)
    set_uf(other, "MG")
    sla_shipment(other, b, S.IN_TRANSIT, promised=-3)
    return {"a": a, "b": b}


def test_late_figures_today_and_as_rolled_up(late_world, logistics_manager):  # noqa: F811
    a, b = str(late_world["a"].pk), str(late_world["b"].pk)
    today = store_today()
    by_carrier = {
        "logistics.late_parcels": (2, {a: 1, b: 1}),
        "logistics.late_to_ship": (2, {a: 1, b: 1}),
    }
    by_uf = {
        "logistics.late_parcels": (2, {"RJ": 1, "MG": 1, "SP": 0}),
        "logistics.late_to_ship": (2, {"SP": 1, "MG": 1, "RJ": 0}),
    }
    week = {"start": today - datetime.timedelta(days=6), "end": today}
    assert figures(logistics_manager, LEVEL_KPIS, group_by="carrier", **week) == (
        by_carrier
    )
    assert figures(logistics_manager, LEVEL_KPIS, group_by="uf", **week) == by_uf

    # today's snapshot, read tomorrow
    rollups.refresh(keys=[LATE_SOURCE_KEY], today=today)
    assert DailyFact.objects.filter(source=LATE_SOURCE_KEY, day=today).exists()
    tomorrow = today + datetime.timedelta(days=1)
    for group_by, expected in (("carrier", by_carrier), ("uf", by_uf)):
        rolled = figures(
            logistics_manager, LEVEL_KPIS, group_by=group_by, today=tomorrow, **week
        )
        assert rolled == expected


def test_clerks_see_only_their_late_parcels(late_world):
    clerk_a = clerk_of("expedicao-a", late_world["a"])
    clerk_b = clerk_of("expedicao-b", late_world["b"])
    today = store_today()
    assert figures(clerk_a, LEVEL_KPIS, group_by="uf", start=today, end=today) == {
        "logistics.late_parcels": (1, {"RJ": 1, "SP": 0}),
        "logistics.late_to_ship": (1, {"SP": 1, "RJ": 0}),
    }
    assert figures(clerk_b, LEVEL_KPIS, group_by="uf", start=today, end=today) == {
        "logistics.late_parcels": (1, {"MG": 1}),
        "logistics.late_to_ship": (1, {"MG": 1}),
    }


def test_drilldown_opens_the_late_listing_of_the_carrier_and_uf(client, late_world):
    a = late_world["a"]
    clerk = clerk_of("expedicao-a", a)
    kpis = engine.visible_kpis(clerk)
    today = timezone.localdate()
    filters = {"carrier": {str(a.pk)}, "uf": {"RJ"}}

    kpi = kpis["logistics.on_time_delivery"]
    url = kpi.source.drilldown_url(kpi, start=today, end=today, filters=filters)
    assert url.startswith(reverse("logistics_late_deliveries") + "?")
    client.force_login(clerk)
    page = client.get(url)
    assert page.status_code == 200
    assert [s.order.shipping_address["uf"] for s in page.context["object_list"]] == [
        "RJ"
    ]
    # no late parcel of A goes to SP
    page = client.get(url.replace("uf=RJ", "uf=SP"))
    assert list(page.context["object_list"]) == []

    kpi = kpis["logistics.late_to_ship"]
    url = kpi.source.drilldown_url(kpi, start=today, end=today, filters={"uf": {"SP"}})
    assert url == reverse("logistics_late_shipments") + "?uf=SP"
    page = client.get(url)
    assert page.status_code == 200
    assert [o.shipping_address["uf"] for o in page.context["object_list"]] == ["SP"]
