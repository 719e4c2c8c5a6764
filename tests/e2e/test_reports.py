"""Reports in the browser: a manager sets this month's goal for the
storefront channel, sees its progress at the top of Relatórios › Painel with
the figures and charts, drills into the orders behind a figure and downloads
a chart's table."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugins.analytics.periods import store_today
from plugins.orders.models import Order, OrderEvent, OrderLine, SalesChannel
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _order(channel, number, total, placed):
    order = Order.objects.create(
        number=number,
        channel=channel,
        customer_name="Cliente",
        shipping_address={"uf": "SP"},
        subtotal=Decimal(total),
        total=Decimal(total),
        payment_method="pix",
        status="paid",
        placed_at=placed,
        paid_at=placed,
    )
    OrderLine.objects.create(
        order=order,
        sku="SKU-1",
        product_name="Produto",
        quantity=1,
        unit_price=Decimal(total),
        total=Decimal(total),
    )
    OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.PLACED, created_at=placed
    )
    return order


@pytest.fixture
def sales(db):
    loja = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    ml = SalesChannel.objects.create(
        code="mercado-livre", name="Mercado Livre", kind=SalesChannel.Kind.MARKETPLACE
    )
    today = store_today()
    noon = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time(12)),
        timezone.get_default_timezone(),
    )
    _order(loja, "RP-1", "300.00", noon)
    _order(loja, "RP-2", "100.00", noon + datetime.timedelta(minutes=5))
    _order(ml, "RP-3", "500.00", noon)
    return loja, ml


def test_manager_sets_a_goal_sees_it_and_drills_into_the_orders(
    page, login, live_server, sales
):
    UserFactory(username="gerente", roles=["manager"])
    login(page, "gerente")

    # Relatórios › Metas › Adicionar: R$ 1.000,00 of GMV this month, storefront.
    page.goto(f"{live_server.url}/admin/reports/goals/new/")
    page.select_option("select[name=kpi]", "orders.gmv")
    page.select_option("select[name=period_kind]", "month")
    page.fill("input[name=period_start]", store_today().strftime("%d/%m/%Y"))
    page.select_option("select[name=channel]", label="Loja virtual")
    page.fill("input[name=target]", "1.000,00")
    page.get_by_role("button", name="Criar").click()
    expect(page.locator(".messages")).to_contain_text("GMV")

    # The reports screen opens with the goal: R$ 400,00 of R$ 1.000,00.
    page.goto(f"{live_server.url}/admin/reports/")
    goal = page.locator("[data-goal]").first
    expect(goal).to_contain_text("Loja virtual")
    expect(goal.locator("[data-actual]")).to_have_text("R$ 400,00")
    expect(goal.locator("[data-percent]")).to_contain_text("40,0")
    expect(goal.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "40")

    # The figures and the charts, drawn.
    gmv = page.locator('li.rg-report-card[data-kpi="orders.gmv"]')
    expect(gmv.locator("[data-figure-value]")).to_have_text("R$ 900,00")
    for chart in ("report-series-data", "report-bars-data", "report-funnel-data"):
        canvas = page.locator(f'canvas[data-rg-chart-data-id-value="{chart}"]')
        expect(canvas).to_have_attribute("data-rendered", "true")
    bars = page.locator("#report-bars-table")
    expect(bars).to_contain_text("Mercado Livre")
    expect(bars).to_contain_text("R$ 500,00")

    # Download the bars' table.
    with page.expect_download() as info:
        page.locator("#export-bars-csv").click()
    content = open(info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert ["Mercado Livre", "500,00", "55,6"] in rows
    assert ["Loja virtual", "400,00", "44,4"] in rows

    # Drill down: the storefront's row opens its orders.
    bars.get_by_role("link", name="Loja virtual").click()
    expect(page.get_by_role("link", name="RP-1")).to_be_visible()
    expect(page.get_by_role("link", name="RP-2")).to_be_visible()
    expect(page.get_by_role("link", name="RP-3")).to_have_count(0)
