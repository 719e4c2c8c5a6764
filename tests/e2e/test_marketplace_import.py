"""Marketplace orders in the browser: an attendant of Mercado Livre imports a
file of orders as the marketplace sends them (paid, shipped, delivered and
cancelled, with payments and ratings), skipping the orders without items,
then opens a delivered order and reads its payments, fee, rating and the
imported steps of its timeline."""

import pytest
from playwright.sync_api import expect

from plugins.orders.models import Order, SalesChannel
from tests.content.conftest import make_product
from tests.factories import UserFactory
from tests.plugins.orders import marketplace_sample
from tests.plugins.orders.conftest import grant_channel

pytestmark = [
    pytest.mark.e2e,
    # on PostgreSQL the import writes its progress through a connection of
    # its own
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases="__all__"
    ),
]


@pytest.fixture
def attendant(db):
    channel = SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind=SalesChannel.Kind.MARKETPLACE,
        accepts_custom_prices=True,
    )
    make_product("camiseta-basica", variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")])
    make_product("caneca", variants=[("CAN-1", "39.90")])
    velha = make_product("velha", variants=[("VEL-1", "10.00")])
    velha.variants.update(active=False)
    user = UserFactory(username="atende-ml", roles=["order_desk"])
    grant_channel(user, channel)
    return user


def test_attendant_imports_marketplace_orders_with_their_history(
    page, login, live_server, attendant, tmp_path
):
    orders = marketplace_sample.build(count=40)
    sample = tmp_path / "pedidos-mercado-livre.csv"
    sample.write_bytes(marketplace_sample.csv_bytes(orders))
    importable = [o for o in orders if o.importable]
    login(page, "atende-ml")

    page.goto(f"{live_server.url}/admin/imports/orders.marketplace/")
    page.set_input_files("input[type=file]", str(sample))
    page.get_by_role("button", name="Conferir o arquivo").click()
    confirm = page.locator("#import-confirm")
    expect(confirm).to_be_visible(timeout=60_000)
    # the orders without items are the invalid ones, each with its reason
    expect(page.locator("#import-errors")).to_contain_text("pelo menos um item")
    expect(page.locator("[data-count=valid]")).to_have_text(
        str(sum(len(o.rows) for o in importable))
    )
    page.screenshot(path="var/e2e-marketplace-import-check.png", full_page=True)
    confirm.get_by_role("button").click()
    expect(page.locator("#import-done")).to_be_visible(timeout=60_000)
    assert Order.objects.count() == len(importable)

    delivered = next(o for o in importable if o.status == "delivered" and o.rating)
    order = Order.objects.get(external_id=delivered.external_id)
    page.goto(f"{live_server.url}/admin/orders/{order.pk}/")
    expect(page.locator("#order-status")).to_have_text("Entregue")
    payments = page.locator("#order-payments tbody tr")
    expect(payments).to_have_count(len(delivered.payments))
    expect(page.locator("#order-marketplace-fee")).to_contain_text("R$")
    survey = page.locator("#order-survey-section")
    expect(survey).to_contain_text(f"{delivered.rating} estrela")
    timeline = page.locator("#order-timeline-list")
    expect(timeline).to_contain_text("importado")
    expect(timeline).to_contain_text("Enviado → Entregue")
    page.screenshot(path="var/e2e-imported-order.png", full_page=True)
