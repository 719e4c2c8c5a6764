"""Relatórios › Painel: figures, comparison, charts' tables, exports and
drill-down, on the hand-computed November of test_orders_kpis."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import (
    csv_export,
    is_admin_denied,
    listing_rows,
    page_text,
    xlsx_export,
)
from tests.plugins.orders.conftest import grant_channel

pytestmark = pytest.mark.django_db

NOVEMBER = {
    "period": "custom",
    "start": "01/11/2026",
    "end": "30/11/2026",
    "compare": "none",
}


def url(**params):
    from urllib.parse import urlencode

    return f"{reverse('analytics:dashboard')}?{urlencode({**NOVEMBER, **params})}"


def card(response, key: str) -> str:
    """The text of one figure's card."""
    html = response.content.decode()
    found = re.search(rf'<li[^>]*data-kpi="{re.escape(key)}".*?</li>', html, re.S)
    assert found, key
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def card_link(response, key: str) -> str:
    html = response.content.decode()
    found = re.search(
        rf'<li[^>]*data-kpi="{re.escape(key)}".*?href="([^"]+)"', html, re.S
    )
    return unescape(found.group(1))


def test_the_manager_sees_every_figure_of_the_period(client, manager, orders):
    client.force_login(manager)
    response = client.get(url())
    assert response.status_code == 200
    assert "R$ 767,00" in card(response, "orders.gmv")
    assert "R$ 375,00" in card(response, "orders.net_revenue")
    assert "R$ 144,00" in card(response, "orders.average_ticket")
    assert "16,7 %" in card(response, "orders.cancellation_rate")
    assert "33,3 %" in card(response, "orders.return_rate")
    text = page_text(response)
    assert "01/11/2026 – 30/11/2026" in text


def test_comparison_with_the_previous_period(client, manager, orders):
    client.force_login(manager)
    # December 1st only (O7, R$ 50,00) against November 30th (O6, R$ 162,00).
    response = client.get(url(start="01/12/2026", end="01/12/2026", compare="previous"))
    gmv = card(response, "orders.gmv")
    assert "R$ 50,00" in gmv
    assert "-69,1 %" in gmv  # (50 − 162) / 162
    assert "R$ 162,00" in gmv
    html = response.content.decode()
    assert re.search(r'data-kpi="orders.gmv"', html)
    assert 'rg-report-card--bad" data-kpi="orders.gmv"' in html


def test_drill_down_opens_the_orders_behind_a_figure(client, manager, orders):
    client.force_login(manager)
    response = client.get(url())
    link = card_link(response, "orders.gmv")
    assert link.startswith(reverse("orders:index"))
    listing = client.get(link)
    rows = " ".join(listing_rows(listing))
    for number in ("O1", "O2", "O3", "O4", "O6"):
        assert number in rows
    assert "O5" not in rows  # never paid
    assert "O7" not in rows  # December


def test_bars_per_channel_with_their_table_and_links(client, manager, orders):
    client.force_login(manager)
    response = client.get(url(group_by="channel"))
    html = response.content.decode()
    table = html.split('id="report-bars-table"', 1)[1].split("</table>", 1)[0]
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", table)).split())
    assert "Mercado Livre R$ 497,00" in text
    assert "Loja virtual R$ 270,00" in text
    link = unescape(re.search(r'<a href="([^"]+)">Loja virtual', table).group(1))
    rows = " ".join(listing_rows(client.get(link)))
    assert "O1" in rows and "O2" in rows and "O3" not in rows


def test_funnel_counts_how_far_the_orders_went(client, manager, orders):
    client.force_login(manager)
    response = client.get(url(export="csv", table="funnel"))
    rows = csv_export(response)
    # placed O1–O6; paid O1 O2 O3 O4 O6; shipped and delivered O1 O4 O6
    assert [row[1] for row in rows[1:]] == ["6", "5", "0", "3", "3"]


def test_exports_of_the_figures_and_the_series(client, manager, orders):
    client.force_login(manager)
    figures = csv_export(client.get(url(export="csv", table="figures")))
    gmv = next(row for row in figures if row[1] in ("GMV",))
    assert gmv[2] == "767,00"
    series = xlsx_export(client.get(url(export="xlsx", table="series")))
    assert len(series) == 1 + 30  # header and the 30 days of November
    by_day = {row[0].value.strftime("%d/%m"): row[1].value for row in series[1:]}
    assert Decimal(str(by_day["10/11"])) == Decimal("270")
    assert by_day["01/11"] in (None, 0)


def test_an_attendant_sees_only_their_channel(client, orders, loja, mercado_livre):
    attendant = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(attendant, loja)
    client.force_login(attendant)
    response = client.get(url())
    assert response.status_code == 200
    assert "R$ 270,00" in card(response, "orders.gmv")
    # Another channel cannot be chosen.
    response = client.get(url(channel=mercado_livre.pk))
    assert 'data-kpi="orders.gmv"' not in response.content.decode()
    assert response.context["form"].errors["channel"]


def test_who_may_not_see_reports_is_turned_away(client, editor):
    client.force_login(editor)
    assert is_admin_denied(client.get(reverse("analytics:dashboard")))


def test_a_custom_period_that_ends_before_it_starts(client, manager):
    client.force_login(manager)
    response = client.get(url(start="10/11/2026", end="01/11/2026"))
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].non_field_errors()
