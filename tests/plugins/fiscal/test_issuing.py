"""Issuing the NF-e of a paid order end to end: the tax rules, the number,
the signed XML, the local SEFAZ over HTTP, the order invoiced."""

import re

import pytest

from plugins.fiscal.exceptions import FiscalRefused
from plugins.fiscal.models import FiscalDocument, NumberSequence
from plugins.fiscal.services.issuing import issue_and_send, issue_for_order
from plugins.orders.models import OrderEvent
from tests.plugins.fiscal.conftest import assert_signed, assert_xsd_valid


@pytest.fixture
def paid_ncm_order(ncm_order, tax_tables):
    from plugins.orders.services import pay_order

    pay_order(ncm_order, user=None)
    ncm_order.refresh_from_db()
    return ncm_order


def test_a_paid_order_becomes_an_authorised_nfe_and_the_order_is_invoiced(
    sefaz, emitter, paid_ncm_order, certificate
):
    from plugins.fiscal import xsd

    document = issue_and_send(paid_ncm_order, emitter=emitter, user=None)

    assert document.status == "authorised", document.status_reason
    assert document.number == 1 and document.series == emitter.series
    assert document.protocol and document.access_key[25:34] == "000000001"
    # the signed NF-e as sent is inside the nfeProc byte for byte
    assert document.xml in document.proc_xml
    assert_xsd_valid(document.xml, xsd.NFE)
    assert_signed(document.xml, "infNFe", certificate=certificate)
    # a consumer in RJ buying from SP: the interstate sale to a
    # non-contributor (6108), DIFAL to RJ in the totals
    assert re.findall(r"<CFOP>(\d+)</CFOP>", document.xml) == ["6108", "6108"]
    assert "<vICMSUFDest>" in document.xml
    paid_ncm_order.refresh_from_db()
    assert paid_ncm_order.status == "invoiced"
    messages = list(
        OrderEvent.objects.filter(order=paid_ncm_order, source="fiscal").values_list(
            "message", flat=True
        )
    )
    assert any("autorizada" in m or "authorised" in m for m in messages), messages


def test_an_order_without_ncm_is_not_invoiced_and_spends_no_number(
    sefaz, emitter, ncm_order, tax_tables
):
    from content.models import Variant
    from plugins.orders.services import pay_order

    Variant.objects.filter(sku="CAN-1").update(ncm="")
    pay_order(ncm_order, user=None)

    with pytest.raises(FiscalRefused, match="CAN-1"):
        issue_for_order(ncm_order, emitter=emitter, user=None)

    assert not FiscalDocument.objects.exists()
    assert not NumberSequence.objects.filter(next_number__gt=1).exists()
    assert sefaz.requests == []
    ncm_order.refresh_from_db()
    assert ncm_order.status == "paid"
    note = OrderEvent.objects.filter(order=ncm_order, source="fiscal").get()
    assert "CAN-1" in note.message


def test_an_order_is_invoiced_once(sefaz, emitter, paid_ncm_order):
    issue_for_order(paid_ncm_order, emitter=emitter, user=None)
    with pytest.raises(FiscalRefused):
        issue_for_order(paid_ncm_order, emitter=emitter, user=None)
    assert FiscalDocument.objects.count() == 1


def test_an_unpaid_order_is_refused(sefaz, emitter, ncm_order, tax_tables):
    with pytest.raises(FiscalRefused):
        issue_for_order(ncm_order, emitter=emitter, user=None)
    assert not FiscalDocument.objects.exists()


def test_a_rejection_leaves_the_order_paid_with_the_reason(
    sefaz, emitter, paid_ncm_order
):
    sefaz.control({"reject_next": {"cStat": "778", "xMotivo": "NCM inexistente"}})
    document = issue_and_send(paid_ncm_order, emitter=emitter, user=None)
    assert document.status == "rejected"
    assert "NCM inexistente" in document.status_reason
    paid_ncm_order.refresh_from_db()
    assert paid_ncm_order.status == "paid"


def test_the_fiscal_clerk_issues_from_the_order_page(
    client, sefaz, emitter, other_emitter, fiscal_clerk, paid_ncm_order
):
    from django.urls import reverse

    client.force_login(fiscal_clerk)
    page = reverse("orders:detail", args=[paid_ncm_order.pk])
    html = client.get(page).content.decode()
    issue = reverse("fiscal_issue_order", args=[paid_ncm_order.pk, emitter.pk])
    assert issue in html
    # another emitter's button is not offered, and posting to it is 404
    other = reverse("fiscal_issue_order", args=[paid_ncm_order.pk, other_emitter.pk])
    assert other not in html
    assert client.post(other).status_code == 404

    response = client.post(issue, follow=True)

    assert response.redirect_chain[-1][0] == page
    assert "autorizada" in response.content.decode()
    paid_ncm_order.refresh_from_db()
    assert paid_ncm_order.status == "invoiced"
    assert FiscalDocument.objects.get().created_by == fiscal_clerk
    # no second button once issued
    assert issue not in client.get(page).content.decode()


def test_the_order_desk_cannot_issue(
    client, sefaz, emitter, order_desk, paid_ncm_order
):
    from django.urls import reverse

    client.force_login(order_desk)
    url = reverse("fiscal_issue_order", args=[paid_ncm_order.pk, emitter.pk])
    response = client.post(url)
    # Wagtail's "no permission": back to the dashboard
    assert (response.status_code, response.url) == (302, "/admin/")
    assert not FiscalDocument.objects.exists()


def test_the_customer_gets_the_danfe_and_the_xml_once_authorised(
    sefaz, emitter, paid_ncm_order, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_and_send(paid_ncm_order, emitter=emitter, user=None)
    assert document.status == "authorised"
    (mail,) = mailoutbox
    assert mail.to == [paid_ncm_order.customer_email]
    names = sorted(name for name, _content, _type in mail.attachments)
    assert any(n.endswith(".pdf") for n in names)
    assert any(n.endswith(".xml") for n in names)


def test_a_company_with_an_ie_is_invoiced_as_an_icms_contributor(
    sefaz, emitter, paid_ncm_order, certificate
):
    """A CNPJ buyer whose IE an integration wrote on the billing address:
    the NF-e names it (indIEDest 1 with its IE) and the interstate sale to a
    contributor takes no DIFAL."""
    from plugins.fiscal import xsd

    paid_ncm_order.customer_document = "11444777000161"
    paid_ncm_order.billing_address = {
        **paid_ncm_order.shipping_address,
        "ie": "81.234.567",
    }
    paid_ncm_order.save(update_fields=["customer_document", "billing_address"])

    document = issue_and_send(paid_ncm_order, emitter=emitter, user=None)

    assert document.status == "authorised", document.status_reason
    assert_xsd_valid(document.xml, xsd.NFE)
    dest = document.xml[document.xml.index("<dest>") : document.xml.index("</dest>")]
    assert "<indIEDest>1</indIEDest>" in dest and "<IE>81234567</IE>" in dest
    assert "<vICMSUFDest>" not in document.xml
