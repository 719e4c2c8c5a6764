"""The catalog's spreadsheet format: one row per variant, grouped into products
by ``product_slug``. Declared once as a django-import-export resource and used
by the export (``content.views.ExportView``, written by ``plugins.exports``)
and by the import pipeline
(``content.importing``), which reads each column through the same widgets.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from content.models import Variant
from plugins.exports import FORMULA_TRIGGERS, NO, YES, decimal_text

TRUE_WORDS = {"1", "true", "sim", "s", "yes", "y", "verdadeiro", "ativo", "x"}
FALSE_WORDS = {"0", "false", "nao", "não", "n", "no", "falso", "inativo"}
THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def parse_decimal(text: str) -> Decimal:
    """Read "1.234,56", "1234,56", "1234.56" or "1,234.56" (and R$ prefixes).

    With both separators, the last one is the decimal separator. With only a
    comma, it is the decimal separator. With only dots, "1.234" and "1.234.567"
    (groups of three) are thousands (the Brazilian reading); otherwise the dot is
    the decimal separator ("12.50").
    """
    value = text.strip().replace("R$", "").replace(" ", "").replace("\u00a0", "")
    if not value:
        raise ValueError("empty")
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        if value.count(",") > 1:
            raise ValueError(value)
        value = value.replace(",", ".")
    elif THOUSANDS_ONLY.match(value):
        value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


class BRDecimalWidget(widgets.Widget):
    """Decimals written the Brazilian way ("1234,56") and read either way."""

    def __init__(self, places: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = Decimal(str(value))
        else:
            try:
                number = parse_decimal(str(value))
            except ValueError as exc:
                raise ValueError(
                    _("“%(value)s” is not a number (use 1234,56 or 1.234,56).")
                    % {"value": value}
                ) from exc
        quantum = Decimal(1).scaleb(-self.places)
        if number != number.quantize(quantum):
            raise ValueError(
                _("“%(value)s” has more than %(places)s decimal places.")
                % {"value": value, "places": self.places}
            )
        return number.quantize(quantum)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return decimal_text(round(Decimal(value), self.places))


class BRIntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        number = (
            BRDecimalWidget(places=0).clean(value)
            if not isinstance(value, int)
            else value
        )
        if number is None:
            return None
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class BRBooleanWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("“%(value)s” is not sim/não.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return YES if value else NO


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # spreadsheets turn codes like NCM into numbers
        text = str(value).strip()
        if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
            text = text[1:]  # the apostrophe our export added against formulas
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ListWidget(TextWidget):
    """Several values in one cell, separated by "|"."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value)
        return [part.strip() for part in text.split("|") if part.strip()]


#: Widgets whose values the export writes as they are (typed XLSX cells).
VALUE_WIDGETS = (BRDecimalWidget, BRIntegerWidget, BRBooleanWidget)

PRODUCT_COLUMNS = [
    "product_slug",
    "product_name",
    "brand",
    "primary_category",
    "categories",
    "short_description",
    "tags",
    "option1_name",
    "option2_name",
    "option3_name",
    "seo_title",
    "search_description",
]
VARIANT_COLUMNS = [
    "sku",
    "option1",
    "option2",
    "option3",
    "price",
    "compare_at_price",
    "cost_price",
    "gtin",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "ncm",
    "origin",
    "active",
]
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
#: Variant fields read from the sheet (everything but the SKU that finds them).
VARIANT_FIELDS = VARIANT_COLUMNS[1:]
#: Product text columns and the model field behind each.
PRODUCT_FIELD = {
    "product_slug": "slug",
    "product_name": "name",
    "short_description": "short_description",
    "option1_name": "option1_name",
    "option2_name": "option2_name",
    "option3_name": "option3_name",
    "seo_title": "seo_title",
    "search_description": "search_description",
}
REQUIRED_COLUMNS = ["product_slug", "sku", "price"]
COST_COLUMN = "cost_price"


def _text(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=TextWidget())


class CatalogResource(resources.ModelResource):
    """Variants with their product's fields, in the catalog spreadsheet format."""

    product_slug = _text("product__slug", "product_slug")
    product_name = _text("product__name", "product_name")
    brand = _text("product__brand__slug", "brand")
    primary_category = _text("product__primary_category__path", "primary_category")
    categories = fields.Field(column_name="categories", widget=ListWidget())
    short_description = _text("product__short_description", "short_description")
    tags = fields.Field(column_name="tags", widget=ListWidget())
    option1_name = _text("product__option1_name", "option1_name")
    option2_name = _text("product__option2_name", "option2_name")
    option3_name = _text("product__option3_name", "option3_name")
    seo_title = _text("product__seo_title", "seo_title")
    search_description = _text("product__search_description", "search_description")
    sku = _text("sku", "sku")
    option1 = _text("option1", "option1")
    option2 = _text("option2", "option2")
    option3 = _text("option3", "option3")
    price = fields.Field(
        attribute="price", column_name="price", widget=BRDecimalWidget()
    )
    compare_at_price = fields.Field(
        attribute="compare_at_price",
        column_name="compare_at_price",
        widget=BRDecimalWidget(),
    )
    cost_price = fields.Field(
        attribute="cost_price", column_name="cost_price", widget=BRDecimalWidget()
    )
    gtin = _text("gtin", "gtin")
    weight_grams = fields.Field(
        attribute="weight_grams", column_name="weight_grams", widget=BRIntegerWidget()
    )
    length_cm = fields.Field(
        attribute="length_cm", column_name="length_cm", widget=BRDecimalWidget()
    )
    width_cm = fields.Field(
        attribute="width_cm", column_name="width_cm", widget=BRDecimalWidget()
    )
    height_cm = fields.Field(
        attribute="height_cm", column_name="height_cm", widget=BRDecimalWidget()
    )
    ncm = _text("ncm", "ncm")
    origin = _text("origin", "origin")
    active = fields.Field(
        attribute="active", column_name="active", widget=BRBooleanWidget()
    )

    class Meta:
        model = Variant
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["sku"]

    def __init__(self, *, include_cost: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.include_cost = include_cost

    def get_export_fields(self, selected_fields=None):
        export_fields = super().get_export_fields(selected_fields)
        if not self.include_cost:
            export_fields = [f for f in export_fields if f.column_name != COST_COLUMN]
        return export_fields

    def dehydrate_categories(self, variant):
        return "|".join(c.path for c in variant.product.categories.all())

    def dehydrate_tags(self, variant):
        return "|".join(sorted(t.name for t in variant.product.tags.all()))

    def export_field(self, field, instance, **kwargs):
        # Numbers and booleans as values: the spreadsheet export
        # (plugins.exports) writes them in its one format, the way the
        # widgets read them back.
        if isinstance(field.widget, VALUE_WIDGETS):
            return field.get_value(instance)
        return super().export_field(field, instance, **kwargs)

    def columns(self) -> list[str]:
        return [c for c in COLUMNS if self.include_cost or c != COST_COLUMN]

    def widget(self, column: str) -> widgets.Widget:
        return self.fields[column].widget


def export_queryset(products):
    """The variants of ``products`` in catalog order, with what export reads."""
    return (
        Variant.objects.filter(product__in=products)
        .select_related("product", "product__brand", "product__primary_category")
        .prefetch_related("product__categories", "product__tags")
        .order_by("product__slug", "sort_order", "pk")
    )
