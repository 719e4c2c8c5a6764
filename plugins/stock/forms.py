"""Forms of the stock screens. They only collect and check input; the views
hand it to the services."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from plugins.stock.models import Warehouse
from plugins.stock.permissions import operable_warehouses
from plugins.widgets import AutocompleteInput


def sku_input(warehouse_field: str | None = "warehouse") -> AutocompleteInput:
    """The SKU input: suggests SKUs by SKU or product name as the clerk types,
    with their units in the warehouse chosen in ``warehouse_field``."""
    return AutocompleteInput(
        attrs={"placeholder": _("Type the SKU or the product name")},
        source_url=reverse_lazy("stock_sku_search"),
        params={"warehouse": f"id_{warehouse_field}"} if warehouse_field else {},
    )


class SkuField(forms.CharField):
    """A SKU of the catalog; cleans to its Variant. Typed in full or picked
    from the suggestions (``sku_input``)."""

    def __init__(self, *, warehouse_field: str | None = "warehouse", **kwargs):
        kwargs.setdefault("label", _("SKU"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("widget", sku_input(warehouse_field))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        from content.models import Variant

        variant = Variant.objects.filter(sku=value.strip()).first()
        if variant is None:
            raise forms.ValidationError(
                _("Unknown SKU “%(sku)s”."), params={"sku": value}, code="unknown"
            )
        return variant


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class OperateFormMixin:
    """The warehouse choices are the warehouses the user may move stock in."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.operable_fields:
            self.fields[name].queryset = operable_warehouses(user).filter(active=True)

    operable_fields = ("warehouse",)


class ReceiptForm(OperateFormMixin, forms.Form):
    warehouse = WarehouseChoiceField(label=_("Warehouse"), queryset=Warehouse.objects)
    sku = SkuField()
    quantity = forms.IntegerField(label=_("Units received"), min_value=1)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=80,
        required=False,
        help_text=_("e.g. the supplier's invoice (NF-e) number."),
    )
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)


class AdjustmentForm(OperateFormMixin, forms.Form):
    warehouse = WarehouseChoiceField(label=_("Warehouse"), queryset=Warehouse.objects)
    sku = SkuField()
    quantity = forms.IntegerField(
        label=_("Change in units"),
        help_text=_("Positive: units found; negative: units lost or broken."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Required: why the stock changes (broken, lost, found …)."),
    )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise forms.ValidationError(_("The adjustment must change the stock."))
        return quantity


class ReorderPointForm(forms.Form):
    reorder_point = forms.IntegerField(
        label=_("Reorder point"),
        min_value=0,
        help_text=_("Alert when the units available fall to this number (0: never)."),
    )


class TransferForm(OperateFormMixin, forms.Form):
    operable_fields = ("source",)

    source = WarehouseChoiceField(label=_("From"), queryset=Warehouse.objects)
    destination = WarehouseChoiceField(
        label=_("To"), queryset=Warehouse.objects.filter(active=True)
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get(
            "destination"
        ):
            self.add_error("destination", _("Choose two different warehouses."))
        return cleaned


class TransferLineForm(forms.Form):
    sku = SkuField(required=False, warehouse_field="source")
    quantity = forms.IntegerField(label=_("Units"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sku") and not cleaned.get("quantity"):
            self.add_error("quantity", _("How many units?"))
        if cleaned.get("quantity") and not cleaned.get("sku") and not self.errors:
            self.add_error("sku", _("Which SKU?"))
        return cleaned


TransferLineFormSet = forms.formset_factory(TransferLineForm, extra=5, max_num=200)


class LinesForm(forms.Form):
    """One integer field per line (``line-<id>``): units received or counted."""

    def __init__(self, *args, lines, initial_attr, max_attr=None, required=False, **kw):
        super().__init__(*args, **kw)
        self.lines = lines
        for line in lines:
            self.fields[f"line-{line.pk}"] = forms.IntegerField(
                label=line.sku,
                min_value=0,
                max_value=getattr(line, max_attr) if max_attr else None,
                required=required,
                initial=getattr(line, initial_attr),
                widget=forms.NumberInput(attrs={"class": "stock-qty", "min": 0}),
            )

    def values(self) -> dict[int, int | None]:
        return {
            line.pk: self.cleaned_data.get(f"line-{line.pk}") for line in self.lines
        }

    def rows(self):
        return [(line, self[f"line-{line.pk}"]) for line in self.lines]


class CountAddLineForm(forms.Form):
    """A SKU found on the shelf that is not on the count. The suggestions
    show its units in the count's warehouse (``count_warehouse``, a hidden
    field the widget reads)."""

    count_warehouse = forms.IntegerField(widget=forms.HiddenInput, required=False)
    sku = SkuField(
        label=_("SKU found on the shelf"),
        warehouse_field="count_warehouse",
        help_text=_("Not on the list? Add it and count it."),
    )


class CountOpenForm(OperateFormMixin, forms.Form):
    warehouse = WarehouseChoiceField(label=_("Warehouse"), queryset=Warehouse.objects)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=None,
        required=False,
        help_text=_("Count one category (and its subcategories); empty: everything."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from content.forms import label_categories
        from content.models import Category

        self.fields["category"].queryset = Category.objects.order_by("path")
        # "Moda › Calças", not the slug path
        label_categories(self.fields["category"])
