"""Printed documents of the stock plugin: the count sheet (PDF)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tables import LongTable

from content.models.catalog import category_labels
from plugins.stock.models import InventoryCount


def _text(value) -> str:
    """Text for a Paragraph (its markup is XML-like: escape it)."""
    from xml.sax.saxutils import escape

    return escape(str(value))


def count_sheet_pdf(count: InventoryCount, *, show_expected: bool) -> bytes:
    """The sheet a clerk takes to the shelves: SKU, product, a blank box for
    the units counted and one for notes; the expected units only for users
    who may see them (``show_expected``; blind counts leave them out). pt-BR
    headings, the warehouse, the scope and the date; the header row repeats
    on every page."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Count sheet %(number)s") % {"number": count.number},
        author="Retaguarda",
    )
    category = count.category
    scope = category_labels([category])[category.pk] if category else _("everything")
    opened = timezone.localtime(count.opened_at).strftime("%d/%m/%Y %H:%M")
    printed = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    story = [
        Paragraph(
            _text(_("Count sheet %(number)s") % {"number": count.number}),
            styles["Title"],
        ),
        Paragraph(
            _text(
                _("Warehouse: %(warehouse)s · Scope: %(scope)s")
                % {"warehouse": count.warehouse, "scope": scope}
            ),
            styles["Normal"],
        ),
        Paragraph(
            _text(
                _("Opened on %(opened)s · Printed on %(printed)s")
                % {"opened": opened, "printed": printed}
            ),
            styles["Normal"],
        ),
    ]
    if not show_expected:
        story.append(
            Paragraph(
                _text(_("Blind count: write down the units you find on the shelf.")),
                styles["Italic"],
            )
        )
    story.append(Spacer(1, 6 * mm))

    header = [_("SKU"), _("Product")]
    widths = [35 * mm, None]
    if show_expected:
        header.append(_("Expected"))
        widths.append(20 * mm)
    header += [_("Counted"), _("Notes")]
    widths += [25 * mm, 35 * mm]
    fixed = sum(w for w in widths if w)
    widths[1] = doc.width - fixed
    rows = [header]
    lines = count.lines.select_related("variant__product").order_by("sku")
    for line in lines.iterator(chunk_size=1000):
        name = line.variant.product.name if line.variant_id else "—"
        options = [
            o
            for o in (
                (line.variant.option1, line.variant.option2, line.variant.option3)
                if line.variant_id
                else ()
            )
            if o
        ]
        label = " · ".join([name, *options])
        row = [Paragraph(_text(line.sku), small), Paragraph(_text(label), small)]
        if show_expected:
            row.append(str(line.expected))
        row += ["", ""]
        rows.append(row)
    if len(rows) == 1:
        rows.append(["", _("Nothing to count here."), *[""] * (len(header) - 2)])
    table = LongTable if len(rows) > 200 else Table
    grid = table(rows, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                (
                    "ROWBACKGROUNDS",
                    (0, 1),
                    (-1, -1),
                    [colors.white, colors.HexColor("#f7f7f7")],
                ),
                ("TOPPADDING", (0, 1), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
            ]
        )
    )
    story.append(grid)
    story += [
        Spacer(1, 10 * mm),
        Paragraph(
            _text(_("Counted by: ______________________  Date: ____/____/______")),
            styles["Normal"],
        ),
    ]
    footer = _("%(number)s · %(warehouse)s · page %%(page)d") % {
        "number": count.number,
        "warehouse": count.warehouse.code,
    }

    def page_footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(
            A4[0] - 15 * mm, 8 * mm, footer % {"page": document.page}
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()
