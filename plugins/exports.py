"""Spreadsheet exports: one format for every download of the back office.

**CSV** (Brazilian Excel's own): ``;`` between columns, UTF-8 with a byte
order mark (so Excel reads accents), numbers with a decimal comma and no
thousands separator (``1234,56``: what the imports read back unambiguously),
dates ``dd/mm/aaaa`` and moments ``dd/mm/aaaa hh:mm`` in the site's time zone,
booleans ``sim``/``não``, empty for nothing.

**XLSX**: numbers are numeric cells (decimals with their places as the number
format), dates and moments are date cells (``dd/mm/yyyy``, ``dd/mm/yyyy
hh:mm``, site time zone), booleans are boolean cells, text is text.

**Formulas**: a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is read as a formula by spreadsheet programs (CSV/formula
injection). In a CSV such text gets a leading apostrophe, which spreadsheets
show as plain text (the catalog import drops it again); in an XLSX it is a
text cell marked "quoted" (what Excel writes for a typed ``'=``), its text
unchanged.

Wagtail listings with ``list_export`` get all this from
:class:`SafeSpreadsheetExportMixin`; other exports write their rows with
:func:`csv_response`, :func:`xlsx_response` or :class:`XlsxWriter`.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_DELIMITER = ";"
CSV_DATE = "%d/%m/%Y"
CSV_DATETIME = "%d/%m/%Y %H:%M"
CSV_TIME = "%H:%M"
XLSX_DATE = "dd/mm/yyyy"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
XLSX_TIME = "hh:mm"
YES, NO = "sim", "não"

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _local(value: datetime.datetime) -> datetime.datetime:
    """A moment as a naive date and time in the site's time zone."""
    if timezone.is_aware(value):
        return timezone.make_naive(value, timezone.get_default_timezone())
    return value


def decimal_text(value) -> str:
    """``1234,56``: a decimal comma, no thousands separator, no exponent."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return format(value, "f").replace(".", ",")


def csv_value(value) -> str:
    """``value`` as the text of a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return decimal_text(value)
    if isinstance(value, datetime.datetime):
        return _local(value).strftime(CSV_DATETIME)
    if isinstance(value, datetime.date):
        return value.strftime(CSV_DATE)
    if isinstance(value, datetime.time):
        return value.strftime(CSV_TIME)
    if isinstance(value, list | tuple | set | frozenset):
        return neutralise_formula(", ".join(force_str(item) for item in value))
    return neutralise_formula(force_str(value))


def xlsx_cell(worksheet, value):
    """``value`` as a typed cell of a write-only ``worksheet``."""
    from openpyxl.cell import WriteOnlyCell

    number_format = None
    if isinstance(value, datetime.datetime):
        value, number_format = _local(value), XLSX_DATETIME
    elif isinstance(value, datetime.date):
        number_format = XLSX_DATE
    elif isinstance(value, datetime.time):
        number_format = XLSX_TIME
    elif isinstance(value, Decimal):
        if not value.is_finite():
            value = str(value)
        elif (places := -value.as_tuple().exponent) > 0:
            number_format = "0." + "0" * places
    elif isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(force_str(item) for item in value)
    elif value is not None and not isinstance(value, bool | int | float | str):
        value = force_str(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # openpyxl refuses control characters
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = WriteOnlyCell(worksheet, value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell


# -- files ------------------------------------------------------------------------


class _Line:
    """The file-like object a csv writer writes one line to."""

    def write(self, text):
        return text


def csv_text_lines(header: Iterable, rows: Iterable[Iterable[str]]) -> Iterable[bytes]:
    """The CSV file of cells already formatted (:func:`csv_value`), line by
    line as bytes, the first with the byte order mark."""
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    yield codecs.BOM_UTF8 + writer.writerow([force_str(h) for h in header]).encode()
    for row in rows:
        yield writer.writerow(row).encode()


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterable[bytes]:
    """The CSV file of ``rows`` of values, line by line as bytes."""
    return csv_text_lines(header, ([csv_value(v) for v in row] for row in rows))


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    return b"".join(csv_lines(header, rows))


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header, rows):
    """A CSV download of ``rows`` under ``header`` (``filename`` with ``.csv``)."""
    response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    return _attachment(response, filename)


class XlsxWriter:
    """A one-sheet workbook written row by row (openpyxl's write-only mode:
    the rows are not held in memory)."""

    def __init__(self, title: str, header: Iterable):
        from openpyxl import Workbook

        self.workbook = Workbook(write_only=True)
        # a sheet title has at most 31 characters, none of []:*?/\
        title = "".join(c for c in force_str(title) if c not in "[]:*?/\\")[:31]
        self.sheet = self.workbook.create_sheet(title=title or None)
        self.append(force_str(h) for h in header)

    def append(self, row: Iterable) -> None:
        self.sheet.append([xlsx_cell(self.sheet, value) for value in row])

    def save(self, output) -> None:
        self.workbook.save(output)

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()


def xlsx_bytes(title: str, header, rows) -> bytes:
    writer = XlsxWriter(title, header)
    for row in rows:
        writer.append(row)
    return writer.content()


def xlsx_response(filename: str, header, rows, *, title: str = ""):
    """An XLSX download of ``rows`` under ``header`` (``filename`` with ``.xlsx``)."""
    content = xlsx_bytes(title or filename.removesuffix(".xlsx"), header, rows)
    return _attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)


# -- Wagtail listings ----------------------------------------------------------------


class SafeSpreadsheetExportMixin:
    """For Wagtail views with spreadsheet export (``list_export``,
    ``wagtail.admin.views.mixins.SpreadsheetExportMixin``): the format above.

    A field's ``custom_field_preprocess`` function still runs first (for a
    label, say); what it returns is then written the same way. Wagtail's
    ``custom_value_preprocess`` (moments in UTC, lists) is replaced by this."""

    def preprocess_field_value(self, field, value, export_format):
        custom = self.custom_field_preprocess.get(field, {})
        if export_format in custom:
            function = custom[export_format]
            if function is not None:
                value = function(value)
        if export_format == self.FORMAT_CSV:
            return csv_value(value)
        return value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for field, value in row_dict.items():
            yield xlsx_cell(
                worksheet, self.preprocess_field_value(field, value, self.FORMAT_XLSX)
            )

    def stream_csv(self, queryset):
        header = [self.get_heading(queryset, field) for field in self.list_export]
        rows = (
            [
                self.preprocess_field_value(field, value, self.FORMAT_CSV)
                for field, value in self.to_row_dict(item).items()
            ]
            for item in queryset
        )
        return csv_text_lines(header, rows)

    def write_csv_response(self, queryset):
        response = StreamingHttpResponse(
            self.stream_csv(queryset), content_type=CSV_CONTENT_TYPE
        )
        return _attachment(response, f"{self.get_filename()}.csv")

    def write_xlsx(self, queryset, output):
        writer = XlsxWriter(
            self.get_filename(),
            [self.get_heading(queryset, field) for field in self.list_export],
        )
        for item in queryset:
            writer.sheet.append(
                list(self.generate_xlsx_row(writer.sheet, self.to_row_dict(item)))
            )
        writer.save(output)
