"""Forms of the tax rules screens: a rule (its checks, beyond the database's)
and the simulator's question."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from content.forms import CleanTextAdminForm
from plugins.fiscal.models import Emitter, Operation, TaxRegime, TaxRule
from plugins.fiscal.models.rules import (
    CRITERIA,
    CUSTOMER_TYPE_CHOICES,
    ICMS_REDUCIBLE,
    Csosn,
    IcmsCst,
)
from plugins.money import MoneyField
from plugins.orders.models import UF_CHOICES

_NCM_PUNCTUATION = re.compile(r"[\s.]")


class TaxRuleForm(CleanTextAdminForm):
    """A tax rule: the codes the rule's regimes need, a base reduction only
    where the CST allows one, CFOPs of the right direction, and no other
    active rule with the same criteria and priority (which one would win
    would then depend on which was written first)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ncm" in self.fields:
            # typed as printed ("6109.10.00"): the dots go before the model's
            # own check of the digits
            model_field = TaxRule._meta.get_field("ncm")
            self.fields["ncm"] = forms.CharField(
                label=self.fields["ncm"].label,
                help_text=model_field.help_text,
                required=False,
                max_length=12,
            )

    def clean_ncm(self):
        return _NCM_PUNCTUATION.sub("", self.cleaned_data.get("ncm") or "")

    def clean(self):
        data = super().clean()
        self._check_codes(data)
        self._check_cfops(data)
        if not self.errors:
            self._check_duplicate(data)
        return data

    def _check_codes(self, data):
        regime = data.get("tax_regime")
        cst, csosn = data.get("icms_cst"), data.get("icms_csosn")
        if regime and TaxRegime.uses_csosn(regime) and not csosn:
            self.add_error(
                "icms_csosn", _("A rule for a Simples Nacional emitter needs a CSOSN.")
            )
        elif regime and not TaxRegime.uses_csosn(regime) and not cst:
            self.add_error("icms_cst", _("A rule for this regime needs an ICMS CST."))
        elif not (cst or csosn):
            self.add_error(
                "icms_cst",
                _("State the CST (regime normal), the CSOSN (Simples) or both."),
            )
        reduction = data.get("icms_base_reduction")
        if reduction and not ({cst, csosn} & ICMS_REDUCIBLE):
            self.add_error(
                "icms_base_reduction",
                _("A base reduction needs CST 20 or CSOSN 900."),
            )
        if cst == IcmsCst.REDUCED and not reduction:
            self.add_error("icms_base_reduction", _("CST 20 needs the base reduction."))
        if csosn == Csosn.CREDIT and not data.get("sn_credit_rate"):
            self.add_error(
                "sn_credit_rate", _("CSOSN 101 states the credit rate (pCredSN).")
            )
        if data.get("ipi_rate") and not data.get("ipi_cst"):
            self.add_error("ipi_cst", _("An IPI rate needs the IPI CST."))
        if bool(data.get("ibs_cbs_cst")) != bool(data.get("ibs_cbs_classification")):
            self.add_error(
                "ibs_cbs_classification",
                _("The IBS/CBS CST and the cClassTrib go together: fill both or none."),
            )

    def _check_cfops(self, data):
        internal, interstate = data.get("cfop_internal"), data.get("cfop_interstate")
        if internal and internal[0] not in "15":
            self.add_error(
                "cfop_internal",
                _("A CFOP inside the state starts with 1 (entry) or 5 (exit)."),
            )
        if interstate and interstate[0] not in "26":
            self.add_error(
                "cfop_interstate",
                _("A CFOP to another state starts with 2 (entry) or 6 (exit)."),
            )

    def _check_duplicate(self, data):
        if not data.get("active"):
            return
        criteria = {name: data.get(name) or "" for name in CRITERIA}
        same = TaxRule.objects.filter(
            active=True, priority=data.get("priority") or 0, **criteria
        )
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        other = same.first()
        if other is not None:
            raise forms.ValidationError(
                _(
                    "The active rule “%(rule)s” has the same criteria and "
                    "priority: change the priority of one of them, or edit that "
                    "rule instead."
                )
                % {"rule": other.description}
            )


class SimulatorForm(forms.Form):
    """What to simulate: an order, or a SKU sent to a state and a kind of
    customer; issued by one of the emitters the person sees."""

    emitter = forms.ModelChoiceField(
        label=_("Emitter"), queryset=Emitter.objects.none(), empty_label=None
    )
    operation = forms.ChoiceField(
        label=_("Operation"),
        choices=[
            (Operation.SALE, Operation.SALE.label),
            (Operation.RETURN, Operation.RETURN.label),
        ],
        initial=Operation.SALE,
        required=False,
    )
    order = forms.CharField(
        label=_("Order number"),
        required=False,
        max_length=20,
        help_text=_("Or a SKU below, with the state and the kind of customer."),
    )
    sku = forms.CharField(label=_("SKU"), required=False, max_length=64)
    destination_uf = forms.ChoiceField(
        label=_("Destination UF"), choices=[("", "—"), *UF_CHOICES], required=False
    )
    customer_type = forms.ChoiceField(
        label=_("Customer type"),
        choices=[("", "—"), *CUSTOMER_TYPE_CHOICES],
        required=False,
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=99999, required=False
    )
    unit_price = MoneyField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        help_text=_("Empty: the catalog's price."),
    )
    freight = MoneyField(label=_("Freight"), required=False, min_value=0)

    def __init__(self, *args, emitters=None, **kwargs):
        super().__init__(*args, **kwargs)
        if emitters is not None:
            self.fields["emitter"].queryset = emitters

    def clean_order(self):
        return (self.cleaned_data.get("order") or "").strip().upper()

    def clean_sku(self):
        return (self.cleaned_data.get("sku") or "").strip()

    def clean(self):
        data = super().clean()
        order, sku = data.get("order"), data.get("sku")
        if bool(order) == bool(sku):
            raise forms.ValidationError(
                _("Type an order number or a SKU (one of them).")
            )
        if sku:
            for name in ("destination_uf", "customer_type"):
                if not data.get(name):
                    self.add_error(name, _("Needed to simulate a SKU."))
        data["operation"] = data.get("operation") or Operation.SALE
        return data
