"""The stock screens: listings, filters and exports within the user's
warehouses, forms that call the services, transfers and counts end to end,
and every denied path."""

import pytest
from django.urls import reverse
from django.utils import timezone

from plugins.stock.models import InventoryCount, StockMovement, Transfer
from tests.helpers import csv_export_dicts, is_admin_denied, xlsx_export_dicts
from tests.plugins.stock.conftest import (
    assert_ledger_ok,
    grant_warehouse,
    level,
    variant,
)

LEVELS = "/admin/stock/levels/"
MOVEMENTS = "/admin/stock/movements/"


@pytest.fixture
def clerk_client(client, clerk_sp):
    client.force_login(clerk_sp)
    return client


def html(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_levels_listing_is_scoped_and_filtered(stocked, clerk_client, sp, rj, clerk_sp):
    from plugins.stock.services import set_reorder_point

    response = clerk_client.get(LEVELS)
    assert response.status_code == 200
    page = html(response)
    assert "CAM-P" in page and "SP-01" in page
    assert "RJ-01" not in page and "CAN-1" not in page
    set_reorder_point(level("CAM-M", sp), reorder_point=2, user=None)
    below = html(clerk_client.get(LEVELS + "?below_reorder_point=true"))
    assert "CAM-M" in below and "CAM-P" not in below
    # a warehouse out of scope is not a choice of the filter
    assert "CAN-1" not in html(clerk_client.get(LEVELS + f"?warehouse={rj.pk}"))


def test_levels_export_is_scoped(stocked, clerk_client):
    response = clerk_client.get(LEVELS + "?export=csv")
    assert response.status_code == 200
    body = html(response)
    assert "CAM-P" in body and "SP-01" in body
    assert "RJ-01" not in body and "CAN-1" not in body


def test_levels_export_format(stocked, clerk_client):
    rows = csv_export_dicts(clerk_client.get(LEVELS + "?export=csv&q=CAM-P"))
    assert [(r["SKU"], r["Depósito"], r["Disponível"]) for r in rows] == [
        ("CAM-P", "SP-01", "5")
    ]
    (row,) = xlsx_export_dicts(clerk_client.get(LEVELS + "?export=xlsx&q=CAM-P"))
    available = row["Disponível"]
    assert available.data_type == "n" and available.value == 5
    assert row["SKU"].data_type == "s" and row["SKU"].value == "CAM-P"


def test_movements_listing_and_export_are_scoped(stocked, clerk_client):
    page = html(clerk_client.get(MOVEMENTS))
    assert "SP-01" in page and "RJ-01" not in page
    body = html(clerk_client.get(MOVEMENTS + "?export=csv"))
    assert "SP-01" in body and "RJ-01" not in body and "CAN-1" not in body


def test_movements_export_format(stocked, clerk_client, sp, clerk_sp):
    from plugins.stock.services import adjust_stock

    adjust_stock(
        sp, variant=variant("CAM-M"), quantity=-1, reason="=avaria", user=clerk_sp
    )
    movement = StockMovement.objects.get(sku="CAM-M", quantity=-1)
    moment = timezone.localtime(movement.created_at)
    rows = csv_export_dicts(clerk_client.get(MOVEMENTS + "?export=csv&q=CAM-M"))
    row = rows[0]  # newest first
    assert row["Em"] == moment.strftime("%d/%m/%Y %H:%M")
    # a number, not a formula; a text that would be one, quoted
    assert (row["Quantidade"], row["Motivo"]) == ("-1", "'=avaria")
    row = xlsx_export_dicts(clerk_client.get(MOVEMENTS + "?export=xlsx&q=CAM-M"))[0]
    created = row["Em"]
    assert created.is_date and created.number_format == "dd/mm/yyyy hh:mm"
    local = moment.replace(tzinfo=None)
    assert abs(created.value - local).total_seconds() < 1
    assert row["Quantidade"].data_type == "n" and row["Quantidade"].value == -1
    reason = row["Motivo"]
    assert reason.data_type == "s" and reason.value == "=avaria" and reason.quotePrefix


def test_receive_and_adjust_forms(stocked, clerk_client, sp, rj):
    response = clerk_client.post(
        "/admin/stock/receive/",
        {"warehouse": sp.pk, "sku": "CAM-M", "quantity": 3, "reference": "NF 1"},
    )
    assert response.status_code == 302, html(response)
    assert level("CAM-M", sp).on_hand == 5
    # no reason: the form says so and nothing moves
    response = clerk_client.post(
        "/admin/stock/adjust/",
        {"warehouse": sp.pk, "sku": "CAM-M", "quantity": -1, "reason": ""},
    )
    assert response.status_code == 200
    assert level("CAM-M", sp).on_hand == 5
    response = clerk_client.post(
        "/admin/stock/adjust/",
        {"warehouse": sp.pk, "sku": "CAM-M", "quantity": -9, "reason": "quebra"},
    )
    assert response.status_code == 200 and "CAM-M" in html(response)
    response = clerk_client.post(
        "/admin/stock/adjust/",
        {"warehouse": sp.pk, "sku": "CAM-M", "quantity": -1, "reason": "quebra"},
    )
    assert response.status_code == 302
    # RJ-01 is not a choice: the form refuses it
    response = clerk_client.post(
        "/admin/stock/adjust/",
        {"warehouse": rj.pk, "sku": "CAN-1", "quantity": -1, "reason": "x"},
    )
    assert response.status_code == 200
    assert level("CAN-1", rj).on_hand == 10
    assert_ledger_ok()


def test_reorder_points_are_the_stock_managers(
    stocked, client, clerk_client, sp, rj, stock_manager
):
    # given a clerk of SP-01: another warehouse's level does not exist for them
    url = f"/admin/stock/levels/{level('CAN-1', rj).pk}/reorder-point/"
    assert clerk_client.get(url).status_code == 404
    # and their own warehouse's reorder points are not theirs to plan
    url = f"/admin/stock/levels/{level('CAM-P', sp).pk}/reorder-point/"
    assert is_admin_denied(clerk_client.get(url))
    assert is_admin_denied(clerk_client.post(url, {"reorder_point": 4}))
    assert level("CAM-P", sp).reorder_point == 0
    assert url not in html(clerk_client.get(LEVELS))  # no link to the form
    # while the stock manager sets them in any warehouse
    client.force_login(stock_manager)
    assert url in html(client.get(LEVELS))
    assert client.post(url, {"reorder_point": 4}).status_code == 302
    assert level("CAM-P", sp).reorder_point == 4


def test_roles_without_stock_are_denied(stocked, client, editor, auditor):
    client.force_login(editor)
    for url in (LEVELS, MOVEMENTS, "/admin/stock/receive/", "/admin/stock/counts/"):
        assert is_admin_denied(client.get(url)), url
    client.force_login(auditor)
    assert client.get(LEVELS).status_code == 200  # reads everything
    assert is_admin_denied(client.get("/admin/stock/receive/"))
    assert is_admin_denied(client.get("/admin/stock/counts/new/"))


def test_transfer_in_two_steps(stocked, client, clerk_sp, sp, rj):
    from tests.factories import UserFactory

    client.force_login(clerk_sp)
    response = client.post(
        "/admin/stock/transfers/new/",
        {
            "source": sp.pk,
            "destination": rj.pk,
            "note": "reposição",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": "CAM-P",
            "lines-0-quantity": "2",
            "lines-1-sku": "",
            "lines-1-quantity": "",
        },
    )
    assert response.status_code == 302, html(response)
    transfer = Transfer.objects.get()
    assert level("CAM-P", rj).in_transit == 2
    detail = f"/admin/stock/transfers/{transfer.pk}/"
    line = transfer.lines.get()
    assert client.get(detail).status_code == 200
    # the SP-01 clerk cannot receive at RJ-01
    assert is_admin_denied(client.post(detail, {f"line-{line.pk}": 2}))
    clerk_rj = UserFactory(username="estoquista-rj", roles=["stock_clerk"])
    grant_warehouse(clerk_rj, rj)
    client.force_login(clerk_rj)
    assert client.post(detail, {f"line-{line.pk}": 2}).status_code == 302
    assert (level("CAM-P", rj).on_hand, level("CAM-P", rj).in_transit) == (5, 0)
    assert_ledger_ok()


def test_transfers_of_other_warehouses_are_404(stocked, client, rj, clerk_sp):
    from plugins.stock.models import Warehouse
    from plugins.stock.services import send_transfer
    from tests.plugins.stock.conftest import variant

    mg = Warehouse.objects.create(code="MG-01", name="BH")
    transfer = send_transfer(
        source=rj, destination=mg, lines=[(variant("CAN-1"), 1)], user=None
    )
    client.force_login(clerk_sp)
    assert client.get(f"/admin/stock/transfers/{transfer.pk}/").status_code == 404
    assert transfer.number not in html(client.get("/admin/stock/transfers/"))


def test_count_a_category_review_and_post(
    stocked, clerk_client, sp, camisetas, stock_manager
):
    from django.test import Client

    from content.models import Product

    Product.objects.filter(slug="camiseta-basica").update(primary_category=camisetas)
    response = clerk_client.post(
        "/admin/stock/counts/new/", {"warehouse": sp.pk, "category": camisetas.pk}
    )
    assert response.status_code == 302, html(response)
    count = InventoryCount.objects.get()
    lines = {line.sku: line for line in count.lines.all()}
    detail = f"/admin/stock/counts/{count.pk}/"
    response = clerk_client.post(
        detail,
        {f"line-{lines['CAM-P'].pk}": 3, f"line-{lines['CAM-M'].pk}": "", "review": ""},
    )
    assert response.status_code == 302 and response.url.endswith("/review/")
    # the clerk's count is blind: the review shows what was counted only
    review = html(clerk_client.get(detail + "review/"))
    assert 'data-counted="3"' in review and "data-difference" not in review
    # the stock manager's review shows the differences
    manager = Client()
    manager.force_login(stock_manager)
    assert 'data-difference="-2"' in html(manager.get(detail + "review/"))
    assert clerk_client.post(detail + "post/").status_code == 302
    assert level("CAM-P", sp).on_hand == 3
    assert level("CAM-M", sp).on_hand == 2  # not counted: left alone
    movement = StockMovement.objects.get(kind="count")
    assert (movement.quantity, movement.reference) == (-2, count.number)
    assert_ledger_ok()


def test_counts_of_other_warehouses_are_404(stocked, clerk_client, rj):
    from plugins.stock.services import open_count

    count = open_count(rj, user=None)
    for suffix in ("", "review/"):
        url = f"/admin/stock/counts/{count.pk}/{suffix}"
        assert clerk_client.get(url).status_code == 404
    assert clerk_client.post(f"/admin/stock/counts/{count.pk}/post/").status_code == 404
    response = clerk_client.post("/admin/stock/counts/new/", {"warehouse": rj.pk})
    assert response.status_code == 200  # not a choice
    assert InventoryCount.objects.count() == 1


def test_menu_and_dashboard_panel(stocked, clerk_client, sp, clerk_sp):
    from plugins.stock.services import set_reorder_point

    set_reorder_point(level("CAM-M", sp), reorder_point=5, user=None)
    page = html(clerk_client.get("/admin/"))
    assert 'id="low-stock-section"' in page and "CAM-M" in page
    assert reverse("stock_levels:index") in page
