"""Reading spreadsheets for every importer: CSV (UTF-8 or Windows-1252, comma
or semicolon) and XLSX, row by row, within limits.

What a file may not be is decided before parsing where it can be: the size,
the format (an old binary XLS, a macro-enabled workbook), and for an XLSX the
archive itself — how many entries, how large each declares itself and how
much it expands (a zip bomb is refused from its central directory, in
milliseconds, without inflating anything). The sheet is then streamed:
openpyxl's read-only mode parses the worksheet incrementally, and
``zipfile`` never inflates an entry past the size it declared.

Cells are checked as rows are read (:func:`cell_problems`): a control
character or an oversized cell is an error of that row and column, which the
importer reports with the rest in the dry run.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from plugins.importing.errors import FileProblem, RowError

XLSX_MAGIC = b"PK\x03\x04"
#: An OLE2 compound file: the old binary .xls (and .doc, .msg ...).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")
#: Entries larger than this are held to the compression ratio limit (small
#: ones compress as they like: a tiny theme file can be 50:1).
RATIO_CHECK_FROM = 1024 * 1024
#: C0 controls other than tab, line feed and carriage return, and DEL: no
#: spreadsheet cell a person typed holds them, and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 200_000
    #: what the XLSX archive may expand to, all entries together
    max_xlsx_uncompressed: int = 300 * 1024 * 1024
    #: the largest compression ratio of an entry over RATIO_CHECK_FROM
    max_xlsx_ratio: int = 100
    max_xlsx_entries: int = 1000
    #: Excel's own limit for one cell
    max_cell_chars: int = 32_767

    @classmethod
    def from_settings(cls, **overrides) -> Limits:
        values = {
            "max_bytes": settings.RETAGUARDA_IMPORT_MAX_BYTES,
            "max_rows": settings.RETAGUARDA_IMPORT_MAX_ROWS,
            "max_xlsx_uncompressed": settings.RETAGUARDA_IMPORT_MAX_XLSX_UNCOMPRESSED,
            "max_xlsx_ratio": settings.RETAGUARDA_IMPORT_MAX_XLSX_RATIO,
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class Sheet:
    """A spreadsheet's header and its data rows as ``(row number, cells)``;
    the header is row 1, as a spreadsheet numbers it."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list]]
    encoding: str | None = None
    delimiter: str | None = None


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return _("%(size)s MB") % {
        "size": number_format(
            round(value, 1) if value < 10 else round(value), 1 if value < 10 else 0
        )
    }


# -- CSV ----------------------------------------------------------------------


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


def _looks_binary(data: bytes) -> bool:
    """Text a spreadsheet program writes has no run of control bytes; a
    binary file (an image, an executable, a PDF) has them everywhere."""
    sample = data[:4096]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > max(8, len(sample) // 100)


def _read_csv(data: bytes, limits: Limits) -> Sheet:
    if _looks_binary(data):
        raise FileProblem(
            _("The file is not a spreadsheet: save it as CSV or XLSX and try again.")
        )
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    # The module's own field limit would stop a long cell with an English
    # message and no column; cells are measured per column instead, and the
    # whole file is already within max_bytes.
    csv.field_size_limit(max(limits.max_bytes, csv.field_size_limit()))
    # strict: a quote left open is an error at its line, not the rest of the
    # file read into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem(_("The file is empty.")) from None
    except csv.Error as exc:
        raise _csv_problem(reader, exc) from exc
    return Sheet(
        "csv", header, _csv_rows(reader), encoding=encoding, delimiter=delimiter
    )


def _csv_problem(reader, exc: csv.Error) -> FileProblem:
    # The csv module's messages are English and about its internals; what a
    # person can act on is the line.
    return FileProblem(
        _(
            "The file is not valid CSV near line %(line)s (a quote left open "
            "or a stray character)."
        )
        % {"line": reader.line_num}
    )


def _csv_rows(reader) -> Iterator[tuple[int, list]]:
    number = 1
    try:
        for row in reader:
            number += 1
            yield number, row
    except csv.Error as exc:
        raise _csv_problem(reader, exc) from exc


# -- XLSX ---------------------------------------------------------------------


def inspect_archive(data: bytes, limits: Limits, name: str = "") -> None:
    """Refuse a workbook from its archive's central directory: a macro-enabled
    workbook, one that is not a workbook, or one whose entries declare more
    than the limits (count, expanded size, compression ratio)."""
    if name.lower().endswith(MACRO_EXTENSIONS):
        raise FileProblem(_macro_message())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileProblem(_("The XLSX file is damaged.")) from exc
    if len(entries) > limits.max_xlsx_entries:
        raise FileProblem(
            _("The XLSX file has %(count)s parts, more than the %(limit)s allowed.")
            % {"count": len(entries), "limit": limits.max_xlsx_entries}
        )
    names = {entry.filename.lower() for entry in entries}
    if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
        raise FileProblem(_macro_message())
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise FileProblem(_("The file is a ZIP archive, not an XLSX workbook."))
    expanded = 0
    for entry in entries:
        expanded += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_FROM and ratio > limits.max_xlsx_ratio:
            raise FileProblem(
                _(
                    "The XLSX file expands %(ratio)s times, more than a "
                    "spreadsheet does (at most %(limit)s): it is refused as a "
                    "possible ZIP bomb."
                )
                % {"ratio": number_format(ratio, 0), "limit": limits.max_xlsx_ratio}
            )
    if expanded > limits.max_xlsx_uncompressed:
        raise FileProblem(
            _("The XLSX file expands to %(size)s, more than the %(limit)s allowed.")
            % {
                "size": megabytes(expanded),
                "limit": megabytes(limits.max_xlsx_uncompressed),
            }
        )
    content_types = next(
        (e for e in entries if e.filename == "[Content_Types].xml"), None
    )
    if content_types is not None and content_types.file_size < 1024 * 1024:
        if b"macroenabled" in archive.read(content_types).lower():
            raise FileProblem(_macro_message())


def _macro_message() -> str:
    return _(
        "Macro-enabled workbooks are not accepted: save the file as XLSX "
        "(Pasta de Trabalho do Excel) or CSV and try again."
    )


def _read_xlsx(data: bytes, limits: Limits, name: str) -> Sheet:
    inspect_archive(data, limits, name)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows)
    except StopIteration:
        raise FileProblem(_("The file is empty.")) from None
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        raise FileProblem(_("The XLSX file is damaged.")) from exc
    header = ["" if cell is None else str(cell) for cell in header]
    # Trailing empty header cells are formatting, not columns.
    while header and not header[-1].strip():
        header.pop()
    return Sheet("xlsx", header, _xlsx_rows(rows))


def _xlsx_rows(rows) -> Iterator[tuple[int, list]]:
    number = 1
    try:
        for row in rows:
            number += 1
            yield number, list(row)
    except Exception as exc:  # a sheet damaged past the rows already read
        raise FileProblem(
            _("The XLSX file is damaged near row %(row)s.") % {"row": number}
        ) from exc


# -- entry points -------------------------------------------------------------


def read_sheet(data: bytes, *, name: str = "", limits: Limits | None = None) -> Sheet:
    """The sheet in ``data`` (the bytes of an uploaded file called ``name``),
    or :class:`FileProblem` saying in pt-BR why it cannot be read."""
    limits = limits or Limits.from_settings()
    if not data or not data.strip():
        raise FileProblem(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise FileProblem(
            _("The file has %(size)s, more than the %(limit)s allowed.")
            % {"size": megabytes(len(data)), "limit": megabytes(limits.max_bytes)}
        )
    if data.startswith(OLE2_MAGIC):
        raise FileProblem(
            _(
                "Old Excel files (.xls) are not accepted: save the file as XLSX "
                "or CSV and try again."
            )
        )
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(MACRO_EXTENSIONS):
        return _read_xlsx(data, limits, name)
    return _read_csv(data, limits)


def cell_problems(
    row: int, header: list[str], values: list, limits: Limits
) -> list[RowError]:
    """What is wrong with a row's cells whatever the importer: control
    characters (a NUL byte that PostgreSQL refuses) and cells longer than a
    spreadsheet cell may be."""
    problems = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value:
            continue
        column = header[index] if index < len(header) else str(index + 1)
        if len(value) > limits.max_cell_chars:
            problems.append(
                RowError(
                    row,
                    column,
                    _(
                        "The cell has %(length)s characters, more than the "
                        "%(limit)s a cell may have."
                    )
                    % {
                        "length": number_format(len(value), force_grouping=True),
                        "limit": number_format(
                            limits.max_cell_chars, force_grouping=True
                        ),
                    },
                )
            )
        elif CONTROL_CHARACTERS.search(value):
            problems.append(
                RowError(
                    row,
                    column,
                    _(
                        "The cell contains a control character (such as a NUL "
                        "byte) that text may not hold."
                    ),
                )
            )
    return problems
