"""Validating a catalog sheet: every cell through the resource's widgets and the
models' own validators, then the checks across rows and against the database.
Nothing is written here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import DecimalField, PositiveIntegerField
from django.utils.translation import gettext as _

from content.models import Brand, Category, Product, Variant
from content.models.catalog import SKU_VALIDATOR, ProductTag
from content.resources import (
    PRODUCT_COLUMNS,
    PRODUCT_FIELD,
    CatalogResource,
)
from content.validators import (
    strip_invisible_characters,
    validate_gtin,
    validate_identifier_text,
    validate_ncm,
)
from plugins.importing.errors import RowError

CHUNK = 500

VARIANT_TEXT = ["sku", "option1", "option2", "option3", "gtin", "ncm", "origin"]
#: Columns that hold identifiers: invisible characters (bidirectional controls,
#: zero-width characters) in them are an error; every other text column is
#: imported without them.
IDENTIFIER_COLUMNS = {
    "product_slug",
    "sku",
    "gtin",
    "ncm",
    "brand",
    "primary_category",
    "categories",
    "origin",
}
NON_NEGATIVE = ["cost_price", "weight_grams", "length_cm", "width_cm", "height_cm"]
ORIGINS = {value for value, _label in Variant.Origin.choices}


@dataclass
class ParsedRow:
    row: int
    product: dict  # product-level columns present in the file
    variant: dict  # variant-level columns present in the file
    errors: list[RowError] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.product.get("product_slug", "")

    @property
    def sku(self) -> str:
        return self.variant.get("sku", "")


@dataclass
class ProductPlan:
    slug: str
    values: dict  # merged product-level values (first non-empty per column)
    rows: list[ParsedRow]
    existing: Product | None = None
    current_categories: set[int] = field(default_factory=set)
    current_tags: set[str] = field(default_factory=set)


@dataclass
class Validated:
    columns: list[str]
    rows: list[ParsedRow]
    plans: dict[str, ProductPlan]
    existing_variants: dict[str, Variant]
    brands: dict[str, int]
    categories: dict[str, int]
    total_rows: int


def _max_length(model, name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _field_checks() -> dict[str, list[Callable]]:
    return {
        "sku": [SKU_VALIDATOR],
        "gtin": [validate_gtin],
        "ncm": [validate_ncm],
        "product_slug": [validate_slug],
    }


@dataclass(frozen=True)
class ColumnSpec:
    """How one column of the sheet is read: widget, length limit, validators."""

    name: str
    widget: object
    limit: int | None
    checks: tuple
    product_level: bool


def _numeric_checks(column: str) -> tuple:
    """The model field's own validators (max digits, decimal places, minimum)."""
    try:
        field = Variant._meta.get_field(column)
    except Exception:  # noqa: BLE001 - not a variant column
        return ()
    if not isinstance(field, DecimalField | PositiveIntegerField):
        return ()
    return tuple(field.validators)


def column_specs(columns: list[str], resource: CatalogResource) -> list[ColumnSpec]:
    checks = _field_checks()
    specs = []
    for column in columns:
        if column in PRODUCT_FIELD:
            limit = _max_length(Product, PRODUCT_FIELD[column])
        elif column in VARIANT_TEXT:
            limit = _max_length(Variant, column)
        else:
            limit = None
        specs.append(
            ColumnSpec(
                column,
                resource.widget(column),
                limit,
                tuple(checks.get(column, ())) + _numeric_checks(column),
                column in PRODUCT_COLUMNS,
            )
        )
    return specs


def parse_row(number: int, cells: list, specs: list[ColumnSpec]) -> ParsedRow:
    parsed = ParsedRow(number, {}, {})
    for index, spec in enumerate(specs):
        raw = cells[index] if index < len(cells) else None
        try:
            value = spec.widget.clean(raw)
        except ValueError as exc:
            parsed.errors.append(RowError(number, spec.name, str(exc)))
            continue
        texts = value if isinstance(value, list) else [value]
        if spec.name in IDENTIFIER_COLUMNS:
            try:
                for text in texts:
                    validate_identifier_text(text)
            except ValidationError as exc:
                parsed.errors.append(
                    RowError(number, spec.name, " ".join(exc.messages))
                )
                # Kept, so that the row is not also told the column is missing.
                target = parsed.product if spec.product_level else parsed.variant
                target[spec.name] = value
                continue
        elif isinstance(value, list):
            value = [strip_invisible_characters(text) for text in value]
        else:
            value = strip_invisible_characters(value)
        if value is not None and not isinstance(value, str) and spec.checks:
            try:
                for check in spec.checks:
                    check(value)
            except ValidationError as exc:
                parsed.errors.append(
                    RowError(number, spec.name, " ".join(exc.messages))
                )
                continue
        if isinstance(value, str) and value:
            if spec.limit and len(value) > spec.limit:
                parsed.errors.append(
                    RowError(
                        number,
                        spec.name,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(value), "limit": spec.limit},
                    )
                )
                continue
            for check in spec.checks:
                try:
                    check(value)
                except ValidationError as exc:
                    parsed.errors.append(
                        RowError(number, spec.name, " ".join(exc.messages))
                    )
        if spec.product_level:
            parsed.product[spec.name] = value
        else:
            parsed.variant[spec.name] = value

    variant = parsed.variant
    if not parsed.slug:
        parsed.errors.append(RowError(number, "product_slug", _("Required.")))
    if not variant.get("sku"):
        parsed.errors.append(RowError(number, "sku", _("Required.")))
    price = variant.get("price")
    if (
        "price" in variant
        and price is None
        and not any(e.column == "price" for e in parsed.errors)
    ):
        parsed.errors.append(RowError(number, "price", _("Required.")))
    elif isinstance(price, Decimal) and price <= 0:
        parsed.errors.append(
            RowError(number, "price", _("The price must be above zero."))
        )
    compare = variant.get("compare_at_price")
    if isinstance(compare, Decimal) and isinstance(price, Decimal) and compare < price:
        parsed.errors.append(
            RowError(
                number,
                "compare_at_price",
                _("The compare-at price cannot be below the price."),
            )
        )
    for column in NON_NEGATIVE:
        value = variant.get(column)
        if value is not None and value < 0:
            parsed.errors.append(RowError(number, column, _("Cannot be negative.")))
    origin = variant.get("origin")
    if origin and origin not in ORIGINS:
        parsed.errors.append(
            RowError(number, "origin", _("Origin must be a digit from 0 to 8."))
        )
    return parsed


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def validate_rows(rows: list[ParsedRow], columns: list[str]) -> Validated:
    """Check parsed rows — whole products: every row of a product is in
    ``rows`` — across rows and against the database. Errors are added to the
    rows; nothing is written."""
    # Group into products; product-level values must agree between rows.
    plans: dict[str, ProductPlan] = {}
    for row in rows:
        if not row.slug:
            continue
        plan = plans.setdefault(row.slug, ProductPlan(row.slug, {}, []))
        plan.rows.append(row)
        for column, value in row.product.items():
            if value in ("", [], None):
                continue
            known = plan.values.get(column)
            if known is None:
                plan.values[column] = value
            elif known != value:
                row.errors.append(
                    RowError(
                        row.row,
                        column,
                        _(
                            "Differs from an earlier row of product %(slug)s "
                            "(“%(value)s”)."
                        )
                        % {
                            "slug": row.slug,
                            "value": known
                            if not isinstance(known, list)
                            else "|".join(known),
                        },
                    )
                )

    # Against the database: products by slug, variants by SKU.
    slugs = list(plans)
    for chunk in _chunks(slugs):
        for product in Product.objects.filter(slug__in=chunk).select_related(
            "locked_by"
        ):
            plans[product.slug].existing = product
    existing_ids = {plan.existing.pk: plan for plan in plans.values() if plan.existing}
    if existing_ids and "categories" in columns:
        through = Product.categories.through.objects
        for chunk in _chunks(list(existing_ids)):
            for product_id, category_id in through.filter(
                product_id__in=chunk
            ).values_list("product_id", "category_id"):
                existing_ids[product_id].current_categories.add(category_id)
    if existing_ids and "tags" in columns:
        for chunk in _chunks(list(existing_ids)):
            for product_id, name in ProductTag.objects.filter(
                content_object_id__in=chunk
            ).values_list("content_object_id", "tag__name"):
                existing_ids[product_id].current_tags.add(name)
    skus = [row.sku for row in rows if row.sku]
    existing_variants: dict[str, Variant] = {}
    for chunk in _chunks(skus):
        for variant in Variant.objects.filter(sku__in=chunk).select_related("product"):
            existing_variants[variant.sku] = variant
    brands = {}
    for brand_id, slug, name in Brand.objects.values_list("pk", "slug", "name"):
        brands[slug.lower()] = brand_id
        brands.setdefault(name.lower(), brand_id)
    categories = dict(Category.objects.values_list("path", "pk"))

    for plan in plans.values():
        values = plan.values
        product = plan.existing
        if product is None and not values.get("product_name"):
            for row in plan.rows:
                row.errors.append(
                    RowError(
                        row.row,
                        "product_name",
                        _("Product %(slug)s is new: its name is required.")
                        % {"slug": plan.slug},
                    )
                )
        if product is not None and product.locked and product.locked_by_id:
            for row in plan.rows:
                row.errors.append(
                    RowError(
                        row.row,
                        "product_slug",
                        _("Product %(slug)s is locked by %(user)s.")
                        % {"slug": plan.slug, "user": product.locked_by},
                    )
                )
        # A product-level problem invalidates every row of the product (so
        # that skipping invalid rows can never half-apply a product).
        problems = []
        brand = values.get("brand")
        if brand and brand.lower() not in brands:
            problems.append(
                ("brand", _("Unknown brand “%(brand)s”.") % {"brand": brand})
            )
        paths = [("primary_category", p) for p in [values.get("primary_category")] if p]
        paths += [("categories", p) for p in values.get("categories", [])]
        for column, path in paths:
            if path not in categories:
                problems.append(
                    (column, _("Unknown category “%(path)s”.") % {"path": path})
                )
        for row in plan.rows:
            for column, message in problems:
                row.errors.append(RowError(row.row, column, message))
        option_names = [
            values.get(f"option{i}_name")
            or (getattr(product, f"option{i}_name") if product else "")
            for i in (1, 2, 3)
        ]
        for row in plan.rows:
            existing = existing_variants.get(row.sku)
            if existing is not None and existing.product.slug != plan.slug:
                row.errors.append(
                    RowError(
                        row.row,
                        "sku",
                        _("SKU %(sku)s belongs to another product (%(other)s).")
                        % {"sku": row.sku, "other": existing.product.slug},
                    )
                )
            for i in (1, 2, 3):
                if row.variant.get(f"option{i}") and not option_names[i - 1]:
                    row.errors.append(
                        RowError(
                            row.row,
                            f"option{i}",
                            _("Product %(slug)s has no name for option %(n)s.")
                            % {"slug": plan.slug, "n": i},
                        )
                    )
    return Validated(
        columns, rows, plans, existing_variants, brands, categories, len(rows)
    )
