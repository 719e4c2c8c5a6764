"""What an importer declares: its columns, how to check a row (alone, then
with the rest of its batch) and how to write a batch. The framework does the
rest — reading the file safely, the header, limits, the dry run, skipping
invalid rows, batches, progress, the report, the invalid-rows spreadsheet,
the audit entry, the screens — alike for every importer.

A plugin registers its importers from its ``wagtail_hooks.py``::

    @hooks.register(REGISTER_IMPORTER)
    def stock_receipts():
        return ReceiptsImporter
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from wagtail import hooks

from plugins.hooks import Hook
from plugins.importing import reader
from plugins.importing.errors import RowError

REGISTER_IMPORTER = Hook(
    "register_importer",
    doc="Returns an Importer subclass; called once per request that lists "
    "importers. Register from the plugin's wagtail_hooks.py.",
)


@dataclass(frozen=True)
class Column:
    """A column of the file, as the documentation and the start screen name
    it. ``permission``: a user without it may send the column, which is then
    ignored with a notice (not refused: a shared file keeps working)."""

    name: str
    label: str = ""
    required: bool = False
    help_text: str = ""
    permission: str = ""


def cell_text(value) -> str:
    """A cell as text: empty for none, a whole number a spreadsheet stored as
    a float (``12.0``) without its decimals, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RowInvalid(Exception):
    """Raised by :meth:`Importer.check_row`: the row cannot be imported."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class Row:
    """A data row: its number in the spreadsheet, the cells by column name
    (``None`` when absent or empty), what the importer made of them, and its
    errors."""

    number: int
    values: dict[str, Any]
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, str(message)))


class Importer:
    """Subclass and declare; see the module's docstring."""

    #: templates show the class's declarations; never instantiate it there
    do_not_call_in_templates = True

    #: a stable key: the URL, the job row and the audit entry name it
    key: ClassVar[str]
    verbose_name: ClassVar[str]
    #: ``app_label.codename`` of the one permission that allows this import
    permission: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    #: rows with equal values in these columns are one thing (an order's
    #: lines, a product's variants): checked, written and skipped together
    group_by: ClassVar[tuple[str, ...]] = ()
    #: what a group is, for the error of its other rows ("order", "product")
    group_label: ClassVar[str] = ""
    #: whether a group with an invalid row is skipped whole (otherwise the
    #: importer decides, in check_batch, what invalidates the whole group)
    skip_whole_groups: ClassVar[bool] = True
    #: rows per batch handed to check_batch and write_batch (whole groups)
    batch_size: ClassVar[int] = 500
    #: a paragraph for the start screen, above the columns
    help_text: ClassVar[str] = ""
    #: whether the check also writes each batch and rolls it back, for
    #: rules only the write applies (a service's own checks); the write lock
    #: is then held for one batch at a time, never for the whole file
    dry_run_writes: ClassVar[bool] = False
    #: extra choices on the start screen (a Form); their cleaned data is the
    #: job's ``options``, JSON-serialisable
    options_form: ClassVar[type[forms.Form] | None] = None
    #: the report's counters, in display order: ``{name: label}``
    counters: ClassVar[dict[str, str]] = {}

    def __init__(self, user, options: dict | None = None, job=None):
        self.user = user
        self.options = options or {}
        #: the ImportJob being run (None when run without one)
        self.job = job
        self.counts = dict.fromkeys(self.counters, 0)

    # -- reading a file type of its own -------------------------------------

    #: the file name endings the start screen offers and accepts (with the
    #: dot, lower case): ``None`` for the framework's CSV and XLSX, any name
    #: (the contents decide). An importer that reads a file type of its own
    #: (:meth:`read_sheet`) names its endings here: the upload refuses other
    #: names before anything is stored.
    file_types: ClassVar[tuple[str, ...] | None] = None
    #: how the start screen's file field describes the accepted files
    #: (empty: the framework's CSV/XLSX sentence)
    file_help_text: ClassVar[str] = ""

    def read_sheet(
        self, data: bytes, *, name: str, limits: reader.Limits
    ) -> reader.Sheet:
        """The uploaded file as rows of cells: a :class:`~plugins.importing.
        reader.Sheet` whose header names this importer's columns and whose
        rows are ``(number shown in errors, cells)``; :class:`~plugins.
        importing.errors.FileProblem` (in pt-BR) for a file that cannot be
        read. The engine calls it for the dry run and the import alike, on
        an instance built with the job's ``options``.

        The default reads CSV and XLSX (:func:`plugins.importing.reader.
        read_sheet`). Override it to read a file type of your own (an OFX
        statement, a CNAB retorno) or to translate a file's own columns into
        yours (a bank's CSV with a column mapping); declare :attr:`file_types`
        with it. Check ``limits.max_bytes`` and ``limits.max_rows`` as the
        default does."""
        return reader.read_sheet(data, name=name, limits=limits)

    @classmethod
    def accepts_file_name(cls, name: str) -> bool:
        """Whether the start screen takes a file called ``name``."""
        if cls.file_types is None:
            return True
        return name.lower().endswith(tuple(cls.file_types))

    # -- what a subclass writes --------------------------------------------

    def check_row(self, row: Row) -> None:
        """Parse ``row.values`` into ``row.cleaned``; raise :class:`RowInvalid`
        (or call ``row.error``) for what is wrong. No queries here: look
        things up for the whole batch in :meth:`check_batch`."""

    def check_batch(self, rows: list[Row]) -> None:
        """Check the batch's rows that passed :meth:`check_row` against the
        database (a few queries for the whole batch), and count what the
        import would do in ``self.counts``. Called in the dry run and again
        before writing."""

    def write_batch(self, rows: list[Row]) -> None:
        """Write the valid rows of a batch (inside the import's transaction).
        A row (or group) the write refuses gets its error (``row.error``),
        its own writes undone by a savepoint: the import then keeps or drops
        it as for a row the check refused."""
        raise NotImplementedError

    def after_import(self) -> None:
        """Called once after the last batch is written, inside the import's
        transaction (never in the dry run): for work on everything the
        import wrote at once (e.g. reconciling the statement lines just
        stored). An exception here rolls the whole import back."""

    def result_url(self, job) -> str:
        """Where the imported things are listed."""
        return ""

    # -- what the framework asks -------------------------------------------

    @classmethod
    def user_can_import(cls, user) -> bool:
        return user.is_active and user.has_perm(cls.permission)

    @classmethod
    def column_names(cls) -> list[str]:
        return [column.name for column in cls.columns]

    @classmethod
    def visible_columns(cls, user) -> list[Column]:
        return [
            c for c in cls.columns if not c.permission or user.has_perm(c.permission)
        ]

    def group_key(self, row: Row) -> tuple:
        return tuple(
            str(row.values.get(name) or "").strip().lower() for name in self.group_by
        )

    def ignored_columns_notice(self, ignored: Iterable[str]) -> str:
        return _("Ignored columns (you may not import them): %(columns)s.") % {
            "columns": ", ".join(ignored)
        }


def importers() -> dict[str, type[Importer]]:
    """Every registered importer by key."""
    found = {}
    for fn in hooks.get_hooks(REGISTER_IMPORTER):
        importer = fn()
        found[importer.key] = importer
    return found


def get_importer(key: str) -> type[Importer] | None:
    return importers().get(key)
