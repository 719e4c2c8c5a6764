"""CNAB 240 of Banco do Brasil: the remessa as the bank's layout places each
field, the retorno the bank simulator writes for it read back, and the
errors of malformed files naming the line and the field."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from plugins.finance.boleto import campo_livre_banco_do_brasil
from plugins.finance.cnab import (
    RETORNO_COLUMNS,
    Agreement,
    Charge,
    CnabError,
    Occurrence,
    Payer,
    read_remessa,
    read_retorno,
    retorno_sheet,
    write_remessa,
)
from plugins.finance.cnab.codes import movement_label, reason_codes
from plugins.finance.cnab.simulator import Outcome, retorno_for_remessa
from plugins.importing.base import Importer
from plugins.importing.engine import header_columns
from plugins.importing.errors import FileProblem

AGREEMENT = Agreement(
    company_name="Lojão Exemplo Ltda",
    company_document="11.222.333/0001-81",
    convenio="1234567",
    agency="1234",
    agency_digit="5",
    account="123456",
    account_digit="X",
)
PAYER = Payer(
    name="José da Conceição Araújo",
    document="529.982.247-25",
    address="Rua das Flores, 100 - apto 12",
    district="Centro",
    postal_code="01001-000",
    city="São Paulo",
    state="SP",
)
COMPANY_PAYER = Payer(name="Mercadinho São Jorge", document="11444777000161")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
GENERATED = datetime(2026, 1, 5, 14, 30, 15, tzinfo=SAO_PAULO)


def charge(sequence: int, amount: str, **extra) -> Charge:
    values = {
        "sequence": sequence,
        "document_number": f"PED-{1000 + sequence}",
        "due_date": date(2026, 1, 20),
        "amount": Decimal(amount),
        "issue_date": date(2026, 1, 5),
        "payer": PAYER,
        "company_reference": f"boleto-{sequence}",
    }
    return Charge(**{**values, **extra})


def remessa(*charges: Charge) -> bytes:
    charges = charges or (charge(1, "1234.56"), charge(2, "10.00"))
    return write_remessa(
        AGREEMENT,
        charges,
        file_number=42,
        generated_at=GENERATED,
    )


def lines(data: bytes) -> list[str]:
    return data.decode("ascii").split("\r\n")[:-1]


def at(line: str, start: int, end: int) -> str:
    """Positions as the bank's manual numbers them (1-based, inclusive)."""
    return line[start - 1 : end]


def nosso_numero(sequence: int) -> str:
    return f"1234567{sequence:010d}"


def edit(data: bytes, line: int, start: int, text: str) -> bytes:
    rows = lines(data)
    row = rows[line - 1]
    rows[line - 1] = row[: start - 1] + text + row[start - 1 + len(text) :]
    return ("\r\n".join(rows) + "\r\n").encode("latin-1")


def paid_and_rejected() -> bytes:
    return retorno_for_remessa(
        remessa(),
        {
            nosso_numero(1): Outcome(
                movement="06",
                amount_paid=Decimal("1240.00"),
                interest=Decimal("5.44"),
                fee=Decimal("2.50"),
                payment_date=date(2026, 1, 21),
                credit_date=date(2026, 1, 22),
            ),
            nosso_numero(2): Outcome(movement="03", reasons=("48", "09")),
        },
        file_number=7,
        generated_at=datetime(2026, 1, 22, 6, 0, tzinfo=SAO_PAULO),
    )


# -- the remessa ------------------------------------------------------------------


def test_every_line_of_a_remessa_is_240_ascii_characters_in_order():
    rows = lines(remessa())
    assert [len(row) for row in rows] == [240] * 8
    assert all(row.isascii() for row in rows)
    # file header, lote header, P Q per título, lote trailer, file trailer
    kinds = [at(row, 8, 8) + (at(row, 14, 14) if row[7] == "3" else "") for row in rows]
    assert kinds == [
        "0",
        "1",
        "3P",
        "3Q",
        "3P",
        "3Q",
        "5",
        "9",
    ]
    assert {at(row, 1, 3) for row in rows} == {"001"}
    assert [at(row, 4, 7) for row in rows] == ["0000"] + ["0001"] * 6 + ["9999"]
    assert [at(row, 9, 13) for row in rows[2:6]] == [
        "00001",
        "00002",
        "00003",
        "00004",
    ]


def test_the_file_header_carries_the_agreement_and_the_file_number():
    header = lines(remessa())[0]
    assert at(header, 18, 32) == "211222333000181"
    # convênio in 9 digits, 0014 cobrança, carteira 17, variation 019
    assert at(header, 33, 52) == "001234567001417019  "
    assert at(header, 53, 72) == "012345000000123456X "
    assert at(header, 73, 102) == "LOJAO EXEMPLO LTDA".ljust(30)
    assert at(header, 103, 132) == "BANCO DO BRASIL S.A.".ljust(30)
    assert at(header, 143, 157) == "1" + "05012026" + "143015"
    assert at(header, 158, 166) == "000042" + "083"
    lote = lines(remessa())[1]
    assert at(lote, 9, 17) == "R0100042 "
    assert at(lote, 184, 199) == "00000042" + "05012026"


def test_segment_p_places_the_titulo_where_the_bank_reads_it():
    p = lines(remessa(charge(1, "1234.56", interest_per_day=Decimal("0.41"))))[2]
    assert at(p, 16, 17) == "01"  # entry
    assert at(p, 38, 57) == "12345670000000001   "
    assert at(p, 58, 62) == "71122"  # carteira 17 simples, company issues
    assert at(p, 63, 77) == "PED-1001       "
    assert at(p, 78, 85) == "20012026"
    assert at(p, 86, 100) == "000000000123456"
    assert at(p, 107, 117) == "02N05012026"
    # interest per day from the day after the due date
    assert at(p, 118, 141) == "1" + "21012026" + "000000000000041"
    assert at(p, 142, 142) == "0"
    assert at(p, 196, 220) == "BOLETO-1".ljust(25)
    assert at(p, 221, 229) == "300000009"


def test_the_nosso_numero_is_the_one_in_the_boletos_barcode():
    p = lines(remessa(charge(87654, "1.00")))[2]
    campo_livre = campo_livre_banco_do_brasil(
        convenio="1234567", sequence=87654, carteira="17"
    )
    assert at(p, 38, 54) == campo_livre[6:23]


def test_segment_q_carries_the_payer_without_accents_in_upper_case():
    q = lines(remessa())[3]
    assert at(q, 18, 33) == "1" + "000052998224725"
    assert at(q, 34, 73) == "JOSE DA CONCEICAO ARAUJO".ljust(40)
    assert at(q, 74, 113) == "RUA DAS FLORES, 100 - APTO 12".ljust(40)
    assert at(q, 114, 128) == "CENTRO".ljust(15)
    assert at(q, 129, 153) == "01001000" + "SAO PAULO".ljust(15) + "SP"


def test_a_company_payer_is_a_cnpj_and_long_names_are_cut_to_their_field():
    long_name = COMPANY_PAYER.name + " Comércio de Alimentos e Bebidas Eireli"
    payer = Payer(name=long_name, document=COMPANY_PAYER.document)
    q = lines(remessa(charge(1, "5.00", payer=payer)))[3]
    assert at(q, 18, 33) == "2" + "011444777000161"
    assert at(q, 34, 73) == "MERCADINHO SAO JORGE COMERCIO DE ALIMENT"


def test_segment_r_is_written_only_for_a_fine_or_messages():
    plain, fined = (
        charge(1, "100.00"),
        charge(
            2,
            "100.00",
            fine_percent=Decimal("2.00"),
            messages=("Não receber após 30 dias",),
        ),
    )
    rows = lines(remessa(plain, fined))
    segments = [at(row, 14, 14) for row in rows[2:-2]]
    assert segments == ["P", "Q", "P", "Q", "R"]
    r = rows[6]
    assert at(r, 66, 89) == "2" + "21012026" + "000000000000200"
    assert at(r, 100, 139) == "NAO RECEBER APOS 30 DIAS".ljust(40)
    trailer = rows[-2]
    assert at(trailer, 18, 23) == "000007"  # header, 5 details, trailer
    assert at(lines(remessa(plain, fined))[-1], 18, 29) == "000001" + "000009"


def test_a_test_remessa_is_marked_ts():
    data = write_remessa(AGREEMENT, [charge(1, "1.00")], file_number=1, test=True)
    assert at(lines(data)[0], 51, 52) == "TS"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"payer": Payer(name="X", document="123.456.789-00")}, "CPF/CNPJ"),
        ({"document_number": "PEDIDO-0000000001"}, "does not fit in 15 characters"),
        ({"amount": Decimal("1.005")}, "not an amount of reais and centavos"),
        ({"amount": Decimal("0")}, "greater than zero"),
        ({"sequence": 10**10}, "nosso número sequence"),
        ({"company_reference": "r" * 26}, "company reference"),
    ],
)
def test_data_a_remessa_cannot_carry_is_refused(changes, message):
    with pytest.raises(CnabError, match=message):
        remessa(replace(charge(1, "1.00"), **changes))


def test_a_remessa_needs_a_titulo():
    with pytest.raises(CnabError, match="at least one título"):
        write_remessa(AGREEMENT, [], file_number=1)


def test_a_remessa_is_read_back_with_its_titulos():
    read = read_remessa(remessa())
    assert read.file_number == 42 and read.convenio == "001234567"
    assert [c["nosso_numero"] for c in read.charges] == [
        nosso_numero(1),
        nosso_numero(2),
    ]
    first = read.charges[0]
    assert first["line"] == 3
    assert first["amount"] == Decimal("1234.56")
    assert first["due_date"] == date(2026, 1, 20)
    assert first["payer_name"] == "JOSE DA CONCEICAO ARAUJO"


# -- the retorno --------------------------------------------------------------------


def test_the_retorno_of_a_remessa_is_read_back_titulo_by_titulo():
    retorno = read_retorno(paid_and_rejected())
    assert retorno.file_number == 7
    assert retorno.credit_date == date(2026, 1, 22)
    paid, rejected = retorno.records
    assert paid.line == 3 and rejected.line == 5
    assert paid.nosso_numero == nosso_numero(1)
    assert paid.occurrence == Occurrence.PAID
    assert paid.document_number == "PED-1001"
    assert paid.company_reference == "BOLETO-1"
    assert paid.face_value == Decimal("1234.56")
    assert paid.amount_paid == Decimal("1240.00")
    assert paid.interest == Decimal("5.44")
    assert paid.fee == Decimal("2.50")
    assert paid.net_amount == Decimal("1237.50")
    assert paid.payment_date == date(2026, 1, 21)
    assert paid.credit_date == date(2026, 1, 22)
    assert paid.rejection_reasons == []
    assert rejected.occurrence == Occurrence.REJECTED
    assert rejected.reasons == ("48", "09")
    assert rejected.rejection_reasons == ["Invalid CEP", "Duplicate nosso número"]
    assert rejected.amount_paid == 0 and rejected.payment_date is None


def test_confirmed_written_off_and_other_movements_map_to_their_occurrence():
    data = retorno_for_remessa(
        remessa(charge(1, "1.00"), charge(2, "2.00"), charge(3, "3.00")),
        {
            nosso_numero(2): Outcome(movement="09", payment_date=date(2026, 2, 1)),
            nosso_numero(3): Outcome(movement="14"),
        },
    )
    records = read_retorno(data).records
    assert [r.occurrence for r in records] == [
        Occurrence.REGISTERED,
        Occurrence.WRITTEN_OFF,
        Occurrence.OTHER,
    ]
    assert records[2].movement_label == "Due date change confirmed"
    assert movement_label("77") == "Movement 77"


def test_the_reasons_field_holds_up_to_five_codes():
    assert reason_codes("4809      ") == ("48", "09")
    assert reason_codes("0000000000") == ()
    assert reason_codes("01020304 5") == ("01", "02", "03", "04", "5")


def test_a_retorno_with_lf_line_ends_is_read_too():
    data = paid_and_rejected().replace(b"\r\n", b"\n")
    assert len(read_retorno(data).records) == 2


def test_the_import_framework_reads_a_retorno_as_rows_numbered_by_line():
    sheet = retorno_sheet(paid_and_rejected())
    assert sheet.header == [column.name for column in RETORNO_COLUMNS]
    rows = list(sheet.rows)
    assert [number for number, _cells in rows] == [3, 5]
    paid = dict(zip(sheet.header, rows[0][1], strict=True))
    assert paid["nosso_numero"] == nosso_numero(1)
    assert paid["occurrence"] == "paid"
    assert paid["amount_paid"] == Decimal("1240.00")
    assert paid["payment_date"] == date(2026, 1, 21)
    rejected = dict(zip(sheet.header, rows[1][1], strict=True))
    assert rejected["reasons"] == "Invalid CEP; Duplicate nosso número"


def test_an_importer_declaring_the_retorno_columns_accepts_the_sheet():
    class RetornoImporter(Importer):
        key = "cnab-retorno"
        columns = RETORNO_COLUMNS

    sheet = retorno_sheet(paid_and_rejected())
    names, notices = header_columns(RetornoImporter, sheet.header, user=None)
    assert names == [column.name for column in RETORNO_COLUMNS] and notices == []


def test_a_retorno_is_a_file_problem_for_the_import_framework():
    with pytest.raises(FileProblem, match="Line 1, position 1: a control character"):
        retorno_sheet(b"\x00" * 240)


def test_rejection_reasons_and_errors_read_in_portuguese():
    with translation.override("pt-br"):
        rejected = read_retorno(paid_and_rejected()).records[1]
        assert rejected.rejection_reasons == ["CEP inválido", "Nosso número duplicado"]
        with pytest.raises(CnabError) as error:
            read_retorno(edit(paid_and_rejected(), 4, 78, "00000000012400X"))
    assert str(error.value) == (
        "Linha 4, valor pago (posições 78–92): “00000000012400X” não é um número."
    )


# -- malformed files ----------------------------------------------------------------


def test_an_empty_file_is_refused():
    for data in (b"", b"\r\n\r\n", b"   "):
        with pytest.raises(CnabError, match="The file is empty"):
            read_retorno(data)


def test_a_short_line_is_named():
    rows = lines(paid_and_rejected())
    rows[3] = rows[3][:200]
    data = ("\r\n".join(rows) + "\r\n").encode()
    with pytest.raises(CnabError, match="Line 4 has 200 characters") as error:
        read_retorno(data)
    assert error.value.line == 4


def test_a_wrong_record_type_is_named_with_its_line_and_position():
    data = edit(paid_and_rejected(), 5, 8, "4")
    with pytest.raises(
        CnabError, match=r"Line 5, record type \(position 8\): “4”: not a CNAB"
    ):
        read_retorno(data)


def test_a_lote_trailer_whose_total_does_not_match_is_refused():
    data = edit(paid_and_rejected(), 7, 30, "00000000000999999")
    with pytest.raises(CnabError) as error:
        read_retorno(data)
    assert str(error.value) == (
        "Line 7, total of cobrança simples (positions 30–46): R$ 9.999,99 "
        "declared, but the títulos of the lote add up to R$ 1.244,56."
    )


def test_record_counts_that_do_not_match_are_refused():
    with pytest.raises(CnabError, match="Line 7, records in the lote"):
        read_retorno(edit(paid_and_rejected(), 7, 18, "000005"))
    with pytest.raises(CnabError, match="Line 8, records in the file"):
        read_retorno(edit(paid_and_rejected(), 8, 24, "000009"))
    with pytest.raises(CnabError, match="Line 8, lotes in the file"):
        read_retorno(edit(paid_and_rejected(), 8, 18, "000002"))


def test_non_ascii_garbage_is_named_by_line_and_position():
    data = paid_and_rejected().replace(b"JOSE DA", "JOSÉ DA".encode("latin-1"), 1)
    with pytest.raises(CnabError, match="Line 3, position 152: a character other"):
        read_retorno(data)
    with pytest.raises(CnabError, match="Line 1, position 10: a character other"):
        read_retorno("%PDF-1.4 ✓ não é CNAB".encode())
    with pytest.raises(CnabError, match="Line 1, position 5: a control character"):
        read_retorno(b"%PDF\x00\x01\x02" + b"x" * 300)


def test_a_file_cut_short_or_with_lines_after_its_trailer_is_refused():
    rows = lines(paid_and_rejected())
    cut = ("\r\n".join(rows[:-1]) + "\r\n").encode()
    with pytest.raises(CnabError, match="ends at line 7 without its trailer"):
        read_retorno(cut)
    extra = ("\r\n".join([*rows, rows[-1]]) + "\r\n").encode()
    with pytest.raises(CnabError, match="Line 9 comes after the file trailer"):
        read_retorno(extra)


def test_structure_errors_name_the_line():
    data = paid_and_rejected()
    cases = [
        # a remessa is not a retorno
        (remessa(), "Line 1, remessa/retorno code .*: “1”: this is a remessa"),
        (edit(data, 2, 1, "341"), "Line 2, bank code .*: “341” is not Banco do Brasil"),
        (edit(data, 3, 14, "P"), "Line 3, segment .*: “P” is not one of the segments"),
        (edit(data, 4, 9, "00003"), "Line 4, record number in the lote .*: “00003”"),
        (edit(data, 4, 4, "0002"), "Line 4, lote .*: “0002” is not the lote open"),
        (edit(data, 4, 16, "02"), "Line 4, movement code .*: “02” is not the movement"),
        (
            edit(data, 4, 138, "32132026"),
            "Line 4, occurrence date .*: “32132026” is not a date",
        ),
        (edit(data, 2, 9, "R"), "Line 2, operation type .*: “R” should be T"),
        (edit(data, 1, 8, "1"), "Line 1, record type .*: the file must start"),
        (edit(data, 7, 8, "3"), "Line 7, segment .*: “ ” is not one of"),
    ]
    for broken, message in cases:
        with pytest.raises(CnabError, match=message):
            read_retorno(broken)


def test_each_segment_t_needs_its_segment_u():
    rows = lines(paid_and_rejected())
    # the second título's T in place of the first título's U
    rows[3] = rows[4][:8] + "00002" + rows[4][13:]
    rows[4] = rows[4][:8] + "00003" + rows[4][13:]
    data = ("\r\n".join(rows) + "\r\n").encode()
    with pytest.raises(CnabError, match="Line 3: a segment T without its segment U"):
        read_retorno(data)
