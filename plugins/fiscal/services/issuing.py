"""Issuing the NF-e of a paid order: the tax rules, the number, the signed
XML and the document, in one transaction; then the authoriser.

:func:`issue_for_order` takes the série's next number under its row lock in
the transaction that creates the document, so a failure anywhere (no tax
rule, a schema error, a certificate that does not open) writes nothing and
spends no number. The document is then sent outside that transaction
(:func:`plugins.fiscal.services.authorisation.send_documents`): the order
moves to invoiced when the authoriser authorises it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.validators import normalise_document
from plugins.audit import log_change
from plugins.fiscal import keys, nfe, rules
from plugins.fiscal.certificates import CertificateError
from plugins.fiscal.exceptions import (
    AlreadyIssued,
    FiscalRefused,
    FiscalXmlError,
    OrderNotPaid,
)
from plugins.fiscal.models import (
    DocumentStatus,
    Emitter,
    Environment,
    FiscalDocument,
    Operation,
)
from plugins.fiscal.services.authorisation import send_documents
from plugins.fiscal.services.authorisers import (
    check_may_issue,
    emission_type,
    emitter_certificate,
)
from plugins.fiscal.services.numbering import take_number
from plugins.fiscal.services.timeline import TIMELINE_SOURCE, timeline_entry
from plugins.fiscal.taxation import NoTaxRule
from plugins.fiscal.xsd import SchemaError
from plugins.orders.models import Order
from plugins.orders.services import record_event
from plugins.orders.status import OrderStatus

#: A sale has at most one NF-e in these statuses (a rejected or denied one
#: may be issued again once its cause is fixed).
LIVE_STATUSES = (
    DocumentStatus.SIGNED,
    DocumentStatus.SENT,
    DocumentStatus.AUTHORISED,
)


def live_sale_document(order: Order) -> FiscalDocument | None:
    return (
        FiscalDocument.objects.filter(
            order=order, operation=Operation.SALE, status__in=LIVE_STATUSES
        )
        .order_by("-pk")
        .first()
    )


def issue_for_order(order: Order, *, emitter: Emitter, user) -> FiscalDocument:
    """Build, sign and record the sale NF-e of ``order`` (paid) by
    ``emitter``. Raises :class:`FiscalRefused` with the pt-BR reason, also
    written on the order's timeline; nothing else is written then."""
    check_may_issue(user, emitter)
    try:
        with transaction.atomic():
            return _issue(order, emitter=emitter, user=user)
    except FiscalRefused as error:
        _note_on_order(order, str(error.message), user=user)
        raise


def _issue(order: Order, *, emitter: Emitter, user) -> FiscalDocument:
    order = Order.objects.select_for_update().get(pk=order.pk)
    # under the order's row lock: two issues of one order at once (a bulk
    # issue run twice, two clicks) find the first one's NF-e here
    existing = live_sale_document(order)
    if existing is not None:
        raise AlreadyIssued(
            _("Order %(number)s already has NF-e %(nfe)s (%(status)s).")
            % {
                "number": order.number,
                "nfe": existing.number,
                "status": existing.get_status_display(),
            }
        )
    if order.status != OrderStatus.PAID:
        raise OrderNotPaid(
            _("Order %(number)s is not paid: only paid orders are invoiced.")
            % {"number": order.number}
        )
    if not emitter.active:
        raise FiscalRefused(
            _("The emitter %(emitter)s is not active.") % {"emitter": emitter}
        )
    certificate = signing_certificate(emitter)
    try:
        context, _inputs, taxes = rules.compute_for_order(order, emitter)
    except NoTaxRule as error:
        raise FiscalRefused(
            _("The NF-e was not built: %(reason)s") % {"reason": error}
        ) from error
    # the contingency as it is now (switched since the caller read it?)
    emitter.refresh_from_db(
        fields=["contingency", "contingency_reason", "contingency_since"]
    )
    environment = emitter.environment
    series = emitter.series
    number = take_number(emitter, series, environment)
    issued_at = timezone.now()
    kind = emission_type(emitter)
    try:
        data = nfe.build_from_order(
            order,
            emitter,
            number=number,
            series=series,
            issued_at=issued_at,
            taxes=taxes,
            customer_type=context.customer_type,
            recipient_ie=rules.order_ie(order),
            **contingency_fields(emitter, kind),
        )
        signed = nfe.build_nfe(data, certificate=certificate)
    except (FiscalXmlError, SchemaError) as error:
        raise FiscalRefused(
            _("The NF-e was not built: %(reason)s") % {"reason": error}
        ) from error
    document = record_signed(
        order,
        emitter,
        signed,
        operation=Operation.SALE,
        issued_at=issued_at,
        destination_uf=context.destination_uf,
        user=user,
    )
    log_change(document, "wagtail.create", user=user)
    timeline_entry(
        document,
        _("NF-e %(number)s (série %(series)s) built and signed%(environment)s.")
        % {
            "number": number,
            "series": series,
            "environment": (
                _(" in homologation") if environment == Environment.HOMOLOGATION else ""
            ),
        },
    )
    return document


def signing_certificate(emitter: Emitter):
    """The emitter's opened A1, or :class:`FiscalRefused` (pt-BR) when it has
    none or it cannot be opened."""
    try:
        certificate = emitter_certificate(emitter)
    except CertificateError as error:
        raise FiscalRefused(str(error)) from error
    if certificate is None:
        raise FiscalRefused(
            _("The emitter %(emitter)s has no A1 certificate.") % {"emitter": emitter}
        )
    return certificate


def contingency_fields(emitter: Emitter, kind: str) -> dict:
    """The builders' dhCont and xJust arguments for an NF-e of tpEmis
    ``kind``: the emitter's contingency when it is 6 or 7, none when 1."""
    if kind == "1":
        return {"contingency_since": None, "contingency_reason": ""}
    return {
        "contingency_since": emitter.contingency_since,
        "contingency_reason": emitter.contingency_reason,
    }


def record_signed(
    order: Order,
    emitter: Emitter,
    signed,
    *,
    operation: str,
    issued_at,
    destination_uf: str,
    user,
    referenced_key: str = "",
) -> FiscalDocument:
    """The document of a signed NF-e of ``order`` (:func:`nfe.build_nfe`'s
    result), with its number, série and environment read from its key and
    the emitter, to be sent."""
    key = keys.parse(signed.access_key)
    return FiscalDocument.objects.create(
        emitter=emitter,
        order=order,
        operation=operation,
        status=DocumentStatus.SIGNED,
        environment=emitter.environment,
        series=key.series,
        number=key.number,
        access_key=signed.access_key,
        referenced_key=referenced_key,
        issued_at=issued_at,
        xml=signed.xml,
        in_contingency=key.emission_type != "1",
        recipient_name=order.customer_name[:150],
        recipient_document=normalise_document(order.customer_document)[:14],
        recipient_uf=destination_uf,
        total=signed.total,
        totals=signed.totals,
        created_by=user,
    )


def _note_on_order(order: Order, message: str, *, user) -> None:
    """Why the NF-e was not issued, on the order's timeline (after the
    issue's transaction rolled back)."""
    record_event(order, source=TIMELINE_SOURCE, message=message, user=user)


def issue_and_send(order: Order, *, emitter: Emitter, user) -> FiscalDocument:
    """:func:`issue_for_order`, then the authoriser at once (synchronous for
    one document); the document as the authoriser left it."""
    document = issue_for_order(order, emitter=emitter, user=user)
    send_documents([document], user=user)
    document.refresh_from_db()
    return document
