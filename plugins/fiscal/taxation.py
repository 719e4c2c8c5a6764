"""What the tax rules decide for one line of a document: the types the rules
engine (``plugins.fiscal.rules``) returns and the NF-e builder
(``plugins.fiscal.nfe``) writes. Amounts are ``Decimal`` with two places,
rates are percentages (``Decimal("18.00")`` is 18 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


class CustomerType:
    """Who receives the goods, as the rules see them (``indIEDest`` and
    ``indFinal`` follow from it)."""

    CONTRIBUTOR = "contributor"  # contribuinte do ICMS (has an IE)
    EXEMPT = "exempt"  # contribuinte isento de inscrição
    CONSUMER = "consumer"  # não contribuinte, consumidor final


@dataclass(frozen=True)
class TaxInput:
    """One line as the rules engine reads it."""

    sku: str
    ncm: str
    origin: str  # the product's origin code (0–8)
    quantity: Decimal
    unit_price: Decimal
    total: Decimal  # after the line's discount
    discount: Decimal = ZERO
    #: the line's share of the order's freight, added to the tax bases
    freight: Decimal = ZERO
    gtin: str = ""
    description: str = ""
    unit: str = "UN"


@dataclass(frozen=True)
class TaxContext:
    """The document around the lines."""

    operation: str  # plugins.fiscal.models.Operation
    emitter_uf: str
    destination_uf: str
    customer_type: str  # CustomerType
    tax_regime: str  # plugins.fiscal.models.TaxRegime (the CRT)


@dataclass
class LineTaxes:
    """The taxes of one line and where they came from."""

    cfop: str
    #: ICMS: ``cst`` for regime normal ("00", "20", "40" …) or ``csosn`` for
    #: Simples Nacional ("102", "500" …); one of them is set
    icms_cst: str = ""
    icms_csosn: str = ""
    origin: str = "0"
    icms_base: Decimal = ZERO
    #: pRedBC: the base reduction (CST 20, CSOSN 900), 0 when none
    icms_base_reduction: Decimal = ZERO
    icms_rate: Decimal = ZERO
    icms_value: Decimal = ZERO
    #: FCP inside the state (vBCFCP, pFCP, vFCP); interstate, it is in ``difal``
    fcp_base: Decimal = ZERO
    fcp_rate: Decimal = ZERO
    fcp_value: Decimal = ZERO
    #: CSOSN 101: the credit the buyer may take (pCredSN, vCredICMSSN)
    sn_credit_rate: Decimal = ZERO
    sn_credit_value: Decimal = ZERO
    #: DIFAL (EC 87/2015), for a consumer in another state: set when it applies
    difal: DifalShare | None = None
    pis_cst: str = "07"
    pis_base: Decimal = ZERO
    pis_rate: Decimal = ZERO
    pis_value: Decimal = ZERO
    cofins_cst: str = "07"
    cofins_base: Decimal = ZERO
    cofins_rate: Decimal = ZERO
    cofins_value: Decimal = ZERO
    #: IPI: empty when the emitter is not an IPI taxpayer for this NCM
    ipi_cst: str = ""
    ipi_base: Decimal = ZERO
    ipi_rate: Decimal = ZERO
    ipi_value: Decimal = ZERO
    ipi_framework: str = "999"  # cEnq
    #: the 2026 tax reform (LC 214/2025): IBS and CBS at the test rates
    reform: ReformTaxes | None = None
    #: the rules that produced this (their primary keys and a readable
    #: description each), for the simulator screen and the order's timeline
    rules: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DifalShare:
    """The ICMS owed to the destination state on a sale to a consumer there."""

    base: Decimal  # vBCUFDest
    fcp_base: Decimal  # vBCFCPUFDest
    destination_rate: Decimal  # pICMSUFDest, the destination's internal rate
    interstate_rate: Decimal  # pICMSInter: 4, 7 or 12
    fcp_rate: Decimal  # pFCPUFDest
    fcp_value: Decimal  # vFCPUFDest
    destination_value: Decimal  # vICMSUFDest
    origin_value: Decimal  # vICMSUFRemet (0 since 2019)


@dataclass(frozen=True)
class ReformTaxes:
    """The IBS/CBS group of a line (``gIBSCBS``)."""

    cst: str  # CST IBS/CBS, e.g. "000"
    classification: str  # cClassTrib, e.g. "000001"
    base: Decimal
    ibs_state_rate: Decimal  # pIBSUF
    ibs_state_value: Decimal
    ibs_city_rate: Decimal  # pIBSMun
    ibs_city_value: Decimal
    cbs_rate: Decimal  # pCBS
    cbs_value: Decimal


class NoTaxRule(Exception):
    """No rule matches a line (or its product has no NCM): the NF-e is not
    built. ``str()`` is the pt-BR reason shown on the order."""

    def __init__(self, message: str, *, sku: str = ""):
        super().__init__(message)
        self.sku = sku
