"""The tax groups of an NF-e line (ICMS by CST or CSOSN, the DIFAL of
ICMSUFDest, IPI, PIS, COFINS and the IBS/CBS of the 2026 reform) from the
:class:`~plugins.fiscal.taxation.LineTaxes` the rules decided, and the
document's totals (ICMSTot, IBSCBSTot) added up as the lines are written.

What the rules can state is written; a CST whose group needs more than they
state (substituição tributária, diferimento, quantities) is refused with a
pt-BR reason, never written half-filled.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from nfelib.nfe.bindings.v4_0.dfe_tipos_basicos_v1_00 import (
    TcibsNfe,
    TibscbsmonoTot,
    TtribNfe,
)
from nfelib.nfe.bindings.v4_0.leiaute_nfe_v4_00 import Tipi, Tnfe

from plugins.fiscal.exceptions import NFeError
from plugins.fiscal.formats import amount, money, rate
from plugins.fiscal.taxation import ZERO, LineTaxes, TaxInput

Imposto = Tnfe.InfNfe.Det.Imposto
Icms = Imposto.Icms
Total = Tnfe.InfNfe.Total


def taxes_group(
    index: int,
    item: TaxInput,
    taxes: LineTaxes,
    *,
    simples: bool,
    interstate: bool,
    devolution: bool,
    totals: Totals,
) -> Imposto:
    """The ``imposto`` of line ``index``; adds its taxes to ``totals``. In a
    return (``devolution``) the IPI goes in ``impostoDevol`` instead."""
    return Imposto(
        ICMS=_icms(index, item, taxes, simples, totals),
        IPI=None if devolution else _ipi(item, taxes, totals),
        PIS=_pis(index, item, taxes, totals),
        COFINS=_cofins(index, item, taxes, totals),
        ICMSUFDest=_difal(index, item, taxes, interstate, totals),
        IBSCBS=_reform(taxes, totals),
    )


def _unsupported(index: int, item: TaxInput, what: str) -> NFeError:
    return NFeError(
        _("Line %(line)d (%(sku)s): %(what)s is not supported by the NF-e builder.")
        % {"line": index, "sku": item.sku, "what": what}
    )


def _icms(index: int, item: TaxInput, taxes: LineTaxes, simples: bool, totals) -> Icms:
    origin = item.origin or taxes.origin or "0"
    fcp = {}
    if taxes.fcp_value > 0:
        fcp = {"pFCP": rate(taxes.fcp_rate), "vFCP": amount(taxes.fcp_value)}
    if taxes.icms_csosn:
        if not simples:
            raise NFeError(
                _(
                    "Line %(line)d (%(sku)s): the emitter is not in the Simples "
                    "Nacional; the ICMS needs a CST, not a CSOSN."
                )
                % {"line": index, "sku": item.sku}
            )
        return _icms_simples(index, item, taxes, origin, totals)
    if not taxes.icms_cst:
        raise NFeError(
            _("Line %(line)d (%(sku)s): the ICMS has no CST or CSOSN.")
            % {"line": index, "sku": item.sku}
        )
    if simples:
        raise NFeError(
            _(
                "Line %(line)d (%(sku)s): the emitter is in the Simples Nacional; "
                "the ICMS needs a CSOSN, not a CST."
            )
            % {"line": index, "sku": item.sku}
        )
    cst = taxes.icms_cst
    vbc, picms, vicms = (
        amount(taxes.icms_base),
        rate(taxes.icms_rate),
        amount(taxes.icms_value),
    )
    if cst == "00":
        totals.add_icms(taxes)
        return Icms(
            ICMS00=Icms.Icms00(
                orig=origin,
                CST=cst,
                modBC="3",
                vBC=vbc,
                pICMS=picms,
                vICMS=vicms,
                **fcp,
            )
        )
    if cst == "20":
        full = item.total + item.freight
        if full <= 0 or taxes.icms_base > full:
            raise _unsupported(index, item, _("a reduced base above the line's value"))
        reduction = (Decimal(100) * (1 - taxes.icms_base / full)).quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )
        totals.add_icms(taxes)
        if fcp:
            fcp = {"vBCFCP": vbc, **fcp}
        return Icms(
            ICMS20=Icms.Icms20(
                orig=origin,
                CST=cst,
                modBC="3",
                pRedBC=rate(reduction),
                vBC=vbc,
                pICMS=picms,
                vICMS=vicms,
                **fcp,
            )
        )
    if cst in ("40", "41", "50"):
        return Icms(ICMS40=Icms.Icms40(orig=origin, CST=cst))
    if cst == "60":
        return Icms(ICMS60=Icms.Icms60(orig=origin, CST=cst))
    if cst == "90":
        if taxes.icms_base > 0:
            totals.add_icms(taxes)
            if fcp:
                fcp = {"vBCFCP": vbc, **fcp}
            return Icms(
                ICMS90=Icms.Icms90(
                    orig=origin,
                    CST=cst,
                    modBC="3",
                    vBC=vbc,
                    pICMS=picms,
                    vICMS=vicms,
                    **fcp,
                )
            )
        return Icms(ICMS90=Icms.Icms90(orig=origin, CST=cst))
    raise _unsupported(index, item, _("the ICMS CST %(cst)s") % {"cst": cst})


def _icms_simples(
    index: int, item: TaxInput, taxes: LineTaxes, origin: str, totals
) -> Icms:
    csosn = taxes.icms_csosn
    if csosn == "101":
        # the credit the buyer may take: the rules state it as rate and value
        return Icms(
            ICMSSN101=Icms.Icmssn101(
                orig=origin,
                CSOSN=csosn,
                pCredSN=rate(taxes.icms_rate),
                vCredICMSSN=amount(taxes.icms_value),
            )
        )
    if csosn in ("102", "103", "300", "400"):
        return Icms(ICMSSN102=Icms.Icmssn102(orig=origin, CSOSN=csosn))
    if csosn == "500":
        return Icms(ICMSSN500=Icms.Icmssn500(orig=origin, CSOSN=csosn))
    if csosn == "900":
        if taxes.icms_base > 0:
            totals.add_icms(taxes)
            return Icms(
                ICMSSN900=Icms.Icmssn900(
                    orig=origin,
                    CSOSN=csosn,
                    modBC="3",
                    vBC=amount(taxes.icms_base),
                    pICMS=rate(taxes.icms_rate),
                    vICMS=amount(taxes.icms_value),
                )
            )
        return Icms(ICMSSN900=Icms.Icmssn900(orig=origin, CSOSN=csosn))
    raise _unsupported(index, item, _("the CSOSN %(csosn)s") % {"csosn": csosn})


def _ipi(item: TaxInput, taxes: LineTaxes, totals) -> Tipi | None:
    if not taxes.ipi_cst:
        return None
    if taxes.ipi_cst in ("00", "49", "50", "99"):
        totals.ipi += taxes.ipi_value
        return Tipi(
            cEnq=taxes.ipi_framework or "999",
            IPITrib=Tipi.Ipitrib(
                CST=taxes.ipi_cst,
                vBC=amount(item.total + item.freight),
                pIPI=rate(taxes.ipi_rate),
                vIPI=amount(taxes.ipi_value),
            ),
        )
    return Tipi(cEnq=taxes.ipi_framework or "999", IPINT=Tipi.Ipint(CST=taxes.ipi_cst))


def _contribution_group(cst: str) -> str | None:
    """The group PIS and COFINS take for ``cst`` (one table for both):
    "Aliq" (01, 02), "NT" (04–09), "Outr" (49–99), or None."""
    if cst in ("01", "02"):
        return "Aliq"
    if cst in ("04", "05", "06", "07", "08", "09"):
        return "NT"
    if cst.isdigit() and 49 <= int(cst) <= 99:
        return "Outr"
    return None


def _pis(index: int, item: TaxInput, taxes: LineTaxes, totals):
    cst = taxes.pis_cst
    Pis = Imposto.Pis
    group = _contribution_group(cst)
    if group is None:
        raise _unsupported(index, item, _("the PIS CST %(cst)s") % {"cst": cst})
    if group == "NT":
        return Pis(PISNT=Pis.Pisnt(CST=cst))
    values = {
        "vBC": amount(taxes.pis_base),
        "pPIS": rate(taxes.pis_rate),
        "vPIS": amount(taxes.pis_value),
    }
    totals.pis += taxes.pis_value
    if group == "Aliq":
        return Pis(PISAliq=Pis.Pisaliq(CST=cst, **values))
    return Pis(PISOutr=Pis.Pisoutr(CST=cst, **values))


def _cofins(index: int, item: TaxInput, taxes: LineTaxes, totals):
    cst = taxes.cofins_cst
    Cofins = Imposto.Cofins
    group = _contribution_group(cst)
    if group is None:
        raise _unsupported(index, item, _("the COFINS CST %(cst)s") % {"cst": cst})
    if group == "NT":
        return Cofins(COFINSNT=Cofins.Cofinsnt(CST=cst))
    values = {
        "vBC": amount(taxes.cofins_base),
        "pCOFINS": rate(taxes.cofins_rate),
        "vCOFINS": amount(taxes.cofins_value),
    }
    totals.cofins += taxes.cofins_value
    if group == "Aliq":
        return Cofins(COFINSAliq=Cofins.Cofinsaliq(CST=cst, **values))
    return Cofins(COFINSOutr=Cofins.Cofinsoutr(CST=cst, **values))


def _difal(index: int, item: TaxInput, taxes: LineTaxes, interstate: bool, totals):
    difal = taxes.difal
    if difal is None:
        return None
    if not interstate:
        raise NFeError(
            _(
                "Line %(line)d (%(sku)s): the DIFAL only applies to a sale to "
                "another state."
            )
            % {"line": index, "sku": item.sku}
        )
    totals.difal += difal.destination_value
    totals.difal_fcp += difal.fcp_value
    totals.difal_origin += difal.origin_value
    totals.has_difal = True
    fcp = {}
    if difal.fcp_rate > 0 or difal.fcp_value > 0:
        fcp = {
            "vBCFCPUFDest": amount(difal.fcp_base),
            "pFCPUFDest": rate(difal.fcp_rate),
            "vFCPUFDest": amount(difal.fcp_value),
        }
    return Imposto.Icmsufdest(
        vBCUFDest=amount(difal.base),
        pICMSUFDest=rate(difal.destination_rate),
        pICMSInter=f"{Decimal(difal.interstate_rate):.2f}",
        pICMSInterPart="100.0000",
        vICMSUFDest=amount(difal.destination_value),
        vICMSUFRemet=amount(difal.origin_value),
        **fcp,
    )


def _reform(taxes: LineTaxes, totals) -> TtribNfe | None:
    reform = taxes.reform
    if reform is None:
        return None
    totals.has_reform = True
    group = None
    if reform.base > 0 or reform.cbs_rate > 0 or reform.ibs_state_rate > 0:
        totals.reform_base += reform.base
        totals.ibs_state += reform.ibs_state_value
        totals.ibs_city += reform.ibs_city_value
        totals.cbs += reform.cbs_value
        group = TcibsNfe(
            vBC=amount(reform.base),
            gIBSUF=TcibsNfe.GIbsuf(
                pIBSUF=rate(reform.ibs_state_rate),
                vIBSUF=amount(reform.ibs_state_value),
            ),
            gIBSMun=TcibsNfe.GIbsmun(
                pIBSMun=rate(reform.ibs_city_rate),
                vIBSMun=amount(reform.ibs_city_value),
            ),
            vIBS=amount(reform.ibs_state_value + reform.ibs_city_value),
            gCBS=TcibsNfe.GCbs(
                pCBS=rate(reform.cbs_rate), vCBS=amount(reform.cbs_value)
            ),
        )
    return TtribNfe(CST=reform.cst, cClassTrib=reform.classification, gIBSCBS=group)


class Totals:
    """The document's totals, added up line by line."""

    def __init__(self):
        self.products = self.discount = self.freight = ZERO
        self.icms_base = self.icms = self.fcp = ZERO
        self.difal = self.difal_fcp = self.difal_origin = ZERO
        self.ipi = self.ipi_returned = self.pis = self.cofins = ZERO
        self.reform_base = self.ibs_state = self.ibs_city = self.cbs = ZERO
        self.has_difal = self.has_reform = False
        self.cfops: set[str] = set()

    def add_icms(self, taxes: LineTaxes) -> None:
        self.icms_base += taxes.icms_base
        self.icms += taxes.icms_value
        self.fcp += taxes.fcp_value

    def total(self) -> Decimal:
        """vNF: products less discounts, plus freight and IPI."""
        return money(
            self.products - self.discount + self.freight + self.ipi + self.ipi_returned
        )

    def binding(self) -> Total:
        difal = {}
        if self.has_difal:
            difal = {
                "vFCPUFDest": amount(self.difal_fcp),
                "vICMSUFDest": amount(self.difal),
                "vICMSUFRemet": amount(self.difal_origin),
            }
        zero = amount(ZERO)
        icms = Total.Icmstot(
            vBC=amount(self.icms_base),
            vICMS=amount(self.icms),
            vICMSDeson=zero,
            vFCP=amount(self.fcp),
            vBCST=zero,
            vST=zero,
            vFCPST=zero,
            vFCPSTRet=zero,
            vProd=amount(self.products),
            vFrete=amount(self.freight),
            vSeg=zero,
            vDesc=amount(self.discount),
            vII=zero,
            vIPI=amount(self.ipi),
            vIPIDevol=amount(self.ipi_returned),
            vPIS=amount(self.pis),
            vCOFINS=amount(self.cofins),
            vOutro=zero,
            vNF=amount(self.total()),
            **difal,
        )
        reform = None
        if self.has_reform:
            ibs = self.ibs_state + self.ibs_city
            reform = TibscbsmonoTot(
                vBCIBSCBS=amount(self.reform_base),
                gIBS=TibscbsmonoTot.GIbs(
                    gIBSUF=TibscbsmonoTot.GIbs.GIbsuf(
                        vDif=zero, vDevTrib=zero, vIBSUF=amount(self.ibs_state)
                    ),
                    gIBSMun=TibscbsmonoTot.GIbs.GIbsmun(
                        vDif=zero, vDevTrib=zero, vIBSMun=amount(self.ibs_city)
                    ),
                    vIBS=amount(ibs),
                    vCredPres=zero,
                    vCredPresCondSus=zero,
                ),
                gCBS=TibscbsmonoTot.GCbs(
                    vDif=zero,
                    vDevTrib=zero,
                    vCBS=amount(self.cbs),
                    vCredPres=zero,
                    vCredPresCondSus=zero,
                ),
            )
        return Total(ICMSTot=icms, IBSCBSTot=reform)

    def summary(self) -> dict:
        """For the document's listing and the accountant's spreadsheet."""
        return {
            "products": amount(self.products),
            "discount": amount(self.discount),
            "freight": amount(self.freight),
            "icms_base": amount(self.icms_base),
            "icms": amount(self.icms),
            "fcp": amount(self.fcp),
            "difal": amount(self.difal),
            "difal_fcp": amount(self.difal_fcp),
            "ipi": amount(self.ipi + self.ipi_returned),
            "pis": amount(self.pis),
            "cofins": amount(self.cofins),
            "ibs": amount(self.ibs_state + self.ibs_city),
            "cbs": amount(self.cbs),
            "total": amount(self.total()),
            "cfops": sorted(self.cfops),
        }
