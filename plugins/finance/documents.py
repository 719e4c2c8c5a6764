"""The boleto the customer prints: an A4 page with the payer's receipt on
top and the ficha de compensação below the cut line, rendered with
reportlab.

The ficha follows FEBRABAN's layout: the bank's name, its code with the
check digit (``001-9``) and the typed line across the top; then place of
payment and due date; the payee (beneficiário) with CPF/CNPJ and address;
document date and number, species, acceptance, processing date, nosso
número; carteira, currency and the document's amount; the instructions
beside the deduction and addition boxes; the payer (pagador) with CPF/CNPJ
and address; and the barcode.

The barcode is Interleaved 2 of 5 drawn by reportlab
(:class:`reportlab.graphics.barcode.common.I2of5`) with no check digit of
its own and no bearer bars: narrow bars of 0.254 mm, wide ones three times
as wide, 13 mm tall, with quiet zones of 25 narrow bars on either side —
405 modules, 103 mm, the size banks ask (the same as
:func:`plugins.finance.boleto.barcode_svg`).

A boleto is a Brazilian banking form whose captions FEBRABAN sets in
Portuguese: it is printed in pt-BR whatever the user's language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.barcode.common import I2of5
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from stdnum.br import cnpj, cpf

from plugins.finance.boleto import Boleto, InvalidBoleto
from plugins.money import format_brl

NARROW_MM = 0.254
RATIO = 3
BAR_HEIGHT_MM = 13
QUIET_MODULES = 25
PRINT_LANGUAGE = "pt-br"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 10 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
RIGHT_COLUMN = 50 * mm
#: the ficha (about 100 mm tall with its barcode) sits at the bottom of the
#: page, below the cut line
FICHA_TOP = 125 * mm
CUT_LINE = FICHA_TOP + 6 * mm
LABEL_FONT, VALUE_FONT, BOLD = "Helvetica", "Helvetica", "Helvetica-Bold"

_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class Party:
    """A payee (beneficiário), payer (pagador) or guarantor as printed."""

    name: str
    document: str
    address: str = ""
    district: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class BoletoDocument:
    """What a printed boleto shows besides its barcode's own data."""

    boleto: Boleto
    bank_name: str
    payee: Party
    payer: Party
    #: "agência/código do beneficiário" as the bank writes it: 1234-5 / 12345-6
    agency_code: str
    nosso_numero: str
    document_number: str
    issue_date: date
    processing_date: date | None = None
    carteira: str = ""
    species: str = "DM"
    acceptance: str = "N"
    instructions: tuple[str, ...] = ()
    payment_place: str = ""
    guarantor: Party | None = None
    #: the bank code's check digit; computed by modulo 11 when empty
    bank_digit: str = ""


def bank_check_digit(code: str) -> str:
    """The check digit printed after the bank code (001-9, 237-2, 341-7):
    modulo 11, weights 2 to 4 from the right, 11 is 0 and 10 is X (748-X);
    Caixa's 104 is the exception the bank itself set: 0."""
    if code == "104":
        return "0"
    total = sum(int(d) * w for d, w in zip(reversed(code), (2, 3, 4), strict=True))
    result = 11 - total % 11
    return {10: "X", 11: "0"}.get(result, str(result))


def format_document(value: str, *, whose: str) -> str:
    """A CPF (000.000.000-00) or CNPJ (00.000.000/0000-00) as printed."""
    digits = _DIGITS.sub("", value or "")
    if len(digits) == 11 and cpf.is_valid(digits):
        return cpf.format(digits)
    if len(digits) == 14 and cnpj.is_valid(digits):
        return cnpj.format(digits)
    raise InvalidBoleto(
        _("The %(whose)s CPF/CNPJ “%(value)s” is not valid.")
        % {"whose": whose, "value": value}
    )


def _address(party: Party) -> str:
    postal = _DIGITS.sub("", party.postal_code or "")
    place = "/".join(p for p in (party.city, party.state) if p)
    parts = [party.address, party.district, place]
    if postal:
        parts.append(
            pgettext("boleto", "CEP %(cep)s") % {"cep": f"{postal[:5]}-{postal[5:]}"}
        )
    return " – ".join(p for p in parts if p)


def _identified(party: Party, *, whose: str) -> str:
    document = format_document(party.document, whose=whose)
    return f"{party.name} – CPF/CNPJ {document}"


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class _Sheet:
    """Drawing helpers over a canvas: boxes with a caption and a value."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas

    def box(self, x, top, width, height, label, value="", *, bold=False, right=False):
        c = self.canvas
        c.rect(x, top - height, width, height, stroke=1, fill=0)
        c.setFont(LABEL_FONT, 5.5)
        c.drawString(x + 1.2 * mm, top - 2.4 * mm, label)
        if value:
            c.setFont(BOLD if bold else VALUE_FONT, 8.5)
            baseline = top - height + 1.6 * mm
            if right:
                c.drawRightString(x + width - 1.5 * mm, baseline, value)
            else:
                c.drawString(x + 1.5 * mm, baseline, value)

    def lines(self, x, top, texts, *, size=7.5, leading=3.4 * mm):
        self.canvas.setFont(VALUE_FONT, size)
        for index, text in enumerate(texts):
            self.canvas.drawString(x, top - index * leading, text)


def draw_barcode(
    canvas: Canvas,
    barcode: str,
    x: float,
    y: float,
    *,
    narrow_mm: float = NARROW_MM,
    height_mm: float = BAR_HEIGHT_MM,
) -> float:
    """Draw the 44 digits as Interleaved 2 of 5 with its left quiet zone
    starting at ``x`` (points) and its bars from ``y`` up; returns the
    symbol's width with both quiet zones."""
    if len(barcode) != 44 or not barcode.isdigit():
        raise InvalidBoleto(_("The barcode must have exactly 44 digits."))
    quiet = QUIET_MODULES * narrow_mm * mm
    symbol = I2of5(
        barcode,
        barWidth=narrow_mm * mm,
        ratio=RATIO,
        checksum=0,
        bearers=0,
        quiet=1,
        lquiet=quiet,
        rquiet=quiet,
        barHeight=height_mm * mm,
        stop=1,
    )
    symbol.drawOn(canvas, x, y)
    return symbol.width


def _header(sheet: _Sheet, doc: BoletoDocument, top: float, *, line: bool) -> float:
    c = sheet.canvas
    code = f"{doc.boleto.bank}-{doc.bank_digit or bank_check_digit(doc.boleto.bank)}"
    c.setFont(BOLD, 10)
    c.drawString(MARGIN, top - 6.5 * mm, doc.bank_name)
    c.setLineWidth(1.2)
    c.line(MARGIN + 50 * mm, top, MARGIN + 50 * mm, top - 9 * mm)
    c.line(MARGIN + 70 * mm, top, MARGIN + 70 * mm, top - 9 * mm)
    c.setFont(BOLD, 14)
    c.drawCentredString(MARGIN + 60 * mm, top - 6.8 * mm, code)
    c.setFont(BOLD, 10)
    text = doc.boleto.formatted_line if line else pgettext("boleto", "Payer's receipt")
    c.drawRightString(MARGIN + WIDTH, top - 6.5 * mm, text)
    c.line(MARGIN, top - 9 * mm, MARGIN + WIDTH, top - 9 * mm)
    c.setLineWidth(0.5)
    return top - 9 * mm


def _receipt(sheet: _Sheet, doc: BoletoDocument, top: float) -> float:
    """The payer's receipt: who, how much, when, which boleto."""
    top = _header(sheet, doc, top, line=False)
    left = WIDTH - RIGHT_COLUMN
    payee = _identified(doc.payee, whose=_("payee's"))
    sheet.box(MARGIN, top, left, 9 * mm, pgettext("boleto", "Payee"), payee)
    sheet.box(
        MARGIN + left,
        top,
        RIGHT_COLUMN,
        9 * mm,
        pgettext("boleto", "Due date"),
        _due(doc),
        right=True,
    )
    top -= 9 * mm
    sheet.box(MARGIN, top, left, 9 * mm, pgettext("boleto", "Payer"), doc.payer.name)
    sheet.box(
        MARGIN + left,
        top,
        RIGHT_COLUMN,
        9 * mm,
        pgettext("boleto", "Payee's agency/code"),
        doc.agency_code,
        right=True,
    )
    top -= 9 * mm
    third = left / 3
    sheet.box(
        MARGIN,
        top,
        third,
        9 * mm,
        pgettext("boleto", "Document number"),
        doc.document_number,
    )
    sheet.box(
        MARGIN + third,
        top,
        third,
        9 * mm,
        pgettext("boleto", "Nosso número"),
        doc.nosso_numero,
    )
    sheet.box(
        MARGIN + 2 * third,
        top,
        third,
        9 * mm,
        pgettext("boleto", "Document date"),
        _date(doc.issue_date),
    )
    sheet.box(
        MARGIN + left,
        top,
        RIGHT_COLUMN,
        9 * mm,
        pgettext("boleto", "(=) Document amount"),
        _amount(doc),
        bold=True,
        right=True,
    )
    top -= 9 * mm
    sheet.canvas.setFont(LABEL_FONT, 6)
    sheet.canvas.drawRightString(
        MARGIN + WIDTH, top - 3 * mm, pgettext("boleto", "Mechanical authentication")
    )
    return top - 12 * mm


def _due(doc: BoletoDocument) -> str:
    return _date(doc.boleto.due_date) or pgettext("boleto", "On presentation")


def _amount(doc: BoletoDocument) -> str:
    return format_brl(doc.boleto.amount) if doc.boleto.amount else ""


def _ficha(sheet: _Sheet, doc: BoletoDocument, top: float) -> None:
    """The ficha de compensação, from ``top`` down, with the barcode."""
    top = _header(sheet, doc, top, line=True)
    left = WIDTH - RIGHT_COLUMN
    right_x = MARGIN + left
    row = 8.5 * mm
    place = doc.payment_place or pgettext("boleto", "Payable at any bank")
    sheet.box(MARGIN, top, left, row, pgettext("boleto", "Place of payment"), place)
    sheet.box(
        right_x,
        top,
        RIGHT_COLUMN,
        row,
        pgettext("boleto", "Due date"),
        _due(doc),
        bold=True,
        right=True,
    )
    top -= row
    sheet.box(MARGIN, top, left, 11 * mm, pgettext("boleto", "Payee"))
    payee = _identified(doc.payee, whose=_("payee's"))
    sheet.lines(MARGIN + 1.5 * mm, top - 5.4 * mm, [payee, _address(doc.payee)])
    sheet.box(
        right_x,
        top,
        RIGHT_COLUMN,
        11 * mm,
        pgettext("boleto", "Payee's agency/code"),
        doc.agency_code,
        right=True,
    )
    top -= 11 * mm
    widths = (30 * mm, 35 * mm, 20 * mm, 15 * mm, left - 100 * mm)
    cells = (
        (pgettext("boleto", "Document date"), _date(doc.issue_date)),
        (pgettext("boleto", "Document number"), doc.document_number),
        (pgettext("boleto", "Document species"), doc.species),
        (pgettext("boleto", "Acceptance"), doc.acceptance),
        (
            pgettext("boleto", "Processing date"),
            _date(doc.processing_date or doc.issue_date),
        ),
    )
    _row(sheet, top, row, widths, cells)
    sheet.box(
        right_x,
        top,
        RIGHT_COLUMN,
        row,
        pgettext("boleto", "Nosso número"),
        doc.nosso_numero,
        right=True,
    )
    top -= row
    cells = (
        (pgettext("boleto", "Bank's use"), ""),
        (pgettext("boleto", "Carteira"), doc.carteira),
        (pgettext("boleto", "Currency"), "R$"),
        (pgettext("boleto", "Quantity"), ""),
        (pgettext("boleto", "Value"), ""),
    )
    _row(sheet, top, row, widths, cells)
    sheet.box(
        right_x,
        top,
        RIGHT_COLUMN,
        row,
        pgettext("boleto", "(=) Document amount"),
        _amount(doc),
        bold=True,
        right=True,
    )
    top -= row
    sheet.box(
        MARGIN,
        top,
        left,
        25 * mm,
        pgettext("boleto", "Instructions (the payee's responsibility)"),
    )
    sheet.lines(MARGIN + 1.5 * mm, top - 6 * mm, list(doc.instructions)[:6])
    for index, label in enumerate(
        (
            pgettext("boleto", "(-) Discount/rebate"),
            pgettext("boleto", "(-) Other deductions"),
            pgettext("boleto", "(+) Interest/fine"),
            pgettext("boleto", "(+) Other additions"),
            pgettext("boleto", "(=) Amount charged"),
        )
    ):
        sheet.box(right_x, top - index * 5 * mm, RIGHT_COLUMN, 5 * mm, label)
    top -= 25 * mm
    sheet.box(MARGIN, top, WIDTH, 15 * mm, pgettext("boleto", "Payer"))
    texts = [_identified(doc.payer, whose=_("payer's")), _address(doc.payer)]
    if doc.guarantor is not None:
        guarantor = format_document(doc.guarantor.document, whose=_("guarantor's"))
        texts.append(
            pgettext("boleto", "Guarantor: %(name)s – CPF/CNPJ %(document)s")
            % {"name": doc.guarantor.name, "document": guarantor}
        )
    sheet.lines(MARGIN + 1.5 * mm, top - 5.4 * mm, texts)
    top -= 15 * mm
    sheet.canvas.setFont(LABEL_FONT, 6)
    sheet.canvas.drawRightString(
        MARGIN + WIDTH,
        top - 3 * mm,
        pgettext("boleto", "Mechanical authentication – Ficha de compensação"),
    )
    draw_barcode(
        sheet.canvas, doc.boleto.barcode, MARGIN, top - 2 * mm - BAR_HEIGHT_MM * mm
    )


def _row(sheet: _Sheet, top, height, widths, cells) -> None:
    x = MARGIN
    for width, (label, value) in zip(widths, cells, strict=True):
        sheet.box(x, top, width, height, label, value)
        x += width


def _check(doc: BoletoDocument) -> None:
    """Refuse, in the user's language, what cannot be printed."""
    format_document(doc.payee.document, whose=_("payee's"))
    format_document(doc.payer.document, whose=_("payer's"))
    if doc.guarantor is not None:
        format_document(doc.guarantor.document, whose=_("guarantor's"))


def boletos_pdf(documents: Iterable[BoletoDocument]) -> bytes:
    """A PDF with one A4 page per boleto: the payer's receipt on top, the
    cut line, the ficha de compensação with the barcode at the bottom. In
    pt-BR whatever the active language. Raises :class:`InvalidBoleto` (in
    the active language) for no boleto at all and for a payee, payer or
    guarantor whose CPF/CNPJ is not valid."""
    documents = list(documents)
    if not documents:
        raise InvalidBoleto(_("There is no boleto to print."))
    for doc in documents:
        _check(doc)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setAuthor("Retaguarda")
    sheet = _Sheet(canvas)
    with translation.override(PRINT_LANGUAGE):
        canvas.setTitle(
            pgettext("boleto", "Boleto %(number)s")
            % {"number": documents[0].nosso_numero}
        )
        for doc in documents:
            canvas.setLineWidth(0.5)
            _receipt(sheet, doc, PAGE_HEIGHT - MARGIN)
            canvas.setDash(2, 2)
            canvas.line(MARGIN, CUT_LINE, MARGIN + WIDTH, CUT_LINE)
            canvas.setDash()
            canvas.setFont(LABEL_FONT, 6)
            canvas.drawRightString(
                MARGIN + WIDTH,
                CUT_LINE + 1.2 * mm,
                pgettext("boleto", "Cut along the dotted line"),
            )
            _ficha(sheet, doc, FICHA_TOP)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def boleto_pdf(document: BoletoDocument) -> bytes:
    """One boleto as a PDF page (see :func:`boletos_pdf`)."""
    return boletos_pdf([document])
