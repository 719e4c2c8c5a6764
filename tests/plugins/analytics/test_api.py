"""The KPI API (``/api/v1/analytics/``) over real HTTP with staff tokens: each
user gets their own share of the figures, invalid queries are problems, and
only users who may see the reports get in."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from plugins.orders.models import Order, OrderLine, OrderStatus
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel, staff_client

URL = "/api/v1/analytics/kpis/"
DEFINITIONS = "/api/v1/analytics/kpis/definitions/"
PROBLEM = "application/problem+json"
MARCH = "start=2025-03-01&end=2025-03-31"
NUMBERS = itertools.count(1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """An instant of the store's local ``day``."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour)),
        timezone.get_default_timezone(),
    )


def make_order(channel, day, total, *, status=OrderStatus.PAID, quantity=1, **extra):
    """An order placed on the store's ``day``, paid then unless it was
    cancelled unpaid, with one line of ``quantity`` units."""
    total = Decimal(total)
    placed_at = at(day)
    order = Order.objects.create(
        number=f"TEST-{next(NUMBERS):04d}",
        channel=channel,
        customer_name="Maria da Silva",
        subtotal=total,
        total=total,
        payment_method=extra.pop("payment_method", "pix"),
        status=status,
        placed_at=placed_at,
        paid_at=None if status == OrderStatus.CANCELLED else placed_at,
        cancelled_at=placed_at if status == OrderStatus.CANCELLED else None,
        shipping_address={"uf": extra.pop("uf", "SP")},
        **extra,
    )
    OrderLine.objects.create(
        order=order,
        sku="CAN-1",
        product_name="Caneca",
        quantity=quantity,
        unit_price=total / quantity,
        total=total,
    )
    return order


@pytest.fixture
def sales(loja, mercado_livre):
    """March 2025: the storefront sold 100,00 and 50,00 (and one order was
    cancelled unpaid), Mercado Livre 200,00 in 2 units. The 31 days before
    (29/01–28/02): the storefront 60,00, Mercado Livre 100,00."""
    make_order(loja, datetime.date(2025, 3, 10), "100.00")
    make_order(loja, datetime.date(2025, 3, 12), "50.00")
    make_order(loja, datetime.date(2025, 3, 12), "80.00", status=OrderStatus.CANCELLED)
    make_order(mercado_livre, datetime.date(2025, 3, 11), "200.00", quantity=2)
    make_order(loja, datetime.date(2025, 2, 10), "60.00")
    make_order(mercado_livre, datetime.date(2025, 2, 10), "100.00")


@pytest.fixture
def attendant(loja, mercado_livre):
    """An order-desk attendant granted the storefront channel only."""
    user = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(user, loja)
    return user


def kpis(response) -> dict:
    assert response.status_code == 200, response.content
    return {kpi["key"]: kpi for kpi in response.json()["kpis"]}


def figures(response, field="value") -> dict:
    return {key: kpi[field] for key, kpi in kpis(response).items()}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


# -- Each user's share ------------------------------------------------------------


def test_a_manager_gets_every_channel_and_an_attendant_only_theirs(
    sales, manager, attendant
):
    query = f"{URL}?{MARCH}&compare=previous&keys=orders.gmv,orders.orders,"
    query += "orders.average_ticket,orders.cancellation_rate,orders.units"

    everything = staff_client(manager).get(query)
    theirs = staff_client(attendant).get(query)

    assert figures(everything) == {
        "orders.gmv": "350.00",
        "orders.orders": "3",
        "orders.average_ticket": "116.67",
        "orders.cancellation_rate": "25.0",
        "orders.units": "4",
    }
    assert figures(theirs) == {
        "orders.gmv": "150.00",
        "orders.orders": "2",
        "orders.average_ticket": "75.00",
        "orders.cancellation_rate": "33.3",
        "orders.units": "2",
    }
    # the 31 days before March
    assert everything.json()["period"] == {"start": "2025-03-01", "end": "2025-03-31"}
    assert everything.json()["comparison"] == {
        "start": "2025-01-29",
        "end": "2025-02-28",
    }
    assert figures(everything, "comparison_value")["orders.gmv"] == "160.00"
    assert figures(everything, "change_percent")["orders.gmv"] == "118.8"
    assert figures(theirs, "comparison_value")["orders.gmv"] == "60.00"
    assert figures(theirs, "change_percent")["orders.gmv"] == "150.0"
    # nothing cancelled before: a rate of 0 % changes by no percentage
    assert kpis(theirs)["orders.cancellation_rate"]["comparison_value"] == "0.0"
    assert kpis(theirs)["orders.cancellation_rate"]["change_percent"] is None


def test_a_kpi_comes_with_its_definition(sales, manager):
    gmv = kpis(staff_client(manager).get(f"{URL}?{MARCH}&keys=orders.gmv"))[
        "orders.gmv"
    ]

    assert gmv["unit"] == "money"
    assert gmv["higher_is_better"] is True
    assert gmv["applicable"] is True
    assert gmv["name"] and gmv["definition"]
    assert gmv["groups"] == []
    assert gmv["comparison_value"] is None and gmv["change_percent"] is None
    rate = kpis(staff_client(manager).get(f"{URL}?{MARCH}"))
    assert rate["orders.cancellation_rate"]["higher_is_better"] is False


def test_grouped_by_channel_each_user_sees_their_channels(
    sales, manager, attendant, loja, mercado_livre
):
    query = f"{URL}?{MARCH}&keys=orders.gmv&group_by=channel"

    everything = staff_client(manager).get(query)
    theirs = staff_client(attendant).get(query)

    assert everything.json()["group_by"] == "channel"
    assert kpis(everything)["orders.gmv"]["groups"] == [
        {"member": str(mercado_livre.pk), "label": "Mercado Livre", "value": "200.00"},
        {"member": str(loja.pk), "label": "Loja virtual", "value": "150.00"},
    ]
    assert kpis(theirs)["orders.gmv"]["groups"] == [
        {"member": str(loja.pk), "label": "Loja virtual", "value": "150.00"}
    ]


def test_grouped_by_day_a_series_in_order(sales, manager):
    response = staff_client(manager).get(f"{URL}?{MARCH}&keys=orders.gmv&group_by=day")

    groups = kpis(response)["orders.gmv"]["groups"]
    assert [(g["member"], g["label"], g["value"]) for g in groups] == [
        ("2025-03-10", "10/03/2025", "100.00"),
        ("2025-03-11", "11/03/2025", "200.00"),
        ("2025-03-12", "12/03/2025", "50.00"),
    ]


def test_a_grouping_the_source_does_not_know_is_not_applicable(sales, manager):
    response = staff_client(manager).get(f"{URL}?{MARCH}&group_by=warehouse")

    gmv = kpis(response)["orders.gmv"]
    assert gmv["applicable"] is False
    assert gmv["value"] is None and gmv["groups"] == []


def test_filters_narrow_the_figures(sales, manager, loja, mercado_livre):
    client = staff_client(manager)
    base = f"{URL}?{MARCH}&keys=orders.gmv"

    assert figures(client.get(f"{base}&channel={mercado_livre.pk}")) == {
        "orders.gmv": "200.00"
    }
    assert figures(client.get(f"{base}&channel={loja.pk},{mercado_livre.pk}")) == {
        "orders.gmv": "350.00"
    }
    assert figures(client.get(f"{base}&uf=RJ")) == {"orders.gmv": "0.00"}
    assert figures(client.get(f"{base}&payment_method=pix")) == {"orders.gmv": "350.00"}


def test_a_channel_out_of_the_users_scope_is_not_found(
    sales, attendant, loja, mercado_livre
):
    client = staff_client(attendant)
    base = f"{URL}?{MARCH}&keys=orders.gmv"

    assert figures(client.get(f"{base}&channel={loja.pk}")) == {"orders.gmv": "150.00"}
    body = problem(client.get(f"{base}&channel={loja.pk},{mercado_livre.pk}"), 404)
    assert body["status"] == 404
    assert str(mercado_livre.pk) in body["detail"]


def test_a_preset_period_by_default_today(loja, manager):
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    make_order(loja, today, "42.00")
    make_order(loja, today - datetime.timedelta(days=1), "10.00")
    client = staff_client(manager)

    response = client.get(f"{URL}?keys=orders.gmv&compare=previous")

    assert response.json()["period"] == {
        "start": today.isoformat(),
        "end": today.isoformat(),
    }
    assert figures(response) == {"orders.gmv": "42.00"}
    assert figures(response, "comparison_value") == {"orders.gmv": "10.00"}
    assert figures(response, "change_percent") == {"orders.gmv": "320.0"}
    week = client.get(f"{URL}?keys=orders.gmv&period=7d&compare=last_year")
    assert (
        week.json()["period"]["start"]
        == (today - datetime.timedelta(days=6)).isoformat()
    )
    assert figures(week) == {"orders.gmv": "52.00"}
    assert week.json()["comparison"]["end"] < today.replace(day=1).isoformat()


# -- Conditional requests -----------------------------------------------------------


def test_an_unchanged_report_is_not_sent_again(sales, manager, loja):
    client = staff_client(manager)
    query = f"{URL}?{MARCH}&keys=orders.gmv"

    first = client.get(query)
    again = client.get(query, HTTP_IF_NONE_MATCH=first["ETag"])
    # as a compressing proxy passes the ETag on
    weak = client.get(query, HTTP_IF_NONE_MATCH=f'"other", W/{first["ETag"]}')
    make_order(loja, datetime.date(2025, 3, 20), "1.00")
    changed = client.get(query, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first["Vary"]
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert weak.status_code == 304
    assert changed.status_code == 200
    assert figures(changed) == {"orders.gmv": "351.00"}


# -- Invalid queries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=forever", "period"),
        ("period=today&start=2025-03-01&end=2025-03-31", "period"),
        ("start=2025-03-01", "end"),
        ("end=2025-03-31", "start"),
        ("start=2025-03-31&end=2025-03-01", "end"),
        ("start=2025-13-01&end=2025-12-31", "start"),
        ("start=20250301&end=2025-03-31", "start"),
        ("start=1800-01-01&end=2025-01-31", "start"),
        ("start=2020-01-01&end=2024-12-31", "end"),
        ("compare=yesterday", "compare"),
        ("group_by=planet", "group_by"),
        ("channel=loja", "channel"),
        ("channel=0", "channel"),
        ("uf=XX", "uf"),
        ("payment_method=cheque", "payment_method"),
    ],
)
def test_invalid_parameters_are_problems_naming_them(manager, query, field):
    body = problem(staff_client(manager).get(f"{URL}?{query}"), 400)

    assert body["type"] == "https://retaguarda.dev/problems/validation-error"
    assert list(body["errors"]) == [field]


def test_unknown_keys_are_named(manager):
    response = staff_client(manager).get(f"{URL}?keys=orders.gmv,orders.nope,x.y")

    message = problem(response, 400)["errors"]["keys"][0]
    assert "orders.nope" in message and "x.y" in message
    assert "orders.gmv" not in message


def test_a_kpi_the_user_may_not_see_is_unknown_to_them(db):
    clerk = UserFactory(username="estoquista", roles=["stock_clerk"])
    client = staff_client(clerk)

    hidden = problem(client.get(f"{URL}?keys=orders.gmv"), 400)
    unknown = problem(client.get(f"{URL}?keys=orders.nope"), 400)

    assert hidden["errors"]["keys"][0] == unknown["errors"]["keys"][0].replace(
        "orders.nope", "orders.gmv"
    )
    # and by default they get only the figures they may see: none of these
    assert kpis(client.get(URL)) == {}


# -- Who gets in -------------------------------------------------------------------


def test_anonymous_requests_must_authenticate(db):
    body = problem(APIClient().get(URL), 401)

    assert body["status"] == 401
    assert problem(APIClient().get(DEFINITIONS), 401)["status"] == 401


def test_storefront_api_keys_are_refused(db):
    from api.services import create_api_key

    _key, secret = create_api_key(
        name="Loja",
        scopes=["catalog:read", "orders:read", "orders:write"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")

    assert client.get(URL).status_code in (401, 403)
    assert client.get(DEFINITIONS).status_code in (401, 403)
    assert client.get(URL)["Content-Type"] == PROBLEM


def test_users_who_may_not_see_the_reports_are_refused(db):
    editor = UserFactory(username="editor", roles=["content_editor"])
    client = staff_client(editor)

    assert problem(client.get(URL), 403)["status"] == 403
    assert problem(client.get(DEFINITIONS), 403)["status"] == 403


def test_sessions_work_too(client, sales, attendant):
    client.force_login(attendant)

    response = client.get(f"{URL}?{MARCH}&keys=orders.gmv")

    assert figures(response) == {"orders.gmv": "150.00"}


# -- Definitions ---------------------------------------------------------------------


def test_definitions_list_the_kpis_the_user_may_see(attendant):
    response = staff_client(attendant).get(DEFINITIONS)

    assert response.status_code == 200
    found = {kpi["key"]: kpi for kpi in response.json()["kpis"]}
    assert {"orders.gmv", "orders.orders", "orders.nps"} <= set(found)
    assert found["orders.gmv"] == {
        "key": "orders.gmv",
        "name": found["orders.gmv"]["name"],
        "unit": "money",
        "definition": found["orders.gmv"]["definition"],
        "higher_is_better": True,
        "dimensions": [
            "channel",
            "category",
            "brand",
            "uf",
            "payment_method",
            "seller",
        ],
    }
    # a figure that means nothing per category or brand says so
    assert found["orders.average_ticket"]["dimensions"] == [
        "channel",
        "uf",
        "payment_method",
        "seller",
    ]
    clerk = UserFactory(username="estoquista", roles=["stock_clerk"])
    assert staff_client(clerk).get(DEFINITIONS).json() == {"kpis": []}
