"""Receiving a supplier's NF-e: the supplier, the bill to pay and the
receipt draft; confirming it into stock; what is refused, with nothing
written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from plugins.finance.models import Bill, BillStatus, InstallmentStatus, Supplier
from plugins.fiscal.certificates import generate, load
from plugins.fiscal.keys import check_digit
from plugins.fiscal.models import (
    ArchivedXml,
    MatchedBy,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierProductCode,
)
from plugins.fiscal.reading import InvalidSupplierNFe
from plugins.fiscal.services.intake import (
    IntakeError,
    LineChoice,
    confirm_receipt,
    discard,
    receive,
)
from plugins.stock.models import StockLevel, StockMovement

from .conftest import OTHER_CNPJ, TOTAL, due
from .nfe import SUPPLIER_CNPJ, Item, key_of

pytestmark = pytest.mark.django_db


def nothing_written():
    assert SupplierInvoice.objects.count() == 0
    assert SupplierInvoiceLine.objects.count() == 0
    assert ArchivedXml.objects.count() == 0
    assert Supplier.objects.count() == 0
    assert Bill.objects.count() == 0


def choices_for(invoice, **by_code):
    """Each line as matched, unless ``by_code`` says otherwise:
    ``code=(variant, units)``."""
    result = {}
    for line in invoice.lines.select_related("variant"):
        variant, units = by_code.get(line.code, (line.variant, line.units or 0))
        result[line.pk] = LineChoice(variant=variant, units=units)
    return result


# -- receiving ---------------------------------------------------------------------


def test_a_supplier_nfe_becomes_a_supplier_a_bill_and_a_receipt_draft(
    clerk, emitter, catalog, nfe_xml
):
    # when the fiscal clerk of the recipient receives the supplier's NF-e
    invoice = receive(nfe_xml, user=clerk)

    # then it is a receipt draft of our emitter, with the NF-e's values
    assert invoice.status == SupplierInvoice.Status.RECEIVED
    assert invoice.emitter == emitter
    assert invoice.access_key == key_of(nfe_xml)
    assert invoice.supplier_cnpj == SUPPLIER_CNPJ
    assert (invoice.number, invoice.series) == (1001, 1)
    assert invoice.total == TOTAL
    assert invoice.protocol == "135000000001001"
    assert invoice.xml.encode() == nfe_xml  # as received
    # its lines matched by GTIN and by the supplier code saved before
    lines = {line.code: line for line in invoice.lines.all()}
    assert (lines["1235"].variant.sku, lines["1235"].matched_by) == (
        "CAF-1",
        MatchedBy.GTIN,
    )
    assert (lines["1218"].variant.sku, lines["1218"].matched_by) == (
        "OLE-1",
        MatchedBy.MAPPING,
    )
    assert lines["7001"].variant is None and lines["7001"].matched_by == ""
    # the units proposed: 10 coffees, 2 boxes of 6 oils
    assert (lines["1235"].units, lines["1218"].units) == (10, 12)
    assert lines["1218"].quantity == Decimal("2") and lines["1218"].unit == "CX"
    # the supplier is recorded in finance, with the bill of its duplicatas
    supplier = Supplier.objects.get(document=SUPPLIER_CNPJ)
    bill = invoice.bill
    assert bill.supplier == supplier and bill.total == TOTAL
    assert bill.category.code == "01.01"
    assert bill.document_number == "NF-e 1001/1"
    assert [(i.due_date, i.amount) for i in bill.installments.order_by("number")] == [
        (due(30), Decimal("140.00")),
        (due(60), Decimal("140.00")),
    ]
    # the XML is in the fiscal archive, as received
    archived = ArchivedXml.objects.get(access_key=invoice.access_key)
    assert archived.kind == "received" and archived.emitter == emitter
    assert archived.content == invoice.xml and archived.intact
    assert archived.party_document == SUPPLIER_CNPJ
    # and the receipt is in the audit log
    entry = ModelLogEntry.objects.for_instance(invoice).get()
    assert entry.action == "fiscal.supplier_nfe.receive" and entry.user == clerk
    assert entry.data["matched"] == 2


def test_a_known_supplier_is_not_recorded_again(clerk, catalog, make_nfe):
    Supplier.objects.create(name="Alimentos", document=SUPPLIER_CNPJ)
    invoice = receive(make_nfe(), user=clerk)
    assert Supplier.objects.count() == 1
    assert invoice.bill.supplier.name == "Alimentos"


def test_without_duplicatas_the_bill_is_the_total_due_on_the_issue_date(
    clerk, catalog, make_nfe
):
    invoice = receive(make_nfe(proc=False), user=clerk)
    (installment,) = invoice.bill.installments.all()
    assert installment.amount == TOTAL
    assert installment.due_date == invoice.issued_at.astimezone().date()
    # a bare NF-e has no authoriser's protocol
    assert invoice.protocol == ""


def test_an_nfe_without_payment_has_no_bill(clerk, catalog, make_nfe):
    invoice = receive(make_nfe(payment="90"), user=clerk)
    assert invoice.finance_bill_id is None and Bill.objects.count() == 0


def test_the_bill_of_goods_needs_its_category_in_the_chart(
    clerk, catalog, nfe_xml, settings
):
    settings.RETAGUARDA_FISCAL_PURCHASE_CATEGORY = "99.99"
    with pytest.raises(IntakeError, match="no active category 99.99"):
        receive(nfe_xml, user=clerk)
    nothing_written()


def test_the_same_nfe_is_not_received_twice(clerk, catalog, nfe_xml):
    receive(nfe_xml, user=clerk)
    with pytest.raises(IntakeError, match="was received already"):
        receive(nfe_xml, user=clerk)
    assert SupplierInvoice.objects.count() == 1
    assert Bill.objects.count() == 1


def test_an_nfe_to_another_company_is_refused(clerk, catalog, make_nfe):
    xml = make_nfe(recipient_cnpj="60701190000104")
    with pytest.raises(IntakeError, match="60.701.190/0001-04.*not one of our"):
        receive(xml, user=clerk)
    nothing_written()


def test_a_clerk_receives_only_for_their_emitter(clerk, other_clerk, make_nfe):
    xml = make_nfe(recipient_cnpj=OTHER_CNPJ)
    with pytest.raises(IntakeError, match="You may not receive supplier NF-e for"):
        receive(xml, user=clerk)
    nothing_written()
    # the other emitter's clerk may
    assert receive(xml, user=other_clerk).emitter.cnpj == OTHER_CNPJ


def test_an_nfe_of_the_other_environment_is_refused(clerk, make_nfe):
    with pytest.raises(IntakeError, match="Production"):
        receive(make_nfe(environment="1"), user=clerk)
    nothing_written()


# -- what the file must be ---------------------------------------------------------


def test_a_changed_nfe_is_refused(clerk, catalog, nfe_xml):
    # the total changed after the supplier signed: still schema-valid
    tampered = nfe_xml.replace(b"<vNF>280.00</vNF>", b"<vNF>28.00</vNF>")
    assert tampered != nfe_xml
    with pytest.raises(InvalidSupplierNFe, match="signature does not match"):
        receive(tampered, user=clerk)
    nothing_written()


def test_an_unsigned_nfe_is_refused(clerk, nfe_xml):
    start = nfe_xml.index(b"<Signature")
    end = nfe_xml.index(b"</Signature>") + len(b"</Signature>")
    with pytest.raises(InvalidSupplierNFe, match="expected infNFeSupl, Signature"):
        receive(nfe_xml[:start] + nfe_xml[end:], user=clerk)
    nothing_written()


def test_an_nfe_outside_the_schema_is_refused_with_its_errors(clerk, nfe_xml):
    invalid = nfe_xml.replace(b"<CFOP>5102</CFOP>", b"<CFOP>51023</CFOP>", 1)
    with pytest.raises(InvalidSupplierNFe) as refused:
        receive(invalid, user=clerk)
    assert "official schema" in refused.value.message
    assert "CFOP: the value “51023” is not allowed" in refused.value.message
    nothing_written()


def test_an_nfe_signed_by_someone_else_is_refused(clerk, make_nfe):
    stranger = load(generate("60701190000104", "Outra", password="x"), "x")
    with pytest.raises(InvalidSupplierNFe, match="certificate of 60.701.190/0001-04"):
        receive(make_nfe(certificate=stranger), user=clerk)
    nothing_written()


def test_a_certificate_expired_when_the_nfe_was_issued_is_refused(clerk, make_nfe):
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0)
    expired = load(
        generate(
            SUPPLIER_CNPJ,
            "Alimentos",
            password="x",
            days=1,
            now=issued - dt.timedelta(days=10),
        ),
        "x",
    )
    with pytest.raises(InvalidSupplierNFe, match="was not valid on"):
        receive(make_nfe(certificate=expired, issued_at=issued), user=clerk)
    nothing_written()


def test_a_return_nfe_is_not_a_purchase(clerk, make_nfe):
    with pytest.raises(InvalidSupplierNFe, match="NF-e de devolução"):
        receive(make_nfe(purpose="4"), user=clerk)
    nothing_written()


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE NFe [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><infNFe>&xxe;</infNFe></NFe>"""


def _laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return (
        '<?xml version="1.0"?><!DOCTYPE lolz ['
        + "".join(entities)
        + ']><NFe xmlns="http://www.portalfiscal.inf.br/nfe">&lol9;</NFe>'
    ).encode()


LAUGHS = _laughs()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (XXE, "DTD or entities"),
        (LAUGHS, "DTD or entities"),
        # a DTD hidden after a comment, in other case
        (b"<!-- x --><!doctype NFe><NFe/>", "DTD or entities"),
        (b"<NFe>" + b" " * (5 * 1024 * 1024) + b"</NFe>", "more than the 5120 KB"),
        (b"", "empty"),
        (b"%PDF-1.4 not xml", "not well-formed XML"),
        (b"<NFe><infNFe>", "not well-formed XML"),
        (b"<nota>1</nota>", "not an NF-e"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><NFe/>', "UTF-8"),
        ("<NFe>ação</NFe>".encode("latin-1"), "UTF-8"),
    ],
    ids=[
        "xxe",
        "billion-laughs",
        "doctype",
        "huge",
        "empty",
        "pdf",
        "unclosed",
        "other-xml",
        "latin-1-declared",
        "latin-1",
    ],
)
def test_hostile_and_broken_files_are_refused(clerk, data, message):
    with pytest.raises(InvalidSupplierNFe, match=message):
        receive(data, user=clerk)
    nothing_written()


def test_access_key_check_digits_of_published_keys():
    for key in (
        "35180834128745000152550010000476711079516696",
        "41170706117473000150550010000463202612756525",
        "26180875335849000115550010000016871192213331",
        "42210775277525000178550030000266631762885493",
    ):
        assert check_digit(key[:43]) == int(key[43])


def test_a_refusal_reads_in_portuguese(clerk, nfe_xml):
    tampered = nfe_xml.replace(b"<vNF>280.00</vNF>", b"<vNF>28.00</vNF>")
    with translation.override("pt-br"), pytest.raises(InvalidSupplierNFe) as refused:
        receive(tampered, user=clerk)
    assert "A assinatura da NF-e não confere com o conteúdo" in refused.value.message


# -- confirming the receipt --------------------------------------------------------


def test_confirming_posts_the_goods_into_stock_and_learns_the_codes(
    clerk, sp, catalog, nfe_xml, make_nfe
):
    invoice = receive(nfe_xml, user=clerk)
    # the clerk says the unmatched cups are XIC-1 and takes the rest as matched
    confirm_receipt(
        invoice,
        user=clerk,
        warehouse=sp,
        choices=choices_for(invoice, **{"7001": (catalog["XIC-1"], 4)}),
    )

    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.CONFIRMED
    assert invoice.warehouse == sp and invoice.confirmed_by == clerk
    # stock arrived in SP-01 through the ledger, each movement pointing at the NF-e
    on_hand = dict(
        StockLevel.objects.filter(warehouse=sp).values_list("variant__sku", "on_hand")
    )
    assert on_hand == {"CAF-1": 10, "OLE-1": 12, "XIC-1": 4}
    movements = StockMovement.objects.filter(warehouse=sp)
    assert {m.kind for m in movements} == {"receipt"}
    assert {m.reference_type for m in movements} == {"supplier_nfe"}
    assert {m.reference for m in movements} == {invoice.access_key}
    assert {m.user for m in movements} == {clerk}
    # the cups were matched by hand: the supplier's code is remembered
    line = invoice.lines.get(code="7001")
    assert (line.variant.sku, line.matched_by, line.units) == ("XIC-1", "manual", 4)
    learned = SupplierProductCode.objects.get(supplier_cnpj=SUPPLIER_CNPJ, code="7001")
    assert (learned.variant.sku, learned.factor) == ("XIC-1", 1)
    entry = ModelLogEntry.objects.for_instance(invoice).latest("pk")
    assert entry.action == "fiscal.supplier_nfe.confirm"
    assert entry.data["learned"] == ["7001"]

    # and the supplier's next NF-e of cups is matched by that code
    later = receive(make_nfe(number=1002, items=[Item("7001", "XICARA")]), user=clerk)
    (line,) = later.lines.all()
    assert (line.variant.sku, line.matched_by) == ("XIC-1", "mapping")


def test_a_line_needs_its_variant_or_no_units(clerk, sp, catalog, nfe_xml):
    invoice = receive(nfe_xml, user=clerk)
    with pytest.raises(IntakeError, match="Item 3 .7001 XICARA BRANCA.: choose"):
        confirm_receipt(
            invoice,
            user=clerk,
            warehouse=sp,
            choices=choices_for(invoice, **{"7001": (None, 4)}),
        )
    assert StockMovement.objects.count() == 0
    assert SupplierProductCode.objects.count() == 1  # only the one saved before
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED

    # with 0 units the cups stay out of stock
    confirm_receipt(
        invoice,
        user=clerk,
        warehouse=sp,
        choices=choices_for(invoice, **{"7001": (None, 0)}),
    )
    assert StockMovement.objects.count() == 2


def test_confirming_needs_a_warehouse_the_person_moves_stock_in(
    clerk, sp, rj, catalog, nfe_xml
):
    invoice = receive(nfe_xml, user=clerk)
    choices = choices_for(invoice, **{"7001": (catalog["XIC-1"], 4)})
    with pytest.raises(IntakeError, match="Choose the warehouse"):
        confirm_receipt(invoice, user=clerk, choices=choices)
    with pytest.raises(IntakeError, match="You may not move stock in RJ-01"):
        confirm_receipt(invoice, user=clerk, warehouse=rj, choices=choices)
    assert StockMovement.objects.count() == 0
    assert SupplierProductCode.objects.count() == 1


def test_only_the_recipients_clerk_confirms_or_discards(
    clerk, other_clerk, accountant, sp, catalog, nfe_xml
):
    invoice = receive(nfe_xml, user=clerk)
    for user in (other_clerk, accountant):
        with pytest.raises(PermissionDenied):
            confirm_receipt(invoice, user=user, warehouse=sp, choices={})
        with pytest.raises(PermissionDenied):
            discard(invoice, user=user, reason="engano")
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED


def test_a_confirmed_receipt_is_not_confirmed_again(clerk, sp, catalog, nfe_xml):
    invoice = receive(nfe_xml, user=clerk)
    choices = choices_for(invoice, **{"7001": (catalog["XIC-1"], 4)})
    confirm_receipt(invoice, user=clerk, warehouse=sp, choices=choices)
    with pytest.raises(IntakeError, match="Receipt confirmed"):
        confirm_receipt(invoice, user=clerk, warehouse=sp, choices=choices)
    with pytest.raises(IntakeError, match="Receipt confirmed"):
        discard(invoice, user=clerk, reason="engano")
    assert StockMovement.objects.count() == 3


# -- discarding --------------------------------------------------------------------


def test_discarding_cancels_the_bill(clerk, catalog, nfe_xml):
    invoice = receive(nfe_xml, user=clerk)
    with pytest.raises(IntakeError, match="Say why"):
        discard(invoice, user=clerk, reason=" ")
    discard(invoice, user=clerk, reason="Mercadoria recusada na entrega")
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.DISCARDED
    assert invoice.discard_reason == "Mercadoria recusada na entrega"
    bill = invoice.bill
    assert bill.status == BillStatus.CANCELLED
    assert "Mercadoria recusada" in bill.cancel_reason
    # the XML stays in the archive
    assert ArchivedXml.objects.filter(access_key=invoice.access_key).exists()


def test_a_bill_with_payments_keeps_the_nfe(clerk, catalog, nfe_xml):
    from plugins.finance.services.payables import apply_bill_payment

    invoice = receive(nfe_xml, user=clerk)
    first = invoice.bill.installments.order_by("number").first()
    apply_bill_payment(first, user=None, paid_on=timezone.localdate())
    with pytest.raises(IntakeError, match="installments paid"):
        discard(invoice, user=clerk, reason="engano")
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED
    assert invoice.bill.installments.filter(status=InstallmentStatus.PAID).count() == 1
