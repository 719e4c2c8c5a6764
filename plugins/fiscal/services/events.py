"""Events on authorised NF-e: cancellation (110111) and carta de correção
(CC-e, 110110). The inutilização of numbers is in :mod:`.inutilization`.

Each takes the signed event (built and signed elsewhere), checks it says what
the call says, refuses what the authoriser would refuse anyway (outside the
cancellation window, a justification too short, a 21st CC-e), sends it, and
records the answer: the event's protocol and its ``procEventoNFe`` (the
signed event and the authoriser's ``retEvento`` joined as text), kept in the
archive. A rejection is recorded with its code and reason and raised
(:class:`~plugins.fiscal.exceptions.AuthoriserRejected`); an authoriser that
cannot be reached raises :class:`~plugins.fiscal.authoriser.AuthoriserError`
and records nothing (the clerk tries again).
"""

from __future__ import annotations

import datetime
from contextlib import closing
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from content.validators import strip_invisible_characters
from plugins.audit import log_change
from plugins.fiscal import events as event_xml
from plugins.fiscal.archive import archive_event
from plugins.fiscal.authoriser import NFE_NAMESPACE, Code, EventResult
from plugins.fiscal.exceptions import (
    AuthoriserRejected,
    FiscalRefused,
    FiscalXmlError,
)
from plugins.fiscal.models import (
    DocumentStatus,
    EventKind,
    FiscalDocument,
    FiscalEvent,
)
from plugins.fiscal.services.authorisers import (
    authoriser_for,
    check_may_issue,
    emitter_certificate,
)
from plugins.fiscal.services.timeline import timeline_entry
from plugins.fiscal.soap import strip_declaration
from plugins.fiscal.xsd import SchemaError

S = DocumentStatus
NFE = f"{{{NFE_NAMESPACE}}}"
#: Lengths of the cancellation's and the inutilização's justification, and of
#: the CC-e's text (the schemas' limits).
JUSTIFICATION = (15, 255)
CORRECTION = (15, 1000)
#: The CC-e of one NF-e are numbered 1 to 20.
MAX_CORRECTIONS = 20


def cancellation_deadline(document: FiscalDocument) -> datetime.datetime | None:
    """Until when ``document`` may be cancelled (``None``: it is not
    authorised)."""
    if document.authorised_at is None:
        return None
    hours = getattr(settings, "RETAGUARDA_FISCAL_CANCEL_HOURS", 24)
    return document.authorised_at + datetime.timedelta(hours=hours)


def next_event_sequence(document: FiscalDocument, kind: str) -> int:
    """The nSeqEvento of the next event ``kind`` on ``document``: 1 for the
    cancellation, the CC-e after the last one registered. Raises
    FiscalRefused when there can be none (already cancelled, 20 CC-e)."""
    last = (
        document.events.filter(kind=kind, status_code__in=Code.EVENT_CODES).aggregate(
            last=Max("sequence")
        )["last"]
        or 0
    )
    if kind == EventKind.CANCELLATION and last:
        raise FiscalRefused(_("This NF-e is already cancelled."))
    if kind == EventKind.CORRECTION and last >= MAX_CORRECTIONS:
        raise FiscalRefused(
            _("An NF-e takes at most %(max)s correction letters (CC-e).")
            % {"max": MAX_CORRECTIONS}
        )
    return last + 1


@dataclass(frozen=True)
class _Event:
    kind: str
    access_key: str
    sequence: int
    author: str
    environment: str
    #: the justification (xJust) or correction (xCorrecao) as sent: the
    #: user's text as the schema takes it (Latin-1, single spaces)
    text: str


def _read_event(xml: str) -> _Event:
    try:
        root = etree.fromstring(
            strip_declaration(xml).encode("utf-8"),
            parser=etree.XMLParser(resolve_entities=False, no_network=True),
        )
    except etree.XMLSyntaxError as error:
        raise FiscalRefused(_("The event's XML cannot be read.")) from error
    info = root.find(f"{NFE}infEvento")
    if root.tag != f"{NFE}evento" or info is None:
        raise FiscalRefused(_("The XML is not an NF-e event."))

    def text(name: str) -> str:
        return (info.findtext(f"{NFE}{name}") or "").strip()

    sequence = text("nSeqEvento")
    return _Event(
        kind=text("tpEvento"),
        access_key=text("chNFe"),
        sequence=int(sequence) if sequence.isdigit() else 0,
        author=text("CNPJ") or text("CPF"),
        environment=text("tpAmb"),
        text=text(f"detEvento/{NFE}xJust") or text(f"detEvento/{NFE}xCorrecao"),
    )


def clean_text(text: str) -> str:
    return " ".join(strip_invisible_characters(text or "").split())


def cancel_document(
    document: FiscalDocument, *, xml: str, justification: str, user=None
) -> FiscalEvent:
    """Cancel an authorised NF-e with its signed cancellation event
    (110111). Refused (FiscalRefused, nothing sent) outside the window
    (``RETAGUARDA_FISCAL_CANCEL_HOURS`` after the authorisation) or with a
    justification outside 15–255 characters. Once registered the document is
    *cancelled*; its order keeps its status (the orders lifecycle has no step
    back from invoiced) and its timeline says the NF-e was cancelled."""
    return send_event(
        document,
        kind=EventKind.CANCELLATION,
        xml=xml,
        text=justification,
        user=user,
    )


def correct_document(
    document: FiscalDocument, *, xml: str, correction: str, user=None
) -> FiscalEvent:
    """Register a carta de correção (110110) on an authorised NF-e: sequence
    1 to 20, text 15 to 1,000 characters (refused otherwise, nothing sent)."""
    return send_event(
        document, kind=EventKind.CORRECTION, xml=xml, text=correction, user=user
    )


def send_event(
    document: FiscalDocument, *, kind: str, xml: str, text: str, user=None
) -> FiscalEvent:
    """Send one signed event about ``document`` and record the answer.

    Checks: ``user`` may issue for the emitter; the document is authorised;
    the XML is an event ``kind`` about this document, by its emitter, in its
    environment, with the next sequence (:func:`next_event_sequence`; a
    sequence the authoriser rejected may be sent again); the text's length;
    the cancellation's window. Then sends it (to the SVC while the emitter
    is in contingency) and writes, in one transaction: the FiscalEvent (new,
    or the rejected one of that sequence updated), and when registered its
    ``procEventoNFe``, the archive's copy, the document's cancellation and
    the order's timeline entry; an audit entry either way.

    Raises FiscalRefused, PermissionDenied, AuthoriserError (nothing
    recorded), AuthoriserRejected (the rejection recorded).
    """
    check_may_issue(user, document.emitter)
    kind = EventKind(kind)
    text = clean_text(text)
    low, high = JUSTIFICATION if kind == EventKind.CANCELLATION else CORRECTION
    if not low <= len(text) <= high:
        raise FiscalRefused(
            _("The text must have %(low)s to %(high)s characters (it has %(n)s).")
            % {"low": low, "high": high, "n": len(text)}
        )
    document.refresh_from_db()
    if document.status != S.AUTHORISED:
        raise FiscalRefused(
            _("Only an authorised NF-e takes events; this one is “%(status)s”.")
            % {"status": document.get_status_display()}
        )
    event = _read_event(xml)
    expected = next_event_sequence(document, kind)
    if (
        event.kind != kind
        or event.access_key != document.access_key
        or event.author != document.emitter.cnpj
        or event.environment != document.environment
        or event.sequence != expected
    ):
        raise FiscalRefused(
            _(
                "The event's XML is not the %(kind)s number %(sequence)s of NF-e "
                "%(key)s by its emitter."
            )
            % {
                "kind": kind.label,
                "sequence": expected,
                "key": document.access_key,
            }
        )
    if kind == EventKind.CANCELLATION:
        deadline = cancellation_deadline(document)
        if deadline is not None and timezone.now() > deadline:
            raise FiscalRefused(
                _(
                    "The time to cancel this NF-e ended at %(deadline)s: issue a "
                    "return NF-e instead."
                )
                % {"deadline": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")}
            )
    with closing(authoriser_for(document.emitter)) as authoriser:
        (result,) = authoriser.send_event(
            [xml], batch_id=f"{document.pk}{event.sequence:02d}"
        )
    # what is recorded (and shown) is the text the authoriser got
    return _record_event(
        document, kind, event.sequence, event.text or text, xml, result, user
    )


def event_proc(signed_event: str, answer_xml: str) -> str:
    """The ``procEventoNFe``: the signed event and the authoriser's
    ``retEvento``, joined as they are."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<procEventoNFe xmlns="{NFE_NAMESPACE}" versao="1.00">'
        f"{strip_declaration(signed_event)}{answer_xml}</procEventoNFe>"
    )


def _record_event(
    document: FiscalDocument,
    kind: EventKind,
    sequence: int,
    text: str,
    xml: str,
    result: EventResult,
    user,
) -> FiscalEvent:
    with transaction.atomic():
        locked = (
            FiscalDocument.objects.select_for_update(of=("self",))
            .select_related("emitter", "order")
            .get(pk=document.pk)
        )
        event = FiscalEvent.objects.filter(
            document=locked, kind=kind, sequence=sequence
        ).first()
        if event is not None and event.status_code in Code.EVENT_CODES:
            # registered meanwhile (by another clerk): that one stands
            raise AuthoriserRejected(
                _("This event was already registered."),
                status_code=result.status_code,
                record=event,
            )
        event = event or FiscalEvent(document=locked, kind=kind, sequence=sequence)
        event.text = text
        event.xml = xml
        event.status_code = result.status_code[:4]
        event.status_reason = result.reason[:255]
        event.created_by = event.created_by or user
        if result.registered:
            event.protocol = result.protocol
            event.registered_at = result.registered_at or timezone.now()
            event.proc_xml = event_proc(xml, result.xml)
        event.save()
        log_change(
            locked,
            "fiscal.event",
            user=user,
            event=kind.value,
            sequence=sequence,
            status_code=event.status_code,
            reason=event.status_reason,
            protocol=event.protocol,
        )
        if result.registered:
            archive_event(event)
            if kind == EventKind.CANCELLATION:
                before = locked.status
                locked.status = S.CANCELLED
                locked.save(update_fields=["status", "updated_at"])
                log_change(
                    locked,
                    "fiscal.event",
                    user=user,
                    changes={"status": [before, locked.status]},
                )
            if locked.order_id:
                timeline_entry(
                    locked, _event_message(locked, kind, event), event=kind.value
                )
    document.status = locked.status
    if not result.registered:
        raise AuthoriserRejected(
            _("The authoriser refused the %(kind)s: %(code)s – %(reason)s")
            % {
                "kind": kind.label,
                "code": event.status_code,
                "reason": event.status_reason,
            },
            status_code=event.status_code,
            record=event,
        )
    return event


def _event_message(document: FiscalDocument, kind: str, event: FiscalEvent) -> str:
    values = {
        "number": document.number,
        "protocol": event.protocol,
        "sequence": event.sequence,
        "text": event.text,
    }
    if kind == EventKind.CANCELLATION:
        # the sentence ends the justification: no second full stop
        values["text"] = event.text.rstrip().rstrip(".")
        return (
            _(
                "NF-e %(number)s cancelled (protocol %(protocol)s): %(text)s. The "
                "order keeps its status: cancel or return it on the order desk if "
                "the sale is undone."
            )
            % values
        )
    return (
        _(
            "Correction letter %(sequence)s on NF-e %(number)s (protocol "
            "%(protocol)s): %(text)s"
        )
        % values
    )


def _event_certificate(document: FiscalDocument):
    certificate = emitter_certificate(document.emitter)
    if certificate is None:
        raise FiscalRefused(
            _("The emitter %(emitter)s has no A1 certificate.")
            % {"emitter": document.emitter}
        )
    return certificate


def cancel(document: FiscalDocument, *, justification: str, user) -> FiscalEvent:
    """Build, sign and send the cancellation of ``document``
    (:func:`cancel_document` checks and records it)."""
    check_may_issue(user, document.emitter)
    next_event_sequence(document, EventKind.CANCELLATION)  # not cancelled yet
    try:
        signed = event_xml.cancellation(
            emitter=document.emitter,
            access_key=document.access_key,
            protocol=document.protocol,
            justification=clean_text(justification),
            issued_at=timezone.now(),
            certificate=_event_certificate(document),
            environment=document.environment,
        )
    except (FiscalXmlError, SchemaError) as error:
        raise FiscalRefused(str(error)) from error
    return cancel_document(
        document, xml=signed.xml, justification=justification, user=user
    )


def correct(document: FiscalDocument, *, text: str, user) -> FiscalEvent:
    """Build, sign and send the next carta de correção of ``document``
    (:func:`correct_document` checks and records it)."""
    check_may_issue(user, document.emitter)
    sequence = next_event_sequence(document, EventKind.CORRECTION)
    try:
        signed = event_xml.correction(
            emitter=document.emitter,
            access_key=document.access_key,
            sequence=sequence,
            text=clean_text(text),
            issued_at=timezone.now(),
            certificate=_event_certificate(document),
            environment=document.environment,
        )
    except (FiscalXmlError, SchemaError) as error:
        raise FiscalRefused(str(error)) from error
    return correct_document(document, xml=signed.xml, correction=text, user=user)
