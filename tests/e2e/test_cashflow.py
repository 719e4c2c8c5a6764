"""The cash flow in the browser: the finance manager opens *Fluxo de caixa*
and the chart is drawn from the page's data, the bars and the balance line
of the hand-computed book of tests/plugins/finance/test_cashflow.py."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.plugins.finance.test_cashflow import TODAY, Books, shift

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_manager_sees_the_chart_and_the_table(page, login, live_server):
    books = Books(TODAY)
    shift(books, (timezone.localdate() - TODAY).days)
    UserFactory(username="gerente-fin", roles=["finance_manager"])
    login(page, "gerente-fin")
    today = timezone.localdate()
    start = today.replace(day=1).strftime("%d/%m/%Y")
    end = today.strftime("%d/%m/%Y")
    page.goto(
        f"{live_server.url}/admin/finance/cash-flow/account/{books.itau.pk}/"
        f"?start={start}&end={end}&granularity=day&account={books.itau.pk}"
    )
    chart = page.locator("#cashflow-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    drawn = page.evaluate(
        """() => {
            const canvas = document.getElementById('cashflow-chart');
            const chart = window.Chart.getChart(canvas);
            return chart.data.datasets.map((d) => [d.type, d.data.length]);
        }"""
    )
    assert [kind for kind, _n in drawn] == ["bar", "bar", "bar", "bar", "line"]
    assert len({n for _kind, n in drawn}) == 1
    expect(page.locator("#cashflow-table tbody tr")).to_have_count(drawn[0][1])
