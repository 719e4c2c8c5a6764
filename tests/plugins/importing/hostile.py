"""A corpus of files an import must refuse, whatever the importer: each gives
a clear pt-BR error (of the file, or of a row and column in the dry run) and
nothing is written.

Files are built from a valid header so that what is refused is the hostile
part, not a missing column."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook


@dataclass(frozen=True)
class Hostile:
    name: str  # the uploaded file's name
    data: bytes
    #: a fragment of the pt-BR message expected
    message: str
    #: "file": the whole file is refused; "row": a row/column error in the
    #: dry run (then ``column`` names it)
    kind: str = "file"
    column: str = ""


#: a valid header and row of text cells per importer key: the corpus is
#: built from them (the suite and the benchmark alike)
SAMPLES = {
    "shelves.shelves": (["code", "name", "capacity"], ["a1", "Corredor A1", "10"]),
    "content.catalog": (
        ["product_slug", "product_name", "sku", "price"],
        ["caneca-azul", "Caneca Azul", "CAN-AZ-1", "39,90"],
    ),
    "finance.settlement": (
        ["date", "reference", "order", "installment", "gross", "fee", "net"],
        ["05/01/2026", "PAY-1", "1001", "1", "100,00", "3,00", "97,00"],
    ),
    "stock.receipts": (["warehouse", "sku", "quantity"], ["SP-01", "CAN-AZ-1", "5"]),
    "stock.counts": (["warehouse", "sku", "counted"], ["SP-01", "CAN-AZ-1", "5"]),
    "orders.marketplace": (
        [
            "channel",
            "external_id",
            "customer_name",
            "cep",
            "street",
            "number",
            "district",
            "city",
            "uf",
            "payment_method",
            "sku",
            "quantity",
        ],
        [
            "loja",
            "X1",
            "Maria",
            "01310-100",
            "Av. Paulista",
            "1000",
            "Bela Vista",
            "São Paulo",
            "SP",
            "pix",
            "CAN-1",
            "1",
        ],
    ),
    "logistics.freight_rates": (
        [
            "carrier",
            "service",
            "origin_cep_from",
            "origin_cep_to",
            "destination_cep_from",
            "destination_cep_to",
            "weight_from_g",
            "weight_to_g",
            "price",
            "days",
        ],
        [
            "rapidao",
            "EXP",
            "01000-000",
            "99999-999",
            "01000-000",
            "19999-999",
            "0",
            "1000",
            "23,90",
            "2",
        ],
    ),
}


def csv_bytes(header: list[str], rows: list[list[str]], delimiter=";") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_entry(xlsx: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more part in its archive."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(header: list[str], expanded: int = 220 * 1024 * 1024) -> bytes:
    """A well-formed XLSX whose worksheet expands to ``expanded`` bytes of
    rows from about half a megabyte: streamed into the archive, never held.
    (A control character cannot reach a cell through an XLSX: XML 1.0 has no
    way to write one, so the NUL cases are CSV.)"""
    template = zipfile.ZipFile(io.BytesIO(xlsx_bytes(header, [])))
    buffer = io.BytesIO()
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    tail = b"</sheetData></worksheet>"
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in template.infolist():
            if item.filename.startswith("xl/worksheets/"):
                with target.open(item.filename, "w", force_zip64=True) as sheet:
                    sheet.write(head)
                    chunk = row * (1024 * 1024 // len(row))
                    written = 0
                    while written < expanded:
                        sheet.write(chunk)
                        written += len(chunk)
                    sheet.write(tail)
            else:
                target.writestr(item, template.read(item))
    return buffer.getvalue()


def corpus(header: list[str], valid_row: list[str]) -> list[Hostile]:
    """Every hostile file for an importer whose columns are ``header`` and of
    which ``valid_row`` is a valid row (text cells)."""
    first = header[0]
    text_column = header[1] if len(header) > 1 else first
    with_nul = list(valid_row)
    with_nul[1 if len(header) > 1 else 0] = "Caneca\x00Azul"
    with_control = list(valid_row)
    with_control[1 if len(header) > 1 else 0] = "Caneca\x1bAzul"
    long_cell = list(valid_row)
    long_cell[1 if len(header) > 1 else 0] = "x" * (10 * 1024 * 1024)
    workbook = xlsx_bytes(header, [valid_row])
    return [
        Hostile("vazio.csv", b"", "vazio"),
        Hostile("espacos.csv", b"  \r\n \r\n", "vazio"),
        Hostile("so-cabecalho.csv", csv_bytes(header, []), "nenhuma linha"),
        Hostile(
            "coluna-desconhecida.csv",
            csv_bytes([*header, "coluna_estranha"], [[*valid_row, "x"]]),
            "coluna_estranha",
        ),
        Hostile(
            "coluna-faltando.csv",
            csv_bytes(header[1:], [valid_row[1:]]),
            first,
        ),
        Hostile("lixo.csv", bytes(range(256)) * 64, "não é uma planilha"),
        Hostile(
            "planilha.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096, ".xls"
        ),
        Hostile("arquivo.xlsx", b"PK\x03\x04" + b"\0" * 100, "O arquivo XLSX está"),
        Hostile(
            "nul.csv",
            csv_bytes(header, [with_nul]),
            "caractere de controle",
            kind="row",
            column=text_column,
        ),
        Hostile(
            "escape.csv",
            csv_bytes(header, [with_control]),
            "caractere de controle",
            kind="row",
            column=text_column,
        ),
        Hostile(
            "celula-gigante.csv",
            csv_bytes(header, [long_cell]),
            "caracteres",
            kind="row",
            column=text_column,
        ),
        Hostile("macros.xlsm", workbook, "macros"),
        Hostile(
            "disfarcado.xlsx",
            with_entry(workbook, "xl/vbaProject.bin", b"\0" * 512),
            "macros",
        ),
        Hostile("bomba.xlsx", zip_bomb(header), "bomba"),
    ]
