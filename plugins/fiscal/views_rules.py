"""The tax simulator (Fiscal › Simulador de tributação): the taxes the rules
give each line of an order — or of a SKU sent to a state and a kind of
customer — issued by one of the emitters the person sees, and the rule that
produced each line. It reads only: nothing is written.

Who: whoever may read the tax rules (``fiscal.view_taxrule``: the fiscal
desk, the accountant, managers, auditors), with the emitters they see (the
fiscal clerk those granted to them: another emitter answers 404) and the
orders they see.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.models import Variant
from plugins.fiscal.forms_rules import SimulatorForm
from plugins.fiscal.models import Emitter, Operation, TaxRegime
from plugins.fiscal.models.rules import CUSTOMER_TYPE_CHOICES
from plugins.fiscal.rules import compute, money, order_tax_inputs
from plugins.fiscal.taxation import ZERO, LineTaxes, NoTaxRule, TaxContext, TaxInput
from plugins.fiscal.viewsets_rules import TAX_RULES
from plugins.money import format_br_decimal, format_brl
from plugins.permissions import ScopedPermissionPolicy, is_active_user

SIMULATOR = "fiscal_tax_simulator"
VIEW_RULES = "fiscal.view_taxrule"
CHANGE_RULES = "fiscal.change_taxrule"


def may_simulate(user) -> bool:
    return is_active_user(user) and user.has_perm(VIEW_RULES)


def visible_emitters(user):
    """The active emitters ``user`` sees (every one with the model
    permission, the granted ones otherwise)."""
    return (
        ScopedPermissionPolicy(Emitter)
        .scope_objects(user, "view")
        .filter(active=True)
        .order_by("legal_name")
    )


def visible_orders(user):
    from plugins.orders.models import Order
    from plugins.orders.permissions import order_policy

    return order_policy().filter_queryset(Order.objects.all(), user, ["view"])


def rate(value: Decimal) -> str:
    return f"{format_br_decimal(value)}%"


class SimulatorView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "fiscal/tax_simulator.html"
    page_title = gettext_lazy("Tax simulator")
    header_icon = "decimal"

    def dispatch(self, request, *args, **kwargs):
        if not may_simulate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        emitters = visible_emitters(request.user)
        asked = request.GET.get("emitter")
        if asked and not emitters.filter(pk=asked if asked.isdigit() else 0).exists():
            # another emitter's taxes are not this person's to see
            raise Http404
        self.result = None
        self.error = ""
        if request.GET:
            self.form = SimulatorForm(request.GET, emitters=emitters)
            if self.form.is_valid():
                self.simulate(self.form.cleaned_data)
        else:
            first = list(emitters[:2])
            initial = {"quantity": 1, "operation": Operation.SALE}
            if len(first) == 1:
                initial["emitter"] = first[0].pk
            self.form = SimulatorForm(initial=initial, emitters=emitters)
        return super().get(request, *args, **kwargs)

    def simulate(self, data) -> None:
        emitter = data["emitter"]
        try:
            if data["order"]:
                order = (
                    visible_orders(self.request.user)
                    .filter(number=data["order"])
                    .first()
                )
                if order is None:
                    self.form.add_error(
                        "order", _("No order with this number that you can see.")
                    )
                    return
                context, inputs = order_tax_inputs(
                    order, emitter, operation=data["operation"]
                )
                if not inputs:
                    self.error = _("The order has no lines.")
                    return
            else:
                context, inputs = self.sku_inputs(data, emitter)
                if inputs is None:
                    return
            self.result = (context, inputs, compute(inputs, context))
        except NoTaxRule as error:
            self.error = str(error)

    def sku_inputs(self, data, emitter):
        variant = Variant.objects.filter(sku=data["sku"]).first()
        if variant is None:
            self.form.add_error("sku", _("No variant has this SKU."))
            return None, None
        quantity = Decimal(data.get("quantity") or 1)
        unit_price = data.get("unit_price")
        if unit_price is None:
            unit_price = variant.price
        context = TaxContext(
            operation=data["operation"],
            emitter_uf=emitter.uf,
            destination_uf=data["destination_uf"],
            customer_type=data["customer_type"],
            tax_regime=emitter.tax_regime,
        )
        line = TaxInput(
            sku=variant.sku,
            ncm=variant.ncm,
            origin=variant.origin,
            quantity=quantity,
            unit_price=unit_price,
            total=money(unit_price * quantity),
            freight=data.get("freight") or ZERO,
            gtin=variant.gtin,
        )
        return context, [line]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            error=self.error,
            action_url=reverse(SIMULATOR),
            no_emitter=not self.form.fields["emitter"].queryset.exists(),
        )
        if self.result is not None:
            tax_context, inputs, taxes = self.result
            context["summary"] = self.summary(tax_context)
            context["rows"] = [
                self.row(line, line_taxes)
                for line, line_taxes in zip(inputs, taxes, strict=True)
            ]
            context["totals"] = self.totals(inputs, taxes)
        return context

    def summary(self, tax_context: TaxContext) -> dict:
        customers = dict(CUSTOMER_TYPE_CHOICES)
        return {
            "operation": Operation(tax_context.operation).label,
            "route": f"{tax_context.emitter_uf} → {tax_context.destination_uf}",
            "interstate": tax_context.emitter_uf != tax_context.destination_uf,
            "customer": customers.get(tax_context.customer_type, ""),
            "regime": TaxRegime(tax_context.tax_regime).label,
        }

    def rule_url(self, pk: int) -> str:
        action = "edit" if self.request.user.has_perm(CHANGE_RULES) else "inspect"
        return reverse(f"{TAX_RULES}:{action}", args=[pk])

    def row(self, line: TaxInput, taxes: LineTaxes) -> dict:
        difal = taxes.difal
        reform = taxes.reform
        return {
            "sku": line.sku,
            "description": line.description,
            "quantity": format_br_decimal(line.quantity, None),
            "value": format_brl(line.total + line.freight),
            "freight": format_brl(line.freight) if line.freight else "",
            "ncm": line.ncm,
            "origin": line.origin,
            "cfop": taxes.cfop,
            "icms_code": taxes.icms_cst or taxes.icms_csosn,
            "icms_label": _("CST") if taxes.icms_cst else _("CSOSN"),
            "icms": self.tax(taxes.icms_base, taxes.icms_rate, taxes.icms_value),
            "reduction": rate(taxes.icms_base_reduction)
            if taxes.icms_base_reduction
            else "",
            "fcp": self.tax(taxes.fcp_base, taxes.fcp_rate, taxes.fcp_value),
            "sn_credit": self.tax(
                ZERO, taxes.sn_credit_rate, taxes.sn_credit_value, show_base=False
            ),
            "difal": {
                "base": format_brl(difal.base),
                "destination_rate": rate(difal.destination_rate),
                "interstate_rate": rate(difal.interstate_rate),
                "value": format_brl(difal.destination_value),
                "fcp": self.tax(difal.fcp_base, difal.fcp_rate, difal.fcp_value),
            }
            if difal
            else None,
            "pis": self.tax(taxes.pis_base, taxes.pis_rate, taxes.pis_value),
            "pis_cst": taxes.pis_cst,
            "cofins": self.tax(
                taxes.cofins_base, taxes.cofins_rate, taxes.cofins_value
            ),
            "cofins_cst": taxes.cofins_cst,
            "ipi": self.tax(taxes.ipi_base, taxes.ipi_rate, taxes.ipi_value),
            "ipi_cst": taxes.ipi_cst,
            "reform": {
                "cst": reform.cst,
                "classification": reform.classification,
                "base": format_brl(reform.base),
                "ibs": self.tax(
                    reform.base,
                    reform.ibs_state_rate + reform.ibs_city_rate,
                    reform.ibs_state_value + reform.ibs_city_value,
                ),
                "cbs": self.tax(reform.base, reform.cbs_rate, reform.cbs_value),
            }
            if reform
            else None,
            "rules": [
                {"url": self.rule_url(pk), "description": description}
                for pk, description in taxes.rules
            ],
        }

    @staticmethod
    def tax(base, tax_rate, value, *, show_base: bool = True) -> dict | None:
        """A tax as the table shows it (``None`` when there is none)."""
        if not (tax_rate or value):
            return None
        return {
            "base": format_brl(base) if show_base else "",
            "rate": rate(tax_rate),
            "value": format_brl(value),
        }

    @staticmethod
    def totals(inputs: list[TaxInput], taxes: list[LineTaxes]) -> dict:
        def total(values):
            return format_brl(sum(values, ZERO))

        return {
            "value": total(line.total + line.freight for line in inputs),
            "icms": total(t.icms_value for t in taxes),
            "fcp": total(t.fcp_value for t in taxes),
            "difal": total(t.difal.destination_value for t in taxes if t.difal),
            "difal_fcp": total(t.difal.fcp_value for t in taxes if t.difal),
            "pis": total(t.pis_value for t in taxes),
            "cofins": total(t.cofins_value for t in taxes),
            "ipi": total(t.ipi_value for t in taxes),
            "ibs": total(
                t.reform.ibs_state_value + t.reform.ibs_city_value
                for t in taxes
                if t.reform
            ),
            "cbs": total(t.reform.cbs_value for t in taxes if t.reform),
        }


class SimulatorMenuItem(MenuItem):
    def is_shown(self, request):
        return may_simulate(request.user)


def simulator_menu_item():
    return SimulatorMenuItem(
        gettext_lazy("Tax simulator"),
        reverse(SIMULATOR),
        name="fiscal-tax-simulator",
        icon_name="decimal",
        order=25,
    )
