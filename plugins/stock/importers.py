"""Stock receipts and counts from a spreadsheet, on the import framework
(:mod:`plugins.importing`). Numbers on hand are never overwritten: a receipt
posts a receipt movement, a counted quantity posts the difference as a count
adjustment — through the ledger, like the screens.

Receipts: ``warehouse;sku;quantity;reference;reason`` (quantity > 0).
Counts: ``warehouse;sku;counted;reason`` (counted ≥ 0; one row per SKU and
warehouse).

Rows for a warehouse the user may not move stock in are errors worded like
unknown warehouses: the file does not learn which warehouses exist.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.importing.base import Column, Importer, Row, RowInvalid
from plugins.importing.base import cell_text as _text
from plugins.stock.models import MovementKind, ReferenceType
from plugins.stock.permissions import operable_warehouses, user_can_move_stock
from plugins.stock.services.ledger import Entry, chunks, ensure_levels, lock_levels

MAX_UNITS = 1_000_000
WAREHOUSE = Column(
    "warehouse",
    gettext_lazy("Warehouse code"),
    required=True,
    help_text=gettext_lazy("such as SP-01"),
)
SKU = Column("sku", gettext_lazy("SKU of the variant"), required=True)
REASON = Column("reason", gettext_lazy("Reason (up to 300 characters)"))


def _units(value, *, column: str, minimum: int) -> int:
    text = _text(value).replace(".", "").replace(" ", "")
    if text.endswith((",0", ",00")):
        text = text.split(",")[0]
    try:
        units = int(text)
    except ValueError:
        raise RowInvalid(
            column, _("Not a whole number: “%(value)s”.") % {"value": _text(value)}
        ) from None
    if not minimum <= units <= MAX_UNITS:
        raise RowInvalid(
            column,
            _("Must be between %(min)d and %(max)d.")
            % {"min": minimum, "max": MAX_UNITS},
        )
    return units


class _StockImporter(Importer):
    units_column: str
    minimum_units: int

    def __init__(self, user, options=None, job=None):
        super().__init__(user, options, job)
        self.warehouses = None

    @classmethod
    def user_can_import(cls, user) -> bool:
        return super().user_can_import(user) and user_can_move_stock(user)

    def reason(self, row: Row) -> str:
        if row.cleaned["reason"]:
            return row.cleaned["reason"]
        name = self.job.original_name if self.job else ""
        return _("Import %(name)s") % {"name": name}

    def check_row(self, row: Row) -> None:
        if self.warehouses is None:
            self.warehouses = {
                w.code.lower(): w for w in operable_warehouses(self.user)
            }
        code = _text(row.values["warehouse"])
        warehouse = self.warehouses.get(code.lower())
        if warehouse is None:
            row.error(
                "warehouse",
                _("Unknown warehouse “%(code)s”, or you may not move stock there.")
                % {"code": code},
            )
        elif not warehouse.active:
            row.error(
                "warehouse", _("Warehouse %(code)s is not active.") % {"code": code}
            )
        if not _text(row.values["sku"]):
            row.error("sku", _("Required."))
        try:
            units = _units(
                row.values[self.units_column],
                column=self.units_column,
                minimum=self.minimum_units,
            )
        except RowInvalid as error:
            row.error(error.column, error.message)
            units = 0
        reference = _text(row.values.get("reference"))
        reason = _text(row.values.get("reason"))
        for column, text, limit in (
            ("reference", reference, 80),
            ("reason", reason, 300),
        ):
            if len(text) > limit:
                row.error(
                    column,
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": len(text), "limit": limit},
                )
        row.cleaned = {
            "warehouse": warehouse,
            "sku": _text(row.values["sku"]),
            "units": units,
            "reference": reference,
            "reason": reason,
        }

    def check_batch(self, rows: list[Row]) -> None:
        from content.models import Variant

        skus = sorted({row.cleaned["sku"] for row in rows})
        variants = dict(Variant.objects.filter(sku__in=skus).values_list("sku", "pk"))
        for row in rows:
            variant_id = variants.get(row.cleaned["sku"])
            if variant_id is None:
                row.error(
                    "sku", _("Unknown SKU “%(sku)s”.") % {"sku": row.cleaned["sku"]}
                )
            row.cleaned["variant_id"] = variant_id
        self.count(rows, on_hand=self.on_hand([r for r in rows if r.valid], lock=False))

    def on_hand(self, rows: list[Row], *, lock: bool) -> dict[tuple[int, int], int]:
        return {}

    def count(self, rows, *, on_hand) -> None:
        for entry in self.entries([r for r in rows if r.valid], on_hand):
            self.counts["movements"] += 1
            if entry.quantity > 0:
                self.counts["units_in"] += entry.quantity
            else:
                self.counts["units_out"] -= entry.quantity

    def entries(self, rows: list[Row], on_hand) -> list[Entry]:
        raise NotImplementedError

    def write_batch(self, rows: list[Row]) -> None:
        from plugins.stock.services.ledger import post_entries

        post_entries(self.entries(rows, self.on_hand(rows, lock=True)), user=self.user)

    def result_url(self, job) -> str:
        return reverse("stock_movements:index") + "?reference_type=import"


class ReceiptsImporter(_StockImporter):
    key = "stock.receipts"
    verbose_name = gettext_lazy("Import stock receipts")
    permission = "stock.import_receipts"
    columns = (
        WAREHOUSE,
        SKU,
        Column(
            "quantity", gettext_lazy("Units received (more than zero)"), required=True
        ),
        Column("reference", gettext_lazy("Reference, such as the invoice number")),
        REASON,
    )
    counters = {
        "movements": gettext_lazy("Movements"),
        "units_in": gettext_lazy("Units in"),
    }
    units_column = "quantity"
    minimum_units = 1

    def count(self, rows, *, on_hand) -> None:
        for row in rows:
            if row.valid:
                self.counts["movements"] += 1
                self.counts["units_in"] += row.cleaned["units"]

    def entries(self, rows, on_hand) -> list[Entry]:
        return [
            Entry(
                r.cleaned["variant_id"],
                r.cleaned["warehouse"].pk,
                r.cleaned["sku"],
                kind=MovementKind.RECEIPT,
                quantity=r.cleaned["units"],
                reason=self.reason(r),
                reference_type=ReferenceType.IMPORT,
                reference=r.cleaned["reference"],
            )
            for r in rows
        ]


class CountsImporter(_StockImporter):
    key = "stock.counts"
    verbose_name = gettext_lazy("Import stock counts")
    permission = "stock.import_counts"
    columns = (
        WAREHOUSE,
        SKU,
        Column("counted", gettext_lazy("Units counted (zero or more)"), required=True),
        REASON,
    )
    #: one row per SKU and warehouse: repeated rows are refused together
    group_by = ("warehouse", "sku")
    group_label = gettext_lazy("SKU and warehouse")
    counters = {
        "movements": gettext_lazy("With a difference"),
        "units_in": gettext_lazy("Units in"),
        "units_out": gettext_lazy("Units out"),
    }
    units_column = "counted"
    minimum_units = 0

    def check_batch(self, rows: list[Row]) -> None:
        seen: dict[tuple, int] = {}
        for row in rows:
            key = self.group_key(row)
            if key in seen:
                row.error(
                    "sku",
                    _("%(sku)s in %(code)s is already on row %(row)d.")
                    % {
                        "sku": row.cleaned["sku"],
                        "code": row.cleaned["warehouse"].code,
                        "row": seen[key],
                    },
                )
            seen.setdefault(key, row.number)
        super().check_batch([row for row in rows if row.valid])

    def on_hand(self, rows, *, lock: bool) -> dict[tuple[int, int], int]:
        from plugins.stock.models import StockLevel

        pairs = {(r.cleaned["variant_id"], r.cleaned["warehouse"].pk) for r in rows}
        if lock:
            levels = lock_levels(ensure_levels(pairs).values())
            return {
                (lv.variant_id, lv.warehouse_id): lv.on_hand for lv in levels.values()
            }
        found = dict.fromkeys(pairs, 0)
        for chunk in chunks(sorted({v for v, _w in pairs})):
            for variant_id, warehouse_id, units in StockLevel.objects.filter(
                variant_id__in=chunk
            ).values_list("variant_id", "warehouse_id", "on_hand"):
                if (variant_id, warehouse_id) in found:
                    found[variant_id, warehouse_id] = units
        return found

    def entries(self, rows, on_hand) -> list[Entry]:
        entries = []
        for r in rows:
            pair = (r.cleaned["variant_id"], r.cleaned["warehouse"].pk)
            difference = r.cleaned["units"] - on_hand[pair]
            if difference:
                entries.append(
                    Entry(
                        *pair,
                        r.cleaned["sku"],
                        kind=MovementKind.COUNT,
                        quantity=difference,
                        reason=self.reason(r),
                        reference_type=ReferenceType.IMPORT,
                        reference=(self.job.original_name if self.job else "")[:80],
                    )
                )
        return entries
