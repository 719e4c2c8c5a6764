"""Fixtures and helpers of the returns' tests: an authorised sale of a
delivered order (to a consumer; to a company, with the company's A1) and
the customer's own return NF-e."""

import pytest

from plugins.fiscal.certificates import generate, load
from plugins.fiscal.services.issuing import issue_and_send
from tests.plugins.fiscal.intake.nfe import build_nfe
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER, place

CUSTOMER_CNPJ = "45723174000110"
CUSTOMER_NAME = "Comercial Exemplo Ltda"
RJ = {**ADDRESS, "uf": "RJ", "city": "Rio de Janeiro"}


def deliver(order):
    from plugins.orders.services import transition_order

    order.refresh_from_db()
    for name in ("prepare", "ship", "deliver"):
        transition_order(order, name, user=None)


def authorised_sale(order, emitter):
    from plugins.orders.services import pay_order

    pay_order(order, user=None)
    document = issue_and_send(order, emitter=emitter, user=None)
    assert document.status == "authorised", document.status_reason
    return document


@pytest.fixture
def sale(sefaz, emitter, ncm_order, tax_tables):
    """The authorised NF-e of a delivered order to a consumer in Rio de
    Janeiro: 2 × CAM-P, 1 × CAN-1, R$ 15,00 of freight."""
    document = authorised_sale(ncm_order, emitter)
    deliver(ncm_order)
    return document


@pytest.fixture(scope="session")
def customer_certificate():
    """The customer's A1 (a company: it issues its own NF-e)."""
    return load(generate(CUSTOMER_CNPJ, CUSTOMER_NAME, password="cliente"), "cliente")


@pytest.fixture
def company_sale(sefaz, emitter, loja, sellable, tax_tables):
    """The authorised NF-e of a delivered order to a company (CNPJ) in Rio
    de Janeiro: 2 × CAM-P, 1 × CAN-1."""
    from content.models import Variant

    Variant.objects.filter(sku__in=["CAM-P", "CAM-M"]).update(
        ncm="61091000", gtin="7891234567895"
    )
    Variant.objects.filter(sku="CAN-1").update(ncm="69120000", origin="1")
    order = place(
        loja,
        customer={**CUSTOMER, "name": CUSTOMER_NAME, "document": CUSTOMER_CNPJ},
        shipping_address=RJ,
    )
    document = authorised_sale(order, emitter)
    deliver(order)
    return document


def customer_nfe(certificate, sale, items, **overrides):
    """The customer's return NF-e of ``items`` to our emitter, referring to
    ``sale``."""
    values = {
        "certificate": certificate,
        "recipient_cnpj": sale.emitter.cnpj,
        "items": items,
        "supplier_cnpj": CUSTOMER_CNPJ,
        "supplier_name": CUSTOMER_NAME,
        "purpose": "4",
        "references": (sale.access_key,),
        "number": 501,
    }
    values.update(overrides)
    return build_nfe(**values)
