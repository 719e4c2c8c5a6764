"""The accountant's monthly package: a ZIP of every archived XML of a month
(the NF-e issued, their events, the inutilizações and the suppliers' NF-e
received) and a summary workbook, ``resumo.xlsx``.

Everything in the summary is read from the XML itself, never from the
database's copies of it, so it states what the legal documents say:

* **Documents**: one row per NF-e (issued or received) with its totals
  (``total/ICMSTot`` and ``total/IBSCBSTot``) and its status — cancelled
  when a cancellation event registered for its key (``procEventoNFe`` with
  ``tpEvento`` 110111 and ``cStat`` 135 or 155) is in the archive;
* **Per CFOP**: the lines' values summed per CFOP (and kind: issued or
  received), cancelled NF-e left out;
* **Per UF**: the documents' totals summed per UF (the recipient's for the
  NF-e issued, the supplier's for those received), cancelled NF-e left out;
* **Events**: the events and inutilizações of the month.

A line's value is its *valor contábil*: ``vProd + vFrete + vSeg + vOutro −
vDesc + vICMSST + vFCPST + vIPI + vIPIDevol``. FCP is ``vFCP`` plus the
destination's ``vFCPUFDest``; DIFAL is the destination's share of the ICMS
(``vICMSUFDest``, plus ``vICMSUFRemet`` of the years it was split); IBS and
CBS are the reform's (``gIBSCBS/vIBS``, ``gIBSCBS/gCBS/vCBS``).

The ZIP is written while it is sent (:func:`stream_package`): XML files
first, read from the database in batches, the workbook last. A month of
2,000 NF-e streams in a few seconds; nothing is kept on the server.
"""

from __future__ import annotations

import calendar
import datetime
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from lxml import etree

from plugins.fiscal.models import ArchivedXml
from plugins.fiscal.models.documents import ArchivedXmlKind

NS = "{http://www.portalfiscal.inf.br/nfe}"
#: Archived rows read from the database at a time.
BATCH = 200
CANCELLATION = "110111"
#: cStat of a registered event (135), or registered out of time (155).
REGISTERED = ("135", "155")
ZERO = Decimal("0.00")
#: The figures summed, in the order of the workbook's columns.
FIGURES = (
    "value",
    "icms_base",
    "icms",
    "fcp",
    "difal",
    "pis",
    "cofins",
    "ipi",
    "ibs",
    "cbs",
)
FOLDERS = {
    ArchivedXmlKind.ISSUED: "emitidas",
    ArchivedXmlKind.EVENT: "eventos",
    ArchivedXmlKind.INUTILIZATION: "inutilizacoes",
    ArchivedXmlKind.RECEIVED: "recebidas",
}
NFE_KINDS = (ArchivedXmlKind.ISSUED, ArchivedXmlKind.RECEIVED)


def figure_labels() -> dict[str, str]:
    return {
        "value": _("Value"),
        "icms_base": _("ICMS base"),
        "icms": _("ICMS"),
        "fcp": _("FCP"),
        "difal": _("DIFAL"),
        "pis": _("PIS"),
        "cofins": _("COFINS"),
        "ipi": _("IPI"),
        "ibs": _("IBS"),
        "cbs": _("CBS"),
    }


# -- reading the XML ----------------------------------------------------------------


def _dec(node, path: str) -> Decimal:
    if node is None:
        return ZERO
    total = ZERO
    for found in node.iterfind(path):
        if found.text:
            total += Decimal(found.text.strip())
    return total


def _text(node, path: str) -> str:
    if node is None:
        return ""
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


def _figures() -> dict[str, Decimal]:
    return dict.fromkeys(FIGURES, ZERO)


@dataclass
class NFeFacts:
    """What the summary reads of one NF-e."""

    key: str
    number: str
    series: str
    issued_at: str
    environment: str
    emitter_document: str
    emitter_name: str
    party_document: str
    party_name: str
    party_uf: str
    totals: dict[str, Decimal]
    #: CFOP -> figures of its lines
    by_cfop: dict[str, dict[str, Decimal]]


def read_nfe(content: str, *, received: bool = False) -> NFeFacts:
    """The facts of an NF-e (``nfeProc`` or ``NFe``). ``received``: a
    supplier's NF-e, whose party is its emitter."""
    root = etree.fromstring(content.encode("utf-8"))
    inf = root if root.tag == f"{NS}infNFe" else root.find(f".//{NS}infNFe")
    emit = inf.find(f"{NS}emit")
    dest = inf.find(f"{NS}dest")
    party = emit if received else dest
    address = f"{NS}enderEmit" if received else f"{NS}enderDest"
    ide = inf.find(f"{NS}ide")
    by_cfop: dict[str, dict[str, Decimal]] = defaultdict(_figures)
    for det in inf.iterfind(f"{NS}det"):
        prod = det.find(f"{NS}prod")
        tax = det.find(f"{NS}imposto")
        icms = tax.find(f"{NS}ICMS") if tax is not None else None
        line = by_cfop[_text(prod, f"{NS}CFOP")]
        line["value"] += (
            _dec(prod, f"{NS}vProd")
            + _dec(prod, f"{NS}vFrete")
            + _dec(prod, f"{NS}vSeg")
            + _dec(prod, f"{NS}vOutro")
            - _dec(prod, f"{NS}vDesc")
            + _dec(icms, f"{NS}*/{NS}vICMSST")
            + _dec(icms, f"{NS}*/{NS}vFCPST")
            + _dec(tax, f"{NS}IPI/{NS}IPITrib/{NS}vIPI")
            + _dec(det, f"{NS}impostoDevol/{NS}IPI/{NS}vIPIDevol")
        )
        line["icms_base"] += _dec(icms, f"{NS}*/{NS}vBC")
        line["icms"] += _dec(icms, f"{NS}*/{NS}vICMS")
        line["fcp"] += _dec(icms, f"{NS}*/{NS}vFCP") + _dec(
            tax, f"{NS}ICMSUFDest/{NS}vFCPUFDest"
        )
        line["difal"] += _dec(tax, f"{NS}ICMSUFDest/{NS}vICMSUFDest") + _dec(
            tax, f"{NS}ICMSUFDest/{NS}vICMSUFRemet"
        )
        line["pis"] += _dec(tax, f"{NS}PIS/{NS}*/{NS}vPIS")
        line["cofins"] += _dec(tax, f"{NS}COFINS/{NS}*/{NS}vCOFINS")
        line["ipi"] += _dec(tax, f"{NS}IPI/{NS}IPITrib/{NS}vIPI")
        line["ibs"] += _dec(tax, f"{NS}IBSCBS/{NS}gIBSCBS/{NS}vIBS")
        line["cbs"] += _dec(tax, f"{NS}IBSCBS/{NS}gIBSCBS/{NS}gCBS/{NS}vCBS")
    tot = inf.find(f"{NS}total/{NS}ICMSTot")
    reform = inf.find(f"{NS}total/{NS}IBSCBSTot")
    totals = {
        "value": _dec(tot, f"{NS}vNF"),
        "icms_base": _dec(tot, f"{NS}vBC"),
        "icms": _dec(tot, f"{NS}vICMS"),
        "fcp": _dec(tot, f"{NS}vFCP") + _dec(tot, f"{NS}vFCPUFDest"),
        "difal": _dec(tot, f"{NS}vICMSUFDest") + _dec(tot, f"{NS}vICMSUFRemet"),
        "pis": _dec(tot, f"{NS}vPIS"),
        "cofins": _dec(tot, f"{NS}vCOFINS"),
        "ipi": _dec(tot, f"{NS}vIPI"),
        "ibs": _dec(reform, f"{NS}gIBS/{NS}vIBS"),
        "cbs": _dec(reform, f"{NS}gCBS/{NS}vCBS"),
    }
    return NFeFacts(
        key=(inf.get("Id") or "").removeprefix("NFe"),
        number=_text(ide, f"{NS}nNF"),
        series=_text(ide, f"{NS}serie"),
        issued_at=_text(ide, f"{NS}dhEmi") or _text(ide, f"{NS}dEmi"),
        environment=_text(ide, f"{NS}tpAmb"),
        emitter_document=_text(emit, f"{NS}CNPJ") or _text(emit, f"{NS}CPF"),
        emitter_name=_text(emit, f"{NS}xNome"),
        party_document=_text(party, f"{NS}CNPJ")
        or _text(party, f"{NS}CPF")
        or _text(party, f"{NS}idEstrangeiro"),
        party_name=_text(party, f"{NS}xNome"),
        party_uf=_text(party, f"{address}/{NS}UF") if party is not None else "",
        totals=totals,
        by_cfop=dict(by_cfop),
    )


@dataclass
class EventFacts:
    key: str
    event_type: str
    sequence: str
    at: str
    protocol: str
    status_code: str
    description: str


def read_event(content: str) -> EventFacts:
    """The facts of a registered event (``procEventoNFe``) or of an
    inutilização (``procInutNFe``)."""
    root = etree.fromstring(content.encode("utf-8"))
    inut = root.find(f".//{NS}inutNFe/{NS}infInut")
    if inut is not None or root.tag == f"{NS}inutNFe":
        inut = inut if inut is not None else root.find(f"{NS}infInut")
        answer = root.find(f".//{NS}retInutNFe/{NS}infInut")
        first, last = _text(inut, f"{NS}nNFIni"), _text(inut, f"{NS}nNFFin")
        return EventFacts(
            key=(inut.get("Id") or "").removeprefix("ID"),
            event_type="inut",
            sequence="",
            at=_text(answer, f"{NS}dhRecbto"),
            protocol=_text(answer, f"{NS}nProt"),
            status_code=_text(answer, f"{NS}cStat"),
            description=_("Numbers %(first)s to %(last)s inutilized: %(why)s")
            % {"first": first, "last": last, "why": _text(inut, f"{NS}xJust")},
        )
    info = root.find(f".//{NS}evento/{NS}infEvento")
    if info is None:
        info = root.find(f"{NS}infEvento")
    answer = root.find(f".//{NS}retEvento/{NS}infEvento")
    detail = info.find(f"{NS}detEvento") if info is not None else None
    description = _text(detail, f"{NS}descEvento")
    text = _text(detail, f"{NS}xJust") or _text(detail, f"{NS}xCorrecao")
    return EventFacts(
        key=_text(info, f"{NS}chNFe"),
        event_type=_text(info, f"{NS}tpEvento"),
        sequence=_text(info, f"{NS}nSeqEvento"),
        at=_text(answer, f"{NS}dhRegEvento") or _text(info, f"{NS}dhEvento"),
        protocol=_text(answer, f"{NS}nProt"),
        status_code=_text(answer, f"{NS}cStat"),
        description=f"{description}: {text}" if text else description,
    )


def cancels(event: EventFacts) -> bool:
    """Whether the event is a registered cancellation."""
    return event.event_type == CANCELLATION and event.status_code in REGISTERED


# -- the month -------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first moment and the next month's, in the site's time
    zone."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    days = calendar.monthrange(year, month)[1]
    end = start + datetime.timedelta(days=days)
    return start, datetime.datetime(end.year, end.month, 1, tzinfo=zone)


def month_rows(emitters, *, year: int, month: int, with_unassigned: bool = False):
    """The archived XML of ``emitters`` issued in the month (and those of no
    emitter when ``with_unassigned``), by kind, date and key."""
    from django.db.models import Q

    start, end = month_bounds(year, month)
    scope = Q(emitter__in=emitters)
    if with_unassigned:
        scope |= Q(emitter__isnull=True)
    return (
        ArchivedXml.objects.filter(scope, issued_at__gte=start, issued_at__lt=end)
        .select_related("emitter")
        .order_by("kind", "issued_at", "access_key", "pk")
    )


# -- the summary -------------------------------------------------------------------


@dataclass
class DocumentRow:
    kind: str
    facts: NFeFacts
    intact: bool
    cancelled: bool = False


@dataclass
class EventRow:
    kind: str
    facts: EventFacts
    intact: bool


@dataclass
class Summary:
    """The month's documents and their totals, as read from the XML."""

    documents: list[DocumentRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    #: keys cancelled by a registered event in the archive
    cancelled: set[str] = field(default_factory=set)

    def add(self, row: ArchivedXml) -> NFeFacts | EventFacts:
        """Read one archived XML into the summary; returns its facts."""
        intact = row.intact
        if row.kind in NFE_KINDS:
            facts = read_nfe(row.content, received=row.kind == ArchivedXmlKind.RECEIVED)
            self.documents.append(DocumentRow(row.kind, facts, intact))
            return facts
        facts = read_event(row.content)
        self.events.append(EventRow(row.kind, facts, intact))
        if cancels(facts):
            self.cancelled.add(facts.key)
        return facts

    def finish(self) -> None:
        """Mark the NF-e cancelled by an event archived in any month."""
        keys = [
            d.facts.key for d in self.documents if d.facts.key not in self.cancelled
        ]
        for start in range(0, len(keys), BATCH):
            events = ArchivedXml.objects.filter(
                kind=ArchivedXmlKind.EVENT, access_key__in=keys[start : start + BATCH]
            ).only("content")
            for event in events.iterator(chunk_size=BATCH):
                facts = read_event(event.content)
                if cancels(facts):
                    self.cancelled.add(facts.key)
        for document in self.documents:
            document.cancelled = document.facts.key in self.cancelled

    def counted(self) -> Iterator[DocumentRow]:
        return (d for d in self.documents if not d.cancelled)

    def by_cfop(self) -> dict[tuple[str, str], dict]:
        groups: dict[tuple[str, str], dict] = {}
        for document in self.counted():
            for cfop, figures in document.facts.by_cfop.items():
                group = groups.setdefault(
                    (document.kind, cfop), {"documents": set(), **_figures()}
                )
                group["documents"].add(document.facts.key)
                for name in FIGURES:
                    group[name] += figures[name]
        return dict(sorted(groups.items()))

    def by_uf(self) -> dict[tuple[str, str], dict]:
        groups: dict[tuple[str, str], dict] = {}
        for document in self.counted():
            group = groups.setdefault(
                (document.kind, document.facts.party_uf), {"documents": 0, **_figures()}
            )
            group["documents"] += 1
            for name in FIGURES:
                group[name] += document.facts.totals[name]
        return dict(sorted(groups.items()))


def _date(text: str):
    """An XML date-time as a moment (or the text when it is not one)."""
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return text or None


def summary_workbook(summary: Summary) -> bytes:
    """The summary as an XLSX workbook: Documents, Per CFOP, Per UF, Events."""
    from openpyxl import Workbook

    from plugins.exports import xlsx_cell

    kinds = dict(ArchivedXmlKind.choices)
    labels = figure_labels()
    workbook = Workbook(write_only=True)

    def sheet(title, header, rows: Iterable[Iterable]):
        worksheet = workbook.create_sheet(title=title[:31])
        worksheet.append([xlsx_cell(worksheet, str(h)) for h in header])
        for row in rows:
            worksheet.append([xlsx_cell(worksheet, value) for value in row])

    figures = [labels[name] for name in FIGURES]
    status = {
        True: pgettext("NF-e status", "Cancelled"),
        False: pgettext("NF-e status", "Authorised"),
    }
    check = {True: _("Intact"), False: _("CHANGED: does not match its hash")}
    sheet(
        _("Documents"),
        [
            _("Kind"),
            _("Access key"),
            _("Number"),
            _("Série"),
            _("Issued at"),
            _("Status"),
            _("Emitter CNPJ"),
            _("Customer or supplier CPF/CNPJ"),
            _("Customer or supplier"),
            _("UF"),
            _("CFOP"),
            *figures,
            _("Hash check"),
        ],
        (
            [
                kinds[d.kind],
                d.facts.key,
                int(d.facts.number) if d.facts.number.isdigit() else d.facts.number,
                int(d.facts.series) if d.facts.series.isdigit() else d.facts.series,
                _date(d.facts.issued_at),
                status[d.cancelled],
                d.facts.emitter_document,
                d.facts.party_document,
                d.facts.party_name,
                d.facts.party_uf,
                ", ".join(sorted(d.facts.by_cfop)),
                *(d.facts.totals[name] for name in FIGURES),
                check[d.intact],
            ]
            for d in summary.documents
        ),
    )
    sheet(
        _("Per CFOP"),
        [_("Kind"), _("CFOP"), _("Documents"), *figures],
        (
            [kinds[kind], cfop, len(group["documents"])]
            + [group[name] for name in FIGURES]
            for (kind, cfop), group in summary.by_cfop().items()
        ),
    )
    sheet(
        _("Per UF"),
        [_("Kind"), _("UF"), _("Documents"), *figures],
        (
            [kinds[kind], uf, group["documents"]] + [group[name] for name in FIGURES]
            for (kind, uf), group in summary.by_uf().items()
        ),
    )
    sheet(
        _("Events"),
        [
            _("Kind"),
            _("Access key"),
            _("Event"),
            _("Sequence"),
            _("Registered at"),
            _("Protocol"),
            _("Status code"),
            _("Hash check"),
        ],
        (
            [
                kinds[e.kind],
                e.facts.key,
                e.facts.description,
                int(e.facts.sequence) if e.facts.sequence.isdigit() else None,
                _date(e.facts.at),
                e.facts.protocol,
                e.facts.status_code,
                check[e.intact],
            ]
            for e in summary.events
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- the ZIP -------------------------------------------------------------------------

SUMMARY_NAME = "resumo.xlsx"


class _Sink(io.RawIOBase):
    """What the ZIP is written to: handed out chunk by chunk (not seekable:
    zipfile then writes each entry's sizes after its data)."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def entry_name(row: ArchivedXml, facts: NFeFacts | EventFacts | None = None) -> str:
    """Where a row goes in the ZIP: ``<emitter CNPJ>/<kind>/<file>``."""
    owner = row.emitter.cnpj if row.emitter_id else "sem-emitente"
    folder = FOLDERS.get(row.kind, row.kind)
    if row.kind in NFE_KINDS:
        name = f"{row.access_key}-procNFe.xml"
    elif row.kind == ArchivedXmlKind.INUTILIZATION:
        name = f"{row.access_key or row.pk}-procInutNFe.xml"
    elif isinstance(facts, EventFacts) and facts.event_type:
        sequence = facts.sequence.zfill(2) if facts.sequence else str(row.pk)
        name = f"{row.access_key}-{facts.event_type}-{sequence}-procEventoNFe.xml"
    else:
        name = f"{row.access_key}-{row.pk}-procEventoNFe.xml"
    return f"{owner}/{folder}/{name}"


def _zip_moment(moment: datetime.datetime) -> tuple:
    local = timezone.localtime(moment)
    return (
        max(local.year, 1980),
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
    )


def stream_package(rows, *, language: str | None = None) -> Iterator[bytes]:
    """The ZIP of the archived ``rows`` (a queryset) and their summary, as
    chunks of bytes while it is written; the summary in ``language`` (the
    one active when the generator is consumed by default: a server sends a
    streamed response after the view returned, so the view passes its own)."""
    if language is not None:
        with translation.override(language):
            yield from stream_package(rows)
        return
    sink = _Sink()
    summary = Summary()
    names: set[str] = set()
    ids = list(rows.values_list("pk", flat=True))
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for start in range(0, len(ids), BATCH):
            batch = rows.model.objects.filter(pk__in=ids[start : start + BATCH])
            for row in batch.select_related("emitter").order_by(
                "kind", "issued_at", "access_key", "pk"
            ):
                name = entry_name(row, summary.add(row))
                if name in names:
                    name = name.replace(".xml", f"-{row.pk}.xml")
                names.add(name)
                entry = zipfile.ZipInfo(name, date_time=_zip_moment(row.issued_at))
                entry.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(entry, row.content.encode("utf-8"))
            yield sink.take()
        summary.finish()
        entry = zipfile.ZipInfo(SUMMARY_NAME, date_time=_zip_moment(timezone.now()))
        entry.compress_type = zipfile.ZIP_DEFLATED
        package.writestr(entry, summary_workbook(summary))
    yield sink.take()


def build_summary(rows) -> Summary:
    """The summary of the archived ``rows`` alone (what the package's
    workbook states)."""
    summary = Summary()
    for row in rows.iterator(chunk_size=BATCH):
        summary.add(row)
    summary.finish()
    return summary


def package_filename(year: int, month: int, emitter=None) -> str:
    owner = emitter.cnpj if emitter is not None else "todos"
    return f"fiscal-{owner}-{year:04d}-{month:02d}.zip"
