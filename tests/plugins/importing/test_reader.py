"""The import framework's reader: what it accepts and how it refuses, in
pt-BR, before anything is parsed where it can be."""

import tracemalloc

import pytest
from django.utils import translation

from plugins.importing.errors import FileProblem
from plugins.importing.reader import Limits, cell_problems, read_sheet
from tests.plugins.importing.hostile import (
    csv_bytes,
    with_entry,
    xlsx_bytes,
    zip_bomb,
)

HEADER = ["sku", "nome", "preco"]
ROW = ["CAN-AZ", "Caneca Azul", "89,90"]


@pytest.fixture(autouse=True)
def pt_br():
    with translation.override("pt-br"):
        yield


def refused(data: bytes, name: str = "", **limits) -> str:
    with pytest.raises(FileProblem) as error:
        sheet = read_sheet(data, name=name, limits=Limits(**limits))
        list(sheet.rows)
    return str(error.value)


def rows(data: bytes, name: str = "") -> tuple[list, list]:
    sheet = read_sheet(data, name=name, limits=Limits())
    return sheet.header, list(sheet.rows)


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_the_encodings_and_delimiters_a_spreadsheet_writes(delimiter, encoding):
    text = f"{delimiter.join(HEADER)}\r\nCAN-AZ{delimiter}Caneca Açaí{delimiter}89\r\n"
    header, data = rows(text.encode(encoding))
    assert header == HEADER
    assert data == [(2, ["CAN-AZ", "Caneca Açaí", "89"])]


def test_xlsx_rows_are_numbered_as_the_spreadsheet_numbers_them():
    header, data = rows(xlsx_bytes(HEADER, [ROW, ["CAN-VD", "Caneca Verde", 12.5]]))
    assert header == HEADER
    assert data == [(2, ROW), (3, ["CAN-VD", "Caneca Verde", 12.5])]


def test_a_multi_line_cell_keeps_the_record_number():
    data = b'sku;nome\r\nA;"duas\r\nlinhas"\r\nB;uma\r\n'
    assert rows(data)[1] == [(2, ["A", "duas\r\nlinhas"]), (3, ["B", "uma"])]


def test_empty_and_blank_files():
    assert "vazio" in refused(b"")
    assert "vazio" in refused(b" \r\n\r\n")


def test_size_limit_names_both_sizes():
    message = refused(b"sku\r\n" + b"A\r\n" * 600_000, max_bytes=1024 * 1024)
    assert "1,7 MB" in message and "1,0 MB" in message


def test_binary_garbage_is_not_a_spreadsheet():
    assert "não é uma planilha" in refused(bytes(range(256)) * 64)


def test_old_binary_excel_is_named():
    message = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    assert ".xls" in message and "XLSX" in message


def test_an_open_quote_is_reported_with_its_line_in_pt_br():
    message = refused(b'sku;nome\r\nA;"sem fim\r\nB;C\r\n')
    assert "linha" in message and "CSV" in message


def test_macro_enabled_workbooks_by_name_or_content():
    workbook = xlsx_bytes(HEADER, [ROW])
    assert "macros" in refused(workbook, name="Planilha.XLSM")
    assert "macros" in refused(with_entry(workbook, "xl/vbaProject.bin", b"\0"))
    # whatever the part's folder or case
    assert "macros" in refused(with_entry(workbook, "custom/VBAPROJECT.BIN", b"\0"))


def test_a_zip_that_is_not_a_workbook():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("foto.jpg", b"\xff\xd8")
    assert "não uma pasta de trabalho XLSX" in refused(buffer.getvalue())


def test_a_damaged_workbook():
    assert "O arquivo XLSX está" in refused(b"PK\x03\x04" + b"\0" * 100)


def test_zip_bomb_refused_from_the_directory_without_inflating():
    bomb = zip_bomb(HEADER)
    assert len(bomb) < 1024 * 1024  # about half a megabyte ...
    tracemalloc.start()
    try:
        message = refused(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "bomba" in message
    # ... that would expand to 220 MB: refused holding little more than itself
    assert peak < 10 * 1024 * 1024


def test_expansion_limit_on_a_workbook_that_compresses_normally():
    workbook = xlsx_bytes(
        HEADER, [[f"SKU-{i}", f"Produto {i}", i] for i in range(20_000)]
    )
    message = refused(workbook, max_xlsx_uncompressed=100_000)
    assert "XLSX" in message and "0,1 MB" in message


def test_too_many_parts():
    workbook = xlsx_bytes(HEADER, [ROW])
    assert "partes" in refused(workbook, max_xlsx_entries=3)


@pytest.mark.parametrize("value", ["Caneca\x00Azul", "Caneca\x1bAzul", "\x7f"])
def test_control_characters_are_an_error_of_the_row_and_column(value):
    errors = cell_problems(7, HEADER, ["A", value, "1"], Limits())
    assert [(e.row, e.column) for e in errors] == [(7, "nome")]
    assert "caractere de controle" in errors[0].message


def test_tabs_and_line_breaks_are_text():
    assert cell_problems(2, HEADER, ["A", "uma\tduas\r\ntrês", "1"], Limits()) == []


def test_a_ten_megabyte_cell_names_line_and_column_in_pt_br():
    data = csv_bytes(HEADER, [ROW, ["A", "x" * (10 * 1024 * 1024), "1"]])
    header, data_rows = rows(data)
    (number, values) = data_rows[1]
    errors = cell_problems(number, header, values, Limits())
    assert [(e.row, e.column) for e in errors] == [(3, "nome")]
    assert "10.485.760 caracteres" in errors[0].message
    assert "32.767" in errors[0].message
