"""The orders plugin's dashboard panels: the order desk's and the manager's
figures against a hand-computed table of orders (dashboard_fixtures), who
gets which panel, the figures' links, and a query count that does not grow
with the data."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plugins.orders.dashboard import (
    OrderDeskPanel,
    SalesPanel,
    order_desk_figures,
    sales_figures,
    survey_figures,
)
from plugins.orders.models import Order
from tests.factories import UserFactory
from tests.plugins.orders.admin_fixtures import login
from tests.plugins.orders.dashboard_fixtures import (
    DAILY,
    DESK_ALL,
    DESK_LOJA,
    NPS,
    SALES,
    SALES_SHOWN,
    TODAY_ALL,
    TODAY_LOJA,
    make_dashboard_orders,
)

DESK_KEYS = ("to_confirm", "to_invoice", "to_prepare", "to_ship", "late")


@pytest.fixture
def orders(loja, mercado_livre):
    return make_dashboard_orders(loja, mercado_livre, prefix="PD-")


def figure(page: str, key: str) -> str:
    """The value shown by the figure card ``key`` of a rendered page."""
    match = re.search(
        rf'data-figure="{re.escape(key)}".*?data-value>(.*?)</span>', page, re.S
    )
    assert match, f"no figure {key}"
    return html.unescape(match.group(1)).strip()


def detail(page: str, key: str, name: str) -> str:
    card = re.search(rf'data-figure="{re.escape(key)}"(.*?)</li>', page, re.S)
    assert card, f"no figure {key}"
    match = re.search(rf'data-detail="{name}".*?<dd>(.*?)</dd>', card.group(1), re.S)
    assert match, f"no detail {name} in {key}"
    return html.unescape(match.group(1)).strip()


def figure_url(page: str, key: str) -> str:
    match = re.search(
        rf'data-figure="{re.escape(key)}">\s*<a [^>]*href="([^"]+)"', page, re.S
    )
    assert match, f"no link on figure {key}"
    return html.unescape(match.group(1))


def listed(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {order.number for order in response.context["object_list"]}


def home(user) -> str:
    response = login(user).get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


# -- Figures --------------------------------------------------------------------


def test_order_desk_figures_of_every_channel(orders, superuser):
    counts = order_desk_figures(superuser)
    assert {key: counts[key] for key in DESK_KEYS} == DESK_ALL
    assert {channel.code: n for channel, n in counts["channels"]} == TODAY_ALL


def test_an_attendant_counts_only_the_orders_of_their_channel(orders, attendant):
    counts = order_desk_figures(attendant)
    assert {key: counts[key] for key in DESK_KEYS} == DESK_LOJA
    assert {channel.code: n for channel, n in counts["channels"]} == TODAY_LOJA


def test_sales_today_7_and_30_days(orders):
    periods = {p.key: p for p in sales_figures()["periods"]}
    assert {
        key: (p.total, p.orders, p.average_ticket) for key, p in periods.items()
    } == SALES


def test_daily_sales_cover_30_days_with_zeros(orders):
    today = timezone.localdate()
    daily = sales_figures()["daily"]
    assert [day for day, _total, _n in daily] == [
        today - datetime.timedelta(days=29 - i) for i in range(30)
    ]
    by_days_ago = {(today - day).days: total for day, total, _n in daily if total}
    assert by_days_ago == DAILY


def test_nps_of_the_last_30_days(orders, manager):
    figures = survey_figures(manager)
    assert {key: figures[key] for key in NPS} == NPS


def test_no_sales_no_ticket(db):
    periods = sales_figures()["periods"]
    assert [(p.total, p.orders, p.average_ticket) for p in periods] == [
        (0, 0, None)
    ] * 3


# -- Panels on the home page -------------------------------------------------------


def test_attendant_sees_the_order_desk_of_their_channel(orders, attendant):
    page = home(attendant)
    assert 'id="order_desk-section"' in page
    assert 'id="sales-section"' not in page
    assert {key: int(figure(page, key)) for key in DESK_KEYS} == DESK_LOJA
    assert figure(page, "today-loja") == "2"
    assert "Mercado Livre" not in page


def test_manager_sees_sales_in_reais_nps_and_the_chart(orders, manager):
    page = home(manager)
    assert 'id="sales-section"' in page
    assert 'id="order_desk-section"' not in page  # the manager does not work orders
    for key, (total, count, ticket) in SALES_SHOWN.items():
        assert figure(page, key) == total
        assert detail(page, key, "orders") == count
        assert detail(page, key, "average_ticket") == ticket
    assert figure(page, "nps") == "40"
    assert detail(page, "nps", "answers") == "5"
    assert 'data-controller="rg-chart"' in page
    assert 'id="sales-chart-data"' in page
    assert "/static/plugins/vendor/chartjs/chart.umd.min.js" in page
    today = timezone.localdate()
    # the chart's data as a table: today's sales and orders
    assert f"<td>{today:%d/%m/%Y}</td><td>R$ 330,00</td><td>3</td>" in page


def test_superuser_sees_both_and_the_order_desk_of_every_channel(orders, superuser):
    page = home(superuser)
    assert {key: int(figure(page, key)) for key in DESK_KEYS} == DESK_ALL
    assert figure(page, "today-loja") == "2"
    assert figure(page, "today-mercado-livre") == "3"
    assert figure(page, "today") == "R$ 330,00"


@pytest.mark.parametrize("role", ["content_editor", "content_moderator", "auditor"])
def test_roles_without_the_permission_do_not_get_the_panels(orders, role):
    user = UserFactory(username=f"sem-{role}", roles=[role])
    page = home(user)
    assert 'id="order_desk-section"' not in page
    if role != "auditor":  # the auditor sees every order, hence the sales
        assert 'id="sales-section"' not in page
        assert "R$ 330,00" not in page


def test_an_attendant_without_a_channel_gets_no_order_desk(orders):
    user = UserFactory(username="sem-canal", roles=["order_desk"])
    assert 'id="order_desk-section"' not in home(user)


# -- Links ----------------------------------------------------------------------------


def test_each_order_desk_figure_links_to_the_same_orders(orders, attendant):
    page = home(attendant)
    client = login(attendant)
    expected = {
        "to_confirm": {"PD-B"},
        "to_invoice": {"PD-A", "PD-M"},
        "to_prepare": set(),
        "to_ship": set(),
        "late": {"PD-B", "PD-E"},
        "today-loja": {"PD-A", "PD-B"},
    }
    for key, numbers in expected.items():
        assert listed(client, figure_url(page, key)) == numbers, key


def test_sales_figures_link_to_the_sales_of_the_period(orders, manager):
    page = home(manager)
    client = login(manager)
    assert listed(client, figure_url(page, "today")) == {"PD-A", "PD-C", "PD-L"}
    assert listed(client, figure_url(page, "last_30_days")) == {
        f"PD-{key}" for key in "ACLEFMGI"
    }
    survey = login(manager).get(figure_url(page, "nps"))
    assert survey.status_code == 200
    assert survey.context["summary"]["nps"] == 40


# -- Query count ------------------------------------------------------------------


def _panel(panel_class, username):
    """A panel for a fresh copy of the user (nothing cached on it)."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username=username)
    return panel_class(request)


@pytest.mark.parametrize(
    ("panel_class", "user_fixture"),
    [
        (OrderDeskPanel, "attendant"),
        (OrderDeskPanel, "superuser"),
        (SalesPanel, "manager"),
    ],
)
def test_query_count_does_not_grow_with_the_data(
    request, loja, mercado_livre, django_assert_num_queries, panel_class, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    make_dashboard_orders(loja, mercado_livre, prefix="P1-")
    _panel(panel_class, user.username).render_html({})  # warms the process caches
    panel = _panel(panel_class, user.username)
    with CaptureQueriesContext(connection) as small:
        panel.render_html({})
    assert len(small) <= 12
    for n in range(2, 6):
        make_dashboard_orders(loja, mercado_livre, prefix=f"P{n}-")
    assert Order.objects.count() == 5 * 13
    panel = _panel(panel_class, user.username)
    with django_assert_num_queries(len(small)):
        panel.render_html({})


def test_an_order_is_late_by_the_same_rule_in_hand_and_in_the_database(orders):
    """Order.is_late() and OrderQuerySet.late() agree on every order of the
    fixture table (open and past its promised date)."""
    orders = list(Order.objects.all())
    late = set(Order.objects.late().values_list("pk", flat=True))
    assert orders and late
    assert {order.pk for order in orders if order.is_late()} == late
