"""Forms of the payables screens: suppliers, the chart of accounts, a new
bill, a payment, a supplier's boleto, a cancellation and an attachment.

Amounts are the project's money field ("1.234,56", "R$ 89,90"), dates
dd/mm/aaaa. The forms only read what is typed; the rules are the services'
(:mod:`plugins.finance.services.payables`), whose errors come back on the
field they name."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from content.forms import CleanTextAdminForm, CleanTextFormMixin
from content.validators import (
    normalise_document,
    validate_document,
    validate_identifier_text,
)
from plugins.dates import BRDateInput
from plugins.finance.attachments import MAX_ATTACHMENT_BYTES
from plugins.finance.models import BankAccount, BillAttachment, BillCategory, Supplier
from plugins.finance.permissions import visible_bank_accounts
from plugins.finance.pix import PixError, parse_pix_key
from plugins.finance.services.payables import (
    MAX_BILL_INSTALLMENTS,
    MAX_INTERVAL_DAYS,
)
from plugins.money import MoneyField

#: What the file inputs offer to pick (the server checks the contents).
ACCEPT = "application/pdf,image/png,image/jpeg"
FILE_HELP = lazy(
    lambda: (
        _("A PDF or a picture (PNG or JPEG), up to %(max)s MB.")
        % {"max": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
    ),
    str,
)()


def _file_field(label, **kwargs) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        **kwargs,
    )


class SupplierForm(CleanTextAdminForm):
    """A supplier: CPF or CNPJ with valid check digits (typed with or
    without punctuation, stored without), a Pix key as the Banco Central
    reads it."""

    class Meta:
        model = Supplier
        fields = [
            "name",
            "document",
            "email",
            "phone",
            "pix_key",
            "bank_code",
            "bank_branch",
            "bank_account",
            "bank_account_type",
            "note",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stored with 14 characters at most; a CNPJ typed with its
        # punctuation has 18 (12.345.678/0001-95).
        field = self.fields["document"]
        field.max_length = 18
        field.widget.attrs["maxlength"] = "18"
        field.validators = [
            v for v in field.validators if not isinstance(v, MaxLengthValidator)
        ]

    def clean_document(self):
        value = self.cleaned_data.get("document") or ""
        validate_identifier_text(value)
        value = normalise_document(value)
        validate_document(value)
        return value

    def clean_pix_key(self):
        text = (self.cleaned_data.get("pix_key") or "").strip()
        if not text:
            return ""
        try:
            return parse_pix_key(text).value
        except PixError as error:
            raise forms.ValidationError(error.message) from None


class BillCategoryForm(CleanTextAdminForm):
    class Meta:
        model = BillCategory
        fields = ["code", "name", "parent", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = BillCategory.objects.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class BillForm(CleanTextFormMixin, forms.Form):
    """A new bill: who, what for, how much, when (in installments or by the
    supplier's boleto) and its files."""

    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(active=True)
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=BillCategory.objects.filter(active=True),
        help_text=_("Where the expense goes in the chart of accounts."),
    )
    description = forms.CharField(label=_("Description"), max_length=200)
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        required=False,
        help_text=_("The invoice's (NF-e) or the supplier's document number."),
    )
    issue_date = forms.DateField(label=_("Issued on"), widget=BRDateInput)
    boleto_line = forms.CharField(
        label=_("Boleto line"),
        max_length=60,
        required=False,
        help_text=_(
            "The 47 digits of the supplier's boleto: the total and the due "
            "date are read from it (one installment)."
        ),
    )
    total = MoneyField(label=_("Total"), required=False, min_value=0)
    installments = forms.IntegerField(
        label=_("Installments"),
        min_value=1,
        max_value=MAX_BILL_INSTALLMENTS,
        initial=1,
    )
    first_due_date = forms.DateField(
        label=_("First due date"), widget=BRDateInput, required=False
    )
    every_days = forms.IntegerField(
        label=_("Days between installments"),
        min_value=1,
        max_value=MAX_INTERVAL_DAYS,
        initial=30,
    )
    bank_account = forms.ModelChoiceField(
        label=_("Paid from"),
        queryset=BankAccount.objects.none(),
        required=False,
        help_text=_("The bank account the installments will be paid from."),
    )
    boleto_file = _file_field(_("Boleto (file)"), required=False)
    invoice_file = _file_field(_("Invoice (file)"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue_date"].initial = timezone.localdate
        self.fields["bank_account"].queryset = visible_bank_accounts(user).filter(
            active=True
        )


class PaymentForm(CleanTextFormMixin, forms.Form):
    """The payment of one installment."""

    paid_on = forms.DateField(label=_("Paid on"), widget=BRDateInput)
    interest = MoneyField(label=_("Interest"), required=False, min_value=0)
    fine = MoneyField(label=_("Fine"), required=False, min_value=0)
    discount = MoneyField(label=_("Discount"), required=False, min_value=0)
    amount_paid = MoneyField(
        label=_("Amount paid"),
        required=False,
        min_value=0,
        help_text=_(
            "What left the bank. Left blank, it is the amount with interest "
            "and fine, less the discount; typed, it must be that."
        ),
    )
    paid_from = forms.CharField(
        label=_("Paid from"),
        max_length=100,
        required=False,
        help_text=_("The bank account the money left from."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate


class BoletoForm(forms.Form):
    boleto_line = forms.CharField(
        label=_("Boleto line"),
        max_length=60,
        help_text=_(
            "The 47 digits of the supplier's boleto for this installment: its "
            "due date becomes the boleto's."
        ),
    )


class CancelForm(CleanTextFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BillAttachment.Kind.choices)
    file = _file_field(_("File"))
