"""Running an importer over a file: the dry run and the import take the same
path — read, check each row, check each batch — and only the import writes,
in one transaction: all or nothing, unless invalid rows are skipped.

The dry run writes nothing and takes no write lock, so a long check does not
hold the database for the other users (or the task worker)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from plugins.importing.base import Importer, Row, RowInvalid
from plugins.importing.errors import FileProblem
from plugins.importing.reader import Limits, cell_problems

#: errors kept in the report for the screen; the invalid-rows spreadsheet
#: holds every one
MAX_STORED_ERRORS = 1000


@dataclass
class Report:
    importer: str
    total_rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    file_error: str = ""
    committed: bool = False
    skipped_invalid: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    def as_dict(self) -> dict:
        return asdict(self)


class _Abort(Exception):
    """Rolls the import back when a row is invalid and none may be skipped."""


def _text(value):
    """A cell as the importers see it: text stripped, numbers as the
    spreadsheet held them, empty as ``None``."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def header_columns(
    importer: type[Importer], header: list, user
) -> tuple[list[str | None], list[str]]:
    """The column name at each position of the header (``None`` for a column
    the user may not import, which is ignored) and the notices for the
    report. Unknown, repeated or missing columns refuse the file."""
    names = [str(cell or "").strip().lower() for cell in header]
    accepted = importer.column_names()
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise FileProblem(
            _("Repeated columns: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    unknown = [n or _("(empty)") for n in names if n not in accepted]
    if unknown:
        raise FileProblem(
            _("Unknown columns: %(unknown)s. Accepted columns: %(accepted)s.")
            % {"unknown": ", ".join(unknown), "accepted": ", ".join(accepted)}
        )
    missing = [c.name for c in importer.columns if c.required and c.name not in names]
    if missing:
        raise FileProblem(
            _("Missing required columns: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    allowed = {c.name for c in importer.visible_columns(user)}
    ignored = [n for n in names if n not in allowed]
    notices = [importer(user).ignored_columns_notice(ignored)] if ignored else []
    return [n if n in allowed else None for n in names], notices


def read_rows(
    importer: Importer, data: bytes, name: str, limits: Limits, notices: list[str]
) -> Iterator[Row]:
    sheet = importer.read_sheet(data, name=name, limits=limits)
    columns, header_notices = header_columns(
        type(importer), sheet.header, importer.user
    )
    notices.extend(header_notices)
    header = [str(cell or "") for cell in sheet.header]
    width = len(columns)
    total = 0
    for number, cells in sheet.rows:
        cells = [_text(cell) for cell in cells]
        if not any(cell is not None for cell in cells):
            continue
        total += 1
        if total > limits.max_rows:
            raise FileProblem(
                _("The file has more than %(limit)s rows.")
                % {"limit": f"{limits.max_rows:,}".replace(",", ".")}
            )
        row = Row(
            number,
            {
                column: cells[index] if index < len(cells) else None
                for index, column in enumerate(columns)
                if column
            },
        )
        row.errors.extend(cell_problems(number, header, cells, limits))
        if any(cell is not None for cell in cells[width:]):
            row.error("", _("The row has cells beyond the last column."))
        yield row


def batches(importer: Importer, rows: Iterator[Row]) -> Iterator[list[Row]]:
    """Rows in batches of about ``batch_size``, each group of rows whole
    (the rows of one group may be anywhere in the file)."""
    size = importer.batch_size
    if not importer.group_by:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        groups.setdefault(importer.group_key(row), []).append(row)
    batch = []
    for group in groups.values():
        batch.extend(group)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _spread_group_errors(importer: Importer, batch: list[Row]) -> None:
    if not importer.group_by or not importer.skip_whole_groups:
        return
    invalid = {importer.group_key(row) for row in batch if not row.valid}
    for row in batch:
        if row.valid and importer.group_key(row) in invalid:
            row.error(
                "",
                _("Another row of the same %(group)s is invalid.")
                % {"group": importer.group_label or ", ".join(importer.group_by)},
            )


def check(importer: Importer, batch: list[Row]) -> None:
    for row in batch:
        if not row.valid:
            continue
        try:
            importer.check_row(row)
        except RowInvalid as error:
            row.error(error.column, error.message)
    _spread_group_errors(importer, batch)
    valid = [row for row in batch if row.valid]
    if valid:
        importer.check_batch(valid)
        _spread_group_errors(importer, batch)


class InvalidRows:
    """The invalid rows with their errors, as an XLSX written while the rows
    are checked (streamed: :class:`plugins.exports.XlsxWriter`). Each cell is
    the file's own, as read (a CSV's text stays text), so the corrected file
    imports like the original; a text a spreadsheet would run as a formula is
    kept as text."""

    def __init__(self, importer: Importer):
        # the columns the user may import (no cost column for an editor)
        self.columns = [c.name for c in importer.visible_columns(importer.user)]
        self.writer = None
        self.count = 0

    def add(self, row: Row) -> None:
        if self.writer is None:
            from plugins.exports import XlsxWriter

            self.writer = XlsxWriter(
                _("Invalid rows"), [_("row"), *self.columns, _("errors")]
            )
        problems = "; ".join(
            f"{e.column}: {e.message}" if e.column else e.message for e in row.errors
        )
        self.writer.append(
            [row.number, *(row.values.get(c) for c in self.columns), problems]
        )
        self.count += 1

    def content(self) -> bytes:
        return self.writer.content()


def run(
    importer: Importer,
    data: bytes,
    *,
    name: str = "",
    dry_run: bool,
    skip_invalid: bool = False,
    limits: Limits | None = None,
    rows_hint: int = 0,
    progress: Callable[[int], None] | None = None,
    invalid_rows: InvalidRows | None = None,
    finish: Callable[[Report], None] | None = None,
) -> Report:
    """Check (``dry_run``) or import ``data`` with ``importer``. ``finish``
    runs inside the import's transaction once everything is written (the
    job's record and audit entry commit with the rows, or not at all)."""
    # An import holds many small objects alive at once: the cyclic garbage
    # collector would walk them over and over; the few cycles left behind
    # are collected once it is enabled again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(
            importer,
            data,
            name=name,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            limits=limits,
            rows_hint=rows_hint,
            progress=progress,
            invalid_rows=invalid_rows,
            finish=finish,
        )
    finally:
        if collecting:
            gc.enable()


def _run(
    importer,
    data,
    *,
    name,
    dry_run,
    skip_invalid,
    limits,
    rows_hint,
    progress,
    invalid_rows,
    finish,
) -> Report:
    limits = limits or Limits.from_settings()
    report = Report(importer=importer.key, skipped_invalid=skip_invalid)
    last = -1

    def tally(batch: list[Row]) -> list[Row]:
        nonlocal last
        valid = []
        for row in batch:
            report.total_rows += 1
            if row.valid:
                report.valid_rows += 1
                valid.append(row)
                continue
            report.invalid_rows += 1
            report.error_count += len(row.errors)
            room = MAX_STORED_ERRORS - len(report.errors)
            report.errors.extend(e.as_dict() for e in row.errors[: max(room, 0)])
            if invalid_rows is not None:
                invalid_rows.add(row)
        if progress and rows_hint:
            percent = min(99, report.total_rows * 100 // rows_hint)
            if percent != last:
                last = percent
                progress(percent)
        return valid

    try:
        rows = read_rows(importer, data, name, limits, report.notices)
        if dry_run:
            for batch in batches(importer, rows):
                check(importer, batch)
                valid = [row for row in batch if row.valid]
                if importer.dry_run_writes and valid:
                    with transaction.atomic():
                        importer.write_batch(valid)
                        transaction.set_rollback(True)
                    _spread_group_errors(importer, batch)
                tally(batch)
        else:
            with transaction.atomic():
                refused = False
                for batch in batches(importer, rows):
                    check(importer, batch)
                    valid = [row for row in batch if row.valid]
                    # After a refused row nothing more is written, but the
                    # rest is still checked: the report lists every error.
                    refused = refused or (len(valid) < len(batch) and not skip_invalid)
                    if valid and not refused:
                        importer.write_batch(valid)
                        _spread_group_errors(importer, batch)
                    elif valid and importer.dry_run_writes:
                        # nothing more will be written: checked as in the
                        # dry run, for the report to list every error
                        with transaction.atomic():
                            importer.write_batch(valid)
                            transaction.set_rollback(True)
                        _spread_group_errors(importer, batch)
                    valid = tally(batch)
                    refused = refused or (len(valid) < len(batch) and not skip_invalid)
                if refused or not report.valid_rows:
                    raise _Abort
                importer.after_import()
                report.committed = True
                report.counts = dict(importer.counts)
                if finish:
                    finish(report)
    except FileProblem as problem:
        report.file_error = str(problem)
    except _Abort:
        pass
    if not report.file_error and not report.total_rows:
        report.file_error = _("The file has no data rows: only a header, or nothing.")
    report.counts = dict(importer.counts)
    return report
