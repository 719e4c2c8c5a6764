"""The taxes of an order: what the rules read from it (the destination, the
kind of customer, each line's NCM and origin, its share of the freight)."""

from decimal import Decimal

import pytest
from django.utils import translation

from plugins.fiscal.rules import compute_for_order, customer_type_for, order_tax_inputs
from plugins.fiscal.taxation import CustomerType, NoTaxRule

D = Decimal
pytestmark = pytest.mark.usefixtures("tax_tables")


@pytest.mark.parametrize(
    ("document", "ie", "expected"),
    [
        ("529.982.247-25", "", CustomerType.CONSUMER),
        ("", "", CustomerType.CONSUMER),
        ("11.222.333/0001-81", "", CustomerType.CONSUMER),
        ("11.222.333/0001-81", "110.042.490.114", CustomerType.CONTRIBUTOR),
        ("11.222.333/0001-81", "Isento", CustomerType.EXEMPT),
        ("12.ABC.345/01DE-35", "110042490114", CustomerType.CONTRIBUTOR),
    ],
)
def test_the_customer_type_follows_the_document_and_the_ie(document, ie, expected):
    assert customer_type_for(document, ie) == expected


def test_an_order_is_read_in_one_query(ncm_order, emitter, django_assert_num_queries):
    with django_assert_num_queries(1):
        context, lines = order_tax_inputs(ncm_order, emitter)

    assert (context.emitter_uf, context.destination_uf) == ("SP", "RJ")
    assert (context.operation, context.customer_type, context.tax_regime) == (
        "sale",
        CustomerType.CONSUMER,
        "3",
    )
    shirt, mug = lines
    assert (shirt.sku, shirt.ncm, shirt.origin, shirt.gtin) == (
        "CAM-P",
        "61091000",
        "0",
        "7891234567895",
    )
    assert (shirt.quantity, shirt.unit_price, shirt.total) == (
        D(2),
        D("49.90"),
        D("99.80"),
    )
    assert (mug.sku, mug.ncm, mug.origin) == ("CAN-1", "69120000", "1")
    # R$ 15,00 of freight by the lines' totals (99,80 and 39,90): 10,7158 and
    # 4,2842, the centavo left to the larger remainder
    assert (shirt.freight, mug.freight) == (D("10.72"), D("4.28"))


def test_the_taxes_of_an_order_to_a_consumer_in_another_state(ncm_order, emitter):
    _context, _lines, (shirt, mug) = compute_for_order(ncm_order, emitter)

    # the T-shirt: 99,80 + 10,72 = 110,52 at 12%, DIFAL 8% and FCP 2% to Rio
    assert (shirt.cfop, shirt.icms_base, shirt.icms_value) == (
        "6108",
        D("110.52"),
        D("13.26"),
    )
    assert (shirt.difal.destination_value, shirt.difal.fcp_value) == (
        D("8.84"),
        D("2.21"),
    )
    # the imported mug: 39,90 + 4,28 = 44,18 at 4%, DIFAL 16% and FCP 2%
    assert (mug.icms_rate, mug.icms_value) == (D("4.00"), D("1.77"))
    assert (mug.difal.destination_value, mug.difal.fcp_value) == (
        D("7.07"),
        D("0.88"),
    )


def test_a_buyer_with_a_cnpj_and_an_ie_is_a_contributor(ncm_order, emitter):
    ncm_order.customer_document = "11222333000181"
    ncm_order.billing_address = {**ncm_order.shipping_address, "ie": "81.234.567"}

    context, _lines, (shirt, _mug) = compute_for_order(ncm_order, emitter)

    assert context.customer_type == CustomerType.CONTRIBUTOR
    assert shirt.cfop == "6102" and shirt.difal is None


def test_an_order_without_a_delivery_state_is_refused(ncm_order, emitter):
    ncm_order.shipping_address = {}
    ncm_order.billing_address = {}

    with translation.override("pt-br"), pytest.raises(NoTaxRule) as raised:
        order_tax_inputs(ncm_order, emitter)

    assert ncm_order.number in str(raised.value)
    assert "UF" in str(raised.value)


def test_a_line_whose_variant_is_gone_has_no_ncm(ncm_order, emitter):
    ncm_order.lines.filter(sku="CAN-1").update(variant=None)

    with pytest.raises(NoTaxRule) as raised:
        compute_for_order(ncm_order, emitter)

    assert raised.value.sku == "CAN-1"
