"""The NF-e 4.00 built from the neutral data and from orders: every document
validates against the official XSD bundled with nfelib, its signature
verifies with xmlsec1, and what it states is what the sale was."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import nfelib
import pytest
from django.utils import translation
from lxml import etree
from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe
from signxml.exceptions import InvalidDigest, InvalidSignature
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from plugins.fiscal import bindings, keys, nfe, signing, xsd
from plugins.fiscal.models import Emitter
from plugins.fiscal.taxation import DifalShare, LineTaxes, ReformTaxes, TaxInput

from .conftest import (
    ALPHANUMERIC_CNPJ,
    assert_signed,
    assert_xsd_valid,
    emitter_values,
    make_a1,
    xmlsec1_verifies,
)

D = Decimal
NS = {"n": xsd.NS}
ISSUED_AT = dt.datetime(2026, 8, 3, 14, 30, tzinfo=dt.UTC)
CPF = "52998224725"
CNPJ_CUSTOMER = "11444777000161"


# -- Building blocks -------------------------------------------------------------


def values(xml, path: str) -> list[str]:
    """The texts of the elements at ``path`` ("det/prod/vProd"), anywhere."""
    root = etree.fromstring(xml.encode()) if isinstance(xml, str) else xml
    steps = "/".join(f"n:{step}" for step in path.split("/"))
    return [found.text for found in root.iterfind(f".//{steps}", NS)]


def value(xml, path: str) -> str:
    found = values(xml, path)
    assert len(found) == 1, (path, found)
    return found[0]


def item(sku="CAM-P", quantity=2, price="49.90", discount="4.80", freight="7.50",
         **fields) -> TaxInput:  # fmt: skip
    gross = D(price) * quantity
    return TaxInput(
        sku=sku,
        ncm=fields.pop("ncm", "61091000"),
        origin=fields.pop("origin", "0"),
        quantity=D(quantity),
        unit_price=D(price),
        total=gross - D(discount),
        discount=D(discount),
        freight=D(freight),
        description=fields.pop("description", f"Camiseta básica {sku}"),
        gtin=fields.pop("gtin", ""),
        **fields,
    )


def icms_00(line: TaxInput, *, cfop="5102", rate="18.00", **fields) -> LineTaxes:
    """CST 00: ICMS on the line's value with its freight; PIS and COFINS
    (lucro real) on that base less the ICMS."""
    base = line.total + line.freight
    icms = (base * D(rate) / 100).quantize(D("0.01"))
    pis_base = base - icms
    return LineTaxes(
        cfop=cfop,
        icms_cst="00",
        icms_base=base,
        icms_rate=D(rate),
        icms_value=icms,
        pis_cst="01",
        pis_base=pis_base,
        pis_rate=D("1.65"),
        pis_value=(pis_base * D("0.0165")).quantize(D("0.01")),
        cofins_cst="01",
        cofins_base=pis_base,
        cofins_rate=D("7.60"),
        cofins_value=(pis_base * D("0.076")).quantize(D("0.01")),
        **fields,
    )


def reform(base: Decimal) -> ReformTaxes:
    """The 2026 test rates: IBS 0.1 % (state), CBS 0.9 %."""
    return ReformTaxes(
        cst="000",
        classification="000001",
        base=base,
        ibs_state_rate=D("0.10"),
        ibs_state_value=(base * D("0.001")).quantize(D("0.01")),
        ibs_city_rate=D("0.00"),
        ibs_city_value=D("0.00"),
        cbs_rate=D("0.90"),
        cbs_value=(base * D("0.009")).quantize(D("0.01")),
    )


def campinas(**fields) -> nfe.Recipient:
    values = {
        "name": "Maria da Silva",
        "document": CPF,
        "address": nfe.Address(
            street="Rua Barão de Jaguara",
            number="1000",
            district="Centro",
            city="Campinas",
            uf="SP",
            cep="13015-001",
            phone="+55 (19) 99123-4567",
        ),
        "email": "maria@example.com",
    }
    values.update(fields)
    return nfe.Recipient(**values)


def rio_consumer() -> nfe.Recipient:
    return nfe.Recipient(
        name="João Pereira",
        document=CPF,
        address=nfe.Address(
            street="Rua do Catete",
            number="200",
            complement="apto 301",
            district="Catete",
            city="Rio de Janeiro",
            uf="RJ",
            cep="22220-000",
        ),
    )


def sale(emitter, lines, **fields) -> nfe.NFeData:
    lines = [nfe.Line(*pair) if isinstance(pair, tuple) else pair for pair in lines]
    values = {
        "emitter": emitter,
        "recipient": campinas(),
        "lines": lines,
        "number": 1234,
        "series": 1,
        "issued_at": ISSUED_AT,
        "transport": nfe.Transport(mode=nfe.FreightMode.SENDER),
    }
    values.update(fields)
    if "payments" not in values:
        total = sum(
            (
                line.item.total + line.item.freight + line.taxes.ipi_value
                for line in lines
            ),
            D(0),
        )
        values["payments"] = [pix(total)]
    return nfe.NFeData(**values)


def pix(amount) -> nfe.Payment:
    return nfe.Payment(kind=nfe.PaymentKind.PIX, amount=D(amount))


@pytest.fixture
def sp_emitter():
    """Regime normal in São Paulo, homologação (not saved: the builder reads
    it only)."""
    return Emitter(**emitter_values())


@pytest.fixture
def simples_emitter():
    return Emitter(**emitter_values(tax_regime="1"))


def build(data, certificate) -> nfe.SignedNFe:
    """Build and check what every issued document must be: schema-valid and
    signed over its infNFe."""
    signed = nfe.build_nfe(data, certificate=certificate)
    assert_xsd_valid(signed.xml, xsd.NFE)
    assert_signed(signed.xml, "infNFe", certificate=certificate)
    return signed


# -- Sales -----------------------------------------------------------------------


def test_intrastate_sale_cst_00_at_18_percent(sp_emitter, certificate):
    first, second = item("CAM-P"), item("CAN-1", 1, "39.90", "0.00", "3.21")
    signed = build(
        sale(sp_emitter, [(first, icms_00(first)), (second, icms_00(second))]),
        certificate,
    )
    xml = signed.xml

    key = keys.parse(signed.access_key)
    assert etree.fromstring(xml.encode())[0].get("Id") == f"NFe{key}"
    assert (key.uf, key.year_month, key.cnpj, key.series, key.number) == (
        "SP",
        "2608",
        "11222333000181",
        1,
        1234,
    )
    assert value(xml, "ide/cDV") == str(key.digit)
    assert value(xml, "ide/cNF") == key.numeric_code != "00001234"
    assert value(xml, "ide/dhEmi") == "2026-08-03T11:30:00-03:00"
    assert [value(xml, f"ide/{f}") for f in ("tpNF", "idDest", "finNFe")] == [
        "1",
        "1",
        "1",
    ]
    assert value(xml, "ide/indFinal") == "1"
    assert value(xml, "ide/indPres") == "2"  # internet
    assert value(xml, "ide/tpAmb") == "2"
    assert value(xml, "dest/indIEDest") == "9"
    assert value(xml, "dest/enderDest/cMun") == "3509502"  # Campinas, from its name
    assert value(xml, "dest/enderDest/fone") == "19991234567"

    # line 1: 2 × 49.90 less 4.80, freight 7.50 → base 102.50, ICMS 18.45
    assert values(xml, "det/prod/vProd") == ["99.80", "39.90"]
    assert values(xml, "det/prod/vDesc") == ["4.80"]
    assert values(xml, "det/prod/vFrete") == ["7.50", "3.21"]
    assert values(xml, "det/prod/cEAN") == ["SEM GTIN", "SEM GTIN"]
    assert values(xml, "ICMS00/vBC") == ["102.50", "43.11"]
    assert values(xml, "ICMS00/pICMS") == ["18.0000", "18.0000"]
    assert values(xml, "ICMS00/vICMS") == ["18.45", "7.76"]
    assert values(xml, "PISAliq/vPIS") == ["1.39", "0.58"]
    assert values(xml, "COFINSAliq/vCOFINS") == ["6.39", "2.69"]

    assert value(xml, "ICMSTot/vBC") == "145.61"
    assert value(xml, "ICMSTot/vICMS") == "26.21"
    assert value(xml, "ICMSTot/vProd") == "139.70"
    assert value(xml, "ICMSTot/vDesc") == "4.80"
    assert value(xml, "ICMSTot/vFrete") == "10.71"
    assert value(xml, "ICMSTot/vPIS") == "1.97"
    assert value(xml, "ICMSTot/vCOFINS") == "9.08"
    assert value(xml, "ICMSTot/vNF") == "145.61"
    assert signed.total == D("145.61")
    assert signed.totals["icms"] == "26.21"
    assert signed.totals["cfops"] == ["5102"]
    assert value(xml, "pag/detPag/tPag") == "17"  # Pix
    assert value(xml, "pag/detPag/vPag") == "145.61"


def test_homologation_replaces_the_recipient_and_the_first_product(
    sp_emitter, certificate
):
    first, second = item("CAM-P"), item("CAM-M")
    data = sale(sp_emitter, [(first, icms_00(first)), (second, icms_00(second))])
    xml = build(data, certificate).xml
    assert value(xml, "dest/xNome") == nfe.HOMOLOGATION_RECIPIENT
    assert values(xml, "det/prod/xProd") == [
        nfe.HOMOLOGATION_PRODUCT,
        "Camiseta básica CAM-M",
    ]

    sp_emitter.environment = "1"
    xml = build(data, certificate).xml
    assert value(xml, "ide/tpAmb") == "1"
    assert value(xml, "dest/xNome") == "Maria da Silva"
    assert values(xml, "det/prod/xProd")[0] == "Camiseta básica CAM-P"


def test_interstate_sale_to_a_consumer_carries_the_difal(sp_emitter, certificate):
    # SP → RJ, a consumer (não contribuinte): interstate 12 %; RJ's 20 % and
    # its 2 % FCP owed to RJ on the same base
    line = item()
    taxes = icms_00(
        line,
        cfop="6108",
        rate="12.00",
        difal=DifalShare(
            base=D("102.50"),
            fcp_base=D("102.50"),
            destination_rate=D("20.00"),
            interstate_rate=D("12.00"),
            fcp_rate=D("2.00"),
            fcp_value=D("2.05"),
            destination_value=D("8.20"),
            origin_value=D("0.00"),
        ),
    )
    xml = build(
        sale(sp_emitter, [(line, taxes)], recipient=rio_consumer()), certificate
    ).xml
    assert value(xml, "ide/idDest") == "2"
    assert value(xml, "ide/indFinal") == "1"
    assert value(xml, "dest/indIEDest") == "9"
    assert value(xml, "dest/enderDest/cMun") == "3304557"
    assert value(xml, "ICMS00/vICMS") == "12.30"
    assert value(xml, "ICMSUFDest/vBCUFDest") == "102.50"
    assert value(xml, "ICMSUFDest/pICMSUFDest") == "20.0000"
    assert value(xml, "ICMSUFDest/pICMSInter") == "12.00"
    assert value(xml, "ICMSUFDest/pICMSInterPart") == "100.0000"
    assert value(xml, "ICMSUFDest/vFCPUFDest") == "2.05"
    assert value(xml, "ICMSUFDest/vICMSUFDest") == "8.20"
    assert value(xml, "ICMSTot/vICMSUFDest") == "8.20"
    assert value(xml, "ICMSTot/vFCPUFDest") == "2.05"
    assert value(xml, "ICMSTot/vICMSUFRemet") == "0.00"
    # the DIFAL is the seller's cost: it does not add to the total
    assert value(xml, "ICMSTot/vNF") == "102.50"


def test_simples_nacional_states_csosn(simples_emitter, certificate):
    plain, credit = item("CAM-P"), item("CAM-M")
    simples = {
        "pis_cst": "49",
        "cofins_cst": "49",
    }
    xml = build(
        sale(
            simples_emitter,
            [
                (plain, LineTaxes(cfop="5102", icms_csosn="102", **simples)),
                (
                    credit,
                    LineTaxes(
                        cfop="5102",
                        icms_csosn="101",
                        icms_rate=D("2.56"),
                        icms_value=D("2.62"),
                        **simples,
                    ),
                ),
            ],
        ),
        certificate,
    ).xml
    assert value(xml, "emit/CRT") == "1"
    assert value(xml, "ICMSSN102/CSOSN") == "102"
    assert value(xml, "ICMSSN101/pCredSN") == "2.5600"
    assert value(xml, "ICMSSN101/vCredICMSSN") == "2.62"
    assert values(xml, "PISOutr/CST") == ["49", "49"]
    assert values(xml, "PISOutr/vPIS") == ["0.00", "0.00"]
    # the Simples states no ICMS of its own
    assert value(xml, "ICMSTot/vBC") == "0.00"
    assert value(xml, "ICMSTot/vICMS") == "0.00"


def test_the_reform_groups_ibs_and_cbs(sp_emitter, certificate):
    first, second = item("CAM-P"), item("CAN-1", 1, "39.90", "0.00", "0.00")
    lines = [
        (first, icms_00(first, reform=reform(D("102.50")))),
        (second, icms_00(second, reform=reform(D("39.90")))),
    ]
    signed = build(sale(sp_emitter, lines), certificate)
    xml = signed.xml
    assert values(xml, "IBSCBS/CST") == ["000", "000"]
    assert values(xml, "IBSCBS/cClassTrib") == ["000001", "000001"]
    assert values(xml, "gIBSCBS/vBC") == ["102.50", "39.90"]
    assert values(xml, "gIBSCBS/gIBSUF/pIBSUF") == ["0.1000", "0.1000"]
    assert values(xml, "gIBSCBS/gIBSUF/vIBSUF") == ["0.10", "0.04"]
    assert values(xml, "gIBSCBS/gCBS/pCBS") == ["0.9000", "0.9000"]
    assert values(xml, "gIBSCBS/gCBS/vCBS") == ["0.92", "0.36"]
    assert value(xml, "IBSCBSTot/vBCIBSCBS") == "142.40"
    assert value(xml, "IBSCBSTot/gIBS/vIBS") == "0.14"
    assert value(xml, "IBSCBSTot/gIBS/gIBSUF/vIBSUF") == "0.14"
    assert value(xml, "IBSCBSTot/gCBS/vCBS") == "1.28"
    assert (signed.totals["ibs"], signed.totals["cbs"]) == ("0.14", "1.28")
    # in 2026 the IBS and the CBS are stated, not charged
    assert value(xml, "ICMSTot/vNF") == "142.40"


def test_a_contributor_recipient_states_their_ie(sp_emitter, certificate):
    line = item()
    recipient = campinas(
        name="Confecções Campinas Ltda",
        document=CNPJ_CUSTOMER,
        ie_indicator=nfe.IEIndicator.CONTRIBUTOR,
        ie="244.208.750.110",
    )
    xml = build(
        sale(sp_emitter, [(line, icms_00(line))], recipient=recipient), certificate
    ).xml
    assert value(xml, "dest/CNPJ") == CNPJ_CUSTOMER
    assert value(xml, "dest/indIEDest") == "1"
    assert value(xml, "dest/IE") == "244208750110"
    assert value(xml, "ide/indFinal") == "0"


# every tax group the builder writes, each checked against the schema
GROUPS = [
    ("ICMS00", {"icms_cst": "00", "icms_base": D("95"), "icms_rate": D("18"),
                "icms_value": D("17.10")}),
    ("ICMS00", {"icms_cst": "00", "icms_base": D("95"), "icms_rate": D("18"),
                "icms_value": D("17.10"), "fcp_rate": D("2"), "fcp_value": D("1.90")}),
    ("ICMS20", {"icms_cst": "20", "icms_base": D("58.62"), "icms_rate": D("18"),
                "icms_value": D("10.55")}),
    ("ICMS40", {"icms_cst": "40"}),
    ("ICMS40", {"icms_cst": "41"}),
    ("ICMS40", {"icms_cst": "50"}),
    ("ICMS60", {"icms_cst": "60"}),
    ("ICMS90", {"icms_cst": "90"}),
    ("ICMS90", {"icms_cst": "90", "icms_base": D("95"), "icms_rate": D("7"),
                "icms_value": D("6.65")}),
    ("IPITrib", {"icms_cst": "00", "ipi_cst": "50", "ipi_rate": D("5"),
                 "ipi_value": D("4.75")}),
    ("IPINT", {"icms_cst": "00", "ipi_cst": "53"}),
    ("PISNT", {"icms_cst": "40", "pis_cst": "06", "cofins_cst": "06"}),
    ("PISAliq", {"icms_cst": "40", "pis_cst": "02", "pis_base": D("95"),
                 "pis_rate": D("2.1"), "pis_value": D("2"), "cofins_cst": "02",
                 "cofins_base": D("95"), "cofins_rate": D("9.65"),
                 "cofins_value": D("9.17")}),
    ("PISOutr", {"icms_cst": "40", "pis_cst": "99", "cofins_cst": "99"}),
]  # fmt: skip
SIMPLES_GROUPS = [
    ("ICMSSN102", {"icms_csosn": "102"}),
    ("ICMSSN102", {"icms_csosn": "103"}),
    ("ICMSSN102", {"icms_csosn": "300"}),
    ("ICMSSN102", {"icms_csosn": "400"}),
    ("ICMSSN500", {"icms_csosn": "500"}),
    ("ICMSSN900", {"icms_csosn": "900"}),
    ("ICMSSN900", {"icms_csosn": "900", "icms_base": D("95"),
                   "icms_rate": D("18"), "icms_value": D("17.10")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("regime", "group", "fields"),
    [("3", *case) for case in GROUPS] + [("1", *case) for case in SIMPLES_GROUPS],
)
def test_every_tax_group_is_valid_against_the_schema(regime, group, fields):
    line = item(freight="0.00")
    data = sale(
        Emitter(**emitter_values(tax_regime=regime)),
        [(line, LineTaxes(cfop="5102", **fields))],
    )
    tree = nfe.prepare(data).tree()
    assert xsd.problems(tree, xsd.NFE, signed=False) == []
    assert values(tree, group)


def test_cst_20_states_the_reduction_of_its_base(sp_emitter):
    line = item(freight="0.00")  # 95.00
    taxes = LineTaxes(
        cfop="5102",
        icms_cst="20",
        icms_base=D("58.62"),
        icms_rate=D("18"),
        icms_value=D("10.55"),
    )
    tree = nfe.prepare(sale(sp_emitter, [(line, taxes)])).tree()
    assert value(tree, "ICMS20/pRedBC") == "38.2947"
    assert value(tree, "ICMS20/vBC") == "58.62"


def test_ipi_adds_to_the_total(sp_emitter):
    line = item(freight="0.00")
    taxes = icms_00(line, ipi_cst="50", ipi_rate=D("5"), ipi_value=D("4.75"))
    draft = nfe.prepare(sale(sp_emitter, [(line, taxes)]))
    tree = draft.tree()
    assert value(tree, "IPITrib/vBC") == "95.00"
    assert value(tree, "IPI/cEnq") == "999"
    assert value(tree, "ICMSTot/vIPI") == "4.75"
    assert value(tree, "ICMSTot/vNF") == "99.75"
    assert draft.total == D("99.75")


def test_payments_card_group_change_and_shortfall(sp_emitter, certificate):
    line = item()  # vNF 102.50
    card = nfe.Payment(
        kind=nfe.PaymentKind.CREDIT_CARD, amount=D("80.00"), deferred=True
    )
    gift = nfe.Payment(kind=nfe.PaymentKind.GIFT_CARD, amount=D("30.00"))
    xml = build(
        sale(sp_emitter, [(line, icms_00(line))], payments=[card, gift]), certificate
    ).xml
    assert values(xml, "detPag/tPag") == ["03", "12"]
    assert values(xml, "detPag/indPag") == ["1", "0"]
    assert value(xml, "detPag/card/tpIntegra") == "2"
    assert value(xml, "pag/vTroco") == "7.50"

    boleto = nfe.Payment(kind=nfe.PaymentKind.BOLETO, amount=D("100.00"))
    with translation.override("pt-br"), pytest.raises(nfe.NFeError) as error:
        nfe.build_nfe(
            sale(sp_emitter, [(line, icms_00(line))], payments=[boleto]),
            certificate=certificate,
        )
    assert str(error.value) == (
        "Os pagamentos (R$ 100.00) não cobrem o total da NF-e (R$ 102.50)."
    )


def test_transport_with_carrier_and_volumes(sp_emitter, certificate):
    line = item()
    transport = nfe.Transport(
        mode=nfe.FreightMode.SENDER,
        carrier=nfe.Carrier(
            name="Transportadora Rápida Ltda",
            document="11.444.777/0001-61",
            ie="110.042.490.114",
            address="Rua das Cargas, 50",
            city="Guarulhos",
            uf="SP",
        ),
        volumes=[
            nfe.Volume(
                quantity=2,
                kind="CAIXA",
                net_weight=D("1.1"),
                gross_weight=D("1.25"),
            )
        ],
    )
    xml = build(
        sale(sp_emitter, [(line, icms_00(line))], transport=transport), certificate
    ).xml
    assert value(xml, "transp/modFrete") == "0"
    assert value(xml, "transporta/CNPJ") == "11444777000161"
    assert value(xml, "transporta/xNome") == "Transportadora Rápida Ltda"
    assert value(xml, "vol/qVol") == "2"
    assert value(xml, "vol/pesoB") == "1.250"


def test_an_alphanumeric_cnpj_emitter(certificate):
    emitter = Emitter(**emitter_values(cnpj=ALPHANUMERIC_CNPJ))
    own = make_a1(ALPHANUMERIC_CNPJ).certificate
    line = item()
    signed = build(sale(emitter, [(line, icms_00(line))]), own)
    assert signed.access_key[6:20] == ALPHANUMERIC_CNPJ
    assert value(signed.xml, "emit/CNPJ") == ALPHANUMERIC_CNPJ
    assert keys.is_valid(signed.access_key)


def test_contingency_svc_states_when_and_why(sp_emitter, certificate):
    line = item()
    data = sale(
        sp_emitter,
        [(line, icms_00(line))],
        emission_type="6",
        contingency_since=ISSUED_AT - dt.timedelta(hours=1),
        contingency_reason="SEFAZ-SP fora do ar",
    )
    signed = build(data, certificate)
    assert keys.parse(signed.access_key).emission_type == "6"
    assert value(signed.xml, "ide/tpEmis") == "6"
    assert value(signed.xml, "ide/dhCont") == "2026-08-03T10:30:00-03:00"
    assert value(signed.xml, "ide/xJust") == "SEFAZ-SP fora do ar"


def test_free_text_is_cleaned_for_the_schema(sp_emitter, certificate):
    sp_emitter.environment = "1"
    line = item(description="Caneca “Café” – edição 🎉 limitada\n\tnova   ")
    xml = build(
        sale(
            sp_emitter,
            [(line, icms_00(line))],
            additional_info="Entregar no\nportão lateral",
        ),
        certificate,
    ).xml
    assert value(xml, "det/prod/xProd") == 'Caneca "Café" - edição limitada nova'
    assert value(xml, "infAdic/infCpl") == "Entregar no portão lateral"


# -- Refused ---------------------------------------------------------------------


def refusal(data, certificate) -> str:
    with translation.override("pt-br"), pytest.raises(nfe.NFeError) as error:
        nfe.build_nfe(data, certificate=certificate)
    return str(error.value)


def test_a_cfop_of_another_kind_of_operation_is_refused(sp_emitter, certificate):
    line = item()
    message = refusal(
        sale(sp_emitter, [(line, icms_00(line, cfop="6102"))]), certificate
    )
    assert message == (
        "Item 1 (CAM-P): o CFOP 6102 não corresponde a uma operação dentro do "
        "estado; deveria começar com 5."
    )


def test_what_the_builder_cannot_state_is_refused(
    sp_emitter, simples_emitter, certificate
):
    line = item()
    st = LineTaxes(cfop="5405", icms_cst="10")
    assert refusal(sale(sp_emitter, [(line, st)]), certificate) == (
        "Item 1 (CAM-P): o CST 10 do ICMS não é suportado na emissão da NF-e."
    )
    csosn = LineTaxes(cfop="5102", icms_csosn="102")
    assert "não é do Simples Nacional" in refusal(
        sale(sp_emitter, [(line, csosn)]), certificate
    )
    assert "precisa de CSOSN" in refusal(
        sale(simples_emitter, [(line, icms_00(line))]), certificate
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"recipient": campinas(document="123.456.789-00")},
            "O CPF/CNPJ do destinatário “123.456.789-00” não é válido.",
        ),
        (
            {
                "recipient": campinas(
                    document=CNPJ_CUSTOMER, ie_indicator=nfe.IEIndicator.CONTRIBUTOR
                )
            },
            "O destinatário é contribuinte do ICMS: a inscrição estadual dele é "
            "obrigatória.",
        ),
        (
            {
                "recipient": campinas(
                    address=nfe.Address(
                        street="Rua A", number="1", district="C", city="Campinass",
                        uf="SP",
                    )
                )
            },
            "Endereço do destinatário: Não há cidade “Campinass” em SP. Você quis "
            "dizer: Campinas?",
        ),
        (
            {"issued_at": dt.datetime(2026, 8, 3, 14, 30)},  # noqa: DTZ001
            "A data de emissão deve ter o fuso horário.",
        ),
        ({"lines": []}, "Uma NF-e precisa de pelo menos um item."),
        (
            {"purpose": nfe.Purpose.RETURN},
            "A NF-e de devolução deve referenciar a chave da NF-e original.",
        ),
        ({"payments": []}, "Informe as formas de pagamento da NF-e."),
    ],
)  # fmt: skip
def test_incomplete_data_is_refused_in_portuguese(
    sp_emitter, certificate, fields, message
):
    line = item()
    data = sale(sp_emitter, [(line, icms_00(line))], payments=[pix("102.50")])
    for name, field_value in fields.items():
        setattr(data, name, field_value)
    assert refusal(data, certificate) == message


def test_a_wrong_gtin_is_refused(sp_emitter, certificate):
    line = item(gtin="7891234567890")  # the check digit is 5
    assert refusal(sale(sp_emitter, [(line, icms_00(line))]), certificate) == (
        "Item 1 (CAM-P): o GTIN “7891234567890” não é válido."
    )


def test_a_document_failing_the_schema_is_refused_in_portuguese(
    sp_emitter, certificate
):
    line = item(ncm="6109100")  # 7 digits
    data = sale(sp_emitter, [(line, icms_00(line))])
    with translation.override("pt-br"), pytest.raises(xsd.SchemaError) as error:
        nfe.build_nfe(data, certificate=certificate)
    (problem,) = error.value.problems
    assert str(problem) == (
        "infNFe/det[1]/prod/NCM: o valor “6109100” não está no formato esperado."
    )
    assert "[facet 'pattern']" in problem.detail
    assert error.value.messages == [str(problem)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda root: root.find(".//n:dest", NS).remove(
                root.find(".//n:dest/n:indIEDest", NS)
            ),
            "infNFe/dest/email: este campo não é esperado aqui; esperado: indIEDest.",
        ),
        (
            lambda root: root.find(".//n:transp", NS).clear(),
            "infNFe/transp: falta um campo obrigatório: modFrete.",
        ),
        (
            lambda root: setattr(root.find(".//n:emit/n:xNome", NS), "text", "L" * 70),
            "infNFe/emit/xNome: tem 70 caracteres; o máximo é 60.",
        ),
        (
            lambda root: setattr(root.find(".//n:ICMS00/n:CST", NS), "text", "77"),
            "infNFe/det[1]/imposto/ICMS/ICMS00/CST: o valor “77” não é um dos "
            "aceitos (00).",
        ),
        (
            lambda root: root.find(".//n:prod/n:NCM", NS).addnext(
                etree.Element(f"{{{xsd.NS}}}cor")
            ),
            "infNFe/det[1]/prod/cor: este campo não é esperado aqui; esperado: NVE, "
            "CEST, cBenef, gCred, tpCredPresIBSZFM, EXTIPI, CFOP.",
        ),
        (
            lambda root: root[0].set("Id", "NFe123"),
            "infNFe/@Id: o valor “NFe123” não está no formato esperado.",
        ),
    ],
)
def test_schema_errors_name_the_field_in_portuguese(sp_emitter, change, message):
    line = item()
    tree = nfe.prepare(sale(sp_emitter, [(line, icms_00(line))])).tree()
    change(tree)
    with translation.override("pt-br"):
        problems = xsd.problems(tree, xsd.NFE, signed=False)
    assert [str(problem) for problem in problems] == [message]


def test_an_unsigned_document_is_not_valid(sp_emitter):
    line = item()
    tree = nfe.prepare(sale(sp_emitter, [(line, icms_00(line))])).tree()
    with translation.override("pt-br"):
        (problem,) = xsd.problems(tree, xsd.NFE)
    assert problem.message.startswith("falta um campo obrigatório")
    assert "Signature" in problem.message


# -- Signature -------------------------------------------------------------------


def test_tampering_breaks_the_signature(sp_emitter, certificate):
    line = item()
    signed = build(sale(sp_emitter, [(line, icms_00(line))]), certificate)
    tampered = signed.xml.replace("<vNF>102.50</vNF>", "<vNF>12.50</vNF>")
    assert tampered != signed.xml
    assert not xmlsec1_verifies(tampered, "infNFe")
    with pytest.raises((InvalidDigest, InvalidSignature)):
        signing.verify(tampered)


def test_another_key_does_not_verify(sp_emitter, certificate):
    line = item()
    signed = build(sale(sp_emitter, [(line, icms_00(line))]), certificate)
    stranger = make_a1("11444777000161", "Outra Loja").certificate
    assert not xmlsec1_verifies(
        signed.xml, "infNFe", certificate_pem=stranger.certificate_pem()
    )


# -- The fast writer -------------------------------------------------------------

SAMPLES = sorted(
    path
    for path in (
        Path(nfelib.__file__).resolve().parent / "nfe" / "samples" / "v4_0"
    ).rglob("*.xml")
    if "leiauteInutNFe" not in path.parts
)
SERIALISER = XmlSerializer(config=SerializerConfig(indent="", xml_declaration=False))


def xsdata_text(binding) -> str:
    return SERIALISER.render(binding, ns_map={None: xsd.NS})


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_the_writer_writes_what_xsdata_writes(path):
    root = etree.parse(str(path)).getroot()
    found = root if root.tag == f"{{{xsd.NS}}}NFe" else root.find("n:NFe", NS)
    binding = XmlParser().from_bytes(etree.tostring(found), Nfe)
    binding.signature = None  # ours are appended by the signer
    mine = etree.tostring(
        bindings.to_tree(binding, nsmap={None: xsd.NS}), encoding="unicode"
    )
    assert mine == xsdata_text(binding)


def test_the_writer_writes_our_documents_as_xsdata(sp_emitter):
    first, second = item("CAM-P"), item("CAN-1", 1, "39.90", "0.00", "0.00")
    line_taxes = icms_00(first, reform=reform(D("102.50")))
    draft = nfe.prepare(
        sale(sp_emitter, [(first, line_taxes), (second, icms_00(second))])
    )
    mine = etree.tostring(draft.tree(), encoding="unicode")
    assert mine == xsdata_text(draft.binding)
