"""Reading catalog spreadsheets: CSV (UTF-8 or Windows-1252, comma or semicolon)
and XLSX, streamed row by row, within size limits."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from content.importing.errors import FileProblem

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_xlsx_uncompressed: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=getattr(
                settings, "RETAGUARDA_IMPORT_MAX_BYTES", 50 * 1024 * 1024
            ),
            max_rows=getattr(settings, "RETAGUARDA_IMPORT_MAX_ROWS", 200_000),
            max_xlsx_uncompressed=getattr(
                settings, "RETAGUARDA_IMPORT_MAX_XLSX_UNCOMPRESSED", 300 * 1024 * 1024
            ),
        )


@dataclass
class Sheet:
    """A spreadsheet's header and an iterator over its data rows (lists)."""

    format: str
    header: list[str]
    rows: Iterator[list]
    encoding: str | None = None
    delimiter: str | None = None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("The file is neither UTF-8 nor Windows-1252 text."))


def sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _read_csv(data: bytes) -> Sheet:
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem(_("The file is empty.")) from None
    except csv.Error as exc:
        raise FileProblem(
            _("The file is not valid CSV: %(error)s") % {"error": exc}
        ) from exc
    return Sheet("csv", header, _rows(reader), encoding=encoding, delimiter=delimiter)


def _rows(reader):
    try:
        yield from reader
    except csv.Error as exc:
        raise FileProblem(
            _("The file is not valid CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def _read_xlsx(data: bytes, limits: Limits) -> Sheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        uncompressed = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileProblem(_("The XLSX file is damaged.")) from exc
    if uncompressed > limits.max_xlsx_uncompressed:
        raise FileProblem(
            _("The XLSX file expands to %(size)s, more than the %(limit)s allowed.")
            % {
                "size": _megabytes(uncompressed),
                "limit": _megabytes(limits.max_xlsx_uncompressed),
            }
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        raise FileProblem(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise FileProblem(_("The file is empty.")) from None
    header = ["" if cell is None else str(cell) for cell in header]
    # Trailing empty header cells are formatting, not columns.
    while header and not header[-1].strip():
        header.pop()
    return Sheet("xlsx", header, (list(row) for row in rows))


def read_sheet(data: bytes, *, limits: Limits | None = None) -> Sheet:
    limits = limits or Limits.from_settings()
    if not data or not data.strip():
        raise FileProblem(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise FileProblem(
            _("The file has %(size)s, more than the %(limit)s allowed.")
            % {"size": _megabytes(len(data)), "limit": _megabytes(limits.max_bytes)}
        )
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, limits)
    return _read_csv(data)
