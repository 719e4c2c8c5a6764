"""Supplier NF-e in bulk, through the import framework: one XML, or a ZIP of
XML files, each file a row of the report (which was received, which was
refused and why), with the framework's dry run → confirm.

A ZIP is refused as a whole from its central directory, before anything is
inflated, when it holds more entries than the framework's limit, declares
more bytes than it allows in all, or an entry larger than an NF-e may be
compresses more than the framework's ratio limit (a ZIP bomb); ``zipfile``
never inflates an entry past the size it declared. A file in it that is not
an ``.xml``, is encrypted, too large or a ZIP itself is an error of its row.
Every XML is read as one uploaded alone
(:func:`plugins.fiscal.reading.read_nfe`: no DTD, no entities, the schema,
the signature) and received by :func:`plugins.fiscal.services.intake.
record`, each in a savepoint of the import's transaction.

Who may: whoever receives supplier NF-e for some emitter; each NF-e must be
addressed to an emitter the user receives for.
"""

from __future__ import annotations

import io
import zipfile

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.exceptions import RetaguardaError
from plugins.fiscal.reading import MAX_XML_BYTES, read_nfe
from plugins.fiscal.services import intake as services
from plugins.importing.base import Column, Importer, Row, RowInvalid
from plugins.importing.errors import FileProblem
from plugins.importing.reader import (
    RATIO_CHECK_FROM,
    XLSX_MAGIC,
    Limits,
    Sheet,
    megabytes,
)

COLUMNS = (
    Column(
        "file",
        gettext_lazy("file"),
        required=True,
        help_text=gettext_lazy("each XML of the ZIP, or the XML sent alone"),
    ),
)


class SupplierNFeImporter(Importer):
    key = "fiscal.supplier_nfe"
    verbose_name = gettext_lazy("Supplier NF-e (XML)")
    permission = "fiscal.add_supplierinvoice"
    columns = COLUMNS
    file_types = (".xml", ".zip")
    file_help_text = gettext_lazy(
        "One NF-e's XML (.xml) or a ZIP (.zip) of them, as the suppliers send them."
    )
    help_text = gettext_lazy(
        "Each XML is checked as when it is received alone: the official "
        "schema, the supplier's signature, addressed to one of your emitters, "
        "not received before. The check lists which files would be received "
        "and why the others are refused; confirming receives them, with their "
        "suppliers and bills to pay, and their lines wait on each NF-e's page "
        "for you to confirm the receipt."
    )
    counters = {
        "invoices": gettext_lazy("NF-e received"),
        "lines": gettext_lazy("Items"),
        "matched": gettext_lazy("Items matched to the catalog"),
        "bills": gettext_lazy("Bills to pay recorded"),
    }
    batch_size = 20
    # the receipt's own checks (the chart of accounts, the supplier in
    # finance) run in the dry run too, rolled back
    dry_run_writes = True

    def __init__(self, user, options=None, job=None):
        super().__init__(user, options, job)
        self._archive: zipfile.ZipFile | None = None
        self._files: dict[int, zipfile.ZipInfo | bytes] = {}
        self._problems: dict[int, str] = {}
        self._keys: dict[str, str] = {}

    @classmethod
    def user_can_import(cls, user) -> bool:
        return services.may_receive_any(user)

    # -- reading ---------------------------------------------------------------

    def read_sheet(self, data: bytes, *, name: str, limits: Limits) -> Sheet:
        if not data or not data.strip():
            raise FileProblem(_("The file is empty."))
        if len(data) > limits.max_bytes:
            raise FileProblem(
                _("The file has %(size)s, more than the %(limit)s allowed.")
                % {"size": megabytes(len(data)), "limit": megabytes(limits.max_bytes)}
            )
        if not data.startswith(XLSX_MAGIC):
            self._files[1] = data
            return Sheet("xml", ["file"], iter([(1, [name or "nfe.xml"])]))
        return Sheet("zip", ["file"], iter(self._zip_rows(data, limits)))

    def _zip_rows(self, data: bytes, limits: Limits) -> list[tuple[int, list]]:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = [e for e in archive.infolist() if not e.is_dir()]
        except (zipfile.BadZipFile, ValueError) as exc:
            raise FileProblem(_("The ZIP file is damaged.")) from exc
        if len(entries) > limits.max_xlsx_entries:
            raise FileProblem(
                _("The ZIP has %(count)s files, more than the %(limit)s allowed.")
                % {"count": len(entries), "limit": limits.max_xlsx_entries}
            )
        expanded = sum(entry.file_size for entry in entries)
        if expanded > limits.max_xlsx_uncompressed:
            raise FileProblem(
                _("The ZIP expands to %(size)s, more than the %(limit)s allowed.")
                % {
                    "size": megabytes(expanded),
                    "limit": megabytes(limits.max_xlsx_uncompressed),
                }
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > RATIO_CHECK_FROM and ratio > limits.max_xlsx_ratio:
                raise FileProblem(
                    _(
                        "%(name)s expands %(ratio)s times, more than XML does "
                        "(at most %(limit)s): the ZIP is refused as a possible "
                        "ZIP bomb."
                    )
                    % {
                        "name": entry.filename,
                        "ratio": int(ratio),
                        "limit": limits.max_xlsx_ratio,
                    }
                )
        self._archive = archive
        rows = []
        for number, entry in enumerate(entries, start=1):
            self._files[number] = entry
            problem = self._entry_problem(entry)
            if problem:
                self._problems[number] = problem
            rows.append((number, [entry.filename]))
        return rows

    def _entry_problem(self, entry: zipfile.ZipInfo) -> str:
        name = entry.filename.lower()
        if name.endswith(".zip"):
            return _("A ZIP inside the ZIP is not read: put its XML files in the ZIP.")
        if not name.endswith(".xml"):
            return _("Not an XML file: only the NF-e's XML files are read.")
        if entry.flag_bits & 0x1:
            return _("The file is protected by a password.")
        if entry.file_size > MAX_XML_BYTES:
            return _(
                "The file has %(size)s KB, more than the %(limit)s KB an NF-e may have."
            ) % {"size": entry.file_size // 1024, "limit": MAX_XML_BYTES // 1024}
        return ""

    def _data(self, number: int) -> bytes:
        found = self._files[number]
        if isinstance(found, bytes):
            return found
        try:
            return self._archive.read(found)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise RowInvalid("file", _("The file is damaged in the ZIP.")) from exc

    # -- checking and writing ----------------------------------------------------

    def check_row(self, row: Row) -> None:
        name = row.values.get("file") or ""
        if row.number in self._problems:
            raise RowInvalid("file", f"{name}: {self._problems[row.number]}")
        try:
            row.cleaned["nfe"] = read_nfe(self._data(row.number))
        except RowInvalid as error:
            raise RowInvalid("file", f"{name}: {error.message}") from None
        except RetaguardaError as error:
            raise RowInvalid("file", f"{name}: {error.message}") from None
        row.cleaned["name"] = name

    def check_batch(self, rows: list[Row]) -> None:
        for row in rows:
            nfe, name = row.cleaned["nfe"], row.cleaned["name"]
            first = self._keys.get(nfe.access_key)
            if first is not None and first != name:
                row.error(
                    "file",
                    _("%(name)s: the same NF-e as %(first)s.")
                    % {"name": name, "first": first},
                )
                continue
            self._keys[nfe.access_key] = name
            try:
                services.recipient_of(nfe, user=self.user)
            except RetaguardaError as error:
                row.error("file", f"{name}: {error.message}")

    def write_batch(self, rows: list[Row]) -> None:
        for row in rows:
            try:
                with transaction.atomic():
                    invoice = services.record(row.cleaned["nfe"], user=self.user)
            except RetaguardaError as error:
                row.error("file", f"{row.cleaned['name']}: {error.message}")
                continue
            lines = invoice.lines.all()
            self.counts["invoices"] += 1
            self.counts["lines"] += len(lines)
            self.counts["matched"] += sum(1 for line in lines if line.variant_id)
            if invoice.finance_bill_id:
                self.counts["bills"] += 1

    def result_url(self, job) -> str:
        from django.urls import reverse

        from plugins.fiscal.views_intake import INVOICES

        return reverse(f"{INVOICES}:index")
