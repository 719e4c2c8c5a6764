"""Importing stock receipts and counts from CSV/XLSX, with the catalog
import's standards: the file is read and every row checked first, nothing
written (dry run: counts and each error with its row, column and reason);
then, confirmed, the rows are posted as movements through the ledger service
in one transaction — all or nothing, unless invalid rows are skipped. Numbers
on hand are never overwritten: a receipt adds a receipt movement, a counted
quantity posts the difference as a count adjustment.

Receipts: ``warehouse;sku;quantity;reference;reason`` (quantity > 0).
Counts: ``warehouse;sku;counted;reason`` (counted ≥ 0; one row per SKU and
warehouse).

Rows for a warehouse the user may not move stock in are errors, worded like
unknown warehouses (the file does not learn which warehouses exist).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from plugins.importing.errors import FileProblem, RowError
from plugins.importing.reader import Limits, read_sheet
from plugins.audit import log_change
from plugins.stock.models import MovementKind, ReferenceType, StockImportJob
from plugins.stock.permissions import operable_warehouses
from plugins.stock.services.ledger import Entry, chunks, ensure_levels, lock_levels

RECEIPTS = StockImportJob.Kind.RECEIPTS
COUNTS = StockImportJob.Kind.COUNTS
COLUMNS = {
    RECEIPTS: ["warehouse", "sku", "quantity", "reference", "reason"],
    COUNTS: ["warehouse", "sku", "counted", "reason"],
}
REQUIRED = {
    RECEIPTS: ["warehouse", "sku", "quantity"],
    COUNTS: ["warehouse", "sku", "counted"],
}
MAX_STORED_ERRORS = 1000
MAX_UNITS = 1_000_000


@dataclass
class StockImportReport:
    kind: str = RECEIPTS
    total_rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    changed_rows: int = 0  # counts: rows whose counted units differ
    units_in: int = 0
    units_out: int = 0
    movements: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)
    by_warehouse: dict[str, dict] = field(default_factory=dict)
    file_error: str = ""
    committed: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Row:
    number: int
    warehouse_id: int
    warehouse: str
    variant_id: int
    sku: str
    units: int
    reference: str = ""
    reason: str = ""


def _header(header: list[str], kind: str) -> list[str]:
    columns = [str(name).strip().lower() for name in header]
    duplicated = sorted({c for c in columns if columns.count(c) > 1 and c})
    if duplicated:
        raise FileProblem(
            _("Repeated columns: %(columns)s.") % {"columns": ", ".join(duplicated)}
        )
    unknown = [c for c in columns if c not in COLUMNS[kind]]
    if unknown:
        raise FileProblem(
            _("Unknown columns: %(unknown)s. Accepted columns: %(accepted)s.")
            % {
                "unknown": ", ".join(unknown) or _("(empty)"),
                "accepted": ", ".join(COLUMNS[kind]),
            }
        )
    missing = [c for c in REQUIRED[kind] if c not in columns]
    if missing:
        raise FileProblem(
            _("Missing required columns: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return columns


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _units(value, *, minimum: int) -> int:
    text = _text(value).replace(".", "").replace(" ", "")
    if text.endswith(",0") or text.endswith(",00"):
        text = text.split(",")[0]
    try:
        units = int(text)
    except ValueError:
        message = _("Not a whole number: “%(value)s”.") % {"value": value}
        raise ValueError(message) from None
    if units < minimum or units > MAX_UNITS:
        raise ValueError(
            _("Must be between %(min)d and %(max)d.")
            % {"min": minimum, "max": MAX_UNITS}
        )
    return units


def _padded(cells: list, columns: list[str]) -> list:
    return list(cells[: len(columns)]) + [None] * (len(columns) - len(cells))


def validate(data: bytes, *, kind: str, user, limits: Limits | None = None):
    """Read and check every row. Returns (valid rows, errors, total rows)."""
    from content.models import Variant

    limits = limits or Limits.from_settings()
    sheet = read_sheet(data, limits=limits)
    columns = _header(sheet.header, kind)
    warehouses = {w.code.lower(): w for w in operable_warehouses(user)}
    units_column = "quantity" if kind == RECEIPTS else "counted"
    parsed: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    total = 0
    for number, cells in sheet.rows:
        if not any(_text(c) for c in cells):
            continue
        total += 1
        if total > limits.max_rows:
            raise FileProblem(
                _("The file has more than %(max)d rows.") % {"max": limits.max_rows}
            )
        values = dict(zip(columns, _padded(cells, columns), strict=True))
        parsed.append((number, values))
    skus = {_text(values.get("sku")) for _n, values in parsed}
    variants: dict[str, int] = {}
    for chunk in chunks(sorted(s for s in skus if s)):
        variants.update(Variant.objects.filter(sku__in=chunk).values_list("sku", "pk"))
    rows: list[Row] = []
    seen: dict[tuple[int, int], int] = {}
    for number, values in parsed:
        row_errors = []
        code = _text(values.get("warehouse"))
        warehouse = warehouses.get(code.lower())
        if warehouse is None:
            row_errors.append(
                RowError(
                    number,
                    "warehouse",
                    _("Unknown warehouse “%(code)s”, or you may not move stock there.")
                    % {"code": code},
                )
            )
        elif not warehouse.active:
            row_errors.append(
                RowError(
                    number,
                    "warehouse",
                    _("Warehouse %(code)s is not active.") % {"code": code},
                )
            )
        sku = _text(values.get("sku"))
        if not sku:
            row_errors.append(RowError(number, "sku", _("Required.")))
        elif sku not in variants:
            row_errors.append(
                RowError(number, "sku", _("Unknown SKU “%(sku)s”.") % {"sku": sku})
            )
        try:
            units = _units(
                values.get(units_column), minimum=1 if kind == RECEIPTS else 0
            )
        except ValueError as error:
            row_errors.append(RowError(number, units_column, str(error)))
            units = 0
        reference = _text(values.get("reference"))[:200]
        reason = _text(values.get("reason"))
        for column, text, limit in (
            ("reference", reference, 80),
            ("reason", reason, 300),
        ):
            if len(text) > limit:
                row_errors.append(
                    RowError(
                        number,
                        column,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(text), "limit": limit},
                    )
                )
        if kind == COUNTS and warehouse is not None and sku in variants:
            key = (warehouse.pk, variants[sku])
            if key in seen:
                row_errors.append(
                    RowError(
                        number,
                        "sku",
                        _("%(sku)s in %(code)s is already on row %(row)d.")
                        % {"sku": sku, "code": warehouse.code, "row": seen[key]},
                    )
                )
            seen.setdefault(key, number)
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            Row(
                number,
                warehouse.pk,
                warehouse.code,
                variants[sku],
                sku,
                units,
                reference,
                reason,
            )
        )
    return rows, errors, total


def _entries(rows: list[Row], kind: str, *, job_label: str, locked=None) -> list[Entry]:
    if kind == RECEIPTS:
        return [
            Entry(
                r.variant_id,
                r.warehouse_id,
                r.sku,
                kind=MovementKind.RECEIPT,
                quantity=r.units,
                reason=r.reason or job_label,
                reference_type=ReferenceType.IMPORT,
                reference=r.reference,
            )
            for r in rows
        ]
    entries = []
    for r in rows:
        difference = r.units - locked[r.variant_id, r.warehouse_id]
        if difference:
            entries.append(
                Entry(
                    r.variant_id,
                    r.warehouse_id,
                    r.sku,
                    kind=MovementKind.COUNT,
                    quantity=difference,
                    reason=r.reason or job_label,
                    reference_type=ReferenceType.IMPORT,
                    reference=job_label[:80],
                )
            )
    return entries


def _on_hand(rows: list[Row], *, lock: bool) -> dict[tuple[int, int], int]:
    from plugins.stock.models import StockLevel

    pairs = {(r.variant_id, r.warehouse_id) for r in rows}
    if lock:
        pks = ensure_levels(pairs)
        levels = lock_levels(pks.values())
        return {(lv.variant_id, lv.warehouse_id): lv.on_hand for lv in levels.values()}
    found = dict.fromkeys(pairs, 0)
    variant_ids = sorted({v for v, _w in pairs})
    for chunk in chunks(variant_ids):
        for variant_id, warehouse_id, on_hand in StockLevel.objects.filter(
            variant_id__in=chunk
        ).values_list("variant_id", "warehouse_id", "on_hand"):
            if (variant_id, warehouse_id) in found:
                found[variant_id, warehouse_id] = on_hand
    return found


def _summarise(report: StockImportReport, entries: list[Entry], codes: dict) -> None:
    by_warehouse: dict[str, dict] = defaultdict(lambda: {"in": 0, "out": 0, "rows": 0})
    for entry in entries:
        item = by_warehouse[codes[entry.warehouse_id]]
        item["rows"] += 1
        if entry.quantity > 0:
            item["in"] += entry.quantity
            report.units_in += entry.quantity
        else:
            item["out"] -= entry.quantity
            report.units_out -= entry.quantity
    report.by_warehouse = dict(sorted(by_warehouse.items()))
    report.movements = len(entries)


def run_stock_import(
    data: bytes,
    *,
    kind: str,
    user,
    dry_run: bool = True,
    skip_invalid: bool = False,
    job: StockImportJob | None = None,
    progress: Callable[[int], None] | None = None,
) -> StockImportReport:
    """Check (``dry_run``) or post a file of receipts or counts; see the
    module's docstring. Logs ``stock.import`` on the job when posted."""
    report = StockImportReport(kind=kind)
    try:
        rows, errors, total = validate(data, kind=kind, user=user)
    except FileProblem as problem:
        report.file_error = str(problem)
        return report
    report.total_rows = total
    report.valid_rows = len(rows)
    report.invalid_rows = len({e.row for e in errors})
    report.error_count = len(errors)
    report.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    if progress:
        progress(30)
    label = _("Import %(name)s") % {"name": job.original_name if job else ""}
    codes = {r.warehouse_id: r.warehouse for r in rows}
    if dry_run or (errors and not skip_invalid) or not rows:
        locked = _on_hand(rows, lock=False) if kind == COUNTS else None
        entries = _entries(rows, kind, job_label=label, locked=locked)
        report.changed_rows = len(entries) if kind == COUNTS else 0
        _summarise(report, entries, codes)
        return report
    from plugins.stock.services.ledger import post_entries

    with transaction.atomic():
        locked = _on_hand(rows, lock=True) if kind == COUNTS else None
        entries = _entries(rows, kind, job_label=label, locked=locked)
        report.changed_rows = len(entries) if kind == COUNTS else 0
        if progress:
            progress(50)
        post_entries(entries, user=user)
        _summarise(report, entries, codes)
        report.committed = True
        if job is not None:
            log_change(
                job,
                "stock.import",
                user=user,
                kind=kind,
                file=job.original_name,
                rows=report.valid_rows,
                movements=report.movements,
                units_in=report.units_in,
                units_out=report.units_out,
            )
    return report
