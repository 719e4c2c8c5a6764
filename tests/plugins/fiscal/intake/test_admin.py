"""The supplier NF-e screens, in pt-BR as the admin shows them: the
listing, the upload of one XML, the receipt draft and its confirmation, the
discard, the XML download; each emitter's fiscal clerk sees only its own."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plugins.fiscal.models import SupplierInvoice, SupplierProductCode
from plugins.fiscal.services.intake import receive
from plugins.stock.models import StockLevel
from tests.helpers import is_admin_denied, listing_rows, page_text

from .conftest import OTHER_CNPJ

pytestmark = pytest.mark.django_db

LISTING = "/admin/fiscal/supplier-nfe/"


def url(invoice, action=""):
    return f"{LISTING}{invoice.pk}/{action + '/' if action else ''}"


def upload(client, data, name="nfe.xml"):
    return client.post(
        f"{LISTING}new/", {"file": SimpleUploadedFile(name, data, "application/xml")}
    )


def test_the_clerk_receives_an_xml_and_confirms_the_receipt(
    client, clerk, sp, catalog, nfe_xml
):
    client.force_login(clerk)
    # the upload screen takes the XML and opens the receipt draft
    response = upload(client, nfe_xml)
    invoice = SupplierInvoice.objects.get()
    assert response.status_code == 302 and response.url == url(invoice)

    page = client.get(url(invoice))
    text = page_text(page)
    assert "Alimentos Saudáveis Ltda. (34.128.745/0001-52)" in text
    assert invoice.access_key in text and "R$ 280,00" in text
    # each line with its match: the SKU inputs hold the variants found
    html = page.content.decode()
    assert 'value="CAF-1"' in html and 'value="OLE-1"' in html
    assert "Não vinculado: digite o SKU" in text
    assert "NF-e 1001/1" in text  # the bill to pay, linked

    # the clerk names the cups, picks SP-01 and confirms
    lines = {line.code: line for line in invoice.lines.all()}
    data = {"warehouse": sp.pk}
    for line in lines.values():
        data[f"sku_{line.pk}"] = line.variant.sku if line.variant else "XIC-1"
        data[f"units_{line.pk}"] = line.units or 4
    response = client.post(url(invoice, "confirm"), data)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.CONFIRMED
    assert StockLevel.objects.get(warehouse=sp, variant__sku="XIC-1").on_hand == 4
    assert SupplierProductCode.objects.filter(code="7001").exists()
    text = page_text(client.get(url(invoice)))
    assert "Recebimento confirmado" in text and "SP-01" in text


def test_an_unknown_sku_keeps_the_draft_with_the_error(
    client, clerk, sp, catalog, nfe_xml
):
    client.force_login(clerk)
    invoice = receive(nfe_xml, user=clerk)
    data = {"warehouse": sp.pk}
    for line in invoice.lines.all():
        data[f"sku_{line.pk}"] = "NOPE" if line.code == "7001" else line.variant.sku
        data[f"units_{line.pk}"] = line.units or 4
    response = client.post(url(invoice, "confirm"), data)
    assert response.status_code == 200
    assert "SKU desconhecido “NOPE”." in page_text(response)
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED
    assert StockLevel.objects.filter(warehouse=sp).count() == 0


def test_a_refused_upload_says_why_on_the_form(client, clerk, nfe_xml):
    client.force_login(clerk)
    tampered = nfe_xml.replace(b"<vNF>280.00</vNF>", b"<vNF>2.00</vNF>")
    response = upload(client, tampered)
    assert response.status_code == 200
    assert "A assinatura da NF-e não confere" in page_text(response)
    assert SupplierInvoice.objects.count() == 0


def test_the_listing_shows_the_matches_and_only_the_clerks_emitter(
    client, clerk, other_clerk, catalog, make_nfe
):
    ours = receive(make_nfe(), user=clerk)
    theirs = receive(make_nfe(number=3001, recipient_cnpj=OTHER_CNPJ), user=other_clerk)
    client.force_login(clerk)
    rows = listing_rows(client.get(LISTING))
    assert len(rows) == 1
    assert "Alimentos Saudáveis Ltda." in rows[0] and "1001" in rows[0]
    assert "R$ 280,00" in rows[0] and "2/3" in rows[0]
    # another emitter's NF-e does not exist for the clerk
    assert client.get(url(theirs)).status_code == 404
    assert client.get(url(theirs, "xml")).status_code == 404
    assert client.post(url(theirs, "discard"), {"reason": "x"}).status_code == 404
    # their own XML downloads as received
    response = client.get(url(ours, "xml"))
    assert response.content == ours.xml.encode()
    assert ours.access_key in response["Content-Disposition"]


def test_discarding_with_a_reason(client, clerk, catalog, nfe_xml):
    client.force_login(clerk)
    invoice = receive(nfe_xml, user=clerk)
    client.post(url(invoice, "discard"), {"reason": ""})
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED
    # a reason too long is told as such, not as a missing one
    response = client.post(url(invoice, "discard"), {"reason": "R" * 501}, follow=True)
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED
    text = page_text(response)
    assert "500" in text and "501" in text
    client.post(url(invoice, "discard"), {"reason": "Recusada na entrega"})
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.DISCARDED
    text = page_text(client.get(url(invoice)))
    assert "Recusada na entrega" in text and "Confirmar recebimento" not in text


def test_the_accountant_reads_but_does_not_receive(
    client, clerk, accountant, catalog, nfe_xml
):
    invoice = receive(nfe_xml, user=clerk)
    client.force_login(accountant)
    assert client.get(LISTING).status_code == 200
    page = client.get(url(invoice))
    assert page.status_code == 200 and "Confirmar recebimento" not in page_text(page)
    assert is_admin_denied(client.get(f"{LISTING}new/"))
    assert is_admin_denied(client.post(url(invoice, "discard"), {"reason": "x"}))
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.RECEIVED
