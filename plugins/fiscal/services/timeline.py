"""What the authoriser's answers do to the order: entries on its timeline
and, on authorisation, its move to invoiced through the orders service."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from plugins.exceptions import Refused
from plugins.fiscal.emails import email_documents
from plugins.fiscal.models import DocumentStatus, FiscalDocument, Operation
from plugins.orders.exceptions import IllegalTransition
from plugins.orders.services import can_transition, invoice_order, record_event

S = DocumentStatus
TIMELINE_SOURCE = "fiscal"


def timeline_entry(document: FiscalDocument, message: str, **data) -> None:
    """An entry on the timeline of the document's order (it must have one)."""
    record_event(
        document.order,
        source=TIMELINE_SOURCE,
        message=message,
        data={
            "document": document.pk,
            "number": document.number,
            "series": document.series,
            "access_key": document.access_key,
            "status": document.status,
            **data,
        },
    )


def on_authorised(document: FiscalDocument, *, user=None) -> None:
    """An NF-e was authorised: its order's timeline says so and a sale's
    order moves to invoiced through the orders service when its status
    allows (paid). Runs inside the transaction that records the answer; a
    transition that cannot be made (the order moved meanwhile, a hook
    refused) leaves the order as it is and says why on its timeline — the
    NF-e stays authorised."""
    if document.order_id is None:
        return
    order = document.order
    timeline_entry(
        document,
        _("NF-e %(number)s (série %(series)s) authorised: protocol %(protocol)s.")
        % {
            "number": document.number,
            "series": document.series,
            "protocol": document.protocol,
        },
        protocol=document.protocol,
    )
    # the DANFE and the XML to the customer, after commit
    email_documents(document)
    if document.operation != Operation.SALE or not can_transition(
        order, "invoice", None
    ):
        return
    try:
        with transaction.atomic():
            invoice_order(order, user=None)
    except (IllegalTransition, Refused) as error:
        timeline_entry(
            document,
            _("The order was not marked invoiced: %(reason)s")
            % {"reason": getattr(error, "message", "") or str(error)},
        )


def on_refused(document: FiscalDocument) -> None:
    """An NF-e was rejected or denied: its order stays where it was, and its
    timeline says why."""
    if document.order_id is None:
        return
    if document.status == S.DENIED:
        message = _("NF-e %(number)s denied by the authoriser: %(code)s – %(reason)s")
    else:
        message = _("NF-e %(number)s rejected by the authoriser: %(code)s – %(reason)s")
    timeline_entry(
        document,
        message
        % {
            "number": document.number,
            "code": document.status_code,
            "reason": document.status_reason,
        },
        status_code=document.status_code,
    )
