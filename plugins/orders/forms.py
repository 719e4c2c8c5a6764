"""Forms of the order desk screens. They check types and shapes; the business
rules (catalog prices, check digits, lifecycle) are the services' and come
back as :class:`~plugins.orders.exceptions.InvalidOrder` errors by field."""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.formsets import BaseFormSetMixin

from content.forms import CleanTextAdminForm
from content.validators import normalise_document, validate_identifier_text
from plugins.dates import BRDateInput
from plugins.money import MONEY, MoneyField
from plugins.orders.models import (
    MAX_INSTALLMENTS,
    UF_CHOICES,
    PaymentMethod,
    validate_document,
)
from plugins.orders.permissions import order_policy
from plugins.orders.services.validation import MAX_LINES, MAX_QUANTITY

#: an amount staff type: the money columns' digits, never negative
AMOUNT = {**MONEY, "min_value": 0}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Only the order desk sees notes."),
    )


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=300, widget=forms.Textarea
    )


# -- new order ------------------------------------------------------------------


class NewOrderForm(forms.Form):
    """The order's own fields: channel, payment, amounts, dates."""

    channel = forms.ModelChoiceField(label=_("Sales channel"), queryset=None)
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=PaymentMethod.choices
    )
    installments = forms.IntegerField(
        label=_("Installments"),
        min_value=1,
        max_value=MAX_INSTALLMENTS,
        initial=1,
    )
    # Amounts staff state only on channels at their own prices: the rule is
    # place_order's (placing.stated_amounts), which names the field it refuses.
    shipping_total = MoneyField(
        label=_("Shipping (R$)"),
        required=False,
        help_text=_("Only for channels that sell at their own prices."),
        **AMOUNT,
    )
    discount_total = MoneyField(
        label=_("Order discount (R$)"),
        required=False,
        help_text=_(
            "Only for channels that sell at their own prices. Spread over the "
            "lines in proportion to their amounts."
        ),
        **AMOUNT,
    )
    promised_delivery_date = forms.DateField(
        label=_("Promised delivery date"), required=False, widget=BRDateInput
    )
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installments"].help_text = _("Credit card only: 1 to %(max)s.") % {
            "max": MAX_INSTALLMENTS
        }
        channels = order_policy().scope_objects(user, "add").filter(active=True)
        self.fields["channel"].queryset = channels
        if len(choices := list(channels[:2])) == 1:
            self.fields["channel"].initial = choices[0].pk
        self.fields["channel"].widget.attrs["data-custom-prices"] = ",".join(
            str(pk)
            for pk in channels.filter(accepts_custom_prices=True).values_list(
                "pk", flat=True
            )
        )

    def clean_promised_delivery_date(self):
        value = self.cleaned_data["promised_delivery_date"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The promised date is in the past."))
        return value


class CustomerDataForm(forms.Form):
    """The customer of a new order: the one found by the lookup (``id``, set
    by the screen's script) or someone new, typed here."""

    id = forms.IntegerField(
        label=_("Customer"),
        required=False,
        min_value=1,
        widget=forms.HiddenInput(attrs={"data-rg-new-order-target": "customerId"}),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    document = forms.CharField(
        label=_("CPF or CNPJ"),
        max_length=18,
        required=False,
        help_text=_("With or without punctuation."),
    )


class AddressForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=150)
    cep = forms.CharField(label=_("CEP"), max_length=9)
    street = forms.CharField(label=_("Street"), max_length=200)
    number = forms.CharField(label=_("Number"), max_length=20)
    complement = forms.CharField(label=_("Complement"), max_length=100, required=False)
    district = forms.CharField(label=_("District"), max_length=100)
    city = forms.CharField(label=_("City"), max_length=100)
    uf = forms.ChoiceField(label=_("UF"), choices=[("", "—"), *UF_CHOICES])


class LineForm(forms.Form):
    """One line of a new order. The SKU input is also the product search
    (``rg-lookup``): the attendant types part of a name or SKU and picks."""

    sku = forms.CharField(
        label=_("Product (name or SKU)"),
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "data-rg-lookup-target": "input",
                "data-action": (
                    "input->rg-lookup#search keydown->rg-lookup#navigate "
                    "focusout->rg-lookup#close"
                ),
            }
        ),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "order-line__quantity"}),
    )
    unit_price = MoneyField(
        label=_("Unit price (R$)"),
        required=False,
        help_text=_("Empty: the catalog's price."),
        **AMOUNT,
    )
    discount = MoneyField(
        label=_("Line discount (R$)"),
        required=False,
        **AMOUNT,
    )


class BaseLineFormSet(BaseFormSetMixin, forms.BaseFormSet):
    """The lines, added and removed in the browser by Wagtail's ``w-formset``
    controller (rows removed there are sent with ``DELETE``)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not [
            f for f in self.forms if f.has_changed() and f not in self.deleted_forms
        ]:
            raise forms.ValidationError(_("An order needs at least one line."))


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
)


# -- customers ------------------------------------------------------------------


class CustomerForm(CleanTextAdminForm):
    """The customer editor: CPF/CNPJ with valid check digits (alphanumeric CNPJs
    too), stored without punctuation, letters in upper case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored document has 14 characters at most; typed with its
        # punctuation a CNPJ has 18 (12.ABC.345/01DE-35).
        field = self.fields.get("document")
        if field is not None:
            field.max_length = 18
            field.help_text = _(
                "With or without punctuation; a CNPJ may have letters "
                "(12.ABC.345/01DE-35). Check digits are validated."
            )
            field.widget.attrs["maxlength"] = "18"
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]

    def clean_document(self):
        value = self.cleaned_data.get("document") or ""
        validate_identifier_text(value)
        value = normalise_document(value)
        if value:
            validate_document(value)
        return value


# -- imports and reports ----------------------------------------------------------


class SurveyReportForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=BRDateInput)
    until = forms.DateField(label=_("To"), required=False, widget=BRDateInput)
    channel = forms.ModelChoiceField(
        label=_("Sales channel"), queryset=None, required=False
    )

    DEFAULT_DAYS = 90

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = order_policy().scope_objects(user, "view")

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or until - datetime.timedelta(days=self.DEFAULT_DAYS)
        return min(since, until), max(since, until)
