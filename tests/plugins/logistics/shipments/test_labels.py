"""Label PDFs in both layouts, their barcodes decoded back from the rendered
page; the NF-e key when fiscal has an authorised NF-e, the declaration of
contents otherwise; the manifest, picking list and packing slip PDFs."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone

from plugins.logistics.documents import (
    labels_for,
    labels_pdf,
    manifest_pdf,
    packing_slip_pdf,
    picking_list_pdf,
)
from plugins.logistics.models import LabelLayout
from plugins.logistics.services.shipments import add_to_manifest
from tests.plugins.logistics.shipments.conftest import ship

NFE_KEY = "35260311222333000181550010000000011000000010"
TWO_PACKAGES = [
    {
        "weight_g": 800,
        "length_cm": 30,
        "width_cm": 20,
        "height_cm": 10,
        "items": [{"sku": "CAM-P", "quantity": 2}],
    },
    {
        "weight_g": 400,
        "length_cm": 12,
        "width_cm": 12,
        "height_cm": 12,
        "items": [{"sku": "CAN-1", "quantity": 1}],
    },
]


def pages(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def barcodes(pdf: bytes, page: int = 0) -> list[tuple[str, str]]:
    image = pypdfium2.PdfDocument(pdf)[page].render(scale=4).to_pil()
    return sorted(
        (result.format.name, result.text) for result in zxingcpp.read_barcodes(image)
    )


def authorise_nfe(order):
    from plugins.fiscal.models import FiscalDocument
    from tests.plugins.fiscal.conftest import make_emitter

    emitter = make_emitter("11222333000181")
    return FiscalDocument.objects.create(
        emitter=emitter,
        order=order,
        operation="sale",
        status="authorised",
        environment="2",
        series=1,
        number=1,
        access_key=NFE_KEY,
        issued_at=timezone.now(),
        recipient_name=order.customer_name,
        total=order.total,
    )


@pytest.fixture
def shipment(ready_order, table_carrier, shipping_clerk, origin):
    return ship(ready_order, table_carrier, shipping_clerk, packages=TWO_PACKAGES)


def test_thermal_label_barcodes_decode_to_the_tracking_code_and_ceps(shipment):
    codes = [p.tracking_code for p in shipment.packages.order_by("number")]

    pdf = labels_pdf(labels_for([shipment]), LabelLayout.THERMAL)

    # two labels, each followed by its declaration of contents (no NF-e)
    texts = pages(pdf)
    assert len(texts) == 4
    assert "DECLARAÇÃO DE CONTEÚDO" in texts[1] and "CAM-P" in texts[1]
    assert "CAN-1" in texts[3] and "CAM-P" not in texts[3]
    assert "Volume 2/2" in texts[2]
    found = barcodes(pdf, 0)
    assert ("Code128", codes[0]) in found
    assert ("Code128", "01310100") in found  # the recipient's CEP
    assert ("DataMatrix", f"{codes[0]}|01310100|01310100") in found
    assert ("Code128", codes[1]) in barcodes(pdf, 2)


def test_a4_sheet_holds_four_labels_whose_barcodes_decode(
    ready_orders, table_carrier, shipping_clerk
):
    shipments = [ship(o, table_carrier, shipping_clerk) for o in ready_orders]
    codes = {s.packages.get().tracking_code for s in shipments}

    pdf = labels_pdf(labels_for(shipments), LabelLayout.A4)

    # one sheet of labels, then the three declarations
    assert len(pages(pdf)) == 4
    found = barcodes(pdf, 0)
    assert {text for kind, text in found if kind == "Code128"} >= codes
    assert len([1 for kind, _text in found if kind == "DataMatrix"]) == 3


def test_the_nfe_key_is_on_the_label_when_the_order_has_an_authorised_nfe(
    ready_order, table_carrier, shipping_clerk, origin
):
    authorise_nfe(ready_order)
    shipment = ship(ready_order, table_carrier, shipping_clerk)

    pdf = labels_pdf(labels_for([shipment]), LabelLayout.THERMAL)

    assert len(pages(pdf)) == 1  # no declaration of contents
    assert ("Code128", NFE_KEY) in barcodes(pdf, 0)
    assert "3526 0311" in pages(pdf)[0]


def test_a_cancelled_nfe_is_not_on_the_label(
    ready_order, table_carrier, shipping_clerk, origin
):
    document = authorise_nfe(ready_order)
    document.status = "cancelled"
    document.save(update_fields=["status"])
    shipment = ship(ready_order, table_carrier, shipping_clerk)

    pdf = labels_pdf(labels_for([shipment]), LabelLayout.THERMAL)

    assert ("Code128", NFE_KEY) not in barcodes(pdf, 0)
    assert "DECLARAÇÃO DE CONTEÚDO" in pages(pdf)[1]


def test_declaration_lists_items_values_and_the_legal_text(shipment):
    pdf = labels_pdf(labels_for([shipment]), LabelLayout.THERMAL)
    text = pages(pdf)[1]
    assert "Maria da Silva" in text and "Loja Exemplo Ltda" in text
    assert "R$ 99,80" in text  # 2 × 49,90
    assert "Lei Complementar nº 87/1996" in text.replace("\r\n", " ")


def test_manifest_picking_list_and_packing_slip(
    ready_orders, table_carrier, shipping_clerk
):
    shipments = [ship(o, table_carrier, shipping_clerk) for o in ready_orders]
    manifest = add_to_manifest(shipments, shipping_clerk)

    text = " ".join(pages(manifest_pdf(manifest)))
    for shipment in shipments:
        assert shipment.packages.get().tracking_code in text
    assert "01310-100" in text and "Objetos: 3" in text

    picking = " ".join(pages(picking_list_pdf(ready_orders)))
    assert "CAM-P" in picking and " 6 " in f" {picking} ".replace("\r\n", " ")
    slips = pages(packing_slip_pdf(ready_orders))
    assert len(slips) == 3
    assert ready_orders[0].number in slips[0]
