"""Stock in the browser: a clerk of SP-01 counts a category through the Stock
menu (blind: without the expected units), posts the count, and cannot open
RJ-01's stock; a clerk receives goods picking the SKU by typing part of the
product's name, lands on the list of that SKU and opens its kardex."""

import pytest
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from content.models import Variant
from plugins.stock import services
from plugins.stock.models import InventoryCount, StockLevel, Warehouse
from tests.content.conftest import make_category, make_product
from tests.factories import UserFactory

# serialized_rollback: flushing between tests would also remove the page tree
# and default site that migrations create; restore them for every test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def stock_world(db):
    moda = make_category("moda", "Moda")
    camisetas = make_category("camisetas", "Camisetas", parent=moda)
    casa = make_category("casa", "Casa")
    make_product(
        "camiseta-basica",
        primary_category=camisetas,
        variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")],
    )
    make_product("caneca", primary_category=casa, variants=[("CAN-1", "39.90")])
    sp = Warehouse.objects.create(code="SP-01", name="CD São Paulo", priority=10)
    rj = Warehouse.objects.create(code="RJ-01", name="CD Rio de Janeiro", priority=20)
    for sku, warehouse, units in (
        ("CAM-P", sp, 5),
        ("CAM-M", sp, 2),
        ("CAN-1", sp, 4),
        ("CAM-P", rj, 7),
    ):
        services.receive_stock(
            warehouse, variant=Variant.objects.get(sku=sku), quantity=units, user=None
        )
    clerk = UserFactory(username="estoquista", roles=["stock_clerk"])
    for perm in ("stock.view_warehouse", "stock.operate_warehouse"):
        assign_perm(perm, clerk, sp)
    return sp, rj


def sidebar(page):
    return page.locator("[data-wagtail-sidebar], #wagtail-sidebar, aside").first


def test_clerk_counts_a_category_and_posts_the_differences(
    page, login, live_server, stock_world
):
    sp, rj = stock_world
    login(page, "estoquista")
    nav = sidebar(page)
    nav.get_by_role("button", name="Retaguarda").click()
    nav.get_by_role("button", name="Estoque").click()
    nav.get_by_role("link", name="Inventários").click()
    page.wait_for_url(f"{live_server.url}/admin/stock/counts/")

    page.get_by_role("link", name="Abrir inventário").click()
    page.select_option("select[name=warehouse]", label="SP-01 — CD São Paulo")
    page.select_option("select[name=category]", label="Moda › Camisetas")
    page.get_by_role("button", name="Abrir o inventário").click()
    expect(page.locator("#count-lines tbody tr")).to_have_count(2)  # not CAN-1

    # a blind count: product names, no expected units
    expect(page.locator("tr[data-sku=CAM-P]")).to_contain_text("Camiseta Basica")
    expect(page.locator("#count-lines")).not_to_contain_text("Esperado")
    page.screenshot(path="var/e2e-stock-count-blind.png", full_page=True)
    page.locator("tr[data-sku=CAM-P] input").fill("3")
    page.locator("tr[data-sku=CAM-M] input").fill("2")
    page.get_by_role("button", name="Revisar a contagem").click()
    page.wait_for_url("**/review/")
    expect(page.locator("tr[data-sku=CAM-P] [data-counted]")).to_have_text("3")
    expect(page.locator("tr[data-sku=CAM-M] [data-counted]")).to_have_text("2")
    expect(page.locator("[data-difference]")).to_have_count(0)
    page.screenshot(path="var/e2e-stock-count-review.png")

    page.get_by_role("button", name="Lançar a contagem").click()
    expect(page.locator("#count-status")).to_have_text("Lançado")
    assert StockLevel.objects.get(variant__sku="CAM-P", warehouse=sp).on_hand == 3
    assert StockLevel.objects.get(variant__sku="CAM-M", warehouse=sp).on_hand == 2
    assert InventoryCount.objects.get().status == "posted"
    assert services.find_drift() == []

    # RJ-01's stock is not the clerk's: not in the listing, not in its filter,
    # and its screens answer 404.
    page.goto(f"{live_server.url}/admin/stock/levels/")
    expect(page.locator("table").get_by_text("SP-01").first).to_be_visible()
    expect(page.get_by_text("RJ-01")).to_have_count(0)
    page.goto(f"{live_server.url}/admin/stock/levels/?warehouse={rj.pk}")
    expect(page.get_by_text("RJ-01")).to_have_count(0)
    level = StockLevel.objects.get(variant__sku="CAM-P", warehouse=rj)
    response = page.goto(
        f"{live_server.url}/admin/stock/levels/{level.pk}/reorder-point/"
    )
    assert response.status == 404
    count = services.open_count(rj, user=None)
    response = page.goto(f"{live_server.url}/admin/stock/counts/{count.pk}/")
    assert response.status == 404


def test_clerk_receives_by_product_name_and_follows_the_kardex(
    page, login, live_server, stock_world
):
    sp, _rj = stock_world
    login(page, "estoquista")
    page.goto(f"{live_server.url}/admin/stock/receive/")
    page.select_option("select[name=warehouse]", label="SP-01 — CD São Paulo")
    sku = page.get_by_role("combobox", name="SKU")
    sku.press_sequentially("camis")
    options = page.get_by_role("listbox", name="Sugestões").get_by_role("option")
    expect(options).to_have_count(2)  # CAM-M and CAM-P, not CAN-1
    expect(options.first).to_contain_text("CAM-M — Camiseta Basica")
    expect(options.first).to_contain_text("SP-01: 2 em estoque, 2 disponíveis")
    page.screenshot(path="var/e2e-stock-sku-suggestions.png")
    sku.press("ArrowDown")
    expect(sku).to_have_attribute("aria-activedescendant", "id_sku-listbox-0")
    sku.press("Enter")
    expect(sku).to_have_value("CAM-M")
    expect(options).to_have_count(0)
    page.fill("input[name=quantity]", "4")
    page.fill("input[name=reference]", "NF 1234")
    page.get_by_role("button", name="Receber").click()

    # the list of that SKU's levels
    page.wait_for_url("**/admin/stock/levels/?sku=CAM-M")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("6")
    page.screenshot(path="var/e2e-stock-levels-after-receipt.png")

    # the SKU opens its kardex: 2, then 6 after the receipt
    rows.first.get_by_role("link", name="CAM-M").click()
    page.wait_for_url(f"**/admin/stock/sku/*/?warehouse={sp.pk}")
    expect(page.locator("#kardex td.kardex-balance")).to_have_text(["2", "6"])
    expect(page.locator("#kardex td.kardex-units")).to_have_text(["+2", "+4"])
    expect(page.locator("#kardex")).to_contain_text("NF 1234")
    expect(page.locator("#kardex-product")).to_have_text("Camiseta Basica · op1")
    page.screenshot(path="var/e2e-stock-kardex.png", full_page=True)
