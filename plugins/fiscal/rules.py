"""The tax rules engine (motor de tributação): the taxes of each line of an
NF-e, from the rules table (:class:`~plugins.fiscal.models.TaxRule`), the
states' ICMS rates (:class:`~plugins.fiscal.models.UFRate`) and the law's
constants below.

:func:`compute` reads the rules and the destination's rates once (two
queries whatever the number of lines), picks each line's rule by
:attr:`TaxRule.precedence <plugins.fiscal.models.TaxRule.precedence>` and
computes, per line, rounding every amount half-up to the centavo:

* **value** of the line: its total (after its discount, the order's discount
  already spread over the lines) plus its share of the freight;
* **IPI** (when the rule states an IPI CST): value × IPI rate;
* **ICMS** (CST 00, 20; CSOSN 900): base = value, plus the IPI when the
  customer is not an ICMS contributor (LC 87/1996, art. 13, § 2º), less the
  rule's base reduction; rate = the destination's internal rate inside the
  state, the interstate rate (:func:`interstate_rate`) to another state;
* **FCP** inside the state: base × the state's FCP rate, when the rule says
  FCP applies;
* **DIFAL** (EC 87/2015, LC 190/2022, Convênio ICMS 236/2021): on a sale to
  a customer in another state who is not an ICMS contributor (a consumer,
  or a company exempt from the IE), by an emitter outside the Simples
  Nacional (ADI 5464): vICMSUFDest = base × (destination's internal rate −
  interstate rate), all of it to the destination since 2019 (vICMSUFRemet
  = 0), and vFCPUFDest = base × the destination's FCP rate, both on the
  ICMS base (after the rule's reduction);
* **Simples Nacional** emitters state the rule's CSOSN and no ICMS, except
  CSOSN 900 (computed as above, without DIFAL); CSOSN 101 states the credit
  (pCredSN × value);
* **PIS and COFINS**: (value − ICMS) × rate, the ICMS out of their base
  (STF, RE 574.706), for the CSTs with a value;
* **IBS and CBS** (LC 214/2025, the 2026 test rates of :data:`REFORM_RATES_2026`):
  base = value − PIS − COFINS − ICMS − FCP − DIFAL and its FCP (the IPI is
  not in it), when the rule states an IBS/CBS CST.

A line whose product has no NCM, or that no active rule matches, raises
:class:`~plugins.fiscal.taxation.NoTaxRule` with the reason in pt-BR, naming
the SKU: the NF-e is not built.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from content.validators import normalise_document
from plugins.fiscal.models import Operation, TaxRegime, TaxRule, UFRate
from plugins.fiscal.models.rules import (
    CUSTOMER_TYPE_CHOICES,
    ICMS_REDUCIBLE,
    ICMS_TAXED,
    IPI_TAXED,
    PIS_COFINS_TAXED,
    REFORM_TAXED,
    Csosn,
)
from plugins.fiscal.nfe_orders import tax_inputs
from plugins.fiscal.taxation import (
    ZERO,
    CustomerType,
    DifalShare,
    LineTaxes,
    NoTaxRule,
    ReformTaxes,
    TaxContext,
    TaxInput,
)
from plugins.orders.models import UF_CHOICES

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
UFS = frozenset(uf for uf, _label in UF_CHOICES)

# -- interstate ICMS rates --------------------------------------------------------
#
# Resolução do Senado Federal 22/1989: 12% between states, except from the
# South and the Southeast (Espírito Santo excluded) to the North, the
# Northeast, the Centre-West and Espírito Santo: 7%.
# Resolução do Senado Federal 13/2012: 4% for imported goods and for national
# goods with more than 40% imported content (origins 1, 2, 3 and 8; goods
# without a national similar — origins 6 and 7 — keep the 7% / 12%).

#: The South and the Southeast, Espírito Santo excluded.
SOUTH_SOUTHEAST = frozenset({"MG", "PR", "RJ", "RS", "SC", "SP"})
#: The origin codes taxed at 4% between states.
IMPORTED_ORIGINS = frozenset({"1", "2", "3", "8"})
RATE_IMPORTED = Decimal("4.00")
RATE_SOUTH_TO_NORTH = Decimal("7.00")
RATE_INTERSTATE = Decimal("12.00")


def interstate_rate(
    origin_uf: str, destination_uf: str, product_origin: str
) -> Decimal:
    """The ICMS rate of a sale from ``origin_uf`` to another state."""
    if product_origin in IMPORTED_ORIGINS:
        return RATE_IMPORTED
    if origin_uf in SOUTH_SOUTHEAST and destination_uf not in SOUTH_SOUTHEAST:
        return RATE_SOUTH_TO_NORTH
    return RATE_INTERSTATE


# -- the tax reform's test year -------------------------------------------------------


@dataclass(frozen=True)
class ReformRates:
    """The IBS (state and city parts) and CBS rates, in %."""

    ibs_state: Decimal
    ibs_city: Decimal
    cbs: Decimal


#: LC 214/2025, 2026: IBS at 0,1% (the state's part; no city part) and CBS
#: at 0,9%, stated on the documents and offset against PIS/COFINS. Constants
#: of the law, as the interstate rates: the rates of the years after the test
#: year come with their own NF-e rules, and change here with them.
REFORM_RATES_2026 = ReformRates(
    ibs_state=Decimal("0.10"), ibs_city=Decimal("0.00"), cbs=Decimal("0.90")
)


def reform_rates() -> ReformRates:
    """The IBS and CBS rates the documents state now."""
    return REFORM_RATES_2026


# -- amounts -------------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(base: Decimal, rate: Decimal) -> Decimal:
    return money(base * rate / HUNDRED)


# -- the engine ----------------------------------------------------------------------


def compute(lines: list[TaxInput], context: TaxContext) -> list[LineTaxes]:
    """The taxes of each line, in the order of ``lines``.

    Reads the rules matching the document and the destination's rates once
    (two queries). Raises :class:`NoTaxRule` (pt-BR reason, the SKU) when a
    line has no NCM or no rule matches it, or the destination state is
    unknown.
    """
    if not lines:
        return []
    if context.destination_uf not in UFS:
        raise NoTaxRule(
            _("The destination state (UF) “%(uf)s” is not a Brazilian state.")
            % {"uf": context.destination_uf}
        )
    for line in lines:
        if not line.ncm:
            raise NoTaxRule(
                _(
                    "The product of SKU %(sku)s has no NCM: fill in the variant's "
                    "NCM in the catalog before issuing the NF-e."
                )
                % {"sku": line.sku},
                sku=line.sku,
            )
    rules = [
        rule
        for rule in TaxRule.objects.candidates(
            operation=context.operation,
            origin_uf=context.emitter_uf,
            destination_uf=context.destination_uf,
            customer_type=context.customer_type,
            regime=context.tax_regime,
            ncms={line.ncm for line in lines},
        )
        if rule.decides_for(context.tax_regime)
    ]
    destination = UFRate.objects.filter(uf=context.destination_uf).first()
    return [
        _line_taxes(line, context, best_rule(rules, line, context), destination)
        for line in lines
    ]


def best_rule(rules: list[TaxRule], line: TaxInput, context: TaxContext) -> TaxRule:
    """The rule of ``rules`` (already matching the document) that decides
    ``line``: the matching one with the highest precedence."""
    matching = [rule for rule in rules if rule.matches_line(line.ncm, line.origin)]
    if not matching:
        raise NoTaxRule(no_rule_reason(line, context), sku=line.sku)
    return max(matching, key=lambda rule: rule.precedence)


def no_rule_reason(line: TaxInput, context: TaxContext) -> str:
    customers = dict(CUSTOMER_TYPE_CHOICES)
    return _(
        "No tax rule applies to SKU %(sku)s (NCM %(ncm)s, origin %(origin)s; "
        "%(operation)s from %(from)s to %(to)s; customer: %(customer)s; "
        "emitter: %(regime)s). Add one under Fiscal › Tax rules."
    ) % {
        "sku": line.sku,
        "ncm": line.ncm,
        "origin": line.origin,
        "operation": _label(Operation, context.operation).lower(),
        "from": context.emitter_uf,
        "to": context.destination_uf,
        "customer": str(customers.get(context.customer_type, context.customer_type)),
        "regime": _label(TaxRegime, context.tax_regime),
    }


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _line_taxes(
    line: TaxInput, context: TaxContext, rule: TaxRule, destination: UFRate | None
) -> LineTaxes:
    interstate = context.emitter_uf != context.destination_uf
    contributor = context.customer_type == CustomerType.CONTRIBUTOR
    simples = TaxRegime.uses_csosn(context.tax_regime)
    value = money(line.total + line.freight)
    taxes = LineTaxes(
        cfop=rule.cfop_interstate if interstate else rule.cfop_internal,
        origin=line.origin,
        rules=[(rule.pk, rule.description)],
    )
    if simples:
        taxes.icms_csosn = rule.icms_csosn
    else:
        taxes.icms_cst = rule.icms_cst
    code = taxes.icms_csosn or taxes.icms_cst

    if rule.ipi_cst:
        taxes.ipi_cst = rule.ipi_cst
        taxes.ipi_framework = rule.ipi_framework
        if rule.ipi_cst in IPI_TAXED:
            taxes.ipi_base = value
            taxes.ipi_rate = rule.ipi_rate
            taxes.ipi_value = percent_of(value, rule.ipi_rate)

    if code in ICMS_TAXED:
        internal = _internal_rate(rule, destination, context)
        fcp_rate = _fcp_rate(rule, destination)
        base = value if contributor else value + taxes.ipi_value
        if code in ICMS_REDUCIBLE and rule.icms_base_reduction:
            taxes.icms_base_reduction = rule.icms_base_reduction
            base = money(base * (HUNDRED - rule.icms_base_reduction) / HUNDRED)
        rate = (
            interstate_rate(context.emitter_uf, context.destination_uf, line.origin)
            if interstate
            else internal
        )
        taxes.icms_base = base
        taxes.icms_rate = rate
        taxes.icms_value = percent_of(base, rate)
        if not interstate and fcp_rate:
            taxes.fcp_base = base
            taxes.fcp_rate = fcp_rate
            taxes.fcp_value = percent_of(base, fcp_rate)
        if (
            interstate
            and not contributor
            and not simples
            and context.operation == Operation.SALE
        ):
            taxes.difal = DifalShare(
                base=base,
                fcp_base=base if fcp_rate else ZERO,
                destination_rate=internal,
                interstate_rate=rate,
                fcp_rate=fcp_rate,
                fcp_value=percent_of(base, fcp_rate),
                destination_value=percent_of(base, max(internal - rate, ZERO)),
                origin_value=ZERO,
            )
    elif code == Csosn.CREDIT and rule.sn_credit_rate:
        taxes.sn_credit_rate = rule.sn_credit_rate
        taxes.sn_credit_value = percent_of(value, rule.sn_credit_rate)

    pis_cofins_base = value - taxes.icms_value
    taxes.pis_cst = rule.pis_cst
    if rule.pis_cst in PIS_COFINS_TAXED and rule.pis_rate:
        taxes.pis_base = pis_cofins_base
        taxes.pis_rate = rule.pis_rate
        taxes.pis_value = percent_of(pis_cofins_base, rule.pis_rate)
    taxes.cofins_cst = rule.cofins_cst
    if rule.cofins_cst in PIS_COFINS_TAXED and rule.cofins_rate:
        taxes.cofins_base = pis_cofins_base
        taxes.cofins_rate = rule.cofins_rate
        taxes.cofins_value = percent_of(pis_cofins_base, rule.cofins_rate)

    if rule.ibs_cbs_cst:
        taxes.reform = _reform(rule, value, taxes)
    return taxes


def _internal_rate(rule: TaxRule, destination: UFRate | None, context) -> Decimal:
    if rule.internal_rate is not None:
        return rule.internal_rate
    if destination is None:
        raise NoTaxRule(
            _(
                "There is no internal ICMS rate for %(uf)s: fill it in under "
                "Fiscal › ICMS rates of the states."
            )
            % {"uf": context.destination_uf}
        )
    return destination.internal_rate


def _fcp_rate(rule: TaxRule, destination: UFRate | None) -> Decimal:
    if not rule.fcp_applies:
        return ZERO
    if rule.fcp_rate is not None:
        return rule.fcp_rate
    return destination.fcp_rate if destination is not None else ZERO


def _reform(rule: TaxRule, value: Decimal, taxes: LineTaxes) -> ReformTaxes:
    if rule.ibs_cbs_cst not in REFORM_TAXED:
        return ReformTaxes(
            cst=rule.ibs_cbs_cst,
            classification=rule.ibs_cbs_classification,
            base=ZERO,
            ibs_state_rate=ZERO,
            ibs_state_value=ZERO,
            ibs_city_rate=ZERO,
            ibs_city_value=ZERO,
            cbs_rate=ZERO,
            cbs_value=ZERO,
        )
    rates = reform_rates()
    difal = taxes.difal
    base = (
        value
        - taxes.pis_value
        - taxes.cofins_value
        - taxes.icms_value
        - taxes.fcp_value
        - (difal.destination_value + difal.fcp_value if difal else ZERO)
    )
    return ReformTaxes(
        cst=rule.ibs_cbs_cst,
        classification=rule.ibs_cbs_classification,
        base=base,
        ibs_state_rate=rates.ibs_state,
        ibs_state_value=percent_of(base, rates.ibs_state),
        ibs_city_rate=rates.ibs_city,
        ibs_city_value=percent_of(base, rates.ibs_city),
        cbs_rate=rates.cbs,
        cbs_value=percent_of(base, rates.cbs),
    )


# -- from an order ---------------------------------------------------------------------

#: The key of an order's address snapshot that may carry the buyer's state
#: registration (IE): orders placed today carry none, so a buyer with a CNPJ
#: is a non-contributor unless an integration writes it there.
ORDER_IE_KEY = "ie"


def customer_type_for(document: str, ie: str = "") -> str:
    """How the rules see a buyer: a CPF (or no document) is a consumer; a
    CNPJ with an IE is an ICMS contributor, with "ISENTO" a contributor
    exempt from the IE, with none a non-contributor (a consumer)."""
    if len(normalise_document(document)) != 14:
        return CustomerType.CONSUMER
    ie = normalise_document(ie)
    if ie == "ISENTO":
        return CustomerType.EXEMPT
    if ie:
        return CustomerType.CONTRIBUTOR
    return CustomerType.CONSUMER


def order_ie(order) -> str:
    """The buyer's state registration (IE) an integration wrote on the
    order's billing (or shipping) address, or ""."""
    shipping = order.shipping_address or {}
    billing = order.billing_address or {}
    return str(billing.get(ORDER_IE_KEY) or shipping.get(ORDER_IE_KEY) or "")


def order_tax_inputs(
    order, emitter, *, operation: str = Operation.SALE
) -> tuple[TaxContext, list[TaxInput]]:
    """The context and the lines of ``order`` issued by ``emitter``: the
    destination from the shipping address's UF, the customer type from the
    order's CPF/CNPJ (:func:`customer_type_for`), each line's NCM, origin
    and GTIN from its variant, and the order's freight spread over the lines
    in proportion to their totals (centavos by largest remainder, so they
    add up to the freight). One query (the lines and their variants).

    Raises :class:`NoTaxRule` when the order has no delivery state.
    """
    shipping = order.shipping_address or {}
    billing = order.billing_address or {}
    uf = str(shipping.get("uf") or billing.get("uf") or "").strip().upper()
    if not uf:
        raise NoTaxRule(
            _("Order %(number)s has no delivery state (UF) in its address.")
            % {"number": order.number}
        )
    ie = order_ie(order)
    context = TaxContext(
        operation=operation,
        emitter_uf=emitter.uf,
        destination_uf=uf,
        customer_type=customer_type_for(order.customer_document, ie),
        tax_regime=emitter.tax_regime,
    )
    return context, tax_inputs(order, require_ncm=False)


def compute_for_order(
    order, emitter, *, operation: str = Operation.SALE
) -> tuple[TaxContext, list[TaxInput], list[LineTaxes]]:
    """:func:`order_tax_inputs` and :func:`compute` in one call (three
    queries)."""
    context, inputs = order_tax_inputs(order, emitter, operation=operation)
    return context, inputs, compute(inputs, context)
