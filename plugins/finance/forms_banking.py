"""Forms of the bank-account screens: an account with the column mapping of
its bank's CSV statement, and the choices of the statement imports (which
account, which format).

The mapping names the CSV's columns by their header, as the bank writes
them ("Data", "Valor", "Histórico"); it is stored in
``BankAccount.csv_mapping`` (see :data:`MAPPING_KEYS`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from content.forms import CleanTextAdminForm
from plugins.dates import BRDateInput
from plugins.finance.models import BankAccount
from plugins.money import MoneyField

#: The date formats a bank's CSV may use, as ``strptime`` reads them.
DATE_FORMATS = (
    ("%d/%m/%Y", _("dd/mm/aaaa (31/01/2026)")),
    ("%d/%m/%y", _("dd/mm/aa (31/01/26)")),
    ("%d-%m-%Y", _("dd-mm-aaaa (31-01-2026)")),
    ("%Y-%m-%d", _("aaaa-mm-dd (2026-01-31)")),
)
DECIMAL_SEPARATORS = (
    (",", _("Comma (1.234,56)")),
    (".", _("Point (1,234.56)")),
)
#: The columns of the mapping: key in ``csv_mapping`` → form field label.
MAPPING_COLUMNS = (
    ("date", _("Date column")),
    ("amount", _("Amount column")),
    ("credit", _("Credit column")),
    ("debit", _("Debit column")),
    ("description", _("Description column")),
    ("reference", _("Reference column")),
    ("balance", _("Balance column")),
)
MAPPING_HELP = {
    "amount": _("One column with credits positive and debits negative."),
    "credit": _("Or two columns: the credits here…"),
    "debit": _(
        "…and the debits here (written with or without a minus sign: "
        "they are always taken as money out)."
    ),
    "reference": _("The bank's id of the movement (document number), if any."),
    "balance": _("The balance after the movement, if the bank gives it."),
}
MAPPING_KEYS = (*(key for key, _label in MAPPING_COLUMNS), "date_format", "decimal")


class BankAccountForm(CleanTextAdminForm):
    """A bank account and its CSV column mapping."""

    class Meta:
        model = BankAccount
        fields = [
            "name",
            "bank_code",
            "bank_name",
            "agency",
            "number",
            "opening_balance",
            "opening_date",
            "active",
        ]
        # the project's money and date inputs ("1.234,56", dd/mm/aaaa), also
        # when this module is imported before they are registered for every
        # admin model form
        field_classes = {"opening_balance": MoneyField}
        widgets = {"opening_date": BRDateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mapping = self.instance.csv_mapping or {}
        for key, label in MAPPING_COLUMNS:
            self.fields[f"csv_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=80,
                help_text=MAPPING_HELP.get(key, ""),
                initial=mapping.get(key, ""),
            )
        self.fields["csv_date_format"] = forms.ChoiceField(
            label=_("Date format"),
            choices=DATE_FORMATS,
            initial=mapping.get("date_format", DATE_FORMATS[0][0]),
        )
        self.fields["csv_decimal"] = forms.ChoiceField(
            label=_("Decimal separator"),
            choices=DECIMAL_SEPARATORS,
            initial=mapping.get("decimal", ","),
            widget=forms.RadioSelect,
        )

    def clean(self):
        cleaned = super().clean()
        columns = {
            key: (cleaned.get(f"csv_{key}") or "").strip()
            for key, _label in MAPPING_COLUMNS
        }
        if any(columns.values()):
            if not columns["date"]:
                self.add_error("csv_date", _("Name the column of the date."))
            if columns["amount"] and (columns["credit"] or columns["debit"]):
                self.add_error(
                    "csv_amount",
                    _("Name either one amount column or the credit and debit columns."),
                )
            elif not (columns["amount"] or columns["credit"] or columns["debit"]):
                self.add_error(
                    "csv_amount",
                    _("Name the amount column (or the credit and debit columns)."),
                )
            named = [v.lower() for v in columns.values() if v]
            if len(named) != len(set(named)):
                self.add_error(
                    None, _("Each column of the mapping must be a different one.")
                )
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        mapping = {
            key: data.get(f"csv_{key}", "").strip()
            for key, _label in MAPPING_COLUMNS
            if (data.get(f"csv_{key}") or "").strip()
        }
        if mapping:
            mapping["date_format"] = data.get("csv_date_format") or "%d/%m/%Y"
            mapping["decimal"] = data.get("csv_decimal") or ","
        self.instance.csv_mapping = mapping
        return super().save(commit=commit)
