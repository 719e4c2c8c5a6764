"""The tax data a new installation starts with: each state's ICMS rates and a
default rule set. Migration ``0002_tax_rules`` writes both; the demo and the
tests call :func:`install_defaults` again (it only adds what is missing, so
an operator's edits stay).

Both are ordinary rows, edited on the Fiscal screens (Alíquotas de ICMS por
UF, Regras de tributação): when a state changes its rate, or the accountant
says otherwise for some goods, the table is changed there, not here.
"""

from __future__ import annotations

from decimal import Decimal

#: Internal ("modal") ICMS rate and FCP rate of each state, in %, as the
#: states' ICMS laws set them for 2026 (MA 23% since 23/02/2025, PI 22,5%
#: since 01/04/2025, RN 20% since 20/03/2025; BA and PE 20,5%; PR and RO
#: 19,5%). The FCP here is the one charged on ordinary goods (AL 1%, RJ 2%,
#: SE 1%); where a state charges it only on the goods its law lists, it is 0
#: and the rules for those goods state their FCP rate. Editable: Fiscal ›
#: ICMS rates of the states.
UF_RATES_2026: dict[str, tuple[str, str]] = {
    "AC": ("19.00", "0.00"),
    "AL": ("19.00", "1.00"),
    "AM": ("20.00", "0.00"),
    "AP": ("18.00", "0.00"),
    "BA": ("20.50", "0.00"),
    "CE": ("20.00", "0.00"),
    "DF": ("20.00", "0.00"),
    "ES": ("17.00", "0.00"),
    "GO": ("19.00", "0.00"),
    "MA": ("23.00", "0.00"),
    "MG": ("18.00", "0.00"),
    "MS": ("17.00", "0.00"),
    "MT": ("17.00", "0.00"),
    "PA": ("19.00", "0.00"),
    "PB": ("20.00", "0.00"),
    "PE": ("20.50", "0.00"),
    "PI": ("22.50", "0.00"),
    "PR": ("19.50", "0.00"),
    "RJ": ("20.00", "2.00"),
    "RN": ("20.00", "0.00"),
    "RO": ("19.50", "0.00"),
    "RR": ("20.00", "0.00"),
    "RS": ("17.00", "0.00"),
    "SC": ("17.00", "0.00"),
    "SE": ("19.00", "1.00"),
    "SP": ("18.00", "0.00"),
    "TO": ("20.00", "0.00"),
}

#: PIS and COFINS of regime normal under the cumulative regime (lucro
#: presumido): 0,65% and 3%. A company under lucro real (1,65% and 7,6%)
#: changes the default rules' rates.
PIS_PRESUMED = Decimal("0.65")
COFINS_PRESUMED = Decimal("3.00")

_NORMAL = {
    "icms_cst": "00",
    "pis_cst": "01",
    "pis_rate": PIS_PRESUMED,
    "cofins_cst": "01",
    "cofins_rate": COFINS_PRESUMED,
    "ibs_cbs_cst": "000",
    "ibs_cbs_classification": "000001",
}
#: Simples Nacional: ICMS within the Simples (CSOSN 102), PIS and COFINS paid
#: in the DAS (CST 99, no value), no IBS/CBS group in 2026.
_SIMPLES = {
    "icms_csosn": "102",
    "pis_cst": "99",
    "cofins_cst": "99",
}
#: Above the Simples' sub-limit the ICMS is paid as in regime normal (CST),
#: the federal taxes still in the DAS.
_SIMPLES_EXCESS = {
    "icms_cst": "00",
    "pis_cst": "99",
    "cofins_cst": "99",
}
_REGIMES = (
    ("3", "regime normal", _NORMAL),
    ("2", "Simples acima do sublimite", _SIMPLES_EXCESS),
    ("1", "Simples Nacional", _SIMPLES),
    ("4", "MEI", _SIMPLES),
)


def default_rules() -> list[dict]:
    """Generic rules (no NCM, no state) that let a sale of goods bought for
    resale, to any state and any customer, and its return, be taxed under
    every regime: CFOP 5102 inside the state, 6102 to a contributor in
    another state and 6108 to a non-contributor there; returns 1202/2202."""
    rules = []
    for regime, name, taxes in _REGIMES:
        rules += [
            {
                "description": f"Venda de mercadoria — {name}",
                "operation": "sale",
                "tax_regime": regime,
                "cfop_internal": "5102",
                "cfop_interstate": "6102",
                **taxes,
            },
            {
                "description": f"Venda a não contribuinte — {name}",
                "operation": "sale",
                "tax_regime": regime,
                "customer_type": "consumer",
                "cfop_internal": "5102",
                "cfop_interstate": "6108",
                **taxes,
            },
            {
                "description": f"Venda a contribuinte isento de IE — {name}",
                "operation": "sale",
                "tax_regime": regime,
                "customer_type": "exempt",
                "cfop_internal": "5102",
                "cfop_interstate": "6108",
                **taxes,
            },
            {
                "description": f"Devolução de venda — {name}",
                "operation": "return",
                "tax_regime": regime,
                "cfop_internal": "1202",
                "cfop_interstate": "2202",
                **taxes,
            },
        ]
    return rules


def install_uf_rates(model=None) -> int:
    """Write the rates of the states that have none; returns how many."""
    if model is None:
        from plugins.fiscal.models import UFRate as model
    existing = set(model.objects.values_list("uf", flat=True))
    new = [
        model(uf=uf, internal_rate=Decimal(internal), fcp_rate=Decimal(fcp))
        for uf, (internal, fcp) in UF_RATES_2026.items()
        if uf not in existing
    ]
    model.objects.bulk_create(new)
    return len(new)


def install_default_rules(model=None) -> int:
    """Write the default rules whose criteria no rule has yet (an edited or
    deactivated default is left as it is); returns how many."""
    from plugins.fiscal.models.rules import CRITERIA

    if model is None:
        from plugins.fiscal.models import TaxRule as model
    created = 0
    for values in default_rules():
        criteria = {name: values.get(name, "") for name in CRITERIA}
        if not model.objects.filter(**criteria).exists():
            model.objects.create(**values)
            created += 1
    return created


def install_defaults() -> tuple[int, int]:
    """The states' rates and the default rules, where missing."""
    return install_uf_rates(), install_default_rules()


def seed_demo_tax_tables(*, stdout) -> None:
    """The demo's tax tables (``DEMO_DATA``): the defaults, where missing."""
    rates, rules = install_defaults()
    if rates or rules:
        stdout.write(f"Tax tables: {rates} state rates and {rules} rules written.")
