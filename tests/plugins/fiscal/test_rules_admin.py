"""The tax rules screens: the rules and the states' rates, kept by the fiscal
desk with their history, read by the accountant; and the simulator."""

from decimal import Decimal

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from plugins.fiscal.models import TaxRule, UFRate
from tests.i18n.test_admin_language import offending, visible_text

pytestmark = pytest.mark.usefixtures("tax_tables")

RULES = "/admin/fiscal/tax-rules/"
RATES = "/admin/fiscal/uf-rates/"
SIMULATOR = "/admin/fiscal/tax-simulator/"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rule_form(**overrides) -> dict:
    data = {
        "description": "Camisetas para o RJ",
        "priority": "0",
        "active": "on",
        "ncm": "6109.10.00",
        "operation": "sale",
        "origin_uf": "",
        "destination_uf": "RJ",
        "customer_type": "",
        "product_origin": "",
        "tax_regime": "3",
        "cfop_internal": "5102",
        "cfop_interstate": "6102",
        "icms_cst": "20",
        "icms_csosn": "",
        "icms_base_reduction": "33,33",
        "internal_rate": "",
        "fcp_applies": "on",
        "fcp_rate": "",
        "sn_credit_rate": "",
        "pis_cst": "01",
        "pis_rate": "1,65",
        "cofins_cst": "01",
        "cofins_rate": "7,60",
        "ipi_cst": "",
        "ipi_rate": "0",
        "ipi_framework": "999",
        "ibs_cbs_cst": "000",
        "ibs_cbs_classification": "000001",
    }
    data.update(overrides)
    return data


def denied(response) -> bool:
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == "/admin/"
    )


# -- the rules ----------------------------------------------------------------------


def test_the_fiscal_desk_writes_a_rule_with_its_history(fiscal_clerk):
    client = client_of(fiscal_clerk)

    response = client.post(f"{RULES}new/", rule_form())

    assert response.status_code == 302
    rule = TaxRule.objects.get(description="Camisetas para o RJ")
    assert rule.ncm == "61091000"
    assert (rule.icms_base_reduction, rule.cofins_rate) == (
        Decimal("33.33"),
        Decimal("7.60"),
    )
    entry = ModelLogEntry.objects.for_instance(rule).get()
    assert (entry.action, entry.user) == ("wagtail.create", fiscal_clerk)
    history = client.get(f"{RULES}history/{rule.pk}/")
    assert history.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"tax_regime": "1", "icms_cst": "", "icms_base_reduction": "0"},
            "icms_csosn",
            "Uma regra para emitente do Simples Nacional precisa de um CSOSN.",
        ),
        (
            {"icms_cst": "00"},
            "icms_base_reduction",
            "Uma redução de base precisa do CST 20 ou do CSOSN 900.",
        ),
        (
            {"icms_base_reduction": "0"},
            "icms_base_reduction",
            "O CST 20 precisa da redução de base.",
        ),
        (
            {"cfop_interstate": "5102"},
            "cfop_interstate",
            "Um CFOP para outro estado começa por 2 (entrada) ou 6 (saída).",
        ),
        (
            {"ibs_cbs_classification": ""},
            "ibs_cbs_classification",
            "O CST do IBS/CBS e o cClassTrib andam juntos: preencha os dois ou nenhum.",
        ),
    ],
)
def test_a_rule_that_does_not_add_up_is_refused(
    fiscal_clerk, overrides, field, message
):
    response = client_of(fiscal_clerk).post(f"{RULES}new/", rule_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not TaxRule.objects.filter(description="Camisetas para o RJ").exists()


def test_a_rule_with_the_criteria_and_priority_of_another_is_refused(fiscal_clerk):
    client = client_of(fiscal_clerk)
    client.post(f"{RULES}new/", rule_form())

    response = client.post(f"{RULES}new/", rule_form(description="Repetida"))

    assert response.status_code == 200
    assert "“Camisetas para o RJ”" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert (
        client.post(
            f"{RULES}new/", rule_form(description="Outra prioridade", priority="1")
        ).status_code
        == 302
    )


def test_the_accountant_reads_the_rules_but_does_not_change_them(accountant):
    client = client_of(accountant)
    rule = TaxRule.objects.filter(operation="sale").first()

    assert client.get(RULES).status_code == 200
    assert client.get(f"{RULES}inspect/{rule.pk}/").status_code == 200
    assert denied(client.get(f"{RULES}new/"))
    assert denied(client.post(f"{RULES}edit/{rule.pk}/", rule_form()))


def test_the_listing_filters_by_ncm_prefix_and_regime(fiscal_clerk):
    TaxRule.objects.create(
        description="Camisetas",
        ncm="6109",
        operation="sale",
        tax_regime="3",
        cfop_internal="5102",
        cfop_interstate="6102",
        icms_cst="00",
        pis_cst="01",
        cofins_cst="01",
    )

    response = client_of(fiscal_clerk).get(f"{RULES}?ncm=61&tax_regime=3")

    assert [str(rule) for rule in response.context["object_list"]] == ["Camisetas"]


# -- the states' rates -----------------------------------------------------------


def test_the_fiscal_desk_changes_a_state_rate_on_the_record(fiscal_clerk, accountant):
    rate = UFRate.objects.get(uf="SP")

    response = client_of(fiscal_clerk).post(
        f"{RATES}edit/{rate.pk}/", {"internal_rate": "19,50", "fcp_rate": "1"}
    )

    assert response.status_code == 302
    rate.refresh_from_db()
    assert (rate.internal_rate, rate.fcp_rate) == (Decimal("19.50"), Decimal("1.00"))
    assert ModelLogEntry.objects.for_instance(rate).get().action == "wagtail.edit"
    reader = client_of(accountant)
    assert reader.get(RATES).status_code == 200
    assert denied(reader.get(f"{RATES}edit/{rate.pk}/"))


# -- the simulator -------------------------------------------------------------------


def test_the_simulator_shows_each_line_of_an_order_and_its_rule(
    fiscal_clerk, emitter, ncm_order
):
    response = client_of(fiscal_clerk).get(
        SIMULATOR, {"emitter": emitter.pk, "order": ncm_order.number.lower()}
    )

    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert [row["sku"] for row in rows] == ["CAM-P", "CAN-1"]
    shirt = rows[0]
    assert (shirt["cfop"], shirt["icms_code"]) == ("6108", "00")
    assert shirt["icms"] == {"base": "R$ 110,52", "rate": "12,00%", "value": "R$ 13,26"}
    assert shirt["difal"]["value"] == "R$ 8,84"
    assert shirt["difal"]["fcp"]["value"] == "R$ 2,21"
    assert shirt["reform"]["cbs"]["rate"] == "0,90%"
    rule = TaxRule.objects.get(description="Venda a não contribuinte — regime normal")
    assert f'href="/admin/fiscal/tax-rules/edit/{rule.pk}/"' in html
    assert "Venda · SP → RJ (interestadual)" in html
    assert offending(visible_text(html)) == []


@pytest.mark.usefixtures("sellable")
def test_the_simulator_takes_a_sku_a_state_and_a_customer(accountant, other_emitter):
    from content.models import Variant

    Variant.objects.filter(sku="CAN-1").update(ncm="69120000")

    response = client_of(accountant).get(
        SIMULATOR,
        {
            "emitter": other_emitter.pk,
            "sku": "CAN-1",
            "destination_uf": "SP",
            "customer_type": "consumer",
            "quantity": "3",
        },
    )

    assert response.status_code == 200
    (row,) = response.context["rows"]
    # a Simples emitter in Minas Gerais: CSOSN 102, no ICMS; 3 × 39,90
    assert (row["cfop"], row["icms_code"], row["icms"]) == ("6108", "102", None)
    assert row["value"] == "R$ 119,70"
    # a reader is sent to the rule's page, not its editor
    rule_url = row["rules"][0]["url"]
    assert rule_url.startswith("/admin/fiscal/tax-rules/inspect/")


@pytest.mark.usefixtures("sellable")
def test_the_simulator_says_why_a_line_cannot_be_taxed(fiscal_clerk, emitter):
    client = client_of(fiscal_clerk)
    ask = {
        "emitter": emitter.pk,
        "sku": "CAM-P",
        "destination_uf": "BA",
        "customer_type": "contributor",
    }

    without_ncm = client.get(SIMULATOR, ask)
    from content.models import Variant

    Variant.objects.filter(sku="CAM-P").update(ncm="61091000")
    TaxRule.objects.update(active=False)
    without_rule = client.get(SIMULATOR, ask)

    assert without_ncm.context["error"].startswith("O produto do SKU CAM-P não tem NCM")
    assert "rows" not in without_ncm.context
    assert without_rule.context["error"].startswith(
        "Nenhuma regra de tributação se aplica ao SKU CAM-P"
    )
    assert "Nenhuma regra de tributação" in without_rule.content.decode()


def test_the_simulator_refuses_an_unknown_order(fiscal_clerk, emitter):
    response = client_of(fiscal_clerk).get(
        SIMULATOR, {"emitter": emitter.pk, "order": "NADA-0000"}
    )

    assert response.context["form"].errors["order"] == [
        "Nenhum pedido com este número que você possa ver."
    ]


def test_the_clerk_simulates_only_with_the_emitters_granted_to_them(
    fiscal_clerk, other_emitter, ncm_order
):
    client = client_of(fiscal_clerk)

    page = client.get(SIMULATOR)
    other = client.get(
        SIMULATOR, {"emitter": other_emitter.pk, "order": ncm_order.number}
    )

    assert list(page.context["form"].fields["emitter"].queryset) != []
    assert other_emitter not in page.context["form"].fields["emitter"].queryset
    assert other.status_code == 404


def test_the_simulator_is_not_for_roles_without_the_rules(order_desk):
    assert denied(client_of(order_desk).get(SIMULATOR))


def test_the_fiscal_menu_offers_the_simulator_to_who_may_use_it(
    fiscal_clerk, order_desk
):
    assert SIMULATOR in client_of(fiscal_clerk).get("/admin/").content.decode()
    assert SIMULATOR not in client_of(order_desk).get("/admin/").content.decode()
