"""Cancelling an NF-e and sending a CC-e from its page, against the local
SEFAZ over HTTP."""

import pytest
from django.urls import reverse

from plugins.fiscal.models import ArchivedXml, FiscalEvent
from plugins.fiscal.services.issuing import issue_and_send
from tests.plugins.fiscal.conftest import assert_signed, assert_xsd_valid


@pytest.fixture
def authorised(sefaz, emitter, ncm_order, tax_tables):
    from plugins.orders.services import pay_order

    pay_order(ncm_order, user=None)
    document = issue_and_send(ncm_order, emitter=emitter, user=None)
    assert document.status == "authorised", document.status_reason
    return document


def test_the_fiscal_clerk_sends_two_cce_and_cancels(client, fiscal_clerk, authorised):
    from plugins.fiscal import xsd

    client.force_login(fiscal_clerk)
    page = reverse("fiscal_documents:inspect", args=[authorised.pk])
    html = client.get(page).content.decode()
    correct = reverse("fiscal_correct_document", args=[authorised.pk])
    cancel = reverse("fiscal_cancel_document", args=[authorised.pk])
    assert correct in html and cancel in html

    # too short: the form says so, nothing is sent
    response = client.post(correct, {"text": "curto"})
    assert response.status_code == 200
    assert "15" in response.content.decode()
    assert not FiscalEvent.objects.exists()

    for text in (
        "Endereço de entrega: apartamento 12, bloco B.",
        "Endereço de entrega: apartamento 12, bloco C.",
    ):
        response = client.post(correct, {"text": text})
        assert response.status_code == 302 and response.url == page
    first, second = FiscalEvent.objects.filter(kind="110110").order_by("sequence")
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.protocol and second.status_code == "135"
    assert_xsd_valid(second.xml, xsd.CORRECTION)
    assert_signed(second.xml, "infEvento")

    response = client.post(
        cancel, {"text": "Pedido cancelado pelo cliente antes do envio."}
    )
    assert response.status_code == 302
    authorised.refresh_from_db()
    assert authorised.status == "cancelled"
    assert ArchivedXml.objects.filter(kind="event").count() == 3
    # a cancelled NF-e offers neither
    html = client.get(page).content.decode()
    assert correct not in html and cancel not in html


def test_another_emitters_nfe_is_not_there(
    client, fiscal_clerk, other_emitter, authorised
):
    from plugins.fiscal.models import FiscalDocument

    FiscalDocument.objects.filter(pk=authorised.pk).update(emitter=other_emitter)
    client.force_login(fiscal_clerk)
    url = reverse("fiscal_cancel_document", args=[authorised.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x" * 20}).status_code == 404
    assert not FiscalEvent.objects.exists()


def test_the_accountant_reads_but_does_not_cancel(client, accountant, authorised):
    client.force_login(accountant)
    url = reverse("fiscal_cancel_document", args=[authorised.pk])
    response = client.post(url, {"text": "Pedido cancelado pelo cliente."})
    assert (response.status_code, response.url) == (302, "/admin/")
    authorised.refresh_from_db()
    assert authorised.status == "authorised"


def test_what_is_recorded_is_the_text_the_authoriser_got(
    client, fiscal_clerk, authorised
):
    """The schema takes Latin-1 only: an emoji is left out and a dash or
    the euro sign spelled out in the XML, and the event (its page, the
    order's timeline) says what was sent, not what was typed."""
    from lxml import etree

    from plugins.orders.models import OrderEvent

    client.force_login(fiscal_clerk)
    cancel = reverse("fiscal_cancel_document", args=[authorised.pk])
    typed = "Cliente desistiu \N{GRINNING FACE} — pagou 10 € a mais."
    response = client.post(cancel, {"text": typed})
    assert response.status_code == 302
    event = FiscalEvent.objects.get(kind="110111")
    sent = etree.fromstring(event.xml.encode()).findtext(
        ".//{http://www.portalfiscal.inf.br/nfe}xJust"
    )
    assert sent == "Cliente desistiu - pagou 10 EUR a mais."
    assert event.text == sent
    # the timeline's sentence ends the justification once
    (entry,) = OrderEvent.objects.filter(
        order=authorised.order, source="fiscal", data__event="110111"
    )
    assert "a mais. " in entry.message and ".." not in entry.message


def test_a_text_of_emoji_is_refused_for_its_length_as_sent(
    client, fiscal_clerk, authorised
):
    client.force_login(fiscal_clerk)
    correct = reverse("fiscal_correct_document", args=[authorised.pk])
    response = client.post(correct, {"text": "\N{GRINNING FACE}" * 16})
    assert response.status_code == 200
    html = response.content.decode()
    assert "não aceita emoji" in html and "tem 0." in html
    assert not FiscalEvent.objects.exists()


def test_a_cancelled_nfe_leads_with_the_cancellations_answer(
    client, fiscal_clerk, authorised
):
    """Its own answer is still the authorisation's (100); the page says the
    authoriser registered the cancellation (135)."""
    import re

    client.force_login(fiscal_clerk)
    cancel = reverse("fiscal_cancel_document", args=[authorised.pk])
    client.post(cancel, {"text": "Pedido cancelado pelo cliente antes do envio."})
    event = FiscalEvent.objects.get(kind="110111")
    page = reverse("fiscal_documents:inspect", args=[authorised.pk])
    html = client.get(page).content.decode()
    banner = re.search(r'id="document-status-reason">(.*?)</div>', html, re.S)[1]
    assert event.status_reason in banner
    assert "135" in banner and "100" not in banner


def test_the_event_forms_name_the_nfe_as_its_page_does(
    client, fiscal_clerk, authorised
):
    client.force_login(fiscal_clerk)
    for name in ("fiscal_cancel_document", "fiscal_correct_document"):
        html = client.get(reverse(name, args=[authorised.pk])).content.decode()
        assert "<dt>Chave de acesso</dt>" in html
        assert "<dt>Destinatário</dt>" in html
