"""Printed documents of the shipping desk (PDF, reportlab): shipping labels,
the declaração de conteúdo, the manifest (romaneio), the picking list and
the packing slip.

A label is one package's: the carrier and service, the volume (n/N) and its
weight, the tracking code as a Code 128 barcode, a DataMatrix carrying the
tracking code and both CEPs, the recipient (with their CEP as a Code 128
too, as the Correios labels have it) and the sender, and the access key of
the order's authorised NF-e with its Code 128 when the fiscal plugin has one.
Without an NF-e the parcel travels with a declaração de conteúdo, printed
right after its label. Two layouts (:class:`LabelLayout`): a 10 × 15 cm
thermal label per page, or four labels on an A4 sheet.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from plugins.logistics.carriers.base import Party
from plugins.logistics.models import LabelLayout, Manifest, Shipment
from plugins.logistics.parties import order_party, origin_party
from plugins.logistics.services.shipments import (
    authorised_nfe_key,
)
from plugins.money import format_brl

PDF_CONTENT_TYPE = "application/pdf"
THERMAL = (100 * mm, 150 * mm)


def _text(value) -> str:
    return escape(str(value))


def format_cep(cep: str) -> str:
    return f"{cep[:5]}-{cep[5:]}" if len(cep) == 8 else cep


def format_weight(grams: int) -> str:
    return (
        f"{Decimal(grams) / 1000:.3f}".replace(".", ",") + " kg"
    )  # 1,250 kg as written in Brazil


def format_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


# -- Label data -----------------------------------------------------------------


@dataclass(frozen=True)
class LabelItem:
    sku: str
    name: str
    quantity: int
    unit_value: Decimal


@dataclass(frozen=True)
class Label:
    """What one package's label says."""

    carrier: str
    service: str
    order_number: str
    tracking_code: str
    volume: int
    volumes: int
    weight_g: int
    sender: Party
    recipient: Party
    nfe_key: str = ""
    items: tuple[LabelItem, ...] = field(default=())

    @property
    def datamatrix_value(self) -> str:
        """The tracking code and both CEPs (destination, origin)."""
        return f"{self.tracking_code}|{self.recipient.cep}|{self.sender.cep}"

    @property
    def needs_declaration(self) -> bool:
        return not self.nfe_key


def labels_for(shipments: Iterable[Shipment]) -> list[Label]:
    """The labels of ``shipments``' packages, in order (one query per
    related table, plus the NF-e look-up per order when fiscal is on)."""
    shipments = list(shipments)
    pks = [s.pk for s in shipments]
    rows = (
        Shipment.objects.filter(pk__in=pks)
        .select_related("order", "carrier", "service", "origin")
        .prefetch_related("packages")
    )
    by_pk = {s.pk: s for s in rows}
    labels = []
    for pk in pks:
        shipment = by_pk[pk]
        order = shipment.order
        packages = list(shipment.packages.all())
        sender = origin_party(shipment.origin)
        recipient = order_party(order)
        nfe_key = authorised_nfe_key(order)
        for package in packages:
            labels.append(
                Label(
                    carrier=shipment.carrier.name,
                    service=shipment.service.name,
                    order_number=order.number,
                    tracking_code=package.tracking_code,
                    volume=package.number,
                    volumes=len(packages),
                    weight_g=package.weight_g,
                    sender=sender,
                    recipient=recipient,
                    nfe_key=nfe_key,
                    items=tuple(
                        LabelItem(
                            sku=item.get("sku", ""),
                            name=item.get("name", ""),
                            quantity=int(item.get("quantity", 0)),
                            unit_value=Decimal(str(item.get("unit_value", "0"))),
                        )
                        for item in package.items
                    ),
                )
            )
    return labels


# -- Drawing a label -------------------------------------------------------------


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """``text`` cut to ``width`` at ``size``."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _party_lines(party: Party) -> list[str]:
    street = f"{party.street}, {party.number}"
    if party.complement:
        street += f" – {party.complement}"
    return [
        street,
        party.district,
        f"{format_cep(party.cep)}  {party.city}/{party.uf}",
    ]


def _code128(canvas: Canvas, value: str, x, y, width, height) -> None:
    """A Code 128 of ``value`` as wide as it can be within ``width``."""
    modules = code128.Code128(value, barWidth=1, barHeight=height, quiet=0).width
    bar = min(0.45 * mm, width / modules)
    barcode = code128.Code128(
        value, barWidth=bar, barHeight=height, quiet=0, humanReadable=False
    )
    barcode.drawOn(canvas, x, y)


def _datamatrix(canvas: Canvas, value: str, x, y, size) -> None:
    """An ECC 200 DataMatrix of ``value``, ``size`` wide, lower-left corner at
    (x, y). reportlab's barcode encodes it; the modules are drawn here as one
    filled path of horizontal runs (its own widget draws a shape object per
    module, a hundred times slower for a batch of labels)."""
    symbol = ECC200DataMatrix(value)
    symbol.validate()
    rows = symbol.encode()  # bottom row first
    module = size / symbol.col_modules
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        start = None
        for col_index, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                path.rect(
                    x + start * module,
                    y + row_index * module,
                    (col_index - start) * module,
                    module,
                )
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


def draw_label(canvas: Canvas, label: Label, x: float, y: float, w: float, h: float):
    """Draw ``label`` in the box of lower-left corner (x, y), ``w`` × ``h``
    (laid out for 10 × 15 cm; the A4 quadrants are a little wider)."""
    margin = 4 * mm
    left, right = x + margin, x + w - margin
    inner = right - left
    top = y + h - margin
    canvas.setLineWidth(0.6)
    canvas.rect(x + 1 * mm, y + 1 * mm, w - 2 * mm, h - 2 * mm)

    # header: carrier, service, volume, weight, order; the DataMatrix
    matrix = 22 * mm
    _datamatrix(canvas, label.datamatrix_value, right - matrix, top - matrix, matrix)
    head_w = inner - matrix - 3 * mm
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(
        left, top - 4 * mm, _fit(canvas, label.carrier, "Helvetica-Bold", 12, head_w)
    )
    canvas.setFont("Helvetica", 9)
    canvas.drawString(
        left, top - 9 * mm, _fit(canvas, label.service, "Helvetica", 9, head_w)
    )
    canvas.drawString(
        left,
        top - 13.5 * mm,
        _("Volume %(n)s/%(total)s · %(weight)s")
        % {
            "n": label.volume,
            "total": label.volumes,
            "weight": format_weight(label.weight_g),
        },
    )
    canvas.drawString(
        left, top - 18 * mm, _("Order %(number)s") % {"number": label.order_number}
    )

    # the tracking code
    cursor = top - matrix - 3 * mm
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawCentredString(x + w / 2, cursor - 4 * mm, label.tracking_code or "—")
    cursor -= 6 * mm
    if label.tracking_code:
        _code128(
            canvas,
            label.tracking_code,
            left + 6 * mm,
            cursor - 18 * mm,
            inner - 12 * mm,
            18 * mm,
        )
    cursor -= 21 * mm

    # the NF-e key, or the declaration's mention
    canvas.setFont("Helvetica", 7)
    if label.nfe_key:
        canvas.drawString(left, cursor - 3 * mm, _("NF-e access key"))
        _code128(canvas, label.nfe_key, left, cursor - 15 * mm, inner, 11 * mm)
        spaced = " ".join(label.nfe_key[i : i + 4] for i in range(0, 44, 4))
        canvas.drawCentredString(x + w / 2, cursor - 18 * mm, spaced)
        cursor -= 20 * mm
    else:
        canvas.setFont("Helvetica-Bold", 8)
        canvas.drawString(
            left,
            cursor - 3 * mm,
            _("Goods without NF-e: declaration of contents attached"),
        )
        cursor -= 6 * mm

    # the recipient, with the CEP barcode
    canvas.line(left, cursor, right, cursor)
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(left, cursor - 4 * mm, _("RECIPIENT"))
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(
        left,
        cursor - 8.5 * mm,
        _fit(canvas, label.recipient.name, "Helvetica-Bold", 10, inner),
    )
    canvas.setFont("Helvetica", 9)
    line_y = cursor - 12.5 * mm
    for text in _party_lines(label.recipient):
        canvas.drawString(left, line_y, _fit(canvas, text, "Helvetica", 9, inner))
        line_y -= 4 * mm
    _code128(canvas, label.recipient.cep, left, line_y - 9 * mm, 40 * mm, 9 * mm)
    cursor = line_y - 11 * mm

    # the sender
    canvas.line(left, cursor, right, cursor)
    canvas.setFont("Helvetica-Bold", 7)
    canvas.drawString(left, cursor - 3.5 * mm, _("SENDER"))
    canvas.setFont("Helvetica", 7)
    line_y = cursor - 7 * mm
    for text in [label.sender.name, *_party_lines(label.sender)]:
        canvas.drawString(left, line_y, _fit(canvas, text, "Helvetica", 7, inner))
        line_y -= 3.2 * mm


# -- The declaration of contents --------------------------------------------------


def _declaration_text() -> tuple[str, str]:
    return (
        # Translators: the Correios' declaração de conteúdo, as the form says:
        # "Declaro que não me enquadro no conceito de contribuinte previsto no
        # art. 4º da Lei Complementar nº 87/1996, uma vez que não realizo, com
        # habitualidade ou em volume que caracterize intuito comercial,
        # operações de circulação de mercadoria, ainda que se iniciem no
        # exterior, ou estou dispensado da emissão da nota fiscal por força da
        # legislação tributária vigente, responsabilizando-me, nos termos da
        # lei e a quem de direito, por informações inverídicas."
        _(
            "I declare that I am not a taxpayer under article 4 of Complementary "
            "Law 87/1996, as I do not carry out, habitually or in a volume that "
            "shows a commercial intent, operations of circulation of goods, even "
            "those beginning abroad, or that I am exempt from issuing an invoice "
            "under the tax law in force, and I answer, under the law, for any "
            "untrue information."
        ),
        # Translators: "Declaro ainda que não estou postando conteúdo
        # inflamável, explosivo, causador de combustão espontânea, tóxico,
        # corrosivo, gás ou qualquer outro conteúdo que constitua perigo,
        # conforme o art. 13 da Lei Postal nº 6.538/78."
        _(
            "I also declare that I am not posting flammable, explosive, "
            "spontaneously combustible, toxic or corrosive contents, gas or any "
            "other dangerous contents, under article 13 of Postal Law 6,538/78."
        ),
    )


def _wrap(canvas: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        attempt = f"{current} {word}".strip()
        if canvas.stringWidth(attempt, font, size) <= width:
            current = attempt
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def draw_declaration(canvas: Canvas, label: Label, w: float, h: float) -> None:
    """The declaração de conteúdo of ``label``'s package on the page (w × h),
    continued on further pages for a long list of items."""
    small = w < 150 * mm
    margin = (5 if small else 15) * mm
    size = 7 if small else 9
    left, right, inner = margin, w - margin, w - 2 * margin
    y = h - margin
    canvas.setFont("Helvetica-Bold", size + 4)
    canvas.drawCentredString(w / 2, y - 4 * mm, _("DECLARATION OF CONTENTS"))
    y -= 9 * mm
    canvas.setFont("Helvetica", size)
    canvas.drawString(
        left,
        y,
        _("Order %(number)s · %(code)s · volume %(n)s/%(total)s")
        % {
            "number": label.order_number,
            "code": label.tracking_code or "—",
            "n": label.volume,
            "total": label.volumes,
        },
    )
    y -= size * 0.5 * mm + 3 * mm
    for title, party in (
        (_("SENDER"), label.sender),
        (_("RECIPIENT"), label.recipient),
    ):
        canvas.setFont("Helvetica-Bold", size)
        canvas.drawString(left, y, f"{title}: {party.name}")
        y -= size * 0.45 * mm
        canvas.setFont("Helvetica", size)
        document = party.document
        for text in [
            *_party_lines(party),
            document and _("CPF/CNPJ: %(doc)s") % {"doc": document},
        ]:
            if text:
                canvas.drawString(left, y, _fit(canvas, text, "Helvetica", size, inner))
                y -= size * 0.45 * mm
        y -= 1 * mm

    # the items
    columns = [(_("Item"), 0), (_("Qty."), inner * 0.62), (_("Value"), inner * 0.78)]
    row_h = size * 0.5 * mm

    def header(y):
        canvas.setFont("Helvetica-Bold", size)
        for title, offset in columns:
            canvas.drawString(left + offset, y, title)
        canvas.line(left, y - 1 * mm, right, y - 1 * mm)
        canvas.setFont("Helvetica", size)
        return y - row_h - 1 * mm

    y = header(y)
    total = Decimal("0")
    quantity = 0
    for item in label.items:
        if y < margin + 40 * mm:
            canvas.showPage()
            y = header(h - margin)
        value = item.unit_value * item.quantity
        total += value
        quantity += item.quantity
        name = _fit(canvas, f"{item.sku} {item.name}", "Helvetica", size, inner * 0.6)
        canvas.drawString(left, y, name)
        canvas.drawString(left + columns[1][1], y, str(item.quantity))
        canvas.drawString(left + columns[2][1], y, format_brl(value))
        y -= row_h
    canvas.line(left, y + row_h * 0.6, right, y + row_h * 0.6)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(left, y - 1 * mm, _("Totals"))
    canvas.drawString(left + columns[1][1], y - 1 * mm, str(quantity))
    canvas.drawString(left + columns[2][1], y - 1 * mm, format_brl(total))
    y -= row_h + 3 * mm

    canvas.setFont("Helvetica", size - 1)
    for paragraph in _declaration_text():
        for line in _wrap(canvas, paragraph, "Helvetica", size - 1, inner):
            canvas.drawString(left, y, line)
            y -= (size - 1) * 0.42 * mm
        y -= 1.5 * mm
    y -= 8 * mm
    canvas.drawString(
        left, y, _("Place and date: ______________________, ____/____/______")
    )
    y -= 9 * mm
    canvas.line(left, y, left + inner * 0.7, y)
    canvas.drawString(left, y - 3.5 * mm, _("Sender's signature"))


# -- Labels PDF --------------------------------------------------------------------


def labels_pdf(labels: Sequence[Label], layout: str = LabelLayout.THERMAL) -> bytes:
    """The PDF of ``labels`` in ``layout``. Thermal: each label on its own
    10 × 15 cm page, followed by its declaration of contents when it has no
    NF-e. A4: four labels per sheet, each sheet followed by the declarations
    of its labels, one A4 page each."""
    buffer = io.BytesIO()
    thermal = layout == LabelLayout.THERMAL
    canvas = Canvas(
        buffer, pagesize=THERMAL if thermal else A4, pageCompression=1, invariant=1
    )
    canvas.setTitle(_("Shipping labels"))
    canvas.setAuthor("Retaguarda")
    if not labels:
        canvas.setFont("Helvetica", 10)
        canvas.drawString(10 * mm, 20 * mm, _("No labels."))
        canvas.showPage()
    if thermal:
        for label in labels:
            draw_label(canvas, label, 0, 0, *THERMAL)
            canvas.showPage()
            if label.needs_declaration:
                draw_declaration(canvas, label, *THERMAL)
                canvas.showPage()
    else:
        w, h = A4[0] / 2, A4[1] / 2
        slots = ((0, h), (w, h), (0, 0), (w, 0))
        for start in range(0, len(labels), 4):
            sheet = labels[start : start + 4]
            for label, (x, y) in zip(sheet, slots, strict=False):
                draw_label(canvas, label, x, y, w, h)
            canvas.showPage()
            for label in sheet:
                if label.needs_declaration:
                    draw_declaration(canvas, label, *A4)
                    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def shipment_labels_pdf(shipment: Shipment, layout: str = LabelLayout.THERMAL) -> bytes:
    return labels_pdf(labels_for([shipment]), layout)


# -- Tables: manifest, picking list, packing slip --------------------------------


def _document(buffer, title: str):
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="Retaguarda",
    )


GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
)


def _grid(rows, widths):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    return table


def manifest_pdf(manifest: Manifest) -> bytes:
    """The romaneio: the carrier, the origin, the date, every object handed
    over (tracking code, order, recipient's CEP, weight) and the signature
    lines of whoever hands over and whoever collects."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    title = _("Manifest %(number)s") % {"number": manifest.pk}
    doc = _document(buffer, title)
    when = manifest.closed_at or manifest.created_at
    story = [
        Paragraph(_text(title), styles["Title"]),
        Paragraph(
            _text(
                _("Carrier: %(carrier)s · Origin: %(origin)s")
                % {"carrier": manifest.carrier, "origin": manifest.origin or "—"}
            ),
            styles["Normal"],
        ),
        Paragraph(
            _text(
                _("Date: %(date)s · Status: %(status)s")
                % {
                    "date": timezone.localtime(when).strftime("%d/%m/%Y %H:%M"),
                    "status": manifest.get_status_display(),
                }
            ),
            styles["Normal"],
        ),
        Spacer(1, 5 * mm),
    ]
    rows = [[_("#"), _("Tracking code"), _("Order"), _("Recipient's CEP"), _("Weight")]]
    shipments = manifest.shipments.select_related("order").prefetch_related("packages")
    count = 0
    total_g = 0
    for shipment in shipments.order_by("pk"):
        cep = format_cep(order_party(shipment.order).cep)
        for package in shipment.packages.all():
            count += 1
            total_g += package.weight_g
            rows.append(
                [
                    str(count),
                    package.tracking_code or "—",
                    shipment.order.number,
                    cep,
                    format_weight(package.weight_g),
                ]
            )
    rows.append(
        ["", _("Objects: %(count)s") % {"count": count}, "", "", format_weight(total_g)]
    )
    story.append(_grid(rows, [12 * mm, 50 * mm, 35 * mm, 35 * mm, 30 * mm]))
    story += [
        Spacer(1, 20 * mm),
        Paragraph(
            _text(
                _(
                    "Handed over by: ______________________________  "
                    "Date: ____/____/______"
                )
            ),
            styles["Normal"],
        ),
        Spacer(1, 12 * mm),
        Paragraph(
            _text(
                _(
                    "Collected by (carrier): ______________________________  "
                    "Document: ______________"
                )
            ),
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def picking_list_pdf(orders: Sequence) -> bytes:
    """The picking list of ``orders``: every SKU with its product and the
    units to pick, summed over the orders, then each order's lines."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    buffer = io.BytesIO()
    title = _("Picking list")
    doc = _document(buffer, title)
    totals: OrderedDict[str, list] = OrderedDict()
    per_order = []
    for order in orders:
        lines = list(order.lines.order_by("sku"))
        per_order.append((order, lines))
        for line in lines:
            name = " ".join(p for p in (line.product_name, line.variant_name) if p)
            entry = totals.setdefault(line.sku, [name, 0])
            entry[1] += line.quantity
    story = [
        Paragraph(_text(title), styles["Title"]),
        Paragraph(
            _text(
                _("%(count)s orders · printed on %(date)s")
                % {
                    "count": len(per_order),
                    "date": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
                }
            ),
            styles["Normal"],
        ),
        Spacer(1, 5 * mm),
    ]
    rows = [[_("SKU"), _("Product"), _("Bin"), _("Quantity"), _("Picked")]]
    for sku in sorted(totals):
        name, quantity = totals[sku]
        rows.append(
            [
                Paragraph(_text(sku), small),
                Paragraph(_text(name), small),
                "—",
                str(quantity),
                "",
            ]
        )
    story.append(_grid(rows, [35 * mm, 85 * mm, 20 * mm, 20 * mm, 20 * mm]))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(_text(_("Per order")), styles["Heading2"]))
    for order, lines in per_order:
        story.append(
            Paragraph(
                _text(
                    _("Order %(number)s · %(customer)s")
                    % {"number": order.number, "customer": order.customer_name}
                ),
                styles["Heading4"],
            )
        )
        rows = [[_("SKU"), _("Product"), _("Quantity")]]
        for line in lines:
            name = " ".join(p for p in (line.product_name, line.variant_name) if p)
            rows.append([line.sku, Paragraph(_text(name), small), str(line.quantity)])
        story.append(_grid(rows, [35 * mm, 120 * mm, 25 * mm]))
    doc.build(story)
    return buffer.getvalue()


def packing_slip_pdf(orders: Sequence) -> bytes:
    """One packing slip per order (a page each): the customer, the delivery
    address, the items and their quantities."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    buffer = io.BytesIO()
    doc = _document(buffer, _("Packing slip"))
    story = []
    from reportlab.platypus import PageBreak

    for index, order in enumerate(orders):
        if index:
            story.append(PageBreak())
        recipient = order_party(order)
        story += [
            Paragraph(
                _text(_("Packing slip · order %(number)s") % {"number": order.number}),
                styles["Title"],
            ),
            Paragraph(
                _text(
                    _("Customer: %(name)s · Placed on %(date)s")
                    % {
                        "name": order.customer_name,
                        "date": timezone.localtime(order.placed_at).strftime(
                            "%d/%m/%Y"
                        ),
                    }
                ),
                styles["Normal"],
            ),
            Paragraph(
                _text(_("Deliver to: %(name)s") % {"name": recipient.name}),
                styles["Normal"],
            ),
            *[Paragraph(_text(t), styles["Normal"]) for t in _party_lines(recipient)],
            Spacer(1, 5 * mm),
        ]
        rows = [[_("SKU"), _("Product"), _("Quantity"), _("Checked")]]
        for line in order.lines.order_by("pk"):
            name = " ".join(p for p in (line.product_name, line.variant_name) if p)
            rows.append(
                [line.sku, Paragraph(_text(name), small), str(line.quantity), ""]
            )
        story.append(_grid(rows, [35 * mm, 105 * mm, 20 * mm, 20 * mm]))
        story += [
            Spacer(1, 10 * mm),
            Paragraph(_text(_("Packed by: ______________________")), styles["Normal"]),
        ]
    if not story:
        story.append(Paragraph(_text(_("No orders.")), styles["Normal"]))
    doc.build(story)
    return buffer.getvalue()
