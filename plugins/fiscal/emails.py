"""The customer's e-mail with their NF-e: the DANFE (PDF) and the XML
attached, sent after the NF-e is authorised.

:func:`email_documents` is called by whoever authorises a document, inside
its transaction: the e-mail is queued as a background task when the
transaction commits (never for a rolled-back authorisation), and the task
records it on the order's timeline.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from plugins.fiscal.danfe import (
    PDF_CONTENT_TYPE,
    XML_CONTENT_TYPE,
    danfe_filename,
    document_xml,
    has_danfe,
    render_danfe,
    xml_filename,
)
from plugins.fiscal.models import FiscalDocument, Operation

logger = logging.getLogger(__name__)

#: The language of the customers' e-mails.
LANGUAGE = "pt-br"


def recipient_of(document: FiscalDocument) -> str:
    """The customer's e-mail address, or "" (no order, no address)."""
    order = document.order
    return (order.customer_email or "").strip() if order is not None else ""


def email_documents(document: FiscalDocument) -> bool:
    """Queue the e-mail of ``document``'s DANFE and XML to its customer,
    after the current transaction commits (a background task).

    Returns whether one was queued: only for an authorised NF-e issued from
    an order whose customer has an e-mail address."""
    if (
        document.operation == Operation.PURCHASE
        or not has_danfe(document)
        or not recipient_of(document)
    ):
        return False
    from plugins.fiscal.tasks import send_documents_email

    pk = document.pk
    transaction.on_commit(lambda: send_documents_email.enqueue(pk))
    return True


def documents_message(document: FiscalDocument) -> EmailMessage:
    """The e-mail of ``document`` to its customer, with the DANFE and the
    XML attached, in pt-BR."""
    order = document.order
    emitter = document.emitter
    context = {
        "name": (order.customer_name or "").split(" ")[0],
        "order": order.number,
        "number": document.number,
        "series": document.series,
        "key": document.access_key,
        "store": emitter.trade_name or emitter.legal_name,
        "homologation": document.environment == "2",
        "is_return": document.operation == Operation.RETURN,
    }
    with translation.override(LANGUAGE):
        subject = render_to_string("fiscal/email/documents_subject.txt", context)
        body = render_to_string("fiscal/email/documents_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()), body=body, to=[recipient_of(document)]
    )
    message.attach(danfe_filename(document), render_danfe(document), PDF_CONTENT_TYPE)
    message.attach(
        xml_filename(document),
        document_xml(document).encode("utf-8"),
        XML_CONTENT_TYPE,
    )
    return message


def send_documents(document_pk: int) -> bool:
    """Send the e-mail of the document now and record it on the order's
    timeline; False when there is nothing to send (or the mail server
    refused it: logged, for the fiscal desk to send again)."""
    from plugins.orders.services import record_event

    document = (
        FiscalDocument.objects.select_related("order", "emitter")
        .filter(pk=document_pk)
        .first()
    )
    if document is None or not has_danfe(document) or not recipient_of(document):
        return False
    message = documents_message(document)
    try:
        message.send()
    except OSError:
        logger.exception("Could not e-mail NF-e %s", document.access_key)
        return False
    with translation.override(LANGUAGE):
        text = _("DANFE and XML of NF-e %(number)s e-mailed to %(email)s.") % {
            "number": document.number,
            "email": recipient_of(document),
        }
    record_event(
        document.order,
        source="fiscal",
        message=text,
        data={"access_key": document.access_key, "email": recipient_of(document)},
    )
    return True
