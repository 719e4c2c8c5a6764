"""Forms of the finance screens.

The viewsets build their model forms with :func:`admin_form`: the fields of
a model form are made when its class is, and these classes are imported
while the apps load (Wagtail looks for hooks), before the project registers
its inputs for Wagtail's model forms (money as "R$ 1.234,56", decimals with
a comma, dates dd/mm/aaaa): built again after loading, they get them."""

from __future__ import annotations

import functools

from django import forms
from django.forms.models import modelform_factory
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.models import formfield_for_dbfield

from plugins.finance.models import MarketplacePayoutTerms, Provider, ProviderAccount
from plugins.finance.pix import PixError, parse_pix_key

SECRETS = ("access_token", "webhook_secret")


@functools.cache
def admin_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """``form_class`` with the project's inputs for its model fields (as
    Wagtail's model viewsets build theirs), its own options (``widgets``,
    ``field_permissions``) and methods kept."""
    return modelform_factory(
        form_class._meta.model,
        form=form_class,
        fields=form_class._meta.fields,
        formfield_callback=formfield_for_dbfield,
    )


class SecretInput(forms.PasswordInput):
    """Never renders a saved value: a secret is typed, never shown again."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False
        )


class ProviderAccountForm(WagtailAdminModelForm):
    """A provider account. Its secrets are typed and never shown again: left
    blank, the saved one stays. Only holders of ``manage_credentials`` see
    (and so may set) them."""

    class Meta:
        model = ProviderAccount
        fields = [
            "name",
            "provider",
            "active",
            "bank_account",
            "api_url",
            "access_token",
            "webhook_secret",
            "accepts_pix",
            "accepts_boleto",
            "accepts_card",
            "pix_key",
            "merchant_name",
            "merchant_city",
            "pix_expiry_minutes",
            "boleto_due_days",
            "max_installments",
            "settlement_days",
            "card_fee_percent",
            "installment_fee_percent",
            "anticipation",
            "anticipation_fee_percent",
            "pix_fee_percent",
            "pix_settlement_days",
            "boleto_fee",
            "boleto_settlement_days",
        ]
        widgets = dict.fromkeys(SECRETS, SecretInput)
        field_permissions = dict.fromkeys(SECRETS, "finance.manage_credentials")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            field = self.fields.get(name)
            if field is None:
                continue
            field.required = False
            if getattr(self.instance, name, ""):
                field.help_text = _(
                    "Saved (not shown). Leave blank to keep it; type a new one to "
                    "replace it."
                )

    def _secret(self, name: str) -> str:
        typed = (self.cleaned_data.get(name) or "").strip()
        return typed or getattr(self.instance, name, "")

    def clean_access_token(self):
        return self._secret("access_token")

    def clean_webhook_secret(self):
        return self._secret("webhook_secret")

    def clean_pix_key(self):
        text = (self.cleaned_data.get("pix_key") or "").strip()
        if not text:
            return ""
        try:
            return parse_pix_key(text).value
        except PixError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        data = super().clean()
        provider = data.get("provider")
        if provider and provider != Provider.MANUAL:
            for name in SECRETS:
                if name in self.fields and not data.get(name):
                    self.add_error(name, _("The provider's accounts need this."))
        if data.get("pix_key") and not (
            data.get("merchant_name") and data.get("merchant_city")
        ):
            self.add_error(
                "merchant_name",
                _("A Pix charge carries the merchant's name and city: fill both."),
            )
        return data


class PayoutTermsForm(WagtailAdminModelForm):
    """When a marketplace channel pays its orders' payouts."""

    class Meta:
        model = MarketplacePayoutTerms
        fields = ["channel", "days", "counted_from"]
