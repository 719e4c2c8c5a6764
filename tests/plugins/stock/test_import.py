"""Importing receipts and counts: dry run first, then all or nothing through
the ledger, with errors by row and column, within the user's warehouses."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from wagtail.models import ModelLogEntry

from plugins.importing.engine import run
from plugins.importing.models import ImportJob
from plugins.stock.importers import CountsImporter, ReceiptsImporter
from plugins.stock.models import StockMovement
from tests.plugins.stock.conftest import assert_ledger_ok, level

IMPORTERS = {"receipts": ReceiptsImporter, "counts": CountsImporter}


def run_stock_import(data, *, kind, user, dry_run=True, skip_invalid=False):
    return run(IMPORTERS[kind](user), data, dry_run=dry_run, skip_invalid=skip_invalid)


RECEIPTS = (
    "warehouse;sku;quantity;reference;reason\n"
    "SP-01;CAM-P;10;NF 100;\n"
    "sp-01;CAM-M;4;NF 100;compra\n"
)


def test_receipts_dry_run_then_import(stocked, clerk_sp, sp):
    report = run_stock_import(RECEIPTS.encode(), kind="receipts", user=clerk_sp)
    assert (report.total_rows, report.valid_rows, report.error_count) == (2, 2, 0)
    assert report.counts == {"movements": 2, "units_in": 14}
    assert level("CAM-P", sp).on_hand == 5  # nothing written
    report = run_stock_import(
        RECEIPTS.encode(), kind="receipts", user=clerk_sp, dry_run=False
    )
    assert report.committed and report.counts["movements"] == 2
    assert (level("CAM-P", sp).on_hand, level("CAM-M", sp).on_hand) == (15, 6)
    receipt = StockMovement.objects.get(sku="CAM-P", kind="receipt", reference="NF 100")
    assert receipt.user == clerk_sp and receipt.reference_type == "import"
    assert_ledger_ok()


def test_invalid_rows_name_row_column_and_reason_and_write_nothing(
    stocked, clerk_sp, sp
):
    data = (
        b"warehouse;sku;quantity\n"
        b"SP-01;CAM-P;2\n"
        b"RJ-01;CAN-1;1\n"  # not the clerk's warehouse
        b"SP-01;NOPE;1\n"
        b"SP-01;CAM-M;dois\n"
        b"SP-01;CAM-M;0\n"
    )
    report = run_stock_import(data, kind="receipts", user=clerk_sp, dry_run=False)
    assert not report.committed
    errors = {(e["row"], e["column"]) for e in report.errors}
    assert errors == {(3, "warehouse"), (4, "sku"), (5, "quantity"), (6, "quantity")}
    assert "RJ-01" in report.errors[0]["message"]
    assert level("CAM-P", sp).on_hand == 5
    report = run_stock_import(
        data, kind="receipts", user=clerk_sp, dry_run=False, skip_invalid=True
    )
    assert report.committed and report.counts["movements"] == 1
    assert level("CAM-P", sp).on_hand == 7


def test_file_problems(stocked, clerk_sp):
    for data, mention in (
        (b"", ""),
        (b"warehouse;sku;units\nSP-01;CAM-P;1\n", "units"),
        (b"warehouse;quantity\nSP-01;1\n", "sku"),
    ):
        report = run_stock_import(data, kind="receipts", user=clerk_sp)
        assert report.file_error and mention in report.file_error
        assert not report.committed


def test_counts_post_differences_not_numbers(stocked, clerk_sp, sp):
    data = b"warehouse;sku;counted\nSP-01;CAM-P;3\nSP-01;CAM-M;2\nSP-01;CAM-P;1\n"
    with translation.override("pt-br"):
        report = run_stock_import(data, kind="counts", user=clerk_sp)
    # a SKU counted twice in a warehouse: both rows refused, the second named
    assert {(e["row"], e["column"]) for e in report.errors} == {
        (2, ""),  # the same SKU and warehouse's other row
        (4, "sku"),
    }
    messages = {e["row"]: e["message"] for e in report.errors}
    assert messages[4] == "CAM-P em SP-01 já está na linha 2."
    assert messages[2] == "Outra linha do mesmo SKU e depósito é inválida."
    data = b"warehouse;sku;counted\nSP-01;CAM-P;3\nSP-01;CAM-M;2\n"
    report = run_stock_import(data, kind="counts", user=clerk_sp)
    assert report.counts == {"movements": 1, "units_in": 0, "units_out": 2}
    report = run_stock_import(data, kind="counts", user=clerk_sp, dry_run=False)
    assert report.committed and report.counts["movements"] == 1
    movement = StockMovement.objects.get(kind="count")
    assert (movement.quantity, movement.on_hand_after) == (-2, 3)
    assert_ledger_ok()


def test_xlsx_counts(stocked, clerk_sp, sp):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["warehouse", "sku", "counted"])
    sheet.append(["SP-01", "CAM-M", 7])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_stock_import(
        buffer.getvalue(), kind="counts", user=clerk_sp, dry_run=False
    )
    assert report.committed, report.errors or report.file_error
    assert level("CAM-M", sp).on_hand == 7


def test_import_screens(stocked, client, clerk_sp, sp, superuser):
    start = "/admin/imports/stock.receipts/"
    client.force_login(clerk_sp)
    assert client.get(start).status_code == 200
    response = client.post(
        start, {"file": SimpleUploadedFile("entrada.csv", RECEIPTS.encode())}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "checked" and job.dry_run_report["valid_rows"] == 2
    page = client.get(f"/admin/imports/job/{job.pk}/").content.decode()
    assert 'data-count="valid">2<' in page
    assert level("CAM-P", sp).on_hand == 5
    response = client.post(f"/admin/imports/job/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and level("CAM-P", sp).on_hand == 15
    entry = ModelLogEntry.objects.get(action="retaguarda.import")
    assert entry.data["importer"] == "stock.receipts" and entry.data["rows"] == 2
    # confirmed once
    client.post(f"/admin/imports/job/{job.pk}/confirm/")
    assert level("CAM-P", sp).on_hand == 15
    # someone else's job does not exist for another clerk
    from tests.factories import UserFactory
    from tests.plugins.stock.conftest import grant_warehouse

    other = UserFactory(username="outro", roles=["stock_clerk"])
    grant_warehouse(other, sp)
    client.force_login(other)
    assert client.get(f"/admin/imports/job/{job.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["editor", "auditor", "manager"])
@pytest.mark.parametrize("importer", ["stock.receipts", "stock.counts"])
def test_import_needs_its_permission_and_a_warehouse(
    stocked, client, role, importer, request
):
    from tests.helpers import is_admin_denied

    client.force_login(request.getfixturevalue(role))
    assert is_admin_denied(client.get(f"/admin/imports/{importer}/"))
