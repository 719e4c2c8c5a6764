"""The DANFE (Documento Auxiliar da NF-e): the PDF printed from the authorised
XML, with ``brazilfiscalreport``.

The layout is the one in force on the NF-e's issue date (the library's
``DanfeLayout.AUTO``: MOC 7.0 before 1 December 2026, NT 2026.010 from then
on), so the same XML always prints the same DANFE. The library marks the
DANFE of the homologation environment (``tpAmb`` 2) and of an XML without
its protocol "SEM VALOR FISCAL" itself; a cancelled NF-e is marked
"CANCELADA".

The PDF is rendered on demand from the stored XML, never stored: it is
derived data and the XML is the legal record. Rendering takes about 0.1 s for
a one-line NF-e and 0.4 s for forty lines, so a rendered PDF is kept in the
cache for an hour (keyed by the XML's hash and the cancellation mark: an XML
never changes), for the e-mail, the admin and the customer's downloads of
the same document.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext as _

from plugins.exceptions import RetaguardaError
from plugins.fiscal.models import DocumentStatus, FiscalDocument, Operation

PDF_CONTENT_TYPE = "application/pdf"
XML_CONTENT_TYPE = "application/xml"
#: How long a rendered DANFE stays in the cache.
CACHE_SECONDS = 3600

#: Statuses whose XML carries the authoriser's protocol (``nfeProc``).
WITH_DANFE = (DocumentStatus.AUTHORISED, DocumentStatus.CANCELLED)


class NoDanfe(RetaguardaError):
    """The document has no authorised XML to print."""

    status = 404
    code = "fiscal-no-danfe"


def has_danfe(document: FiscalDocument) -> bool:
    """Whether ``document`` has an authorised XML to print and download: an
    NF-e authorised (or authorised and later cancelled), or a supplier's NF-e
    received."""
    if document.operation == Operation.PURCHASE:
        return bool(document.proc_xml or document.xml)
    return document.status in WITH_DANFE and bool(document.proc_xml)


def document_xml(document: FiscalDocument) -> str:
    """The XML given out for ``document``: the ``nfeProc`` (the signed NF-e
    and its protocol), as stored."""
    if not has_danfe(document):
        raise NoDanfe(_("This NF-e has no authorised XML."))
    return document.proc_xml or document.xml


def render_pdf(xml: str, *, cancelled: bool = False, whole_units: bool = True) -> bytes:
    """The DANFE of ``xml`` (an ``nfeProc`` or an ``NFe``) as PDF bytes.

    ``cancelled`` marks it CANCELADA; ``whole_units`` prints quantities
    without decimals and unit prices with two (what the store sells),
    otherwise as the library does (four places)."""
    from brazilfiscalreport.danfe import Danfe, DanfeConfig, DecimalConfig

    config = DanfeConfig(watermark_cancelled=cancelled)
    if whole_units:
        config.decimal_config = DecimalConfig(price_precision=2, quantity_precision=0)
    return bytes(Danfe(xml, config=config).output())


def render_danfe(document: FiscalDocument) -> bytes:
    """The DANFE of ``document`` as PDF bytes (from the cache when the same
    XML was rendered in the last hour).

    Raises :class:`NoDanfe` when the document has no authorised XML."""
    xml = document_xml(document)
    cancelled = document.status == DocumentStatus.CANCELLED
    whole_units = document.operation != Operation.PURCHASE
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    key = f"fiscal:danfe:{digest}:{int(cancelled)}{int(whole_units)}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(xml, cancelled=cancelled, whole_units=whole_units)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def danfe_filename(document: FiscalDocument) -> str:
    return f"DANFE-{document.access_key}.pdf"


def xml_filename(document: FiscalDocument) -> str:
    return f"{document.access_key}-procNFe.xml"
