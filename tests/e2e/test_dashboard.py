"""The dashboard in the browser: the order desk, the manager and the editor
each see their panels with the figures of a hand-computed set of orders and
products (tests/plugins/orders/dashboard_fixtures.py), the sales chart is
drawn, and a figure leads to the orders it counts."""

import pytest
from playwright.sync_api import expect

from plugins.orders.models import SalesChannel
from tests.content.conftest import make_product
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel
from tests.plugins.orders.dashboard_fixtures import (
    DESK_LOJA,
    SALES_SHOWN,
    make_dashboard_orders,
)

# serialized_rollback: flushing between tests would also remove the page tree
# and default site that migrations create; restore them for every test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def orders(db):
    loja = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    mercado_livre = SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind=SalesChannel.Kind.MARKETPLACE,
        accepts_custom_prices=True,
    )
    make_dashboard_orders(loja, mercado_livre, prefix="PD-")
    return loja, mercado_livre


def value(page, key):
    return page.locator(f'[data-figure="{key}"] [data-value]')


def detail(page, key, name):
    return page.locator(f'[data-figure="{key}"] [data-detail="{name}"] dd')


def test_order_desk_sees_the_queues_of_their_channel(page, login, orders):
    user = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(user, orders[0])  # the storefront only
    login(page, "atendente")

    panel = page.locator("#order_desk-section")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Atendimento")).to_be_visible()
    for key, expected in DESK_LOJA.items():
        expect(value(page, key)).to_have_text(str(expected))
    expect(page.locator('[data-figure="today-loja"]')).to_contain_text("Loja virtual")
    expect(value(page, "today-loja")).to_have_text("2")
    expect(page.locator('[data-figure="today-mercado-livre"]')).to_have_count(0)
    expect(page.locator("#sales-section")).to_have_count(0)
    expect(page.locator("#editor-section")).to_have_count(0)

    # The late figure leads to the late orders of the channel.
    page.locator('[data-figure="late"] a').click()
    expect(page.get_by_role("link", name="PD-B")).to_be_visible()
    expect(page.get_by_role("link", name="PD-E")).to_be_visible()
    expect(page.locator("table.listing tbody tr")).to_have_count(2)


def test_manager_sees_sales_nps_and_the_chart(page, login, orders):
    UserFactory(username="gerente", roles=["manager"])
    login(page, "gerente")

    panel = page.locator("#sales-section")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Vendas", exact=True)).to_be_visible()
    for key, (total, count, ticket) in SALES_SHOWN.items():
        expect(value(page, key)).to_have_text(total)
        expect(detail(page, key, "orders")).to_have_text(count)
        expect(detail(page, key, "average_ticket")).to_have_text(ticket)
    expect(value(page, "nps")).to_have_text("40")
    expect(detail(page, "nps", "answers")).to_have_text("5")

    chart = page.locator("#sales-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    drawn = page.evaluate(
        """() => {
            const canvas = document.getElementById('sales-chart');
            const chart = window.Chart.getChart(canvas);
            return chart.data.datasets[0].data.filter((v) => v > 0).length;
        }"""
    )
    assert drawn == 5  # the five days with sales
    expect(page.locator("#order_desk-section")).to_have_count(0)


def test_editor_sees_drafts_of_the_catalog(page, login, db):
    UserFactory(username="editor", roles=["content_editor"])
    make_product("camiseta", variants=[("CAM-1", "49.90")])
    make_product("caneca", live=False, variants=[("CAN-1", "39.90")])
    make_product("bone", live=False, variants=[("BON-1", "29.90")])
    login(page, "editor")

    panel = page.locator("#editor-section")
    expect(panel).to_be_visible()
    expect(value(page, "products-draft")).to_have_text("2")
    expect(value(page, "products-changes")).to_have_text("0")
    expect(value(page, "pages-draft")).to_have_text("0")
    expect(page.locator("#sales-section")).to_have_count(0)
    expect(page.locator("#order_desk-section")).to_have_count(0)

    page.locator('[data-figure="products-draft"] a').click()
    expect(page.get_by_role("link", name="Caneca")).to_be_visible()
    expect(page.get_by_role("link", name="Bone")).to_be_visible()
    expect(page.get_by_role("link", name="Camiseta")).to_have_count(0)
