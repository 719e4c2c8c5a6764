"""The clerk's stock screens: SKU suggestions, the levels list after a
receipt, the kardex and its running balance, blind counts and the count
sheet, the stock value at cost, and the low-stock dashboard panel; figures
checked against numbers worked out by hand."""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from content.models import Variant
from plugins.stock import services
from plugins.stock.models import InventoryCount
from tests.helpers import is_admin_denied
from tests.plugins.stock.conftest import level, stock, variant

SEARCH = "/admin/stock/sku-search/"
LEVELS = "/admin/stock/levels/"


def kardex(sku) -> str:
    return f"/admin/stock/sku/{variant(sku).pk}/"


def html(response) -> str:
    return response.content.decode()


def cells(page: str, classname: str) -> list[str]:
    return [
        value.strip()
        for value in re.findall(rf'<td class="{classname}">\s*(.*?)\s*</td>', page)
    ]


@pytest.fixture
def clerk_client(client, clerk_sp):
    client.force_login(clerk_sp)
    return client


def login(client, user):
    client.force_login(user)
    return client


def client_of(user) -> Client:
    """A second browser, beside the clerk's."""
    return login(Client(), user)


# -- SKU suggestions -----------------------------------------------------------


def test_sku_suggestions_show_name_sku_and_the_level_of_the_clerks_warehouses(
    stocked, clerk_client, sp, rj
):
    # given CAM-P: 5 in SP-01 and 3 in RJ-01; the clerk works SP-01 only
    results = clerk_client.get(SEARCH, {"q": "cam"}).json()["results"]
    by_sku = {r["sku"]: r for r in results}
    assert list(by_sku) == ["CAM-M", "CAM-P"]
    cam_p = by_sku["CAM-P"]
    assert cam_p["value"] == "CAM-P"
    assert cam_p["name"] == "Camiseta Basica · op0"
    # RJ-01's 3 units are not the clerk's to know of
    assert (cam_p["on_hand"], cam_p["available"]) == (5, 5)
    assert "SP-01" not in cam_p["detail"] and "5" in cam_p["detail"]
    # in the warehouse chosen on the form
    results = clerk_client.get(SEARCH, {"q": "CAM-P", "warehouse": sp.pk}).json()
    assert results["results"][0]["detail"].startswith("SP-01: 5")
    # by product name, whatever the case
    names = clerk_client.get(SEARCH, {"q": "CANECA"}).json()["results"]
    assert [(r["sku"], r["on_hand"]) for r in names] == [("CAN-1", 0)]


def test_sku_suggestions_of_another_warehouse_do_not_exist(stocked, clerk_client, rj):
    response = clerk_client.get(SEARCH, {"q": "cam", "warehouse": rj.pk})
    assert response.status_code == 404
    assert clerk_client.get(SEARCH, {"q": "cam", "warehouse": "x"}).status_code == 404


def test_sku_suggestions_count_reservations_and_are_denied_without_stock(
    stocked, client, manager, editor, sp, rj
):
    results = login(client, manager).get(SEARCH, {"q": "CAM-P"}).json()["results"]
    assert (results[0]["on_hand"], results[0]["available"]) == (8, 8)
    assert is_admin_denied(login(client, editor).get(SEARCH, {"q": "cam"}))


def test_sku_suggestions_take_the_same_queries_for_more_results(
    stocked, clerk_client, sp
):
    from tests.content.conftest import make_product

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = clerk_client.get(SEARCH, {"q": "cam", "warehouse": sp.pk})
        return len(captured), len(response.json()["results"])

    few, found = queries()
    make_product("camisa-polo", variants=[(f"CAM-X{i}", "59.90") for i in range(6)])
    for i in range(6):
        stock(f"CAM-X{i}", sp, i + 1)
    more, found_more = queries()
    assert (found, found_more) == (2, 8)
    assert more == few


def test_the_stock_forms_suggest_skus(stocked, clerk_client):
    for url in ("/admin/stock/receive/", "/admin/stock/adjust/"):
        page = html(clerk_client.get(url))
        assert 'data-controller="rg-autocomplete"' in page
        assert 'role="combobox"' in page and "plugins/js/autocomplete.js" in page
        assert "{&quot;warehouse&quot;: &quot;id_warehouse&quot;}" in page
    page = html(clerk_client.get("/admin/stock/transfers/new/"))
    assert page.count('data-controller="rg-autocomplete"') == 5  # the lines
    assert "{&quot;warehouse&quot;: &quot;id_source&quot;}" in page


# -- receipt → levels of that SKU ----------------------------------------------


def test_after_a_receipt_the_list_shows_the_levels_of_that_sku(
    stocked, clerk_client, sp
):
    response = clerk_client.post(
        "/admin/stock/receive/",
        {"warehouse": sp.pk, "sku": "CAM-M", "quantity": 3, "reference": "NF 7"},
    )
    assert response.status_code == 302
    assert response.url == f"{LEVELS}?sku=CAM-M"
    page = html(clerk_client.get(response.url))
    assert "CAM-M" in page and "CAM-P" not in page
    # the SKU links to its kardex in that warehouse
    assert f"{kardex('CAM-M')}?warehouse={sp.pk}" in page


# -- kardex --------------------------------------------------------------------


def test_kardex_running_balance_carries_on_across_pages_and_warehouses(
    stocked, client, manager, sp, rj
):
    # given CAM-P: +5 in SP-01, +3 in RJ-01, then 50 receipts of 1 in SP-01
    for _ in range(50):
        stock("CAM-P", sp, 1)
    login(client, manager)
    # all warehouses, oldest first: 5, 8, 9, 10 … 56 on page 1 (50 rows)
    page1 = html(client.get(kardex("CAM-P")))
    balances = [int(b) for b in cells(page1, "kardex-balance")]
    assert balances[:4] == [5, 8, 9, 10]
    assert len(balances) == 50 and balances[-1] == 56
    # page 2 goes on from 56 and ends at the units on hand in both warehouses
    page2 = html(client.get(kardex("CAM-P"), {"p": 2}))
    assert [int(b) for b in cells(page2, "kardex-balance")] == [57, 58]
    assert level("CAM-P", sp).on_hand + level("CAM-P", rj).on_hand == 58
    assert cells(page2, "kardex-units") == ["+1", "+1"]
    # one warehouse: RJ-01's balance is its own
    rj_page = html(client.get(kardex("CAM-P"), {"warehouse": rj.pk}))
    assert cells(rj_page, "kardex-balance") == ["3"]


def test_kardex_in_portuguese_with_dates_kinds_and_reference_links(
    stocked, clerk_client, sp, rj
):
    from django.utils import timezone

    transfer = services.send_transfer(
        source=sp, destination=rj, lines=[(variant("CAM-P"), 2)], user=None
    )
    services.adjust_stock(
        sp, variant=variant("CAM-P"), quantity=-1, reason="quebra", user=None
    )
    page = html(clerk_client.get(kardex("CAM-P")))
    assert "Entrada" in page and "Saída por transferência" in page
    assert f"/admin/stock/transfers/{transfer.pk}/" in page  # the clerk sees it
    assert "quebra" in page and "Kardex" in page
    today = timezone.localtime().strftime("%d/%m/%Y")
    assert re.search(rf"{today} \d\d:\d\d", page)
    # SP-01 only (the clerk's): 5, 3 after the transfer, 2 after the loss
    assert cells(page, "kardex-balance") == ["5", "3", "2"]
    assert cells(page, "kardex-units") == ["+5", "-2", "-1"]


def test_kardex_is_scoped_to_the_users_warehouses(
    stocked, clerk_client, client, editor, rj
):
    # CAN-1 is stocked in RJ-01 only: nothing of it shows to SP-01's clerk
    page = html(clerk_client.get(kardex("CAN-1")))
    assert "RJ-01" not in page and "Nenhuma movimentação" in page
    assert clerk_client.get(kardex("CAN-1"), {"warehouse": rj.pk}).status_code == 404
    assert clerk_client.get("/admin/stock/sku/999999/").status_code == 404
    assert is_admin_denied(login(client, editor).get(kardex("CAN-1")))


def test_movements_listing_links_skus_to_their_kardex(stocked, clerk_client, sp):
    page = html(clerk_client.get("/admin/stock/movements/"))
    assert f'href="{kardex("CAM-P")}?warehouse={sp.pk}"' in page


# -- blind counts and the count sheet ------------------------------------------


@pytest.fixture
def odd_count(stocked, sp):
    """An open count of SP-01 where CAM-P is expected at 7319 units."""
    stock("CAM-P", sp, 7314)  # 5 + 7314
    return services.open_count(sp, user=None)


def test_a_clerk_counts_blind_and_the_stock_manager_sees_the_expected_units(
    odd_count, clerk_client, stock_manager
):
    detail = f"/admin/stock/counts/{odd_count.pk}/"
    page = html(clerk_client.get(detail))
    assert "7319" not in page and "Esperado" not in page
    assert "Camiseta Basica" in page  # product names beside the SKUs
    line = odd_count.lines.get(sku="CAM-P")
    response = clerk_client.post(detail, {f"line-{line.pk}": 7300, "review": ""})
    assert response.status_code == 302
    review = html(clerk_client.get(detail + "review/"))
    assert "7319" not in review and "-19" not in review
    manager = client_of(stock_manager)
    manager_page = html(manager.get(detail))
    assert "7319" in manager_page and "Esperado" in manager_page
    manager_review = html(manager.get(detail + "review/"))
    assert 'data-difference="-19"' in manager_review
    # after posting, the clerk still does not see the difference
    assert clerk_client.post(detail + "post/").status_code == 302
    assert InventoryCount.objects.get().status == "posted"
    assert "-19" not in html(clerk_client.get(detail))
    assert "-19" in html(manager.get(detail))


def test_the_clerk_api_never_carries_the_expected_units(odd_count, clerk_sp):
    from tests.plugins.orders.conftest import staff_client

    body = staff_client(clerk_sp).get(f"/api/v1/stock/counts/{odd_count.pk}/")
    assert body.status_code == 200
    assert "7319" not in body.content.decode() and "expected" not in body.json()


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_count_sheet_is_a_pdf_with_product_names_and_no_expected_units_when_blind(
    odd_count, clerk_client, stock_manager
):
    url = f"/admin/stock/counts/{odd_count.pk}/sheet/"
    response = clerk_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response)
    for expected in (
        "Folha de contagem",
        "Camiseta Basica · op0",
        "CAM-P",
        "CAM-M",
        "SP-01",
        "Contado",
        "página 1",
    ):
        assert expected in text, expected
    assert "7319" not in text and "Esperado" not in text
    assert f'href="{url}"' in html(
        clerk_client.get(f"/admin/stock/counts/{odd_count.pk}/")
    )
    text = pdf_text(client_of(stock_manager).get(url))
    assert "7319" in text and "Esperado" in text


def test_count_sheet_of_another_warehouse_does_not_exist(stocked, clerk_client, rj):
    count = services.open_count(rj, user=None)
    assert clerk_client.get(f"/admin/stock/counts/{count.pk}/sheet/").status_code == 404


# -- stock value at cost -------------------------------------------------------


@pytest.fixture
def costed(stocked):
    """Cost prices: CAM-P 20,00, CAM-M 15,50, CAN-1 8,25."""
    for sku, cost in (("CAM-P", "20.00"), ("CAM-M", "15.50"), ("CAN-1", "8.25")):
        Variant.objects.filter(sku=sku).update(cost_price=Decimal(cost))
    return stocked


def test_stock_value_at_cost_per_warehouse(costed, client, manager):
    # SP-01: 5 × 20,00 + 2 × 15,50 = 131,00; RJ-01: 3 × 20,00 + 10 × 8,25 = 142,50
    page = html(login(client, manager).get("/admin/stock/warehouses/"))
    assert "Valor em estoque a custo" in page
    assert "R$ 131,00" in page and "R$ 142,50" in page
    # a SKU without a cost counts as nothing, and is said so
    Variant.objects.filter(sku="CAN-1").update(cost_price=None)
    page = html(client.get("/admin/stock/warehouses/"))
    assert "R$ 60,00 (1 SKU sem custo)" in page


def test_stock_value_is_hidden_from_roles_that_may_not_see_cost(
    costed, client, auditor, stock_manager
):
    for user in (auditor, stock_manager):
        page = html(login(client, user).get("/admin/stock/warehouses/"))
        assert "SP-01" in page
        assert "Valor em estoque" not in page and "R$ 131,00" not in page


# -- the low-stock panel -------------------------------------------------------


def low_stock(stocked_sp, stocked_rj):
    """CAM-M in SP-01 (2 available, reorder at 5) and CAM-P in RJ-01 (3, at 3)
    are low; CAM-P in SP-01 (5, at 2) is not."""
    for sku, warehouse, point in (
        ("CAM-M", stocked_sp, 5),
        ("CAM-P", stocked_rj, 3),
        ("CAM-P", stocked_sp, 2),
    ):
        services.set_reorder_point(
            level(sku, warehouse), reorder_point=point, user=None
        )


def panel_html(user) -> str:
    from plugins.stock.panels import LowStockPanel

    request = RequestFactory().get("/admin/")
    request.user = user
    return LowStockPanel(request).render_html({"request": request})


def test_low_stock_panel_figures_names_and_kardex_links(
    stocked, manager, clerk_sp, sp, rj
):
    low_stock(sp, rj)
    page = panel_html(manager)
    assert re.search(r'data-figure="low-stock".*?data-value>2<', page, re.S)
    rows = re.findall(r'<tr data-sku="([^"]+)" data-warehouse="([^"]+)">', page)
    assert rows == [("CAM-M", "SP-01"), ("CAM-P", "RJ-01")]
    assert "Camiseta Basica · op1" in page and "Camiseta Basica · op0" in page
    assert f'href="{kardex("CAM-M")}?warehouse={sp.pk}"' in page
    assert f'href="{kardex("CAM-P")}?warehouse={rj.pk}"' in page
    # the SP-01 clerk: their warehouse's only
    page = panel_html(clerk_sp)
    assert re.search(r'data-figure="low-stock".*?data-value>1<', page, re.S)
    assert "RJ-01" not in page


def test_low_stock_panel_queries_do_not_grow_with_the_data(stocked, manager, sp, rj):
    from tests.content.conftest import make_product

    low_stock(sp, rj)
    panel_html(manager)  # warm the permission caches alike for both runs
    with CaptureQueriesContext(connection) as few:
        panel_html(manager)
    make_product("meia", variants=[(f"MEI-{i}", "9.90") for i in range(12)])
    for i in range(12):
        stock(f"MEI-{i}", rj, 1)
        services.set_reorder_point(level(f"MEI-{i}", rj), reorder_point=4, user=None)
    with CaptureQueriesContext(connection) as more:
        page = panel_html(manager)
    assert re.search(r'data-figure="low-stock".*?data-value>14<', page, re.S)
    assert len(more) == len(few)


def test_low_stock_panel_only_for_roles_that_see_stock(stocked, editor, clerk_sp, sp):
    from plugins.stock.panels import LowStockPanel

    assert not LowStockPanel.user_can_see(editor)
    assert LowStockPanel.user_can_see(clerk_sp)


def test_a_sku_found_on_the_shelf_is_added_to_the_count_and_posted(
    stocked, clerk_client, sp
):
    from wagtail.models import ModelLogEntry

    # given a count of SP-01, which never stocked CAN-1
    count = services.open_count(sp, user=None)
    detail = f"/admin/stock/counts/{count.pk}/"
    page = html(clerk_client.get(detail))
    assert "CAN-1" not in page
    assert "{&quot;warehouse&quot;: &quot;id_count_warehouse&quot;}" in page
    # when the clerk adds it, picked among the suggestions
    response = clerk_client.post(detail + "add-line/", {"sku": "CAN-1"})
    line = count.lines.get(sku="CAN-1")
    assert response.url == f"{detail}#line-{line.pk}"
    assert line.expected == 0
    assert f'id="line-{line.pk}"' in html(clerk_client.get(detail))
    # adding it again changes nothing; an unknown SKU adds nothing
    clerk_client.post(detail + "add-line/", {"sku": "CAN-1"})
    clerk_client.post(detail + "add-line/", {"sku": "NADA-9"})
    assert count.lines.count() == 3
    assert ModelLogEntry.objects.filter(action="stock.count.add_line").count() == 1
    # then its counted units are posted like the others
    clerk_client.post(detail, {f"line-{line.pk}": 3})
    assert clerk_client.post(detail + "post/").status_code == 302
    assert level("CAN-1", sp).on_hand == 3


def test_skus_are_not_added_to_other_warehouses_counts(stocked, clerk_client, rj):
    count = services.open_count(rj, user=None)
    response = clerk_client.post(
        f"/admin/stock/counts/{count.pk}/add-line/", {"sku": "CAM-M"}
    )
    assert response.status_code == 404
    assert not count.lines.filter(sku="CAM-M").exists()


def test_kardex_queries_do_not_grow_with_the_movements(
    stocked, client, manager, sp, rj
):
    def transfer_and_count():
        services.send_transfer(
            source=sp, destination=rj, lines=[(variant("CAM-P"), 1)], user=None
        )
        count = services.open_count(sp, user=None)
        line = count.lines.get(sku="CAM-P")
        services.record_counts(
            count, counted={line.pk: level("CAM-P", sp).on_hand + 1}, user=None
        )
        services.post_count(count, user=None)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = html(client.get(kardex("CAM-P")))
        return len(captured), page

    login(client, manager)
    transfer_and_count()
    client.get(kardex("CAM-P"))  # warm the permission caches alike
    few, page = queries()
    assert page.count("/admin/stock/transfers/") >= 1
    for _ in range(4):
        stock("CAM-P", sp, 2)
        transfer_and_count()
    more, page = queries()
    # two receipts, then a transfer out and a count adjustment; 4 × three more
    assert len(cells(page, "kardex-balance")) == 4 + 4 * 3
    assert more == few


def test_kardex_links_an_orders_sale_only_for_who_may_see_the_order(
    stocked, loja, clerk_client, manager, sp
):
    from plugins.orders.services import transition_order
    from tests.plugins.stock.conftest import place

    order = place(loja, lines=[{"sku": "CAM-P", "quantity": 2}])
    for name in ("pay", "invoice", "prepare", "ship"):
        transition_order(order, name, user=None, reason="")
    order_url = f"/admin/orders/{order.pk}/"
    # the manager opens the order from the sale; the clerk sees its number only
    page = html(client_of(manager).get(kardex("CAM-P"), {"warehouse": sp.pk}))
    assert f'href="{order_url}"' in page and "Venda" in page
    assert cells(page, "kardex-balance") == ["5", "3"]
    page = html(clerk_client.get(kardex("CAM-P"), {"warehouse": sp.pk}))
    assert order.number in page and order_url not in page
