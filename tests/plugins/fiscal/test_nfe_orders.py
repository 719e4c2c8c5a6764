"""The NF-e of an order placed through the orders service, and of the return
of its goods: what the order says is what the document states."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import translation

from content.models import Variant
from plugins.fiscal import keys, nfe, xsd
from plugins.fiscal.taxation import LineTaxes
from plugins.orders.models import OrderPayment, SalesChannel
from tests.content.conftest import make_product
from tests.plugins.orders.conftest import ADDRESS, place

from .conftest import assert_signed, assert_xsd_valid
from .test_nfe_xml import icms_00, value, values

D = Decimal
ISSUED_AT = dt.datetime(2026, 8, 3, 14, 30, tzinfo=dt.UTC)


@pytest.fixture
def loja(db):
    return SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )


@pytest.fixture
def catalog(db):
    """CAM-P and CAM-M at 49.90 (a GTIN on CAM-P), CAN-1 at 39.90 (an
    imported mug); all with their NCM."""
    camiseta = make_product(
        "camiseta-basica", variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")]
    )
    caneca = make_product("caneca", variants=[("CAN-1", "39.90")])
    camiseta.variants.update(ncm="61091000")
    camiseta.variants.filter(sku="CAM-P").update(gtin="7891234567895")
    caneca.variants.update(ncm="69120000", origin="1")
    return camiseta


@pytest.fixture
def order(loja, catalog):
    """2 × CAM-P and 1 × CAN-1 with R$ 15.00 of freight, paid by Pix."""
    return place(loja)


def line_taxes(order, cfop="5102"):
    items = nfe.tax_inputs(order)
    return [icms_00(item, cfop=cfop) for item in items]


def test_the_sale_of_an_order(order, emitter, certificate):
    data = nfe.build_from_order(
        order,
        emitter,
        number=7,
        series=1,
        issued_at=ISSUED_AT,
        taxes=line_taxes(order),
    )
    signed = nfe.build_nfe(data, certificate=certificate)
    assert_xsd_valid(signed.xml, xsd.NFE)
    assert_signed(signed.xml, "infNFe", certificate=certificate)
    xml = signed.xml

    assert value(xml, "dest/CPF") == "52998224725"
    assert value(xml, "dest/email") == "maria@example.com"
    assert value(xml, "dest/enderDest/xLgr") == ADDRESS["street"]
    assert value(xml, "dest/enderDest/cMun") == "3550308"
    assert value(xml, "dest/enderDest/CEP") == "01310100"
    assert value(xml, "dest/enderDest/fone") == "11912345678"
    assert values(xml, "det/prod/cProd") == ["CAM-P", "CAN-1"]
    assert values(xml, "det/prod/cEAN") == ["7891234567895", "SEM GTIN"]
    assert values(xml, "det/prod/NCM") == ["61091000", "69120000"]
    assert values(xml, "ICMS00/orig") == ["0", "1"]
    assert values(xml, "det/prod/vProd") == ["99.80", "39.90"]
    # R$ 15.00 split over 99.80 and 39.90: 10.7158… and 4.2841…, the
    # centavo left over to the largest remainder
    assert values(xml, "det/prod/vFrete") == ["10.72", "4.28"]
    assert value(xml, "ICMSTot/vFrete") == "15.00"
    assert value(xml, "ICMSTot/vNF") == str(order.total) == "154.70"
    assert value(xml, "transp/modFrete") == "0"
    assert value(xml, "detPag/tPag") == "17"
    assert value(xml, "detPag/vPag") == "154.70"
    assert value(xml, "infAdic/infCpl") == f"Pedido {order.number}."
    assert keys.parse(signed.access_key).number == 7


@pytest.mark.parametrize(
    "kind,presence,intermediation",
    [
        (SalesChannel.Kind.STOREFRONT, "2", "0"),
        (SalesChannel.Kind.MARKETPLACE, "2", "0"),
        (SalesChannel.Kind.PHYSICAL_STORE, "1", None),
        (SalesChannel.Kind.B2B, "9", "0"),
    ],
)
def test_the_buyer_s_presence_follows_the_channel(
    order, emitter, certificate, kind, presence, intermediation
):
    """indPres: in person at a physical store's counter (no indIntermed
    then), over the internet on the storefront and the marketplaces, "other"
    for a B2B sale."""
    SalesChannel.objects.filter(pk=order.channel_id).update(kind=kind)
    order.refresh_from_db()
    data = nfe.build_from_order(
        order,
        emitter,
        number=8,
        series=1,
        issued_at=ISSUED_AT,
        taxes=line_taxes(order),
    )
    signed = nfe.build_nfe(data, certificate=certificate)
    assert_xsd_valid(signed.xml, xsd.NFE)
    assert value(signed.xml, "ide/indPres") == presence
    assert values(signed.xml, "ide/indIntermed") == (
        [intermediation] if intermediation else []
    )


def test_card_installments_and_a_voucher_paid_before(loja, catalog, emitter):
    order = place(loja, payment_method="card", installments=3)
    OrderPayment.objects.create(
        order=order, sequence=1, method="voucher", value=D("20.00")
    )
    data = nfe.build_from_order(
        order, emitter, number=8, series=1, issued_at=ISSUED_AT, taxes=line_taxes(order)
    )
    tree = nfe.prepare(data).tree()
    assert xsd.problems(tree, xsd.NFE, signed=False) == []
    assert values(tree, "detPag/tPag") == ["12", "03"]
    assert values(tree, "detPag/vPag") == ["20.00", "134.70"]
    assert values(tree, "detPag/indPag") == ["0", "1"]
    assert value(tree, "detPag/card/tpIntegra") == "2"


def test_a_billing_address_makes_the_shipping_one_the_delivery_place(
    loja, catalog, emitter
):
    billing = dict(ADDRESS, street="Rua Haddock Lobo", number="595", cep="01414-001")
    order = place(loja, billing_address=billing)
    data = nfe.build_from_order(
        order, emitter, number=9, series=1, issued_at=ISSUED_AT, taxes=line_taxes(order)
    )
    tree = nfe.prepare(data).tree()
    assert xsd.problems(tree, xsd.NFE, signed=False) == []
    assert value(tree, "enderDest/xLgr") == "Rua Haddock Lobo"
    assert value(tree, "entrega/xLgr") == "Avenida Paulista"
    assert value(tree, "entrega/CPF") == "52998224725"


def test_a_product_without_ncm_stops_the_nfe(order, emitter):
    Variant.objects.filter(sku="CAN-1").update(ncm="")
    with translation.override("pt-br"), pytest.raises(nfe.NFeError) as error:
        nfe.tax_inputs(order)
    assert str(error.value) == (
        "Item 2 (CAN-1): o produto não tem NCM; preencha-o no catálogo."
    )


def test_taxes_for_other_lines_are_refused(order, emitter):
    with translation.override("pt-br"), pytest.raises(nfe.NFeError) as error:
        nfe.build_from_order(
            order,
            emitter,
            number=1,
            series=1,
            issued_at=ISSUED_AT,
            taxes=line_taxes(order)[:1],
        )
    assert str(error.value) == (
        "Os tributos foram calculados para 1 itens; o documento tem 2."
    )


# -- Returns -----------------------------------------------------------------------


@pytest.fixture
def sold(order, emitter, certificate):
    data = nfe.build_from_order(
        order, emitter, number=7, series=1, issued_at=ISSUED_AT, taxes=line_taxes(order)
    )
    return nfe.build_nfe(data, certificate=certificate)


def return_taxes(items):
    """The ICMS of the sale comes back as a credit, CFOP 1202."""
    return [icms_00(item, cfop="1202") for item in items]


def test_the_return_of_the_whole_order(order, emitter, certificate, sold):
    items = nfe.tax_inputs(order)
    data = nfe.return_from_order(
        order,
        emitter,
        original_key=sold.access_key,
        number=8,
        series=1,
        issued_at=ISSUED_AT + dt.timedelta(days=10),
        taxes=return_taxes(items),
        reason="Cliente desistiu da compra",
    )
    signed = nfe.build_nfe(data, certificate=certificate)
    assert_xsd_valid(signed.xml, xsd.NFE)
    assert_signed(signed.xml, "infNFe", certificate=certificate)
    xml = signed.xml
    assert value(xml, "ide/finNFe") == "4"
    assert value(xml, "ide/tpNF") == "0"  # the goods come in
    assert value(xml, "ide/natOp") == "Devolução de venda"
    assert value(xml, "ide/NFref/refNFe") == sold.access_key
    assert value(xml, "ide/indPres") == "0"
    assert value(xml, "dest/CPF") == "52998224725"
    assert values(xml, "det/prod/CFOP") == ["1202", "1202"]
    assert value(xml, "ICMSTot/vFrete") == "15.00"
    assert value(xml, "ICMSTot/vNF") == "154.70"
    # a return states no payment
    assert value(xml, "detPag/tPag") == "90"
    assert value(xml, "detPag/vPag") == "0.00"
    assert value(xml, "infAdic/infCpl") == (
        f"Devolução da NF-e {sold.access_key}, pedido {order.number}. "
        "Motivo: Cliente desistiu da compra"
    )


def test_a_partial_return_takes_no_freight(order, emitter, certificate, sold):
    shirts = order.lines.get(sku="CAM-P")
    items = nfe.tax_inputs(order, [shirts], shipping=D(0))
    part = [replace(items[0], quantity=D(1), total=D("49.90"))]
    data = nfe.return_from_order(
        order,
        emitter,
        original_key=sold.access_key,
        number=9,
        series=1,
        issued_at=ISSUED_AT + dt.timedelta(days=10),
        taxes=return_taxes(part),
        quantities={shirts.pk: 1},
    )
    signed = nfe.build_nfe(data, certificate=certificate)
    assert_xsd_valid(signed.xml, xsd.NFE)
    xml = signed.xml
    assert value(xml, "det/prod/cProd") == "CAM-P"
    assert value(xml, "det/prod/qCom") == "1.0000"
    assert value(xml, "det/prod/vProd") == "49.90"
    assert values(xml, "det/prod/vFrete") == []
    assert value(xml, "ICMSTot/vNF") == "49.90"


def test_more_than_was_sold_cannot_come_back(order, emitter, sold):
    shirts = order.lines.get(sku="CAM-P")
    with translation.override("pt-br"), pytest.raises(nfe.NFeError) as error:
        nfe.return_from_order(
            order,
            emitter,
            original_key=sold.access_key,
            number=9,
            series=1,
            issued_at=ISSUED_AT,
            taxes=[],
            quantities={shirts.pk: 3},
        )
    assert str(error.value) == ("CAM-P: não podem voltar 3 unidades; o pedido tinha 2.")


def test_a_return_takes_its_entry_cfop(order, emitter, certificate, sold):
    items = nfe.tax_inputs(order)
    data = nfe.return_from_order(
        order,
        emitter,
        original_key=sold.access_key,
        number=8,
        series=1,
        issued_at=ISSUED_AT,
        taxes=[LineTaxes(cfop="5102", icms_cst="40") for _item in items],
    )
    with translation.override("pt-br"), pytest.raises(nfe.NFeError) as error:
        nfe.build_nfe(data, certificate=certificate)
    assert "deveria começar com 1" in str(error.value)
