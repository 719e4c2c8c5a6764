"""Returns of goods sold, against the local SEFAZ over HTTP: the store's
NF-e de devolução (built from the tax rules, valid against the schema,
signed, authorised, counted against what was sold) and the customer's own
return NF-e (checked as a supplier's NF-e is, then archived with the
sale)."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from plugins.fiscal import xsd
from plugins.fiscal.exceptions import FiscalRefused
from plugins.fiscal.models import (
    ArchivedXml,
    FiscalDocument,
    NumberSequence,
    ReturnedItem,
)
from plugins.fiscal.reading import InvalidSupplierNFe
from plugins.fiscal.services.intake import IntakeError
from plugins.fiscal.services.returns import (
    issue_and_send_return,
    issue_return,
    record_customer_return,
    returnable_lines,
)
from plugins.orders.models import OrderEvent
from tests.plugins.fiscal.conftest import assert_signed, assert_xsd_valid
from tests.plugins.fiscal.intake.nfe import Item
from tests.plugins.fiscal.returns.conftest import (
    CUSTOMER_CNPJ,
    authorised_sale,
    customer_nfe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English (the msgids) here; the screens'
    tests read them in pt-BR."""
    with translation.override("en"):
        yield


def lines_by_sku(sale):
    return {row.line.sku: row for row in returnable_lines(sale)}


def values(xml, tag):
    return re.findall(rf"<{tag}>([^<]*)</{tag}>", xml)


# -- the store's return NF-e -------------------------------------------------------


def test_the_whole_order_comes_back_in_an_authorised_return_nfe(
    sefaz, sale, fiscal_clerk, certificate
):
    document = issue_and_send_return(
        sale, reason="Cliente desistiu da compra", user=fiscal_clerk
    )

    assert document.status == "authorised", document.status_reason
    assert document.operation == "return"
    assert (document.order_id, document.referenced_key) == (
        sale.order_id,
        sale.access_key,
    )
    assert document.number == sale.number + 1  # the série's next number
    assert_xsd_valid(document.xml, xsd.NFE)
    assert_signed(document.xml, "infNFe", certificate=certificate)
    xml = document.xml
    assert values(xml, "finNFe") == ["4"] and values(xml, "tpNF") == ["0"]
    assert values(xml, "refNFe") == [sale.access_key]
    # from São Paulo back from Rio de Janeiro: the interstate return's CFOP
    assert values(xml, "CFOP") == ["2202", "2202"]
    assert values(xml, "qCom") == ["2.0000", "1.0000"]
    # every unit came back: so did the freight
    assert "<vFrete>15.00</vFrete>" in xml
    assert "Motivo: Cliente desistiu da compra" in xml
    # the authorised nfeProc is archived; the units count as returned
    assert ArchivedXml.objects.filter(kind="nfe", document=document).exists()
    assert {sku: row.left for sku, row in lines_by_sku(sale).items()} == {
        "CAM-P": 0,
        "CAN-1": 0,
    }
    # the audit log and the order's timeline
    assert ModelLogEntry.objects.filter(
        action="fiscal.return.issue", object_id=str(sale.pk), user=fiscal_clerk
    ).exists()
    assert OrderEvent.objects.filter(
        order=sale.order, source="fiscal", message__contains="Return NF-e"
    ).exists()
    # nothing is left to come back
    with pytest.raises(FiscalRefused, match="0 of the 2 sold may still"):
        issue_return(
            sale, quantities={lines_by_sku(sale)["CAM-P"].line.pk: 1}, user=None
        )


def test_a_partial_return_keeps_the_rest_returnable(sefaz, sale, fiscal_clerk):
    shirts = lines_by_sku(sale)["CAM-P"].line

    document = issue_and_send_return(sale, quantities={shirts.pk: 1}, user=fiscal_clerk)

    assert document.status == "authorised", document.status_reason
    assert values(document.xml, "qCom") == ["1.0000"]
    # a part comes back without freight
    assert values(document.xml, "vFrete") == ["0.00"]
    left = {sku: row.left for sku, row in lines_by_sku(sale).items()}
    assert left == {"CAM-P": 1, "CAN-1": 1}
    with pytest.raises(FiscalRefused, match="2 units cannot come back; 1 of the 2"):
        issue_return(sale, quantities={shirts.pk: 2}, user=fiscal_clerk)
    # by default, what is left
    second = issue_and_send_return(sale, user=fiscal_clerk)
    assert values(second.xml, "qCom") == ["1.0000", "1.0000"]
    assert ReturnedItem.objects.filter(sale=sale).count() == 3


def test_a_rejected_return_gives_its_units_back(sefaz, sale, fiscal_clerk):
    sefaz.control({"reject_next": {"cStat": "778", "times": 1}})

    rejected = issue_and_send_return(sale, user=fiscal_clerk)

    assert rejected.status == "rejected"
    assert all(row.left == row.sold for row in returnable_lines(sale))
    again = issue_and_send_return(sale, user=fiscal_clerk)
    assert again.status == "authorised"


def test_an_order_not_delivered_takes_no_return(
    sefaz, emitter, ncm_order, tax_tables, fiscal_clerk
):
    invoiced = authorised_sale(ncm_order, emitter)  # invoiced, not delivered
    used = NumberSequence.objects.get().next_number

    with pytest.raises(FiscalRefused, match="once the order was delivered"):
        issue_return(invoiced, user=fiscal_clerk)

    assert not FiscalDocument.objects.filter(operation="return").exists()
    assert NumberSequence.objects.get().next_number == used


def test_a_cancelled_sale_takes_no_return(sefaz, sale, fiscal_clerk):
    FiscalDocument.objects.filter(pk=sale.pk).update(status="cancelled")
    sale.refresh_from_db()
    with pytest.raises(FiscalRefused, match="Only an authorised NF-e"):
        issue_return(sale, user=fiscal_clerk)


def test_nothing_chosen_is_refused(sefaz, sale, fiscal_clerk):
    zero = {row.line.pk: 0 for row in returnable_lines(sale)}
    with pytest.raises(FiscalRefused, match="nothing is being returned"):
        issue_return(sale, quantities=zero, user=fiscal_clerk)
    assert not FiscalDocument.objects.filter(operation="return").exists()


def test_the_clerk_of_another_emitter_may_not_return(sefaz, sale, other_emitter):
    from guardian.shortcuts import assign_perm

    from tests.factories import UserFactory

    clerk = UserFactory(username="filial", roles=["fiscal"])
    assign_perm("fiscal.view_emitter", clerk, other_emitter)
    assign_perm("fiscal.issue_emitter", clerk, other_emitter)
    with pytest.raises(PermissionDenied):
        issue_return(sale, user=clerk)
    with pytest.raises(PermissionDenied):
        record_customer_return(sale, b"<NFe/>", user=clerk)
    assert not FiscalDocument.objects.filter(operation="return").exists()


# -- the customer's own return NF-e ------------------------------------------------


SHIRTS = Item(code="CAM-P", description="Camiseta P", quantity="2.0000", cfop="6202")


def test_the_customers_return_nfe_is_archived_with_the_sale(
    company_sale, customer_certificate, fiscal_clerk
):
    xml = customer_nfe(
        customer_certificate,
        company_sale,
        [
            SHIRTS,
            # the mug by its GTIN? it has none: matched by nothing
            Item(code="X-99", description="Caneca", quantity="1.0000", cfop="6202"),
        ],
    )

    recorded = record_customer_return(company_sale, xml, user=fiscal_clerk)

    row = recorded.archived
    assert (row.kind, row.document_id, row.emitter_id) == (
        "received",
        company_sale.pk,
        company_sale.emitter_id,
    )
    assert row.party_document == CUSTOMER_CNPJ and row.content == xml.decode()
    assert [(line.sku, units) for line, units in recorded.matched] == [("CAM-P", 2)]
    assert [item.code for item in recorded.unmatched] == ["X-99"]
    left = {sku: row.left for sku, row in lines_by_sku(company_sale).items()}
    assert left == {"CAM-P": 0, "CAN-1": 1}
    assert ModelLogEntry.objects.filter(
        action="fiscal.return.receive", object_id=str(company_sale.pk)
    ).exists()
    # the store's own return now takes the mug only
    with pytest.raises(FiscalRefused, match="CAM-P: 1 units cannot come back"):
        issue_return(
            company_sale,
            quantities={lines_by_sku(company_sale)["CAM-P"].line.pk: 1},
            user=fiscal_clerk,
        )
    # recorded once
    with pytest.raises(FiscalRefused, match="recorded already"):
        record_customer_return(company_sale, xml, user=fiscal_clerk)


def test_a_customers_nfe_that_is_not_this_sales_return_is_refused(
    company_sale, customer_certificate, fiscal_clerk, other_emitter, a1
):
    cases = [
        # a sale, not a return
        (
            customer_nfe(customer_certificate, company_sale, [SHIRTS], purpose="1"),
            InvalidSupplierNFe,
            "should be a NF-e de devolução",
        ),
        # the return of another NF-e
        (
            customer_nfe(
                customer_certificate,
                company_sale,
                [SHIRTS],
                references=("35260111222333000181550010000000991000000995",),
            ),
            FiscalRefused,
            "not to the sale's NF-e",
        ),
        # to the other emitter of the store
        (
            customer_nfe(
                customer_certificate,
                company_sale,
                [SHIRTS],
                recipient_cnpj=other_emitter.cnpj,
            ),
            FiscalRefused,
            "addressed to Loja Filial",
        ),
        # issued by somebody else (ourselves, with our own certificate)
        (
            customer_nfe(
                a1.certificate,
                company_sale,
                [SHIRTS],
                supplier_cnpj="11222333000181",
            ),
            FiscalRefused,
            "the sale's customer is 45.723.174/0001-10",
        ),
        # more than was sold
        (
            customer_nfe(
                customer_certificate,
                company_sale,
                [Item(code="CAM-P", description="Camiseta", quantity="3.0000")],
            ),
            FiscalRefused,
            "returns 3 × CAM-P; 2 of the 2 sold",
        ),
        # another environment
        (
            customer_nfe(customer_certificate, company_sale, [SHIRTS], environment="1"),
            IntakeError,
            "was issued in",
        ),
    ]
    for xml, error, message in cases:
        with pytest.raises(error, match=re.escape(message)):
            record_customer_return(company_sale, xml, user=fiscal_clerk)
    # changed after it was signed
    tampered = customer_nfe(customer_certificate, company_sale, [SHIRTS]).replace(
        b"<xProd>Camiseta P</xProd>", b"<xProd>Camiseta G</xProd>"
    )
    with pytest.raises(InvalidSupplierNFe, match="signature does not match"):
        record_customer_return(company_sale, tampered, user=fiscal_clerk)
    assert not ArchivedXml.objects.filter(kind="received").exists()
    assert not ReturnedItem.objects.exists()


def test_a_return_issued_in_contingency_states_it_and_goes_to_svc(
    sefaz, sale, fiscal_clerk, certificate
):
    """While the emitter is in contingency a return NF-e carries tpEmis 6,
    dhCont and xJust like a sale, and SVC-AN authorises it."""
    from plugins.fiscal.emitters import switch_contingency

    reason = "SEFAZ-SP fora do ar desde as 10h"
    switch_contingency(sale.emitter, on=True, reason=reason, user=None)
    # the SEFAZ went down an hour ago
    type(sale.emitter).objects.filter(pk=sale.emitter_id).update(
        contingency_since=timezone.now() - datetime.timedelta(hours=1)
    )

    document = issue_and_send_return(sale, user=fiscal_clerk)

    assert document.status == "authorised", document.status_reason
    assert document.access_key[34] == "6" and document.in_contingency
    assert values(document.xml, "tpEmis") == ["6"]
    assert values(document.xml, "xJust") == [reason]
    # dhCont: when the contingency began, not when the return was issued
    emitter = sale.emitter
    emitter.refresh_from_db()
    (since,) = values(document.xml, "dhCont")
    started = emitter.contingency_since.replace(microsecond=0)
    assert datetime.datetime.fromisoformat(since) == started
    assert_xsd_valid(document.xml, xsd.NFE)
    assert_signed(document.xml, "infNFe", certificate=certificate)
    assert sefaz.requests[-1]["authoriser"] == "SVC-AN"
