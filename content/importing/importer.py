"""The catalog importer, on the import framework (:mod:`plugins.importing`):
one row per variant, rows with the same ``product_slug`` are one product.

Each cell goes through the catalog resource's widgets and the models' own
validators (:mod:`content.importing.validation`); each batch of whole
products is checked against the database and written with the editor's
semantics (:mod:`content.importing.pipeline`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from content.importing.pipeline import apply_validated, classify
from content.importing.validation import (
    ColumnSpec,
    ParsedRow,
    column_specs,
    parse_row,
    validate_rows,
)
from content.resources import COLUMNS, COST_COLUMN, REQUIRED_COLUMNS, CatalogResource
from plugins.importing.base import Column, Importer, Row
from plugins.importing.engine import Report, run
from plugins.importing.reader import Limits

COLUMN_LABELS = {
    "product_slug": gettext_lazy(
        "Product identifier in the URL (rows with the same one are one product)"
    ),
    "product_name": gettext_lazy("Product name (required for a new product)"),
    "brand": gettext_lazy("Brand, by name or identifier"),
    "primary_category": gettext_lazy("Main category, by its path (moda/calcas)"),
    "categories": gettext_lazy("Categories, paths separated by “|”"),
    "short_description": gettext_lazy("Short description"),
    "tags": gettext_lazy("Tags separated by “|”"),
    "option1_name": gettext_lazy("Name of option 1 (such as Cor)"),
    "option2_name": gettext_lazy("Name of option 2 (such as Tamanho)"),
    "option3_name": gettext_lazy("Name of option 3"),
    "seo_title": gettext_lazy("Title for search engines"),
    "search_description": gettext_lazy("Description for search engines"),
    "sku": gettext_lazy("SKU of the variant"),
    "option1": gettext_lazy("Value of option 1"),
    "option2": gettext_lazy("Value of option 2"),
    "option3": gettext_lazy("Value of option 3"),
    "price": gettext_lazy("Price, such as 89,90 or 1.234,56"),
    "compare_at_price": gettext_lazy("Compare-at price (“de”), not below the price"),
    "cost_price": gettext_lazy("Cost price (only for who may see costs)"),
    "gtin": gettext_lazy("GTIN/EAN barcode"),
    "weight_grams": gettext_lazy("Weight in grams"),
    "length_cm": gettext_lazy("Length in cm"),
    "width_cm": gettext_lazy("Width in cm"),
    "height_cm": gettext_lazy("Height in cm"),
    "ncm": gettext_lazy("NCM (8 digits)"),
    "origin": gettext_lazy("Origin of the goods (0 to 8)"),
    "active": gettext_lazy("Active (sim/não)"),
}
COST_PERMISSION = "content.view_cost_price"


class CatalogOptions(forms.Form):
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the imported products"),
        required=False,
        help_text=gettext_lazy("Otherwise the changes are saved as drafts."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.has_perm("content.publish_product"):
            del self.fields["publish"]


class CatalogImporter(Importer):
    key = "content.catalog"
    verbose_name = gettext_lazy("Import products")
    permission = "content.import_product"
    help_text = gettext_lazy(
        "One row per variant; rows with the same product_slug are one product. "
        "A column left out of the file leaves that field as it is."
    )
    columns = tuple(
        Column(
            name,
            COLUMN_LABELS.get(name, ""),
            required=name in REQUIRED_COLUMNS,
            permission=COST_PERMISSION if name == COST_COLUMN else "",
        )
        for name in COLUMNS
    )
    group_by = ("product_slug",)
    group_label = gettext_lazy("product")
    #: a product with an invalid variant keeps its valid ones (product-level
    #: problems invalidate every row of the product in validate_rows)
    skip_whole_groups = False
    batch_size = 1000
    options_form = CatalogOptions
    counters = {
        "new_products": gettext_lazy("New products"),
        "updated_products": gettext_lazy("Changed products"),
        "new_rows": gettext_lazy("New variants"),
        "updated_rows": gettext_lazy("Changed variants"),
        "unchanged_rows": gettext_lazy("Unchanged variants"),
    }

    def __init__(self, user, options=None, job=None):
        super().__init__(user, options, job)
        self.specs: list[ColumnSpec] | None = None
        self.first_row_of_sku: dict[str, int] = {}
        self.validated = None
        self.product_ids: list[int] = []

    @property
    def publish(self) -> bool:
        return bool(self.options.get("publish")) and self.user.has_perm(
            "content.publish_product"
        )

    def check_row(self, row: Row) -> None:
        if self.specs is None:
            # the columns of the file (those the user may import)
            self.columns_in_file = [c for c in COLUMNS if c in row.values]
            self.specs = column_specs(
                self.columns_in_file, CatalogResource(include_cost=True)
            )
        parsed = parse_row(
            row.number, [row.values[spec.name] for spec in self.specs], self.specs
        )
        if parsed.sku:
            key = parsed.sku.lower()
            first = self.first_row_of_sku.setdefault(key, row.number)
            if first != row.number:
                row.error(
                    "sku",
                    _("SKU %(sku)s is repeated: it is already on row %(first)s.")
                    % {"sku": parsed.sku, "first": first},
                )
        row.errors.extend(parsed.errors)
        row.cleaned["parsed"] = parsed

    def check_batch(self, rows: list[Row]) -> None:
        parsed: list[ParsedRow] = [row.cleaned["parsed"] for row in rows]
        before = [len(p.errors) for p in parsed]
        self.validated = validate_rows(parsed, self.columns_in_file)
        for row, item, count in zip(rows, parsed, before, strict=True):
            row.errors.extend(item.errors[count:])
        classify(self.validated, self.counts)

    def write_batch(self, rows: list[Row]) -> None:
        # check_batch ran on this batch just before: its plans hold the rows
        touched = apply_validated(
            self.validated,
            user=self.user,
            publish=self.publish,
            job_id=str(self.job.pk) if self.job else "",
        )
        self.product_ids.extend(touched)
        if touched:
            from content.hooks import CATALOG_IMPORTED
            from plugins import hooks

            transaction.on_commit(
                lambda: hooks.call(CATALOG_IMPORTED, product_ids=touched)
            )

    def result_url(self, job) -> str:
        """The product listing filtered to the products this job wrote."""
        url = reverse("wagtailsnippets_content_product:list")
        return f"{url}?{urlencode({'import_job': job.pk})}"


@dataclass
class CatalogReport(Report):
    #: the products written
    product_ids: list[int] = field(default_factory=list)


def run_import(
    data: bytes,
    *,
    user,
    dry_run: bool = True,
    publish: bool = False,
    skip_invalid: bool = False,
    name: str = "catalogo.csv",
    limits: Limits | None = None,
) -> CatalogReport:
    """Check or import a catalog file without a job (the demo data, tests and
    benchmarks); the admin goes through the framework's services."""
    importer = CatalogImporter(user, {"publish": publish})
    report = run(
        importer,
        data,
        name=name,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        limits=limits,
    )
    return CatalogReport(**asdict(report), product_ids=importer.product_ids)
