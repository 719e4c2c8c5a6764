"""Forms of the supplier NF-e screens: the upload of one XML, the receipt's
confirmation (the warehouse, each line's variant and units) and the
discard. They only collect and check input; the views hand it to
:mod:`plugins.fiscal.services.intake`."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.fiscal.reading import MAX_XML_BYTES
from plugins.fiscal.services.intake import (
    MAX_UNITS,
    LineChoice,
    stock_enabled,
    suggested_units,
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The NF-e's XML"),
        help_text=gettext_lazy(
            "The XML file the supplier sent (the NF-e or its nfeProc, up to 5 "
            "MB). To receive many at once, import a ZIP."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml"}),
        error_messages={"empty": gettext_lazy("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_XML_BYTES:
            raise forms.ValidationError(
                _(
                    "The file has %(size)s KB, more than the %(limit)s KB an "
                    "NF-e may have."
                )
                % {"size": upload.size // 1024, "limit": MAX_XML_BYTES // 1024}
            )
        return upload


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


def _sku_widget():
    if not stock_enabled():
        return forms.TextInput(attrs={"autocomplete": "off"})
    from plugins.widgets import AutocompleteInput

    return AutocompleteInput(
        attrs={"placeholder": _("Type the SKU or the product name")},
        source_url=reverse("stock_sku_search"),
        params={"warehouse": "id_warehouse"},
    )


class ReceiptForm(forms.Form):
    """The receipt of a supplier NF-e: the warehouse (with the stock
    plugin: those where the user may move stock) and, per line, the SKU of
    the variant it is (blank: none) and the units it brings into stock."""

    def __init__(self, *args, lines, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        if stock_enabled():
            from plugins.stock.permissions import operable_warehouses

            self.fields["warehouse"] = WarehouseChoiceField(
                label=_("Warehouse"),
                queryset=operable_warehouses(user).filter(active=True),
                help_text=_("Where the goods arrived."),
            )
        for line in self.lines:
            units = line.units
            if units is None:
                units = suggested_units(line.quantity, 1)
            self.fields[f"sku_{line.pk}"] = forms.CharField(
                label=_("SKU of item %(item)s") % {"item": line.item},
                required=False,
                max_length=64,
                initial=line.variant.sku if line.variant_id else "",
                widget=_sku_widget(),
            )
            self.fields[f"units_{line.pk}"] = forms.IntegerField(
                label=_("Units of item %(item)s") % {"item": line.item},
                min_value=0,
                max_value=MAX_UNITS,
                initial=units,
            )

    def clean(self):
        from content.models import Variant

        cleaned = super().clean()
        wanted = {
            line.pk: (cleaned.get(f"sku_{line.pk}") or "").strip()
            for line in self.lines
        }
        found = {
            variant.sku: variant
            for variant in Variant.objects.filter(
                sku__in={sku for sku in wanted.values() if sku}
            )
        }
        self.variants = {}
        for pk, sku in wanted.items():
            if sku and sku not in found:
                self.add_error(f"sku_{pk}", _("Unknown SKU “%(sku)s”.") % {"sku": sku})
            self.variants[pk] = found.get(sku)
        return cleaned

    def choices(self) -> dict[int, LineChoice]:
        return {
            line.pk: LineChoice(
                variant=self.variants.get(line.pk),
                units=self.cleaned_data.get(f"units_{line.pk}") or 0,
            )
            for line in self.lines
        }

    def rows(self):
        """Each line with its two fields, for the table."""
        return [
            (line, self[f"sku_{line.pk}"], self[f"units_{line.pk}"])
            for line in self.lines
        ]


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it discarded?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "E.g. goods refused at delivery, NF-e issued by mistake. Its bill "
            "to pay is cancelled."
        ),
    )
