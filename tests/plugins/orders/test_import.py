"""Marketplace order import: dry run, row errors, all or nothing, idempotent
re-imports, per-row channel permission, audit, and the admin screens."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from plugins.importing.engine import run
from plugins.importing.models import ImportJob
from plugins.orders.importing.importer import OrdersImporter
from plugins.orders.importing.sheet import COLUMNS
from plugins.orders.models import Customer, Order
from tests.plugins.orders.admin_fixtures import (
    is_admin_denied,
    login,
    text,
)

HEADER = [
    "channel",
    "external_id",
    "customer_name",
    "customer_email",
    "customer_document",
    "cep",
    "street",
    "number",
    "district",
    "city",
    "uf",
    "payment_method",
    "installments",
    "shipping_total",
    "sku",
    "quantity",
    "unit_price",
]
BASE = [
    "mercado-livre",
    "MLB-100",
    "Maria da Silva",
    "maria@example.com",
    "529.982.247-25",
    "01310-100",
    "Avenida Paulista",
    "1000",
    "Bela Vista",
    "São Paulo",
    "SP",
    "pix",
    "1",
    "15,00",
]


def row(*line, **changes):
    values = dict(zip(HEADER, [*BASE, *line], strict=True))
    values.update(changes)
    return [values[column] for column in HEADER]


def sheet(*rows, header=HEADER, delimiter=";") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode()


GOOD = sheet(
    row("CAM-P", "2", "45,00"),
    row("CAN-1", "1", ""),
    row("CAN-1", "3", "", external_id="MLB-101", customer_name="João"),
)


@pytest.fixture
def importer(db, mercado_livre, loja, sellable):
    from tests.factories import UserFactory
    from tests.plugins.orders.conftest import grant_channel

    user = UserFactory(username="importa", roles=["order_desk"])
    grant_channel(user, mercado_livre)
    return user


def run_order_import(data, *, user, dry_run=True, filename="pedidos.csv"):
    return run(OrdersImporter(user), data, name=filename, dry_run=dry_run)


def errors_of(report) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in report.errors}


def test_dry_run_reports_and_writes_nothing(importer):
    report = run_order_import(GOOD, user=importer, dry_run=True)
    assert report.ok, report.errors
    assert (report.total_rows, report.counts["new_orders"]) == (3, 2)
    assert not report.committed
    assert not Order.objects.exists()
    assert not Customer.objects.exists()
    assert not ModelLogEntry.objects.filter(action__startswith="orders.").exists()


def test_import_places_each_order_through_the_service(importer, mercado_livre):
    report = run_order_import(GOOD, user=importer, dry_run=False, filename="ml.csv")
    assert report.committed and report.counts["new_orders"] == 2
    first = Order.objects.get(external_id="MLB-100")
    assert first.channel == mercado_livre
    assert [(line.sku, line.quantity) for line in first.lines.all()] == [
        ("CAM-P", 2),
        ("CAN-1", 1),
    ]
    assert first.lines.get(sku="CAM-P").unit_price == Decimal("45.00")
    assert first.shipping_total == Decimal("15.00")
    assert first.events.get(kind="placed").user == importer


def test_reimporting_creates_nothing_and_says_so(importer):
    run_order_import(GOOD, user=importer, dry_run=False)
    again = run_order_import(GOOD, user=importer, dry_run=True)
    assert again.counts == {"new_orders": 0, "existing_orders": 2}
    assert again.error_count == 0
    run_order_import(GOOD, user=importer, dry_run=False)
    assert Order.objects.count() == 2


def test_row_errors_name_the_row_and_column_and_nothing_is_written(importer):
    data = sheet(
        row("CAM-P", "2", ""),  # row 2: fine
        row("NOPE", "1", ""),  # row 3: unknown SKU (same order)
        row("CAN-1", "x", "", external_id="MLB-2"),  # row 4: quantity
        row("CAN-1", "1", "", external_id="MLB-3", customer_document="111"),
        row("CAN-1", "1", "", external_id="MLB-4", cep="123"),  # row 6
        row("CAM-P", "1", "", external_id="MLB-4", cep="123", city="Rio"),  # 7
        row("CAN-1", "1", "", channel="nao-existe"),  # row 8
    )
    report = run_order_import(data, user=importer, dry_run=False)
    assert not report.committed
    assert errors_of(report) == {
        (2, ""),  # the other row of row 3's order
        (3, "sku"),
        (4, "quantity"),
        (5, "customer_document"),
        (6, "cep"),
        (7, "city"),
        (8, "channel"),
    }
    assert report.invalid_rows == 7
    assert not Order.objects.exists()
    messages = {e["column"]: e["message"] for e in report.errors}
    assert "NOPE" in messages["sku"]
    assert "6" in messages["city"]  # "differs from row 6"


def test_the_user_must_be_able_to_add_orders_on_each_rows_channel(importer):
    data = sheet(row("CAN-1", "1", ""), row("CAN-1", "1", "", channel="loja"))
    report = run_order_import(data, user=importer, dry_run=False)
    assert errors_of(report) == {(3, "channel")}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "vazio|empty"),
        (sheet(header=[*HEADER, "cor"]), "cor"),
        (sheet(header=HEADER[1:]), "channel"),
        (sheet(header=HEADER), "linha|rows"),
    ],
)
def test_file_problems(importer, data, problem):
    report = run_order_import(data, user=importer, dry_run=True)
    assert report.file_error
    assert re.search(problem, report.file_error, re.I)


def test_xlsx_with_numbers_where_codes_were(importer):
    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADER)
    values = row("CAN-1", 2, 39.9)
    values[HEADER.index("cep")] = 1310100  # a spreadsheet dropped the 0
    values[HEADER.index("customer_document")] = 52998224725
    ws.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_order_import(buffer.getvalue(), user=importer, dry_run=False)
    assert report.committed, report.errors
    order = Order.objects.get()
    assert order.shipping_address["cep"] == "01310-100"
    assert order.customer_document == "52998224725"


def test_columns_are_documented():
    assert COLUMNS[:2] == ("channel", "external_id")


# -- screens -----------------------------------------------------------------------

URL = "/admin/imports/orders.marketplace/"


def upload(client, data, name="pedidos.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(URL, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return ImportJob.objects.latest("created_at")


def test_screen_checks_then_confirms(importer, mercado_livre):
    client = login(importer)
    assert client.get(URL).status_code == 200
    job = upload(client, GOOD)
    assert job.status == "checked" and job.can_confirm
    assert not Order.objects.exists()
    client.post(f"/admin/imports/job/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and Order.objects.count() == 2
    page = text(client.get(f"/admin/imports/job/{job.pk}/"))
    assert "Pedidos novos" in page
    # the same confirmation again imports nothing
    client.post(f"/admin/imports/job/{job.pk}/confirm/")
    assert Order.objects.count() == 2


def test_screen_shows_row_errors_and_offers_no_confirmation(importer):
    client = login(importer)
    job = upload(client, sheet(row("NOPE", "1", "")))
    page = text(client.get(f"/admin/imports/job/{job.pk}/"))
    assert "NOPE" in page
    assert not job.can_confirm


def test_reimported_orders_are_counted_as_already_imported(importer):
    run_order_import(GOOD, user=importer, dry_run=False)
    job = upload(login(importer), GOOD)
    assert job.dry_run_report["counts"] == {"new_orders": 0, "existing_orders": 2}


def test_who_may_import(manager, auditor, editor, superuser, importer):
    for user in (manager, auditor, editor):
        assert is_admin_denied(login(user).get(URL)), user
    assert login(superuser).get(URL).status_code == 200
