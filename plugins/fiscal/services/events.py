"""Events on authorised NF-e — cancellation (110111) and carta de correção
(CC-e, 110110) — and the inutilização of numbers that will never be used.

Each takes the signed XML (built and signed elsewhere), checks it says what
the call says, refuses what the authoriser would refuse anyway (outside the
cancellation window, a justification too short, a 21st CC-e, a range with a
number in use), sends it, and records the answer: the event's protocol and
its ``procEventoNFe`` (the signed event and the authoriser's ``retEvento``
joined as text), the inutilização's ``ProcInutNFe``, each kept in the
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
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from content.validators import strip_invisible_characters
from plugins.audit import log_change
from plugins.fiscal.authoriser import NFE_NAMESPACE, Code, EventResult
from plugins.fiscal.exceptions import AuthoriserRejected, FiscalRefused
from plugins.fiscal.models import (
    ArchivedXml,
    DocumentStatus,
    Emitter,
    EventKind,
    FiscalDocument,
    FiscalEvent,
    NumberGap,
    NumberSequence,
)
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.sefaz import strip_declaration
from plugins.fiscal.services.authorisation import (
    authoriser_for,
    check_may_issue,
    timeline_entry,
)

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
    )


def _clean(text: str) -> str:
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
    text = _clean(text)
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
    return _record_event(document, kind, event.sequence, text, xml, result, user)


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
            ArchivedXml.objects.create(
                kind=ArchivedXmlKind.EVENT,
                emitter=locked.emitter,
                document=locked,
                access_key=locked.access_key,
                number=locked.number,
                issued_at=event.registered_at,
                party_document=locked.recipient_document,
                party_name=locked.recipient_name,
                content=event.proc_xml,
            )
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


# -- Inutilização ------------------------------------------------------------------


@dataclass(frozen=True)
class _Inutilization:
    cnpj: str
    series: int
    first: int
    last: int
    reason: str
    environment: str
    identity: str


def _read_inutilization(xml: str) -> _Inutilization:
    try:
        root = etree.fromstring(
            strip_declaration(xml).encode("utf-8"),
            parser=etree.XMLParser(resolve_entities=False, no_network=True),
        )
    except etree.XMLSyntaxError as error:
        raise FiscalRefused(_("The inutilization's XML cannot be read.")) from error
    info = root.find(f"{NFE}infInut")
    if root.tag != f"{NFE}inutNFe" or info is None:
        raise FiscalRefused(_("The XML is not an NF-e inutilization."))

    def text(name: str) -> str:
        return (info.findtext(f"{NFE}{name}") or "").strip()

    def number(name: str) -> int:
        return int(text(name)) if text(name).isdigit() else -1

    return _Inutilization(
        cnpj=text("CNPJ"),
        series=number("serie"),
        first=number("nNFIni"),
        last=number("nNFFin"),
        reason=" ".join(text("xJust").split()),
        environment=text("tpAmb"),
        identity=(info.get("Id") or "").removeprefix("ID"),
    )


def inutilization_proc(signed: str, answer_xml: str) -> str:
    """The ``ProcInutNFe``: the signed request and the authoriser's
    ``retInutNFe``, joined as they are."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<ProcInutNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
        f"{strip_declaration(signed)}{answer_xml}</ProcInutNFe>"
    )


def inutilize_numbers(
    emitter: Emitter,
    *,
    series: int,
    first: int,
    last: int,
    reason: str,
    xml: str,
    environment: str | None = None,
    user=None,
) -> NumberGap:
    """Inutilize the numbers ``first``–``last`` of ``emitter``'s ``series``
    with the signed request ``xml`` (NFeInutilizacao4, always to the UF's own
    authoriser: SVC does not take them).

    Only numbers already taken from the sequence, and not in use: no
    document of the range may be signed, waiting, authorised, denied or
    cancelled (a rejected one may: it becomes *inutilized*), nor in a range
    already inutilized. The justification has 15 to 255 characters and is
    the request's xJust.

    Writes the NumberGap with the answer (and when registered its
    ``ProcInutNFe`` in the archive, the rejected documents of the range
    marked inutilized, their orders' timelines), and an audit entry.
    Raises FiscalRefused, PermissionDenied, AuthoriserError (nothing
    recorded), AuthoriserRejected (the rejection recorded).
    """
    check_may_issue(user, emitter)
    environment = environment or emitter.environment
    reason = _clean(reason)
    low, high = JUSTIFICATION
    if not low <= len(reason) <= high:
        raise FiscalRefused(
            _("The justification must have %(low)s to %(high)s characters.")
            % {"low": low, "high": high}
        )
    if not 1 <= first <= last:
        raise FiscalRefused(_("Give a range of numbers, the first not above the last."))
    request = _read_inutilization(xml)
    if (
        request.cnpj != emitter.cnpj
        or (request.series, request.first, request.last) != (series, first, last)
        or request.environment != environment
        or request.reason != reason
    ):
        raise FiscalRefused(
            _(
                "The inutilization's XML is not for numbers %(first)s to %(last)s "
                "of série %(series)s of this emitter, with this justification."
            )
            % {"first": first, "last": last, "series": series}
        )
    sequence = NumberSequence.objects.filter(
        emitter=emitter, series=series, environment=environment
    ).first()
    if sequence is None or last >= sequence.next_number:
        raise FiscalRefused(
            _(
                "Only numbers already taken can be inutilized: série %(series)s "
                "has used up to %(used)s."
            )
            % {"series": series, "used": (sequence.next_number - 1) if sequence else 0}
        )
    in_range = FiscalDocument.objects.filter(
        emitter=emitter,
        environment=environment,
        series=series,
        number__gte=first,
        number__lte=last,
    )
    used = in_range.exclude(status__in=(S.REJECTED, S.INUTILIZED, S.DRAFT))
    if used.exists():
        raise FiscalRefused(
            _("Number %(number)s of the range is in use (%(status)s).")
            % {
                "number": used.first().number,
                "status": used.first().get_status_display(),
            }
        )
    if _overlapping(emitter, environment, series, first, last).exists():
        raise FiscalRefused(_("Part of this range is already inutilized."))
    with closing(
        authoriser_for(emitter, contingency=False, environment=environment)
    ) as authoriser:
        result = authoriser.inutilize(xml)
    with transaction.atomic():
        gap = NumberGap.objects.create(
            emitter=emitter,
            environment=environment,
            series=series,
            first_number=first,
            last_number=last,
            reason=reason,
            xml=xml,
            status_code=result.status_code[:4],
            status_reason=result.reason[:255],
            protocol=result.protocol if result.registered else "",
            registered_at=(result.registered_at or timezone.now())
            if result.registered
            else None,
            proc_xml=inutilization_proc(xml, result.xml) if result.registered else "",
            created_by=user,
        )
        log_change(
            gap,
            "fiscal.inutilize",
            user=user,
            series=series,
            first=first,
            last=last,
            status_code=gap.status_code,
            reason=gap.status_reason,
            protocol=gap.protocol,
        )
        if result.registered:
            ArchivedXml.objects.create(
                kind=ArchivedXmlKind.INUTILIZATION,
                emitter=emitter,
                access_key=request.identity[:44],
                number=first,
                issued_at=gap.registered_at,
                content=gap.proc_xml,
            )
            for document in (
                in_range.filter(status=S.REJECTED)
                .select_for_update(of=("self",))
                .select_related("order")
            ):
                before = document.status
                document.status = S.INUTILIZED
                document.save(update_fields=["status", "updated_at"])
                log_change(
                    document,
                    "fiscal.inutilize",
                    user=user,
                    changes={"status": [before, document.status]},
                    protocol=gap.protocol,
                )
                if document.order_id:
                    timeline_entry(
                        document,
                        _("NF-e number %(number)s inutilized (protocol %(protocol)s).")
                        % {"number": document.number, "protocol": gap.protocol},
                    )
    if not result.registered:
        raise AuthoriserRejected(
            _("The authoriser refused the inutilization: %(code)s – %(reason)s")
            % {"code": gap.status_code, "reason": gap.status_reason},
            status_code=gap.status_code,
            record=gap,
        )
    return gap


def _overlapping(emitter, environment, series, first, last):
    return NumberGap.objects.filter(
        Q(first_number__lte=last) & Q(last_number__gte=first),
        emitter=emitter,
        environment=environment,
        series=series,
        status_code=Code.INUTILIZED,
    )
