"""The inutilização of NF-e numbers taken that will never be authorised
(NFeInutilizacao4): the signed request checked against what is asked,
refused when a number of the range is in use, sent, and its answer recorded
(the ``ProcInutNFe`` — the signed request and the authoriser's
``retInutNFe`` joined as text — in the archive)."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from plugins.audit import log_change
from plugins.fiscal import events as event_xml
from plugins.fiscal import formats as fmt
from plugins.fiscal.archive import archive_gap
from plugins.fiscal.authoriser import NFE_NAMESPACE, Code
from plugins.fiscal.exceptions import AuthoriserRejected, FiscalRefused, FiscalXmlError
from plugins.fiscal.models import (
    DocumentStatus,
    Emitter,
    FiscalDocument,
    NumberGap,
    NumberSequence,
)
from plugins.fiscal.services.authorisers import (
    authoriser_for,
    check_may_issue,
    emitter_certificate,
)
from plugins.fiscal.services.events import JUSTIFICATION, clean_text
from plugins.fiscal.services.timeline import timeline_entry
from plugins.fiscal.soap import strip_declaration
from plugins.fiscal.xsd import SchemaError

S = DocumentStatus
NFE = f"{{{NFE_NAMESPACE}}}"
#: The most numbers one inutilização takes: a larger range is almost always
#: a slip of the keyboard, and a number inutilized is never used again.
MAX_RANGE = 1000


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

    Checks :func:`check_range` (numbers taken, not in use, not inutilized
    before, at most :data:`MAX_RANGE`, the justification's length), then
    that the XML asks exactly this. The justification is the request's
    xJust.

    Writes the NumberGap with the answer (and when registered its
    ``ProcInutNFe`` in the archive, the rejected documents of the range
    marked inutilized, their orders' timelines), and an audit entry.
    Raises FiscalRefused (``extra["field"]`` names the input at fault),
    PermissionDenied, AuthoriserError (nothing recorded), AuthoriserRejected
    (the rejection recorded).
    """
    check_may_issue(user, emitter)
    environment = environment or emitter.environment
    reason = clean_text(reason)
    in_range = check_range(
        emitter,
        series=series,
        first=first,
        last=last,
        reason=reason,
        environment=environment,
    )
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
            archive_gap(gap)
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


def check_range(
    emitter: Emitter,
    *,
    series: int,
    first: int,
    last: int,
    reason: str,
    environment: str | None = None,
):
    """Refuse (FiscalRefused, ``extra["field"]`` naming the input at fault)
    what cannot be inutilized: a justification outside 15–255 characters;
    a range that is not one (the first above the last, below 1) or holds
    more than :data:`MAX_RANGE` numbers; numbers the série has not reached
    yet; a number of a document signed, waiting, authorised, denied or
    cancelled (a rejected one may be inutilized); part of a range already
    inutilized. Returns the série's documents in the range."""
    environment = environment or emitter.environment
    low, high = JUSTIFICATION
    if not low <= len(clean_text(reason)) <= high:
        raise FiscalRefused(
            _("The justification must have %(low)s to %(high)s characters.")
            % {"low": low, "high": high},
            field="reason",
        )
    if not 1 <= first <= last:
        raise FiscalRefused(
            _("Give a range of numbers, the first not above the last."),
            field="last" if first >= 1 else "first",
        )
    if last - first + 1 > MAX_RANGE:
        raise FiscalRefused(
            _(
                "A range of %(count)s numbers is too big: inutilize at most "
                "%(max)s numbers at a time."
            )
            % {"count": last - first + 1, "max": MAX_RANGE},
            field="last",
        )
    sequence = NumberSequence.objects.filter(
        emitter=emitter, series=series, environment=environment
    ).first()
    if sequence is None or sequence.next_number <= 1:
        raise FiscalRefused(
            _(
                "Only numbers already taken can be inutilized: série %(series)s "
                "has used none yet."
            )
            % {"series": series},
            field="last",
        )
    if last >= sequence.next_number:
        raise FiscalRefused(
            _(
                "Only numbers already taken can be inutilized: série %(series)s "
                "has used up to %(used)s."
            )
            % {"series": series, "used": sequence.next_number - 1},
            field="last",
        )
    in_range = FiscalDocument.objects.filter(
        emitter=emitter,
        environment=environment,
        series=series,
        number__gte=first,
        number__lte=last,
    )
    used = (
        in_range.exclude(status__in=(S.REJECTED, S.INUTILIZED, S.DRAFT))
        .order_by("number")
        .first()
    )
    if used is not None:
        raise FiscalRefused(
            _("Number %(number)s of the range is in use (%(status)s).")
            % {"number": used.number, "status": used.get_status_display()},
            field="first",
        )
    overlapping = (
        _overlapping(emitter, environment, series, first, last)
        .order_by("first_number")
        .first()
    )
    if overlapping is not None:
        raise FiscalRefused(
            _(
                "Part of this range is already inutilized (numbers %(first)s to "
                "%(last)s, protocol %(protocol)s)."
            )
            % {
                "first": overlapping.first_number,
                "last": overlapping.last_number,
                "protocol": overlapping.protocol,
            },
            field="first",
        )
    return in_range


def inutilize(
    emitter: Emitter,
    *,
    series: int,
    first: int,
    last: int,
    justification: str,
    user,
) -> NumberGap:
    """Build, sign and send the inutilização of numbers ``first``–``last``
    of ``emitter``'s ``series`` in the emitter's environment, this year
    (:func:`inutilize_numbers` checks, sends and records it). What would be
    refused is refused before anything is built (:func:`check_range`); the
    justification is written as the schema takes it (Latin-1, single
    spaces). Raises as :func:`inutilize_numbers` does."""
    check_may_issue(user, emitter)
    reason = fmt.text(clean_text(justification), JUSTIFICATION[1] + 1) or ""
    check_range(emitter, series=series, first=first, last=last, reason=reason)
    certificate = emitter_certificate(emitter)
    if certificate is None:
        raise FiscalRefused(
            _("The emitter %(emitter)s has no A1 certificate.") % {"emitter": emitter}
        )
    try:
        signed = event_xml.inutilization(
            emitter=emitter,
            year=fmt.local_time(timezone.now(), emitter.uf).year,
            series=series,
            first=first,
            last=last,
            justification=reason,
            certificate=certificate,
            environment=emitter.environment,
        )
    except (FiscalXmlError, SchemaError) as error:
        raise FiscalRefused(str(error)) from error
    return inutilize_numbers(
        emitter,
        series=series,
        first=first,
        last=last,
        reason=reason,
        xml=signed.xml,
        user=user,
    )


def _overlapping(emitter, environment, series, first, last):
    return NumberGap.objects.filter(
        Q(first_number__lte=last) & Q(last_number__gte=first),
        emitter=emitter,
        environment=environment,
        series=series,
        status_code=Code.INUTILIZED,
    )
