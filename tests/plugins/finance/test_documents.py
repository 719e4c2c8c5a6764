"""The printed boleto: a valid PDF whose text carries what the payer and the
bank read, and whose bars decode back to the boleto's 44 digits at the
dimensions banks ask."""

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.units import mm

from plugins.finance.boleto import (
    InvalidBoleto,
    build_boleto,
    campo_livre_banco_do_brasil,
)
from plugins.finance.documents import (
    BoletoDocument,
    Party,
    bank_check_digit,
    boleto_pdf,
    boletos_pdf,
)

PAYEE = Party(
    name="Lojão Exemplo Ltda",
    document="11222333000181",
    address="Av. Paulista, 1000 - conj. 12",
    district="Bela Vista",
    city="São Paulo",
    state="SP",
    postal_code="01310100",
)
PAYER = Party(
    name="José da Conceição Araújo",
    document="529.982.247-25",
    address="Rua das Flores, 100",
    district="Centro",
    city="Campinas",
    state="SP",
    postal_code="13010-000",
)
#: Interleaved 2 of 5: each digit as five elements, W wide and N narrow
DIGITS = {
    "NNWWN": "0",
    "WNNNW": "1",
    "NWNNW": "2",
    "WWNNN": "3",
    "NNWNW": "4",
    "WNWNN": "5",
    "NWWNN": "6",
    "NNNWW": "7",
    "WNNWN": "8",
    "NWNWN": "9",
}


def document(sequence=1, amount="1234.56", **extra) -> BoletoDocument:
    boleto = build_boleto(
        bank="001",
        due_date=date(2026, 1, 20),
        amount=Decimal(amount),
        campo_livre=campo_livre_banco_do_brasil(
            convenio="1234567", sequence=sequence, carteira="17"
        ),
    )
    values = {
        "boleto": boleto,
        "bank_name": "Banco do Brasil",
        "payee": PAYEE,
        "payer": PAYER,
        "agency_code": "1234-5 / 123456-X",
        "nosso_numero": f"1234567{sequence:010d}",
        "document_number": f"PED-{1000 + sequence}",
        "issue_date": date(2026, 1, 5),
        "carteira": "17",
        "instructions": ("Após o vencimento, multa de 2% e juros de R$ 0,41 ao dia.",),
    }
    return BoletoDocument(**{**values, **extra})


def pages(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages


def bars(pdf: bytes, page: int = 0) -> list[tuple[float, float, float]]:
    """The barcode's bars (x, width, height in points) from the page's
    drawing operations: the filled rectangles 13 mm tall."""
    reader = PdfReader(io.BytesIO(pdf))
    operations = ContentStream(reader.pages[page].get_contents(), reader).operations
    found = [
        (float(x), float(w), float(h))
        for (x, _y, w, h), operator in (
            (operands, operator)
            for operands, operator in operations
            if operator == b"re"
        )
        if abs(float(h) - 13 * mm) < 0.01
    ]
    return sorted(found)


def decode(found: list[tuple[float, float, float]]) -> str:
    """Read Interleaved 2 of 5 from bar positions and widths: bars and the
    spaces between them, narrow or wide, start pattern, digit pairs, stop."""
    narrow = min(width for _x, width, _h in found)
    elements = []
    for (x, width, _h), following in zip(found, [*found[1:], None], strict=True):
        elements.append(width)
        if following is not None:
            elements.append(following[0] - (x + width))
    kinds = "".join("W" if e > 2 * narrow else "N" for e in elements)
    assert kinds[:4] == "NNNN", "start pattern"
    assert kinds[-3:] == "WNN", "stop pattern"
    body = kinds[4:-3]
    digits = ""
    for start in range(0, len(body), 10):
        chunk = body[start : start + 10]
        digits += DIGITS[chunk[0::2]] + DIGITS[chunk[1::2]]
    return digits


def test_the_boleto_is_a_pdf_with_what_the_payer_and_the_bank_read():
    doc = document()
    (page,) = pages(boleto_pdf(doc))
    text = page.extract_text()
    for expected in (
        "Banco do Brasil",
        "001-9",
        doc.boleto.formatted_line,
        "Recibo do pagador",
        "Ficha de compensação",
        "Local de pagamento",
        "Pagável em qualquer banco",
        "Vencimento",
        "20/01/2026",
        "Beneficiário",
        "Lojão Exemplo Ltda – CPF/CNPJ 11.222.333/0001-81",
        "Av. Paulista, 1000 - conj. 12 – Bela Vista – São Paulo/SP – CEP 01310-100",
        "Agência/Código do beneficiário",
        "1234-5 / 123456-X",
        "Nosso número",
        "12345670000000001",
        "Nº do documento",
        "PED-1001",
        "Data do documento",
        "05/01/2026",
        "Espécie doc.",
        "DM",
        "Aceite",
        "Carteira",
        "(=) Valor do documento",
        "R$ 1.234,56",
        "Pagador",
        "José da Conceição Araújo – CPF/CNPJ 529.982.247-25",
        "Rua das Flores, 100 – Centro – Campinas/SP – CEP 13010-000",
        "Após o vencimento, multa de 2% e juros de R$ 0,41 ao dia.",
        "Autenticação mecânica",
    ):
        assert expected in text, expected


def test_the_bars_decode_to_the_boletos_44_digits():
    doc = document(sequence=87654, amount="2952.95")
    assert decode(bars(boleto_pdf(doc))) == doc.boleto.barcode


def test_the_barcode_has_the_febraban_dimensions():
    found = bars(boleto_pdf(document()))
    widths = sorted({round(width / mm, 3) for _x, width, _h in found})
    # narrow 0.254 mm, wide three times as wide, 13 mm tall
    assert widths == [0.254, 0.762]
    assert {round(height / mm, 2) for _x, _w, height in found} == {13.0}
    first, last = found[0], found[-1]
    length = last[0] + last[1] - first[0]
    assert round(length / mm, 2) == 102.87  # 405 modules
    # the quiet zone before the first bar: 25 narrow bars, 6.35 mm
    assert round(first[0] / mm, 2) == 6.35


def test_several_boletos_print_one_per_page():
    docs = [document(sequence=n, amount=f"{n}.00") for n in (1, 2, 3)]
    pdf = boletos_pdf(docs)
    assert len(pages(pdf)) == 3
    assert [decode(bars(pdf, page)) for page in range(3)] == [
        doc.boleto.barcode for doc in docs
    ]


def test_a_boleto_without_due_date_is_payable_on_presentation():
    boleto = build_boleto(
        bank="001",
        due_date=None,
        amount=Decimal("10.00"),
        campo_livre="0000001234567000000000117",
    )
    (page,) = pages(boleto_pdf(document(boleto=boleto)))
    assert "Contra apresentação" in page.extract_text()


def test_a_guarantor_is_printed_with_the_payer():
    guarantor = Party(name="Marketplace Exemplo S.A.", document="11444777000161")
    (page,) = pages(boleto_pdf(document(guarantor=guarantor)))
    assert (
        "Sacador/Avalista: Marketplace Exemplo S.A. – CPF/CNPJ 11.444.777/0001-61"
        in page.extract_text()
    )


def test_an_invalid_cpf_is_refused_instead_of_printed():
    payer = Party(name="Fulano", document="123.456.789-00")
    with pytest.raises(InvalidBoleto, match="CPF/CNPJ “123.456.789-00” is not valid"):
        boleto_pdf(document(payer=payer))


def test_nothing_to_print_is_an_error():
    with pytest.raises(InvalidBoleto, match="no boleto to print"):
        boletos_pdf([])


@pytest.mark.parametrize(
    ("bank", "digit"),
    [
        ("001", "9"),
        ("033", "7"),
        ("104", "0"),
        ("237", "2"),
        ("341", "7"),
        ("748", "X"),
        ("756", "0"),
    ],
)
def test_bank_codes_check_digits(bank, digit):
    assert bank_check_digit(bank) == digit
