"""Forms of the logistics manager's set-up screens: carriers (with their
credentials, typed and never shown again), shipping origins and
free-shipping rules.

The viewsets build their model forms with :func:`admin_form`: built after
the apps load, they get the project's inputs for Wagtail's model forms
(money as "R$ 1.234,56", decimals with a comma)."""

from __future__ import annotations

import functools

from django import forms
from django.apps import apps
from django.forms.models import modelform_factory
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.models import formfield_for_dbfield

from plugins.logistics.models import (
    Carrier,
    CarrierService,
    FreeShippingRule,
    ShippingOrigin,
)

SECRETS = ("access_token", "webhook_secret")
UFS = (
    "AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO"
).split()


@functools.cache
def admin_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """``form_class`` with the project's inputs for its model fields, its
    own options and methods kept."""
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


def webhook_path(carrier: Carrier) -> str:
    """Where the carrier pushes its tracking events (the logistics API)."""
    return f"/api/v1/logistics/webhooks/{carrier.webhook_token}/"


CARRIER_FIELDS = [
    "name",
    "code",
    "kind",
    "active",
    "base_url",
    "contract",
    "username",
    "access_token",
    "webhook_secret",
    "tracking_prefix",
    "cubic_factor",
    "max_weight_g",
    "max_side_cm",
    "max_sum_cm",
]


class CarrierForm(WagtailAdminModelForm):
    """A carrier and its credentials. The access token and the webhook
    secret are typed and never shown again: left blank, the saved one
    stays. The API address goes only to a public http(s) address (the
    model's validator)."""

    class Meta:
        model = Carrier
        fields = CARRIER_FIELDS
        widgets = dict.fromkeys(SECRETS, SecretInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            field = self.fields[name]
            field.required = False
            if getattr(self.instance, name, ""):
                field.help_text = _(
                    "Saved (not shown). Leave blank to keep it; type a new one to "
                    "replace it."
                )
        if self.instance.pk:
            self.fields["webhook_secret"].help_text = (
                f"{self.fields['webhook_secret'].help_text} "
                + _("The carrier sends its tracking notifications to %(url)s.")
                % {"url": webhook_path(self.instance)}
            )

    def _secret(self, name: str) -> str:
        typed = (self.cleaned_data.get(name) or "").strip()
        return typed or getattr(self.instance, name, "")

    def clean_access_token(self):
        return self._secret("access_token")

    def clean_webhook_secret(self):
        return self._secret("webhook_secret")

    def clean_tracking_prefix(self):
        prefix = (self.cleaned_data.get("tracking_prefix") or "").strip().upper()
        if prefix and not (len(prefix) == 2 and prefix.isalpha() and prefix.isascii()):
            raise forms.ValidationError(_("Two letters, e.g. SX."))
        return prefix


class CarrierServiceForm(WagtailAdminModelForm):
    class Meta:
        model = CarrierService
        fields = [
            "carrier",
            "code",
            "name",
            "active",
            "min_price",
            "ad_valorem_percent",
            "gris_percent",
            "extra_per_kg",
            "extra_days",
        ]


def warehouse_choices() -> list[tuple[str, str]]:
    if not apps.is_installed("plugins.stock"):
        return []
    from plugins.stock.models import Warehouse

    return [
        (code, f"{code} · {name}")
        for code, name in Warehouse.objects.order_by("code").values_list("code", "name")
    ]


class ShippingOriginForm(WagtailAdminModelForm):
    """A shipping origin; with the stock plugin, its warehouse is chosen
    from the warehouses."""

    class Meta:
        model = ShippingOrigin
        fields = [
            "name",
            "code",
            "warehouse_code",
            "sender_name",
            "sender_document",
            "sender_phone",
            "cep",
            "street",
            "number",
            "complement",
            "district",
            "city",
            "uf",
            "handling_days",
            "is_default",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = warehouse_choices()
        if choices:
            field = self.fields["warehouse_code"]
            self.fields["warehouse_code"] = forms.ChoiceField(
                label=field.label,
                help_text=field.help_text,
                required=False,
                choices=[("", "—"), *choices],
            )
        self.fields["uf"] = forms.ChoiceField(
            label=self.fields["uf"].label, choices=[(uf, uf) for uf in UFS]
        )


def channel_choices() -> list[tuple[str, str]]:
    from plugins.orders.models import SalesChannel

    return [
        (code, name)
        for code, name in SalesChannel.objects.order_by("name").values_list(
            "code", "name"
        )
    ]


class FreeShippingRuleForm(WagtailAdminModelForm):
    """A free-shipping rule: the channel from the sales channels, the UFs
    checked from the 27, the minimum order value typed as money."""

    states = forms.MultipleChoiceField(
        label=_("UFs"),
        required=False,
        choices=[(uf, uf) for uf in UFS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: every state."),
    )

    class Meta:
        model = FreeShippingRule
        fields = [
            "name",
            "active",
            "service",
            "channel_code",
            "states",
            "min_order_value",
            "product_tag",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["channel_code"]
        self.fields["channel_code"] = forms.ChoiceField(
            label=field.label,
            required=False,
            choices=[("", _("Every channel")), *channel_choices()],
        )
        if self.instance.pk and self.instance.states:
            self.initial["states"] = [
                uf.strip().upper()
                for uf in self.instance.states.split(",")
                if uf.strip()
            ]

    def clean_states(self):
        return ", ".join(self.cleaned_data.get("states") or [])
