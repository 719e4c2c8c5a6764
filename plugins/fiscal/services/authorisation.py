"""Sending NF-e to the authoriser and recording what it answers.

A document is built and signed elsewhere (status *signed*, its ``xml`` the
signed text); :func:`send_documents` hands it to its emitter's authoriser —
alone (synchronous) or in batches of up to 50 (a receipt, fetched at once
and, while the authoriser is still processing, later) — and records each
answer in its own transaction:

- **authorised** (100/150): the protocol, the ``nfeProc`` (the signed NF-e and
  the authoriser's ``protNFe`` joined as text, never parsed and written
  again), the archive's copy, an entry on the order's timeline and the
  order's move to invoiced (:func:`on_authorised`);
- **denied** (110, 301, 302 …): the number is spent; the ``nfeProc`` is
  kept and archived too, the order stays where it was;
- **rejected** (any other code): the code and reason, on the order's
  timeline too; the order stays where it was. The document is built again
  (or its number inutilized);
- **the authoriser could not be reached** (a timeout, a refused connection,
  HTTP 5xx, "serviço paralisado"): the document waits, and
  ``next_attempt_at`` says when it goes again (30 s, then twice as long each
  time, up to 30 min). :func:`resend_due` (the task
  ``resend_due_documents`` and the command ``fiscal_resend``, run by cron)
  sends the documents whose time has come.

While an emitter is in contingency, its documents go to the UF's SVC
(:mod:`.authorisers`, ``plugins.fiscal.emitters.switch_contingency``). A
document goes to the authoriser its tpEmis names; one not yet received by an
authoriser whose tpEmis no longer fits the emitter's (built just before a
switch, or waiting while the authoriser was down) is built again for the
authoriser now in use before it is sent — unless an earlier answer about it
was lost, which keeps it with the authoriser it went to.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from lxml import etree

from plugins.audit import log_change
from plugins.fiscal import archive as fiscal_archive
from plugins.fiscal.authoriser import (
    MAX_BATCH,
    NFE_NAMESPACE,
    AuthoriserError,
    BatchResult,
    ConsultResult,
    DocumentResult,
    UnexpectedAnswer,
)
from plugins.fiscal.certificates import CertificateError
from plugins.fiscal.exceptions import FiscalXmlError
from plugins.fiscal.models import (
    ArchivedXml,
    DocumentStatus,
    Emitter,
    FiscalDocument,
)
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.sefaz import SefazAuthoriser
from plugins.fiscal.services.authorisers import (
    authoriser_for,
    check_may_issue,
    emission_type,
    rebuild_for_authoriser,
)
from plugins.fiscal.services.timeline import on_authorised, on_refused, timeline_entry
from plugins.fiscal.soap import strip_declaration
from plugins.fiscal.xsd import SchemaError

logger = logging.getLogger(__name__)

S = DocumentStatus
#: The first wait after the authoriser could not be reached; each next wait
#: is twice the one before, up to ``MAX_RETRY_SECONDS``.
RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 30 * 60
#: A document handed to the authoriser is not taken again by another worker
#: for this long (longer than any answer is awaited).
IN_FLIGHT = datetime.timedelta(minutes=2)
#: A document signed this long ago and never sent was left behind by a
#: process that stopped between recording it and sending it.
ORPHAN_AFTER = datetime.timedelta(minutes=5)


@dataclass
class Sent:
    """What became of the documents given to :func:`send_documents` (their
    primary keys)."""

    authorised: list[int] = field(default_factory=list)
    denied: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    #: to be sent again (or their receipt fetched) at ``next_attempt_at``
    waiting: list[int] = field(default_factory=list)
    #: not sent: not in a status that is sent, or an error that sending
    #: again will not mend (the document is back to "signed", with the reason)
    not_sent: list[int] = field(default_factory=list)

    def add(self, other: Sent) -> None:
        for name, values in asdict(other).items():
            getattr(self, name).extend(values)

    def as_dict(self) -> dict[str, list[int]]:
        return asdict(self)


# -- Sending -----------------------------------------------------------------------


def send_documents(documents: Iterable[FiscalDocument | int], *, user=None) -> Sent:
    """Send signed NF-e to their authorisers and record the answers (see the
    module's docstring).

    Takes documents that are *signed*, or *sent* and due for another attempt
    (``next_attempt_at`` past) — each under a row lock, so two workers never
    send one document at once; others are skipped (``Sent.not_sent``).
    Groups them per emitter and environment, in batches of up to 50. Makes
    network calls: run it outside a transaction (a task, a command). Each
    answer is written in its own transaction, with its audit entry, timeline
    entry and the order's transition (:func:`on_authorised`).

    Raises PermissionDenied when ``user`` may not issue for one of the
    emitters (before anything is sent).
    """
    pks = [d.pk if isinstance(d, FiscalDocument) else int(d) for d in documents]
    if user is not None:
        for emitter in Emitter.objects.filter(documents__pk__in=pks).distinct():
            check_may_issue(user, emitter)
    return _send(pks, user=user, now=timezone.now())


def _send(pks: list[int], *, user, now: datetime.datetime) -> Sent:
    sent = Sent()
    claimed = _claim(pks, now)
    claimed_pks = {d.pk for d in claimed}
    sent.not_sent += [pk for pk in pks if pk not in claimed_pks]
    groups: dict[tuple, list[FiscalDocument]] = defaultdict(list)
    for document in claimed:
        if document.receipt:
            # received by an authoriser: its answer is fetched from it
            contingency = document.in_contingency
        else:
            if not _fits_authoriser(document, sent, user):
                continue
            contingency = emission_type_of(document) != "1"
        groups[(document.emitter_id, document.environment, contingency)].append(
            document
        )
    for (_emitter, environment, contingency), group in groups.items():
        sent.add(_send_group(group, environment, contingency, user))
    return sent


def resend_due(
    *, now: datetime.datetime | None = None, emitter: Emitter | None = None
) -> Sent:
    """Send again the documents waiting for the authoriser whose
    ``next_attempt_at`` has come (or fetch their batch's receipt), and send
    those signed more than :data:`ORPHAN_AFTER` ago and never sent (their
    process stopped before sending them: they hold their number and count
    as the order's NF-e, so they must reach the authoriser)."""
    now = now or timezone.now()
    due = FiscalDocument.objects.filter(
        Q(status=S.SENT, next_attempt_at__lte=now)
        | Q(status=S.SIGNED, attempts=0, updated_at__lte=now - ORPHAN_AFTER)
    )
    if emitter is not None:
        due = due.filter(emitter=emitter)
    pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
    return _send(pks, user=None, now=now)


def emission_type_of(document: FiscalDocument) -> str:
    """The tpEmis the document was built with (its access key's 35th
    digit): "1" normal, "6" SVC-AN, "7" SVC-RS."""
    return document.access_key[34:35] or "1"


def _fits_authoriser(document: FiscalDocument, sent: Sent, user) -> bool:
    """Make a document not yet received by an authoriser fit the one its
    emitter sends to now: one built in normal emission while the emitter is
    in contingency (or the other way round) is built again — tpEmis 6/7 with
    dhCont and xJust, or 1 without them; a new access key with the same
    number — validated and signed again (see
    :func:`plugins.fiscal.services.authorisers.rebuild_for_authoriser`).
    A document whose earlier answer was lost stays as it is: the authoriser
    it went to may have it, so it goes there again. Returns False when it
    could not be built again (it is back to "signed", with the reason)."""
    if document.answer_lost:
        return True
    wanted = emission_type(document.emitter)
    if emission_type_of(document) == wanted:
        return True
    try:
        rebuild_for_authoriser(document, emission_type=wanted, user=user)
    except (CertificateError, FiscalXmlError, SchemaError) as error:
        _failed([document], error, sent)
        return False
    return True


def _claim(pks: list[int], now: datetime.datetime) -> list[FiscalDocument]:
    """Lock the documents that may be sent ``now`` and mark them in flight."""
    with transaction.atomic():
        documents = list(
            FiscalDocument.objects.select_for_update(of=("self",))
            .select_related("emitter")
            .filter(pk__in=pks)
            .filter(
                Q(status=S.SIGNED)
                | Q(status=S.SENT)
                & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            )
            .order_by("pk")
        )
        for document in documents:
            document.status = S.SENT
            document.attempts = min(document.attempts + 1, 32_767)
            document.next_attempt_at = now + IN_FLIGHT
            # an empty reason marks it in flight (see resend_after_contingency_switch)
            document.status_code = ""
            document.status_reason = ""
            document.updated_at = now
        FiscalDocument.objects.bulk_update(
            documents,
            [
                "status",
                "attempts",
                "next_attempt_at",
                "status_code",
                "status_reason",
                "updated_at",
            ],
        )
    return documents


def _send_group(
    documents: list[FiscalDocument], environment: str, contingency: bool, user
) -> Sent:
    sent = Sent()
    emitter = documents[0].emitter
    try:
        authoriser = authoriser_for(
            emitter, contingency=contingency, environment=environment
        )
    except (AuthoriserError, CertificateError) as error:
        _failed(documents, error, sent)
        return sent
    with closing(authoriser):
        receipts: dict[str, list[FiscalDocument]] = defaultdict(list)
        fresh = []
        for document in documents:
            if document.receipt:
                receipts[document.receipt].append(document)
            else:
                fresh.append(document)
        for receipt, batch in receipts.items():
            _fetch(authoriser, receipt, batch, sent, user)
        for start in range(0, len(fresh), MAX_BATCH):
            _send_batch(authoriser, fresh[start : start + MAX_BATCH], sent, user)
    return sent


def _send_batch(
    authoriser: SefazAuthoriser, documents: list[FiscalDocument], sent: Sent, user
) -> None:
    try:
        batch = authoriser.authorise(
            [document.xml for document in documents], batch_id=str(documents[0].pk)
        )
    except AuthoriserError as error:
        _failed(documents, error, sent)
        return
    if batch.pending and batch.receipt:
        _fetch(authoriser, batch.receipt, documents, sent, user, first=batch)
        return
    _apply_batch(authoriser, documents, batch, sent, user)


def _fetch(
    authoriser: SefazAuthoriser,
    receipt: str,
    documents: list[FiscalDocument],
    sent: Sent,
    user,
    *,
    first: BatchResult | None = None,
) -> None:
    """The answer of the batch ``receipt``; while it is processed, the
    documents wait for the next attempt."""
    try:
        batch = authoriser.fetch_receipt(receipt)
    except AuthoriserError as error:
        if first is None:
            _failed(documents, error, sent)
            return
        batch = first  # received: its receipt is fetched later
    if batch.pending:
        seconds = max(
            batch.average_seconds or (first and first.average_seconds) or 1, 1
        )
        _wait(documents, authoriser, receipt, batch, seconds, sent)
        return
    if not batch.documents and batch.status_code == "106":
        # the authoriser does not know the receipt: send the documents again
        _wait(documents, authoriser, "", batch, 0, sent)
        return
    _apply_batch(authoriser, documents, batch, sent, user)


def _apply_batch(
    authoriser: SefazAuthoriser,
    documents: list[FiscalDocument],
    batch: BatchResult,
    sent: Sent,
    user,
) -> None:
    for document in documents:
        result = batch.result_for(document.access_key)
        if result.duplicate:
            try:
                result = _resolve_duplicate(authoriser, document, result)
            except AuthoriserError as error:
                _failed([document], error, sent)
                continue
        _apply(document, result, authoriser, sent, user)


def _resolve_duplicate(
    authoriser: SefazAuthoriser, document: FiscalDocument, result: DocumentResult
) -> DocumentResult:
    """A duplicate (204): the authoriser has this access key already. When
    what it has is this very document (the same digest: an earlier attempt
    whose answer was lost), its protocol is this document's."""
    consulted = authoriser.consult(document.access_key)
    protocol = consulted.protocol
    if (
        protocol is not None
        and (protocol.authorised or protocol.denied)
        and protocol.digest
        and protocol.digest == document_digest(document.xml)
    ):
        return protocol
    return result


def document_digest(xml: str) -> str:
    """The DigestValue of a signed document's signature."""
    root = etree.fromstring(xml.encode("utf-8"))
    found = root.find(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    return (found.text or "").strip() if found is not None else ""


def nfe_proc(signed_nfe: str, protocol_xml: str) -> str:
    """The ``nfeProc``: the signed NF-e and the authoriser's ``protNFe``,
    joined as they are."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<nfeProc xmlns="{NFE_NAMESPACE}" versao="4.00">'
        f"{strip_declaration(signed_nfe)}{protocol_xml}</nfeProc>"
    )


def _apply(
    document: FiscalDocument,
    result: DocumentResult,
    authoriser: SefazAuthoriser,
    sent: Sent,
    user,
) -> None:
    """Record the authoriser's answer about one document."""
    with transaction.atomic():
        locked = (
            FiscalDocument.objects.select_for_update(of=("self",))
            .select_related("emitter", "order")
            .get(pk=document.pk)
        )
        if locked.status != S.SENT:
            sent.not_sent.append(locked.pk)  # answered meanwhile
            return
        before = locked.status
        locked.status_code = result.status_code[:4]
        locked.status_reason = result.reason[:255]
        locked.receipt = ""
        locked.next_attempt_at = None
        locked.in_contingency = authoriser.contingency
        if result.authorised:
            locked.status = S.AUTHORISED
            locked.protocol = result.protocol
            locked.authorised_at = result.received_at or timezone.now()
            locked.proc_xml = nfe_proc(locked.xml, result.xml)
            action, bucket = "fiscal.authorise", sent.authorised
        elif result.denied:
            locked.status = S.DENIED
            locked.protocol = result.protocol
            if result.xml:
                locked.proc_xml = nfe_proc(locked.xml, result.xml)
            action, bucket = "fiscal.deny", sent.denied
        else:
            locked.status = S.REJECTED
            action, bucket = "fiscal.reject", sent.rejected
        locked.save()
        if locked.proc_xml:
            archive(locked, locked.proc_xml)
        log_change(
            locked,
            action,
            user=user,
            changes={"status": [before, locked.status]},
            status_code=locked.status_code,
            reason=locked.status_reason,
            protocol=locked.protocol,
            authoriser=authoriser.name,
        )
        if locked.status == S.AUTHORISED:
            on_authorised(locked, user=user)
        else:
            on_refused(locked)
        bucket.append(locked.pk)
    document.status = locked.status


def archive(document: FiscalDocument, content: str) -> ArchivedXml:
    """Keep the document's authorised (or denied) XML in the archive."""
    return fiscal_archive.archive(
        ArchivedXmlKind.ISSUED,
        content,
        emitter=document.emitter,
        document=document,
        key=document.access_key,
        number=document.number,
        issued_at=document.issued_at,
        party_document=document.recipient_document,
        party_name=document.recipient_name,
    )


def _failed(documents: list[FiscalDocument], error: Exception, sent: Sent) -> None:
    """The authoriser could not be reached (or the call could not be made):
    the documents wait for another attempt when trying again can succeed,
    and go back to "signed" otherwise."""
    retryable = getattr(error, "retryable", False)
    # no answer, or one that could not be read: the authoriser may have it
    lost = getattr(error, "answer_lost", False) or (
        isinstance(error, UnexpectedAnswer) and retryable
    )
    now = timezone.now()
    message = str(error)[:255]
    code = getattr(error, "status_code", "")[:4]
    later = None
    with transaction.atomic():
        for document in (
            FiscalDocument.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(pk__in=[d.pk for d in documents], status=S.SENT)
        ):
            document.status_code = code
            document.status_reason = message
            document.answer_lost = document.answer_lost or lost
            if retryable:
                seconds = min(
                    RETRY_SECONDS * 2 ** max(document.attempts - 1, 0),
                    MAX_RETRY_SECONDS,
                )
                document.next_attempt_at = now + datetime.timedelta(seconds=seconds)
                later = min(later or document.next_attempt_at, document.next_attempt_at)
                sent.waiting.append(document.pk)
                if document.attempts == 1 and document.order_id:
                    timeline_entry(
                        document,
                        _(
                            "NF-e %(number)s could not be sent: %(reason)s It goes "
                            "again at %(time)s."
                        )
                        % {
                            "number": document.number,
                            "reason": message,
                            "time": date_format(
                                timezone.localtime(document.next_attempt_at),
                                "H:i",
                            ),
                        },
                    )
            else:
                document.status = S.SIGNED
                document.next_attempt_at = None
                document.receipt = ""
                sent.not_sent.append(document.pk)
                if document.order_id:
                    timeline_entry(
                        document,
                        _("NF-e %(number)s was not sent: %(reason)s")
                        % {"number": document.number, "reason": message},
                    )
            document.save()
        if later is not None:
            _schedule(later)
    logger.warning(
        "NF-e %s: %s (%s)",
        ", ".join(str(d.number) for d in documents),
        error,
        "retrying" if retryable else "not sent",
    )


def _wait(
    documents: list[FiscalDocument],
    authoriser: SefazAuthoriser,
    receipt: str,
    batch: BatchResult,
    seconds: int,
    sent: Sent,
) -> None:
    """The batch was received and is being processed: its receipt is
    fetched in ``seconds``."""
    when = timezone.now() + datetime.timedelta(seconds=seconds)
    with transaction.atomic():
        FiscalDocument.objects.filter(
            pk__in=[d.pk for d in documents], status=S.SENT
        ).update(
            receipt=receipt,
            in_contingency=authoriser.contingency,
            next_attempt_at=when,
            status_code=batch.status_code[:4],
            status_reason=batch.reason[:255] or "…",
            updated_at=timezone.now(),
        )
        _schedule(when)
    sent.waiting += [d.pk for d in documents]


def _schedule(when: datetime.datetime) -> None:
    """Run :func:`resend_due` at ``when`` on a task backend that can wait
    (cron's ``fiscal_resend`` covers the others)."""
    from plugins.fiscal.tasks import resend_due_documents

    if not resend_due_documents.get_backend().supports_defer:
        return
    transaction.on_commit(lambda: resend_due_documents.using(run_after=when).enqueue())


# -- Consulting the authoriser -----------------------------------------------------


def consult_document(document: FiscalDocument, *, user=None) -> ConsultResult:
    """Ask the authoriser about ``document`` (NFeConsultaProtocolo4). A
    document still waiting for its answer whose authorisation (or denial)
    the authoriser has — this very document, by its digest — is recorded as
    such. Raises AuthoriserError, PermissionDenied."""
    check_may_issue(user, document.emitter)
    with closing(
        authoriser_for(
            document.emitter,
            contingency=document.in_contingency,
            environment=document.environment,
        )
    ) as authoriser:
        consulted = authoriser.consult(document.access_key)
    protocol = consulted.protocol
    document.refresh_from_db(fields=["status"])
    if (
        document.status == S.SENT
        and protocol is not None
        and (protocol.authorised or protocol.denied)
        and protocol.digest == document_digest(document.xml)
    ):
        _apply(document, protocol, authoriser, Sent(), user)
    return consulted
