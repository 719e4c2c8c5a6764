"""The tax rules engine: each case of the law it computes, checked by hand
with the law's formula, the precedence of the rules, and the reasons it
gives when it cannot tax a line."""

from decimal import Decimal

import pytest
from django.utils import translation

from plugins.fiscal.models import TaxRegime, TaxRule, UFRate
from plugins.fiscal.rules import compute, interstate_rate
from plugins.fiscal.taxation import CustomerType, NoTaxRule, TaxContext, TaxInput

D = Decimal
NORMAL, SIMPLES, EXCESS, MEI = "3", "1", "2", "4"
pytestmark = pytest.mark.usefixtures("tax_tables")


def line(sku="CAM-P", *, ncm="61091000", origin="0", total="100.00", freight="0"):
    return TaxInput(
        sku=sku,
        ncm=ncm,
        origin=origin,
        quantity=D(1),
        unit_price=D(total),
        total=D(total),
        freight=D(freight),
    )


def context(frm="SP", to="SP", *, customer="consumer", regime=NORMAL, op="sale"):
    return TaxContext(
        operation=op,
        emitter_uf=frm,
        destination_uf=to,
        customer_type=customer,
        tax_regime=regime,
    )


def one(tax_line, tax_context):
    (taxes,) = compute([tax_line], tax_context)
    return taxes


def rule(**values):
    defaults = {
        "description": "Regra de teste",
        "operation": "sale",
        "tax_regime": NORMAL,
        "cfop_internal": "5102",
        "cfop_interstate": "6102",
        "icms_cst": "00",
        "pis_cst": "01",
        "pis_rate": D("0.65"),
        "cofins_cst": "01",
        "cofins_rate": D("3.00"),
    }
    return TaxRule.objects.create(**{**defaults, **values})


# -- inside the state ------------------------------------------------------------------


def test_sale_inside_the_state_takes_the_internal_rate_on_value_and_freight():
    taxes = one(line(total="100.00", freight="10.00"), context("SP", "SP"))

    assert taxes.cfop == "5102"
    assert (taxes.icms_cst, taxes.icms_csosn) == ("00", "")
    # ICMS: (100,00 + 10,00) × 18% (São Paulo)
    assert (taxes.icms_base, taxes.icms_rate, taxes.icms_value) == (
        D("110.00"),
        D("18.00"),
        D("19.80"),
    )
    assert taxes.fcp_value == 0 and taxes.difal is None
    # PIS/COFINS on the value without the ICMS: 90,20 × 0,65% and × 3%
    assert (taxes.pis_cst, taxes.pis_base, taxes.pis_value) == (
        "01",
        D("90.20"),
        D("0.59"),
    )
    assert (taxes.cofins_base, taxes.cofins_value) == (D("90.20"), D("2.71"))
    assert taxes.rules[0][1] == "Venda a não contribuinte — regime normal"


def test_fcp_inside_the_state_where_the_state_charges_it_on_ordinary_goods():
    # Rio de Janeiro: 20% and 2% of FECP
    taxes = one(line(total="100.00"), context("RJ", "RJ"))

    assert (taxes.icms_rate, taxes.icms_value) == (D("20.00"), D("20.00"))
    assert (taxes.fcp_base, taxes.fcp_rate, taxes.fcp_value) == (
        D("100.00"),
        D("2.00"),
        D("2.00"),
    )


def test_a_rule_can_say_fcp_does_not_apply_or_state_its_own_rate_and_rate():
    rule(ncm="2203", destination_uf="RJ", fcp_applies=False)
    rule(ncm="3303", internal_rate=D("25.00"), fcp_rate=D("4.00"))

    beer = one(line(ncm="22030000"), context("RJ", "RJ"))
    perfume = one(line(ncm="33030010"), context("SP", "SP"))

    assert beer.fcp_value == 0 and beer.icms_value == D("20.00")
    assert (perfume.icms_rate, perfume.fcp_rate) == (D("25.00"), D("4.00"))


def test_base_reduction_with_cst_20():
    rule(ncm="8471", icms_cst="20", icms_base_reduction=D("41.67"))

    taxes = one(line(ncm="84713012", total="1000.00"), context("SP", "SP"))

    # 1.000,00 × (100% − 41,67%) = 583,30; × 18% = 104,994
    assert taxes.icms_base_reduction == D("41.67")
    assert (taxes.icms_base, taxes.icms_value) == (D("583.30"), D("104.99"))


def test_ipi_is_in_the_icms_base_of_a_consumer_not_of_a_contributor():
    rule(ncm="9503", ipi_cst="50", ipi_rate=D("10.00"))

    consumer = one(line(ncm="95030099"), context("SP", "SP"))
    company = one(line(ncm="95030099"), context("SP", "SP", customer="contributor"))

    assert (consumer.ipi_cst, consumer.ipi_base, consumer.ipi_value) == (
        "50",
        D("100.00"),
        D("10.00"),
    )
    assert (consumer.icms_base, consumer.icms_value) == (D("110.00"), D("19.80"))
    assert (company.icms_base, company.icms_value) == (D("100.00"), D("18.00"))


# -- between states --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frm", "to", "origin", "expected"),
    [
        ("SP", "BA", "0", "7.00"),  # Southeast → Northeast
        ("PR", "GO", "0", "7.00"),  # South → Centre-West
        ("RJ", "ES", "0", "7.00"),  # Southeast → Espírito Santo
        ("SP", "PR", "0", "12.00"),  # Southeast → South
        ("ES", "SP", "0", "12.00"),  # Espírito Santo is not in the 7% origins
        ("BA", "SP", "0", "12.00"),  # Northeast → Southeast
        ("AM", "PA", "0", "12.00"),  # North → North
        ("SP", "BA", "1", "4.00"),  # imported
        ("BA", "SP", "2", "4.00"),
        ("SP", "RJ", "3", "4.00"),
        ("SP", "RJ", "8", "4.00"),
        ("SP", "BA", "6", "7.00"),  # no national similar: not 4%
        ("SP", "RJ", "7", "12.00"),
        ("SP", "RJ", "5", "12.00"),
    ],
)
def test_interstate_rates(frm, to, origin, expected):
    assert interstate_rate(frm, to, origin) == D(expected)


def test_interstate_sale_to_a_contributor_takes_the_interstate_rate_without_difal():
    to_bahia = one(line(total="200.00"), context("SP", "BA", customer="contributor"))
    to_parana = one(line(total="200.00"), context("SP", "PR", customer="contributor"))

    assert to_bahia.cfop == "6102"
    assert (to_bahia.icms_rate, to_bahia.icms_value) == (D("7.00"), D("14.00"))
    assert (to_parana.icms_rate, to_parana.icms_value) == (D("12.00"), D("24.00"))
    assert to_bahia.difal is None and to_parana.difal is None
    assert to_bahia.fcp_value == 0


def test_imported_goods_take_4_percent_between_states():
    taxes = one(line(origin="1"), context("SP", "RJ", customer="contributor"))

    assert (taxes.origin, taxes.icms_rate, taxes.icms_value) == (
        "1",
        D("4.00"),
        D("4.00"),
    )


def test_difal_of_a_consumer_in_another_state_goes_to_the_destination_with_fcp():
    # São Paulo → Rio de Janeiro, a consumer: 12% to São Paulo, and to Rio
    # the difference to its 20% plus its 2% of FECP, on the same base.
    taxes = one(line(total="149.90", freight="12.35"), context("SP", "RJ"))
    base = D("162.25")

    assert taxes.cfop == "6108"
    assert (taxes.icms_base, taxes.icms_rate, taxes.icms_value) == (
        base,
        D("12.00"),
        D("19.47"),  # 162,25 × 12% = 19,47
    )
    difal = taxes.difal
    assert (difal.base, difal.fcp_base) == (base, base)
    assert (difal.destination_rate, difal.interstate_rate) == (D("20.00"), D("12.00"))
    # vICMSUFDest = vBCUFDest × (pICMSUFDest − pICMSInter) = 162,25 × 8% = 12,98
    assert difal.destination_value == D("12.98")
    # vFCPUFDest = 162,25 × 2% = 3,245 → 3,25 (half up)
    assert (difal.fcp_rate, difal.fcp_value) == (D("2.00"), D("3.25"))
    assert difal.origin_value == 0  # all of it to the destination since 2019
    # no FCP of the origin on an interstate sale
    assert taxes.fcp_value == 0


def test_difal_of_imported_goods_is_the_difference_to_4_percent():
    taxes = one(line(origin="1", total="100.00"), context("SP", "BA"))

    # Bahia 20,5% − 4% = 16,5%; Bahia charges no FCP on ordinary goods
    assert taxes.icms_value == D("4.00")
    assert taxes.difal.destination_value == D("16.50")
    assert (taxes.difal.fcp_base, taxes.difal.fcp_value) == (D("0.00"), D("0.00"))


def test_difal_for_a_company_exempt_from_the_ie_but_not_for_a_contributor():
    exempt = one(line(), context("SP", "MG", customer="exempt"))
    contributor = one(line(), context("SP", "MG", customer="contributor"))

    # São Paulo → Minas Gerais: 12%; Minas 18%
    assert exempt.cfop == "6108" and exempt.difal.destination_value == D("6.00")
    assert contributor.cfop == "6102" and contributor.difal is None


def test_no_difal_on_a_return():
    taxes = one(line(), context("SP", "RJ", op="return"))

    assert taxes.cfop == "2202"
    assert taxes.icms_value == D("12.00") and taxes.difal is None


# -- Simples Nacional ------------------------------------------------------------------


@pytest.mark.parametrize("regime", [SIMPLES, MEI])
def test_simples_states_csosn_102_and_no_icms(regime):
    inside = one(line(), context("SP", "SP", regime=regime))
    away = one(line(), context("SP", "RJ", regime=regime))

    assert (inside.cfop, inside.icms_csosn, inside.icms_cst) == ("5102", "102", "")
    assert away.cfop == "6108"
    for taxes in (inside, away):
        assert taxes.icms_base == taxes.icms_value == taxes.fcp_value == 0
        assert taxes.difal is None  # ADI 5464: no DIFAL for the Simples
        assert (taxes.pis_cst, taxes.pis_value, taxes.cofins_value) == ("99", 0, 0)
        assert taxes.reform is None


def test_simples_csosn_101_states_the_credit_and_900_states_icms():
    rule(ncm="4202", tax_regime=SIMPLES, icms_cst="", icms_csosn="101",
         sn_credit_rate=D("2.56"))  # fmt: skip
    rule(ncm="6403", tax_regime=SIMPLES, icms_cst="", icms_csosn="900")

    credit = one(line(ncm="42022100", total="250.00"), context(regime=SIMPLES))
    stated = one(line(ncm="64039990", total="250.00"), context(regime=SIMPLES))

    assert credit.icms_csosn == "101" and credit.icms_value == 0
    assert (credit.sn_credit_rate, credit.sn_credit_value) == (D("2.56"), D("6.40"))
    assert stated.icms_csosn == "900"
    assert (stated.icms_base, stated.icms_value) == (D("250.00"), D("45.00"))


def test_above_the_sublimit_the_simples_pays_icms_and_difal_as_regime_normal():
    taxes = one(line(), context("SP", "RJ", regime=EXCESS))

    assert (taxes.icms_cst, taxes.icms_value) == ("00", D("12.00"))
    assert taxes.difal.destination_value == D("8.00")
    assert taxes.pis_cst == "99" and taxes.pis_value == 0


# -- the tax reform (IBS and CBS, 2026) ------------------------------------------------


def test_ibs_and_cbs_at_the_test_rates_on_the_value_less_the_other_taxes():
    taxes = one(line(total="149.90", freight="12.35"), context("SP", "RJ"))
    reform = taxes.reform

    assert (reform.cst, reform.classification) == ("000", "000001")
    # 162,25 − PIS − COFINS − ICMS − DIFAL − FCP of the destination
    # PIS/COFINS: (162,25 − 19,47) = 142,78 × 0,65% = 0,928 and × 3% = 4,283
    assert (taxes.pis_value, taxes.cofins_value) == (D("0.93"), D("4.28"))
    base = D("162.25") - D("0.93") - D("4.28") - D("19.47") - D("12.98") - D("3.25")
    assert reform.base == base == D("121.34")
    assert (reform.ibs_state_rate, reform.ibs_state_value) == (D("0.10"), D("0.12"))
    assert (reform.ibs_city_rate, reform.ibs_city_value) == (D("0.00"), D("0.00"))
    assert (reform.cbs_rate, reform.cbs_value) == (D("0.90"), D("1.09"))


def test_the_ipi_stays_out_of_the_reform_base():
    rule(ncm="9503", ipi_cst="50", ipi_rate=D("10.00"), ibs_cbs_cst="000",
         ibs_cbs_classification="000001")  # fmt: skip

    taxes = one(line(ncm="95030099", total="1000.00"), context(customer="contributor"))

    # IPI 100,00; ICMS 180,00; PIS/COFINS on 820,00: 5,33 and 24,60
    assert (taxes.ipi_value, taxes.icms_value) == (D("100.00"), D("180.00"))
    assert (taxes.pis_value, taxes.cofins_value) == (D("5.33"), D("24.60"))
    # 1.000,00 − 180,00 − 5,33 − 24,60 = 790,07, the IPI not added
    assert taxes.reform.base == D("790.07")
    assert taxes.reform.cbs_value == D("7.11")  # 7,11063
    assert taxes.reform.ibs_state_value == D("0.79")  # 0,79007


def test_immune_lines_carry_the_group_without_values():
    rule(ncm="4901", ibs_cbs_cst="410", ibs_cbs_classification="410001")

    taxes = one(line(ncm="49019900"), context())

    assert (taxes.reform.cst, taxes.reform.base, taxes.reform.cbs_value) == (
        "410",
        0,
        0,
    )


# -- which rule decides ----------------------------------------------------------------


def test_a_rule_for_the_ncm_beats_the_generic_rule():
    specific = rule(description="Camisetas", ncm="6109", icms_cst="40")

    shirt = one(line(ncm="61091000"), context())
    trousers = one(line(ncm="62034200"), context())

    assert shirt.rules == [(specific.pk, "Camisetas")]
    assert shirt.icms_cst == "40" and shirt.icms_value == 0
    assert trousers.rules[0][1] == "Venda a não contribuinte — regime normal"


def test_a_longer_ncm_prefix_beats_a_shorter_one_with_as_many_criteria():
    rule(description="Capítulo 61", ncm="61", cfop_internal="5101")
    heading = rule(description="Posição 6109", ncm="6109", cfop_internal="5103")
    rule(description="Item exato", ncm="61099000", cfop_internal="5104")

    assert one(line(ncm="61091000"), context()).rules[0][0] == heading.pk
    assert one(line(ncm="61099000"), context()).cfop == "5104"
    assert one(line(ncm="61149000"), context()).cfop == "5101"


def test_more_criteria_beat_a_longer_ncm_prefix():
    rule(description="Posição 6109", ncm="6109", cfop_interstate="6101")
    to_rio = rule(description="Capítulo 61 para o RJ", ncm="61", destination_uf="RJ")

    assert one(line(), context("SP", "RJ")).rules[0][0] == to_rio.pk
    assert one(line(), context("SP", "MG")).cfop == "6101"


def test_priority_then_the_first_written_settle_a_tie():
    first = rule(description="Primeira", ncm="6109")
    second = rule(description="Segunda", ncm="6109")
    assert one(line(), context()).rules[0][0] == first.pk

    second.priority = 5
    second.save()
    assert one(line(), context()).rules[0][0] == second.pk


def test_inactive_rules_other_regimes_and_other_origins_do_not_apply():
    rule(description="Inativa", ncm="6109", active=False, cfop_internal="5101")
    rule(description="Simples", ncm="6109", tax_regime=SIMPLES, icms_cst="",
         icms_csosn="500", cfop_internal="5405")  # fmt: skip
    rule(description="Importados", ncm="6109", product_origin="1", cfop_internal="5106")

    national = one(line(origin="0"), context())
    imported = one(line(origin="1"), context())

    assert national.cfop == "5102"
    assert imported.cfop == "5106"


def test_a_rule_without_csosn_never_decides_for_a_simples_emitter():
    # any regime, CST only: regime normal takes it, the Simples its default
    rule(description="Só CST", ncm="6109", tax_regime="", customer_type="consumer",
         icms_cst="41", cfop_internal="5101")  # fmt: skip

    assert one(line(), context(regime=NORMAL)).icms_cst == "41"
    assert one(line(), context(regime=SIMPLES)).icms_csosn == "102"


# -- when there is no answer -----------------------------------------------------------


def test_a_product_without_ncm_is_refused_naming_its_sku():
    with translation.override("pt-br"), pytest.raises(NoTaxRule) as raised:
        compute([line("CAN-1"), line("CAM-P", ncm="")], context())

    assert raised.value.sku == "CAM-P"
    assert str(raised.value) == (
        "O produto do SKU CAM-P não tem NCM: preencha o NCM da variante no "
        "catálogo antes de emitir a NF-e."
    )


def test_no_matching_rule_is_refused_with_the_situation():
    with translation.override("pt-br"), pytest.raises(NoTaxRule) as raised:
        compute([line("CAM-P")], context("SP", "RJ", op="transfer"))

    assert raised.value.sku == "CAM-P"
    assert str(raised.value) == (
        "Nenhuma regra de tributação se aplica ao SKU CAM-P (NCM 61091000, "
        "origem 0; transferência de SP para RJ; cliente: Não contribuinte "
        "(consumidor final); emitente: Regime normal). Cadastre uma em Fiscal › "
        "Regras de tributação."
    )


def test_a_state_without_its_rate_is_refused():
    UFRate.objects.filter(uf="RJ").delete()

    with translation.override("pt-br"), pytest.raises(NoTaxRule) as raised:
        compute([line()], context("RJ", "RJ"))

    assert "RJ" in str(raised.value)


def test_an_unknown_destination_is_refused():
    with pytest.raises(NoTaxRule):
        compute([line()], context("SP", "XX"))


# -- the default rule set and the cost -------------------------------------------------


def test_the_default_rules_tax_a_sale_to_every_state_and_customer_in_every_regime():
    customers = [CustomerType.CONTRIBUTOR, CustomerType.EXEMPT, CustomerType.CONSUMER]
    ufs = list(UFRate.objects.values_list("uf", flat=True))
    assert len(ufs) == 27
    for regime in TaxRegime.values:
        for uf in ufs:
            for customer in customers:
                taxes = one(line(ncm="94036000"), context("SP", uf, customer=customer,
                                                          regime=regime))  # fmt: skip
                assert taxes.cfop[0] == ("5" if uf == "SP" else "6")
                assert taxes.icms_csosn or taxes.icms_cst


def test_the_defaults_are_installed_once_and_edits_are_kept():
    from plugins.fiscal.tax_defaults import install_defaults

    edited = TaxRule.objects.get(description="Venda de mercadoria — regime normal")
    edited.pis_rate = D("1.65")
    edited.save()
    UFRate.objects.filter(uf="SP").update(internal_rate=D("19.00"))

    assert install_defaults() == (0, 0)
    edited.refresh_from_db()
    assert edited.pis_rate == D("1.65")
    assert UFRate.objects.get(uf="SP").internal_rate == D("19.00")


def test_rules_and_rates_are_read_once_whatever_the_number_of_lines(
    django_assert_num_queries,
):
    lines = [line(f"SKU-{n}", ncm=f"{61091000 + n}") for n in range(40)]

    with django_assert_num_queries(2):
        taxes = compute(lines, context("SP", "RJ"))

    assert len(taxes) == 40


def test_the_demo_writes_the_tables_a_flushed_database_lost():
    import io

    from plugins.fiscal.tax_defaults import seed_demo_tax_tables

    TaxRule.objects.all().delete()
    out = io.StringIO()

    seed_demo_tax_tables(stdout=out)

    assert TaxRule.objects.count() == 16
    assert out.getvalue() == "Tax tables: 0 state rates and 16 rules written."
    assert one(line(), context("SP", "BA")).cfop == "6108"
