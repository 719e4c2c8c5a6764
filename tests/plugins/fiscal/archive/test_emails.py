"""The customer's e-mail with the DANFE and the XML, after authorisation."""

import pytest
from django.core import mail
from django.db import transaction

from plugins.fiscal.emails import email_documents
from plugins.orders.models import OrderEvent


def test_the_customer_gets_the_danfe_and_the_xml_after_commit(
    authorised_nfe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert email_documents(authorised_nfe)
        assert mail.outbox == []  # nothing before the commit
    (message,) = mail.outbox
    assert message.to == ["maria@example.com"]
    # pt-BR, the customers' language
    assert message.subject == "NF-e 46320 do seu pedido ABCD-EFGH · Akretion"
    assert message.body.startswith("Olá, Maria!")
    assert "foi autorizada: NF-e nº 46320, série 1." in message.body
    assert authorised_nfe.access_key in message.body
    assert "ambiente de testes (homologação)" in message.body
    (pdf_name, pdf, pdf_type), (xml_name, xml, xml_type) = message.attachments
    assert pdf_name == f"DANFE-{authorised_nfe.access_key}.pdf"
    assert pdf_type == "application/pdf" and pdf.startswith(b"%PDF-")
    assert xml_name == f"{authorised_nfe.access_key}-procNFe.xml"
    assert xml_type == "application/xml"
    assert xml == authorised_nfe.proc_xml.encode()
    # the order's timeline says so
    event = OrderEvent.objects.get(order=authorised_nfe.order, source="fiscal")
    assert event.message == (
        "DANFE e XML da NF-e 46320 enviados por e-mail para maria@example.com."
    )


def test_nothing_is_sent_when_the_authorisation_is_rolled_back(
    authorised_nfe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            email_documents(authorised_nfe)
            raise RuntimeError("authorisation failed later")
    assert callbacks == []
    assert mail.outbox == []


def test_no_email_without_an_address_or_an_authorisation(
    authorised_nfe, django_capture_on_commit_callbacks
):
    order = authorised_nfe.order
    with django_capture_on_commit_callbacks(execute=True):
        order.customer_email = ""
        assert not email_documents(authorised_nfe)
        order.customer_email = "maria@example.com"
        authorised_nfe.status = "rejected"
        assert not email_documents(authorised_nfe)
    assert mail.outbox == []
