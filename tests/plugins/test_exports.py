"""The one spreadsheet export format (``plugins.exports``): every listing
download of the back office uses it, and its files read back as written —
CSV with ``;``, decimal comma, pt-BR dates, UTF-8 with BOM; XLSX with number,
date and boolean cells; formulas never run."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from plugins.exports import SafeSpreadsheetExportMixin, csv_bytes, xlsx_bytes
from plugins.importing.models import ImportJob
from tests.helpers import csv_export, downloaded, xlsx_export
from tests.plugins.importing.hostile import csv_bytes as upload_bytes

OUR_PACKAGES = ("api", "content", "plugins", "tests")

SAO_PAULO_EVENING = datetime.datetime(2026, 3, 9, 2, 30, tzinfo=datetime.UTC)
VALUES = [
    Decimal("1234.56"),
    Decimal("-5.00"),
    Decimal("12.5"),
    2.5,
    -3,
    True,
    False,
    None,
    datetime.date(2026, 3, 20),
    SAO_PAULO_EVENING,
    gettext_lazy("Status"),
    ["a", "b"],
    '=HYPERLINK("http://x")',
    "-50% off",
    "0789",
    "sino\x07",
]


def test_csv_format():
    data = csv_bytes(["número", "nome"], [VALUES[:8], VALUES[8:]])
    assert data.startswith(b"\xef\xbb\xbf")
    header, first, second = csv.reader(
        io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"
    )
    assert header == ["número", "nome"]
    # decimal comma, no thousands separator; negative numbers are numbers
    assert first == ["1234,56", "-5,00", "12,5", "2,5", "-3", "sim", "não", ""]
    assert second == [
        "20/03/2026",
        "08/03/2026 23:30",  # the site's time zone (São Paulo)
        "Status",
        "a, b",
        '\'=HYPERLINK("http://x")',  # a text a spreadsheet would run: quoted
        "'-50% off",
        "0789",
        "sino\x07",
    ]


def test_xlsx_cells_are_typed():
    data = xlsx_bytes("produtos", ["valor"] * len(VALUES), [VALUES])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "produtos"
    _header, row = list(sheet.iter_rows())
    cells = dict(zip(range(len(VALUES)), row, strict=True))
    for index in range(5):
        assert cells[index].data_type == "n", VALUES[index]
    assert [cells[i].value for i in range(5)] == [1234.56, -5, 12.5, 2.5, -3]
    assert [cells[i].number_format for i in range(3)] == ["0.00", "0.00", "0.0"]
    assert (cells[5].data_type, cells[5].value) == ("b", True)
    assert (cells[6].data_type, cells[6].value) == ("b", False)
    assert cells[7].value is None
    date, moment = cells[8], cells[9]
    assert date.is_date and date.number_format == "dd/mm/yyyy"
    assert date.value == datetime.datetime(2026, 3, 20)  # noqa: DTZ001
    assert moment.is_date and moment.number_format == "dd/mm/yyyy hh:mm"
    assert moment.value == datetime.datetime(2026, 3, 8, 23, 30)  # noqa: DTZ001
    assert [cells[i].value for i in (10, 11)] == ["Status", "a, b"]
    formula = cells[12]
    # a text cell, marked as Excel marks a typed '=: never a formula, and
    # its text as it was
    assert formula.data_type == "s" and formula.quotePrefix
    assert formula.value == '=HYPERLINK("http://x")'
    assert cells[13].value == "-50% off" and cells[13].quotePrefix
    assert (cells[14].data_type, cells[14].value) == ("s", "0789")
    assert cells[15].value == "sino\ufffd"  # XLSX holds no control characters


def _exporting_listings():
    """(path, view class) of every admin listing that offers a download."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is None or not issubclass(view_class, SpreadsheetExportMixin):
                continue
            initkwargs = pattern.callback.view_initkwargs
            if initkwargs.get("list_export", view_class.list_export):
                yield "/" + prefix + str(pattern.pattern), view_class

    return [
        (path, view_class)
        for path, view_class in walk(get_resolver().url_patterns, "")
        # Wagtail's own reports (locked pages, workflows, aging pages,
        # redirects, site history) keep Wagtail's format.
        if view_class.__module__.startswith(OUR_PACKAGES)
        and not path.endswith("/results/")
    ]


def test_every_listing_download_uses_the_one_format():
    listings = _exporting_listings()
    paths = {path for path, _view in listings}
    # the project's downloads, found by walking the admin's URLs
    assert {
        "/admin/snippets/content/product/",
        "/admin/orders/",
        "/admin/customers/",
        "/admin/stock/levels/",
        "/admin/stock/movements/",
        "/admin/stock/warehouses/",
        "/admin/audit-log/",
    } <= paths
    assert [
        path
        for path, view_class in listings
        if not issubclass(view_class, SafeSpreadsheetExportMixin)
    ] == []


@pytest.mark.parametrize("path", [path for path, _view in _exporting_listings()])
def test_each_listing_download_is_in_the_one_format(client, superuser, path):
    client.force_login(superuser)
    header, *_rows = csv_export(client.get(path, {"export": "csv"}))
    assert all(header)
    (xlsx_header, *_rows) = xlsx_export(client.get(path, {"export": "xlsx"}))
    assert [cell.value for cell in xlsx_header] == header


def test_warehouse_listing_writes_booleans_and_numbers(client, superuser):
    from plugins.stock.models import Warehouse

    Warehouse.objects.create(code="SP-01", name="São Paulo", priority=2)
    client.force_login(superuser)
    path = "/admin/stock/warehouses/"
    header, *rows = csv_export(client.get(path, {"export": "csv"}))
    (row,) = [dict(zip(header, r, strict=True)) for r in rows if "SP-01" in r]
    assert set(row.values()) >= {"SP-01", "São Paulo", "2", "sim", "não"}
    xlsx_header, *cells = xlsx_export(client.get(path, {"export": "xlsx"}))
    (cells,) = [r for r in cells if r[0].value == "SP-01"]
    types = {cell.value: cell.data_type for cell in cells}
    assert types[2] == "n" and types[True] == "b" and types[False] == "b"


def test_customer_listing_writes_pt_br_dates(client, superuser):
    from plugins.orders.models import Customer

    customer = Customer.objects.create(name="Maria", email="maria@example.com")
    Customer.objects.filter(pk=customer.pk).update(created_at=SAO_PAULO_EVENING)
    client.force_login(superuser)
    path = "/admin/customers/"
    header, row = csv_export(client.get(path, {"export": "csv"}))
    assert "08/03/2026 23:30" in row
    _header, cells = xlsx_export(client.get(path, {"export": "xlsx"}))
    (moment,) = [cell for cell in cells if cell.is_date]
    assert moment.value == datetime.datetime(2026, 3, 8, 23, 30)  # noqa: DTZ001


def test_invalid_rows_spreadsheet_keeps_formula_text_as_text(client, manager):
    client.force_login(manager)
    rows = [["c3", '=HYPERLINK("http://x")', "muitas"], ["d4", "-5", "2"]]
    client.post(
        reverse("imports:start", args=["shelves.shelves"]),
        {
            "file": SimpleUploadedFile(
                "prateleiras.csv", upload_bytes(["code", "name", "capacity"], rows)
            )
        },
    )
    job = ImportJob.objects.latest("created_at")
    assert job.dry_run_report["invalid_rows"] == 1
    response = client.get(reverse("imports:invalid_rows", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    _header, row = list(sheet.iter_rows())
    assert row[0].value == 2 and row[0].data_type == "n"
    name = row[2]
    # the file's own text, as a text cell: never a formula
    assert name.data_type == "s" and name.quotePrefix
    assert name.value == '=HYPERLINK("http://x")'
    assert (row[3].data_type, row[3].value) == ("s", "muitas")


def test_moments_use_the_site_time_zone_whatever_is_active():
    with timezone.override("UTC"):
        data = csv_bytes(["quando"], [[SAO_PAULO_EVENING]])
    assert data.decode("utf-8-sig").splitlines()[1] == "08/03/2026 23:30"
