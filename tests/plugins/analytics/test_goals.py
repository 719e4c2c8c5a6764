"""Goals (metas): progress, pace and projection, who sees which goal, the
dashboard's list and the managers' screens (Relatórios › Metas)."""

# The orders plugin's fixtures are imported, then requested by name.
# ruff: noqa: F811

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from plugins.analytics.goals import (
    State,
    Status,
    goal_period,
    goals_for,
    is_additive,
    period_label,
    progress,
)
from plugins.analytics.models import Goal
from plugins.analytics.periods import Period
from plugins.kpis import all_kpis
from tests.factories import UserFactory
from tests.plugins.analytics.goals_fixtures import (
    MARCH,
    TODAY,
    goal,
    march_orders,
    order,
)
from tests.plugins.orders.conftest import (  # noqa: F401
    attendant,
    grant_channel,
    loja,
    mercado_livre,
)


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente", roles=["manager"])


@pytest.fixture
def ml_attendant(db, mercado_livre):
    """An order-desk attendant of Mercado Livre only."""
    user = UserFactory(username="atendente-ml", roles=["order_desk"])
    grant_channel(user, mercado_livre)
    return user


# -- periods ------------------------------------------------------------------------


def test_goal_periods_and_their_labels():
    month = Goal(period_kind="month", period_start=datetime.date(2026, 2, 1))
    quarter = Goal(period_kind="quarter", period_start=datetime.date(2026, 10, 1))
    year = Goal(period_kind="year", period_start=datetime.date(2026, 1, 1))

    assert goal_period(month) == Period(
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)
    )
    assert goal_period(quarter) == Period(
        datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)
    )
    assert goal_period(year).days == 365
    assert period_label(month) == "02/2026"
    assert "4" in period_label(quarter) and "2026" in period_label(quarter)
    assert period_label(year) == "2026"


def test_only_sums_of_measures_get_a_pace():
    kpis = all_kpis()

    assert is_additive(kpis["orders.gmv"])
    assert is_additive(kpis["orders.orders"])
    assert is_additive(kpis["orders.net_revenue"])
    # money, but an average: the same whatever the number of days
    assert not is_additive(kpis["orders.average_ticket"])
    assert not is_additive(kpis["orders.cancellation_rate"])
    assert not is_additive(kpis["orders.sales_share"])
    assert not is_additive(kpis["orders.nps"])


# -- progress -----------------------------------------------------------------------


def test_monthly_gmv_goal_pace_and_projection(manager, loja, mercado_livre):
    # given R$ 12.000,00 of March sales by the 10th and a goal of 31.000,00
    march_orders(loja, mercado_livre)
    gmv = goal("orders.gmv", "31000.00")

    # when the manager looks on 10/03
    measured = progress(gmv, manager, today=TODAY)

    # then 10 of 31 days are gone, 10.000,00 was expected by now: ahead
    assert measured.status == Status.CURRENT
    assert measured.actual == Decimal("12000.00")
    assert measured.elapsed_days == 10
    assert measured.remaining_days == 21
    assert measured.expected == Decimal("10000.00")
    assert measured.state == State.AHEAD
    assert measured.percent == Decimal("38.7")
    # (31.000 − 12.000) / 21 = 904,7619…
    assert measured.pace_needed == Decimal("904.76")
    # 12.000 / 10 × 31
    assert measured.projection == Decimal("37200.00")


def test_count_goal_behind_pace(manager, loja, mercado_livre):
    march_orders(loja, mercado_livre)
    # 3 sale orders by the 10th
    behind = goal("orders.orders", "31")  # 10 expected

    measured = progress(behind, manager, today=TODAY)

    assert measured.actual == 3
    assert measured.expected == Decimal("10.00")
    assert measured.state == State.BEHIND
    assert measured.pace_needed == Decimal("1.33")  # 28 / 21
    assert measured.projection == Decimal("9.30")  # 3 / 10 × 31


def test_on_pace_within_the_tolerance(manager, loja, mercado_livre):
    march_orders(loja, mercado_livre)
    # 12.000 by the 10th against an expected 12.000 × (1 + 2 %)
    gmv = goal("orders.gmv", "37944.00")  # expected 12.240,00

    assert progress(gmv, manager, today=TODAY).state == State.ON_PACE


def test_rate_goal_is_compared_as_it_stands(manager, loja, mercado_livre):
    # given 4 orders placed in March, one cancelled: 25 %
    order(loja, "100.00", datetime.date(2026, 3, 3))
    order(loja, "100.00", datetime.date(2026, 3, 4))
    order(loja, "100.00", datetime.date(2026, 3, 5))
    order(loja, "100.00", datetime.date(2026, 3, 6), status="cancelled")
    ceiling = goal("orders.cancellation_rate", "10.00")
    generous = goal("orders.cancellation_rate", "30.00", channel=loja)

    measured = progress(ceiling, manager, today=TODAY)

    assert measured.actual == Decimal(25)
    assert not measured.additive
    assert measured.expected is None
    assert measured.pace_needed is None
    assert measured.projection is None
    # lower is better: 25 % is above the 10 % ceiling
    assert measured.state == State.OFF_TARGET
    assert progress(generous, manager, today=TODAY).state == State.ON_TARGET


def test_past_period_is_final_and_future_not_started(manager, loja, mercado_livre):
    march_orders(loja, mercado_livre)
    february = goal("orders.gmv", "800.00", start=datetime.date(2026, 2, 1))
    april = goal("orders.gmv", "800.00", start=datetime.date(2026, 4, 1))

    past = progress(february, manager, today=TODAY)
    future = progress(april, manager, today=TODAY)

    assert past.status == Status.PAST
    assert past.actual == Decimal("900.00")
    assert past.state == State.ACHIEVED
    assert past.pace_needed is None and past.projection is None
    assert future.status == Status.FUTURE
    assert future.actual is None
    assert future.state == State.NOT_STARTED


def test_channel_and_seller_goals_count_their_own_sales(
    manager, attendant, loja, mercado_livre
):
    march_orders(loja, mercado_livre, seller=attendant)
    by_channel = goal("orders.gmv", "20000.00", channel=mercado_livre)
    by_seller = goal("orders.gmv", "20000.00", seller=attendant)

    assert progress(by_channel, manager, today=TODAY).actual == Decimal("5000.00")
    assert progress(by_seller, manager, today=TODAY).actual == Decimal("7000.00")
    # the attendant sees their own goal within their channel
    assert progress(by_seller, attendant, today=TODAY).actual == Decimal("7000.00")


# -- who sees which goal -------------------------------------------------------


def test_channel_goal_seen_by_its_channels_attendant_only(
    manager, attendant, ml_attendant, loja, mercado_livre
):
    march_orders(loja, mercado_livre)
    store = goal("orders.gmv", "31000.00")
    storefront = goal("orders.gmv", "10000.00", channel=loja)
    marketplace = goal("orders.gmv", "10000.00", channel=mercado_livre)

    def seen(user):
        return {item.goal.pk for item in goals_for(user, today=TODAY)}

    assert seen(manager) == {store.pk, storefront.pk, marketplace.pk}
    # the whole store's goal needs every channel
    assert seen(attendant) == {storefront.pk}
    assert seen(ml_attendant) == {marketplace.pk}
    [mine] = goals_for(attendant, today=TODAY)
    assert mine.actual == Decimal("7000.00")


def test_seller_goal_seen_by_the_seller_and_the_manager(
    manager, attendant, ml_attendant, loja, mercado_livre
):
    mine = goal("orders.gmv", "10000.00", seller=attendant)

    assert [g.goal.pk for g in goals_for(attendant, today=TODAY)] == [mine.pk]
    assert [g.goal.pk for g in goals_for(manager, today=TODAY)] == [mine.pk]
    assert goals_for(ml_attendant, today=TODAY) == []


def test_goals_of_figures_the_user_may_not_see_are_left_out(loja):
    goal("orders.gmv", "1000.00", channel=loja)
    stock_clerk = UserFactory(username="estoquista", roles=["stock_clerk"])

    assert goals_for(stock_clerk, today=TODAY) == []


def test_month_first_then_quarter_then_year(manager, loja, mercado_livre):
    year = goal("orders.gmv", "900000.00", kind="year", start=datetime.date(2026, 1, 1))
    quarter = goal(
        "orders.gmv", "300000.00", kind="quarter", start=datetime.date(2026, 1, 1)
    )
    month = goal("orders.gmv", "31000.00")
    goal("orders.gmv", "31000.00", start=datetime.date(2026, 2, 1))  # gone by

    listed = [item.goal.pk for item in goals_for(manager, today=TODAY)]

    assert listed == [month.pk, quarter.pk, year.pk]


def test_goals_of_one_period_share_their_computation(manager, loja, mercado_livre):
    march_orders(loja, mercado_livre)
    goal("orders.gmv", "31000.00")
    goal("orders.orders", "31")
    goals_for(manager, today=TODAY)  # warm up the caches of permissions

    with CaptureQueriesContext(connection) as two:
        goals_for(manager, today=TODAY)
    goal("orders.net_revenue", "31000.00")
    goal("orders.units", "100")
    goal("orders.cancellation_rate", "5.00")
    with CaptureQueriesContext(connection) as five:
        goals_for(manager, today=TODAY)

    assert len(five) == len(two)


# -- the dashboard's list ------------------------------------------------------


def test_goals_include_renders_figures_pt_br_and_an_accessible_bar(
    manager, loja, mercado_livre
):
    march_orders(loja, mercado_livre)
    gmv = goal("orders.gmv", "31000.00")

    html = render_to_string(
        "analytics/includes/goals.html", {"goals": goals_for(manager, today=TODAY)}
    )

    assert f'data-goal="{gmv.pk}"' in html
    assert 'data-state="ahead"' in html
    assert 'role="progressbar"' in html
    assert 'aria-valuenow="38"' in html
    assert "R$ 12.000,00" in html
    assert "R$ 31.000,00" in html
    assert "38,7%" in html
    assert "R$ 10.000,00" in html  # expected by today
    assert "R$ 904,76" in html  # per remaining day
    assert "R$ 37.200,00" in html  # at today's pace


# -- Relatórios › Metas --------------------------------------------------------


def goal_post(**overrides):
    data = {
        "kpi": "orders.gmv",
        "period_kind": "month",
        "period_start": "01/03/2026",
        "channel": "",
        "seller": "",
        "target": "R$ 31.000,00",
        "note": "",
    }
    data.update(overrides)
    return data


def denied(response) -> bool:
    """Wagtail's "no permission": a 403, or the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def test_manager_adds_a_goal(client, manager, loja, mercado_livre):
    client.force_login(manager)

    assert client.get(reverse("analytics_goals:add")).status_code == 200
    response = client.post(reverse("analytics_goals:add"), goal_post())

    assert response.status_code == 302
    created = Goal.objects.get()
    assert created.target == Decimal("31000.00")
    assert created.period_start == MARCH
    assert created.created_by == manager
    assert ModelLogEntry.objects.filter(
        action="wagtail.create", object_id=str(created.pk), user=manager
    ).exists()


def test_manager_edits_and_deletes_a_goal(client, manager, loja):
    existing = goal("orders.gmv", "1000.00", channel=loja)
    client.force_login(manager)

    edited = client.post(
        reverse("analytics_goals:edit", args=[existing.pk]),
        goal_post(channel=str(loja.pk), target="2.500,00"),
    )
    assert edited.status_code == 302
    existing.refresh_from_db()
    assert existing.target == Decimal("2500.00")

    deleted = client.post(reverse("analytics_goals:delete", args=[existing.pk]))
    assert deleted.status_code == 302
    assert not Goal.objects.exists()
    assert ModelLogEntry.objects.filter(action="wagtail.delete").exists()


def test_listing_shows_periods_and_progress(client, manager, loja, mercado_livre):
    march_orders(loja, mercado_livre)
    month = goal("orders.gmv", "31000.00", channel=mercado_livre)
    goal("orders.orders", "100", kind="quarter", start=datetime.date(2026, 1, 1))
    client.force_login(manager)

    response = client.get(reverse("analytics_goals:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "03/2026" in html
    assert "Mercado Livre" in html
    assert "R$ 31.000,00" in html
    assert f'data-goal-progress="{month.pk}"' in html


def test_attendant_cannot_set_goals(client, attendant, loja):
    existing = goal("orders.gmv", "1000.00", channel=loja)
    client.force_login(attendant)

    assert denied(client.get(reverse("analytics_goals:index")))
    assert denied(client.get(reverse("analytics_goals:add")))
    assert denied(client.post(reverse("analytics_goals:add"), goal_post()))
    assert denied(client.get(reverse("analytics_goals:edit", args=[existing.pk])))
    assert denied(client.post(reverse("analytics_goals:delete", args=[existing.pk])))
    assert Goal.objects.count() == 1


def test_goal_for_a_channel_and_a_seller_at_once_is_refused(
    client, manager, attendant, loja
):
    client.force_login(manager)

    response = client.post(
        reverse("analytics_goals:add"),
        goal_post(channel=str(loja.pk), seller=str(attendant.pk)),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "channel" in form.errors and "seller" in form.errors
    assert not Goal.objects.exists()


def test_any_day_of_the_period_is_moved_to_its_first_day(client, manager, loja):
    client.force_login(manager)

    response = client.post(
        reverse("analytics_goals:add"),
        goal_post(period_kind="quarter", period_start="15/05/2026"),
    )

    assert response.status_code == 302
    assert Goal.objects.get().period_start == datetime.date(2026, 4, 1)


def test_impossible_date_and_duplicate_goal_are_refused(client, manager, loja):
    goal("orders.gmv", "1000.00")
    client.force_login(manager)

    impossible = client.post(
        reverse("analytics_goals:add"), goal_post(period_start="31/02/2026")
    )
    duplicate = client.post(
        reverse("analytics_goals:add"), goal_post(period_start="20/03/2026")
    )

    assert "period_start" in impossible.context["form"].errors
    assert duplicate.status_code == 200
    assert duplicate.context["form"].errors
    assert Goal.objects.count() == 1


def test_kpi_choices_and_target_rules(client, manager, loja):
    client.force_login(manager)

    form = client.get(reverse("analytics_goals:add")).context["form"]
    choices = dict(form.fields["kpi"].choices)
    fractional = client.post(
        reverse("analytics_goals:add"), goal_post(kpi="orders.orders", target="10,5")
    )
    unknown = client.post(reverse("analytics_goals:add"), goal_post(kpi="nope.nope"))
    over = client.post(
        reverse("analytics_goals:add"),
        goal_post(kpi="orders.cancellation_rate", target="120"),
    )

    assert "orders.gmv" in choices and "R$" in choices["orders.gmv"]
    assert "target" in fractional.context["form"].errors
    assert "kpi" in unknown.context["form"].errors
    assert "target" in over.context["form"].errors
    assert not Goal.objects.exists()
