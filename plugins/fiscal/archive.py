"""The fiscal archive: every XML of the legal record, kept as it was received
or produced, for at least five years.

* **What goes in**: the authorised NF-e (``nfeProc``) the store issues, the
  registered events (cancellation, CC-e: ``procEventoNFe``), the
  inutilizações and the suppliers' NF-e received. :func:`archive` stores one;
  :func:`archive_document`, :func:`archive_event` and :func:`archive_gap` take
  what they need from the rows that carry them.
* **Stored once**: a row is identified by the SHA-256 of its content;
  archiving the same content again returns the row already there.
* **Never changed, never deleted**: the model refuses ``save()`` after
  creation and ``delete()`` (also on querysets); on PostgreSQL a trigger
  refuses ``UPDATE`` and ``DELETE`` on the table whoever sends them
  (migration ``0004_archive_guard``). There is no delete path at all: no
  screen, command or service removes a row, so a row is kept at least the
  five years the law asks (the NF-e's Ajuste SINIEF 07/05, cláusula
  décima, and the Código Tributário Nacional, arts. 173 and 195) — in
  practice for as long as the database lives.
* **Checked when read**: :func:`read` compares the content with its hash and
  refuses a row that no longer matches (:class:`ArchiveTampered`); the
  ``check_fiscal_archive`` command checks every row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from lxml import etree

from plugins.exceptions import RetaguardaError
from plugins.fiscal.models import (
    ArchivedXml,
    Emitter,
    FiscalDocument,
    FiscalEvent,
    NumberGap,
    Operation,
)
from plugins.fiscal.models.documents import ArchivedXmlKind

__all__ = [
    "ArchiveError",
    "ArchiveTampered",
    "ArchivedXmlKind",
    "archive",
    "archive_document",
    "archive_event",
    "archive_gap",
    "read",
    "tampered",
]

#: Rows read at a time when the whole archive is checked.
CHECK_CHUNK = 500


class ArchiveError(RetaguardaError):
    """What was handed to the archive is not an XML document."""

    code = "fiscal-archive-invalid"


class ArchiveTampered(RetaguardaError):
    """An archived XML whose content no longer matches the hash it was
    stored with: changed behind the application's back."""

    status = 409
    code = "fiscal-archive-tampered"

    def __init__(self, row: ArchivedXml):
        super().__init__(
            _(
                "The archived XML %(key)s (%(kind)s) no longer matches the hash "
                "it was stored with: it was changed outside the system."
            )
            % {"key": row.access_key, "kind": row.get_kind_display()}
        )
        self.row = row


def _check_xml(content: str) -> None:
    if not content or not content.strip():
        raise ArchiveError(_("There is no XML to archive."))
    try:
        etree.fromstring(content.encode("utf-8"))
    except etree.XMLSyntaxError as error:
        raise ArchiveError(
            _("This is not a well-formed XML document: %(error)s") % {"error": error}
        ) from None


def archive(
    kind: str,
    content: str,
    *,
    emitter: Emitter | None,
    document: FiscalDocument | None = None,
    key: str,
    number: int | None,
    issued_at: datetime.datetime,
    party_document: str = "",
    party_name: str = "",
) -> ArchivedXml:
    """Store ``content`` (an XML document, as text, never re-serialised) in
    the archive and return its row.

    Idempotent by content: the same content archived again returns the row
    stored the first time (its other arguments are not compared), also when
    two transactions archive it at once. ``kind`` is an
    :class:`ArchivedXmlKind`; ``key`` the access key (or the inutilização's
    id); ``party_document``/``party_name`` the customer's or the supplier's
    CPF/CNPJ and name, for searching.

    Raises :class:`ArchiveError` when ``content`` is not well-formed XML or
    ``kind`` is unknown. Writes inside a savepoint of the caller's
    transaction; logs nothing itself (the service that archives logs its
    operation).
    """
    if kind not in ArchivedXmlKind.values:
        raise ArchiveError(_("Unknown kind of archived XML: %(kind)s") % {"kind": kind})
    _check_xml(content)
    digest = ArchivedXml.digest(content)
    found = ArchivedXml.objects.filter(sha256=digest).first()
    if found is not None:
        return found
    row = ArchivedXml(
        kind=kind,
        content=content,
        emitter=emitter,
        document=document,
        access_key=key or "",
        number=number,
        issued_at=issued_at,
        party_document=(party_document or "")[:14],
        party_name=(party_name or "")[:150],
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Archived by another transaction in the meantime.
        found = ArchivedXml.objects.filter(sha256=digest).first()
        if found is None:
            raise
        return found
    return row


def archive_document(document: FiscalDocument) -> ArchivedXml:
    """Archive an NF-e's ``nfeProc``: one the store issued, or a supplier's
    NF-e received (``Operation.PURCHASE``)."""
    received = document.operation == Operation.PURCHASE
    content = document.proc_xml or (document.xml if received else "")
    if not content:
        raise ArchiveError(
            _("NF-e %(number)s has no authorised XML to archive.")
            % {"number": document.number}
        )
    return archive(
        ArchivedXmlKind.RECEIVED if received else ArchivedXmlKind.ISSUED,
        content,
        emitter=document.emitter,
        document=document,
        key=document.access_key,
        number=document.number,
        issued_at=document.issued_at,
        party_document=document.recipient_document,
        party_name=document.recipient_name,
    )


def archive_event(event: FiscalEvent) -> ArchivedXml:
    """Archive a registered event (``procEventoNFe``)."""
    if not event.proc_xml:
        raise ArchiveError(_("The event was not registered: nothing to archive."))
    document = event.document
    return archive(
        ArchivedXmlKind.EVENT,
        event.proc_xml,
        emitter=document.emitter,
        document=document,
        key=document.access_key,
        number=document.number,
        issued_at=event.registered_at or event.created_at,
        party_document=document.recipient_document,
        party_name=document.recipient_name,
    )


def inutilization_id(content: str) -> str:
    """The id of an inutilização (``infInut/@Id`` without its ``ID``
    prefix: UF, year, CNPJ, model, série and the range)."""
    root = etree.fromstring(content.encode("utf-8"))
    for element in root.iter("{*}infInut"):
        return (element.get("Id") or "").removeprefix("ID")[:44]
    return ""


def archive_gap(gap: NumberGap) -> ArchivedXml:
    """Archive a registered inutilização (``procInutNFe``)."""
    if not gap.proc_xml:
        raise ArchiveError(
            _("The inutilização was not registered: nothing to archive.")
        )
    return archive(
        ArchivedXmlKind.INUTILIZATION,
        gap.proc_xml,
        emitter=gap.emitter,
        key=inutilization_id(gap.proc_xml),
        number=gap.first_number,
        issued_at=gap.registered_at or gap.created_at,
    )


def read(row: ArchivedXml) -> str:
    """The archived XML, after checking it against its hash.

    Raises :class:`ArchiveTampered` when the content no longer matches."""
    if not row.intact:
        raise ArchiveTampered(row)
    return row.content


def tampered(queryset=None) -> Iterator[ArchivedXml]:
    """The rows of ``queryset`` (the whole archive by default) whose content
    no longer matches their hash, read a chunk at a time."""
    rows = ArchivedXml.objects.all() if queryset is None else queryset
    for row in rows.order_by("pk").iterator(chunk_size=CHECK_CHUNK):
        if not row.intact:
            yield row
