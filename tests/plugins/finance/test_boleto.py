"""Boletos: published examples, the 2025 factor rollover, typed-line checks
and the Interleaved 2 of 5 drawing."""

import random
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from plugins.finance.boleto import (
    Boleto,
    BoletoCheckDigitMismatch,
    InvalidBoleto,
    barcode_check_digit,
    barcode_modules,
    barcode_svg,
    build_boleto,
    campo_livre_banco_do_brasil,
    due_date_factor,
    due_date_from_factor,
    parse_boleto,
)

# Published examples, each with its source:
# pyboleto's Banco do Brasil test (convênio 7777777, carteira 18, nosso número
# 87654, due 2011-03-08, R$ 2.952,95).
BB_BARCODE = "00196490000002952950000007777777000008765418"
BB_LINE = "00190.00009 07777.777009 00087.654182 6 49000000295295"
# PagBank's webhook documentation, a boleto due 2020-05-08 of R$ 1,00.
PAGBANK_LINE = "03399.85301 29700.000358 69420.601010 7 82490000000100"
# boleto-utils' tests: a CAIXA boleto due 2022-05-10 of R$ 214,03 and a
# credit-card statement boleto with neither due date nor amount.
CAIXA_BARCODE = "10499898100000214032006561000100040099726390"
CAIXA_LINE = "10492006506100010004200997263900989810000021403"
CARD_BARCODE = "23797000000000000004150090019801673500021140"
CARD_LINE = "23794150099001980167035000211405700000000000000"


def test_the_banco_do_brasil_example_is_built_exactly():
    campo_livre = campo_livre_banco_do_brasil(
        convenio="7777777", sequence=87654, carteira="18"
    )
    boleto = build_boleto(
        bank="001",
        due_date=date(2011, 3, 8),
        amount=Decimal("2952.95"),
        campo_livre=campo_livre,
    )
    assert campo_livre == "0000007777777000008765418"
    assert boleto.barcode == BB_BARCODE
    assert boleto.formatted_line == BB_LINE


@pytest.mark.parametrize(
    ("line", "barcode", "due", "amount", "reference"),
    [
        (BB_LINE, BB_BARCODE, date(2011, 3, 8), Decimal("2952.95"), date(2011, 3, 1)),
        (
            PAGBANK_LINE,
            "03397824900000001009853029700000356942060101",
            date(2020, 5, 8),
            Decimal("1.00"),
            date(2020, 5, 1),
        ),
        (
            CAIXA_LINE,
            CAIXA_BARCODE,
            date(2022, 5, 10),
            Decimal("214.03"),
            date(2022, 5, 1),
        ),
        (CARD_LINE, CARD_BARCODE, None, Decimal("0.00"), date(2022, 5, 1)),
    ],
)
def test_published_lines_are_read_into_barcode_due_date_and_amount(
    line, barcode, due, amount, reference
):
    boleto = parse_boleto(line, reference=reference)
    assert boleto == Boleto(barcode=barcode, due_date=due, amount=amount)
    assert boleto.digitable_line == line.replace(".", "").replace(" ", "")
    # the scanned barcode reads the same
    assert parse_boleto(barcode, reference=reference) == boleto


def test_the_factor_reached_9999_on_2025_02_21_and_restarted_at_1000():
    assert due_date_factor(date(2000, 7, 3)) == 1000
    assert due_date_factor(date(2011, 3, 8)) == 4900
    assert due_date_factor(date(2025, 2, 20)) == 9998
    assert due_date_factor(date(2025, 2, 21)) == 9999
    assert due_date_factor(date(2025, 2, 22)) == 1000
    assert due_date_factor(date(2025, 2, 23)) == 1001
    # the next rollover, 9,000 days later
    assert due_date_factor(date(2049, 10, 13)) == 9999
    assert due_date_factor(date(2049, 10, 14)) == 1000


def test_no_factor_exists_before_july_2000():
    with pytest.raises(InvalidBoleto):
        due_date_factor(date(2000, 7, 2))


@pytest.mark.parametrize(
    ("factor", "reference", "expected"),
    [
        # read around the rollover: the same digits name the new cycle
        (9999, date(2025, 2, 10), date(2025, 2, 21)),
        (1000, date(2025, 2, 10), date(2025, 2, 22)),
        (9999, date(2025, 3, 10), date(2025, 2, 21)),
        (1000, date(2025, 3, 10), date(2025, 2, 22)),
        # old boletos read before the rollover keep their first-cycle dates
        (1000, date(2000, 7, 1), date(2000, 7, 3)),
        (4900, date(2011, 3, 1), date(2011, 3, 8)),
        # factor 4900 read in 2036 is a date of the second cycle
        (4900, date(2036, 1, 1), date(2035, 10, 28)),
        # a boleto overdue by almost 3,000 days is still the old cycle's
        (9999, date(2025, 2, 21) + timedelta(days=3000), date(2025, 2, 21)),
        (0, date(2025, 1, 1), None),
    ],
)
def test_a_factor_is_read_back_in_the_window_around_the_reference(
    factor, reference, expected
):
    assert due_date_from_factor(factor, reference=reference) == expected


def test_every_date_of_the_window_round_trips_through_its_factor():
    reference = date(2025, 2, 22)
    for offset in range(-3000, 5501, 7):
        due = reference + timedelta(days=offset)
        factor = due_date_factor(due)
        assert due_date_from_factor(factor, reference=reference) == due


def test_a_factor_in_no_window_is_refused():
    # the window spans 8,501 days and a cycle 9,000: read one day more than
    # 3,000 days after 2025-02-21, factor 9999 is too old there and its next
    # date, 2049-10-13, more than 5,500 days ahead
    reference = date(2025, 2, 22) + timedelta(days=3000)
    with pytest.raises(InvalidBoleto, match="stands for no date"):
        due_date_from_factor(9999, reference=reference)
    # while 4000 (2008-09-19) read then is in the second cycle
    assert due_date_factor(date(2008, 9, 19)) == 4000
    assert due_date_from_factor(4000, reference=reference) == date(2033, 5, 11)


@pytest.mark.parametrize("factor", [1, 999, 10000])
def test_impossible_factors_are_refused(factor):
    with pytest.raises(InvalidBoleto, match="not a due-date factor"):
        due_date_from_factor(factor, reference=date(2025, 1, 1))


def test_the_general_check_digit_turns_0_10_and_11_into_1():
    rng = random.Random(44)
    seen = set()
    for _ in range(3000):
        digits = "".join(rng.choices("0123456789", k=43))
        total = sum(int(d) * (2 + i % 8) for i, d in enumerate(reversed(digits)))
        raw = 11 - total % 11
        seen.add(raw)
        expected = "1" if raw in (0, 10, 11) else str(raw)
        assert barcode_check_digit(digits) == expected
    assert {10, 11} <= seen


@pytest.mark.parametrize("position", range(47))
def test_any_mistyped_digit_of_the_line_is_caught(position):
    digits = CAIXA_LINE
    wrong = str((int(digits[position]) + 3) % 10)
    typed = digits[:position] + wrong + digits[position + 1 :]
    with pytest.raises(BoletoCheckDigitMismatch):
        parse_boleto(typed, reference=date(2022, 5, 1))


def test_the_field_with_the_wrong_check_digit_is_named():
    typed = CAIXA_LINE[:12] + "9" + CAIXA_LINE[13:]
    with pytest.raises(BoletoCheckDigitMismatch, match="Field 2"):
        parse_boleto(typed, reference=date(2022, 5, 1))


def test_swapped_fields_are_caught_by_the_general_check_digit():
    line = BB_LINE.replace(".", "").replace(" ", "")
    swapped = line[:10] + line[21:32] + line[10:21] + line[32:]
    with pytest.raises(BoletoCheckDigitMismatch, match="general"):
        parse_boleto(swapped, reference=date(2011, 3, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type"),
        ("0019O.00009", "only digits"),
        ("001900000907777777009", "47 digits"),
        ("836200000005667800481000180975657313001589636081", "arrecadação"),
    ],
)
def test_malformed_lines_are_refused(text, message):
    with pytest.raises(InvalidBoleto, match=message):
        parse_boleto(text, reference=date(2025, 1, 1))


def test_the_error_messages_are_translated():
    typed = CAIXA_LINE[:12] + "9" + CAIXA_LINE[13:]
    with translation.override("pt-br"), pytest.raises(BoletoCheckDigitMismatch) as e:
        parse_boleto(typed, reference=date(2022, 5, 1))
    assert "dígito verificador" in str(e.value)


def test_generated_boletos_round_trip_through_the_typed_line():
    rng = random.Random(20250222)
    reference = date(2026, 12, 3)
    for _ in range(500):
        due = reference + timedelta(days=rng.randint(-2999, 5499))
        amount = Decimal(rng.randint(0, 9_999_999_999)).scaleb(-2)
        campo_livre = campo_livre_banco_do_brasil(
            convenio=f"{rng.randint(0, 9_999_999):07d}",
            sequence=rng.randint(0, 9_999_999_999),
            carteira=rng.choice(["17", "18"]),
        )
        built = build_boleto(
            bank="001", due_date=due, amount=amount, campo_livre=campo_livre
        )
        read = parse_boleto(built.formatted_line, reference=reference)
        assert read == built
        assert read.campo_livre == campo_livre and read.bank == "001"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"bank": "1"}, "bank code"),
        ({"campo_livre": "123"}, "campo livre"),
        ({"amount": Decimal("-1")}, "negative"),
        ({"amount": Decimal("1.001")}, "two decimal"),
        ({"amount": Decimal("100000000.00")}, "too large"),
        ({"due_date": date(1999, 1, 1)}, "cannot fall due"),
    ],
)
def test_invalid_boleto_data_is_refused(given, message):
    arguments = {
        "bank": "001",
        "due_date": date(2026, 12, 10),
        "amount": Decimal("10.00"),
        "campo_livre": "0" * 25,
    } | given
    with pytest.raises(InvalidBoleto, match=message):
        build_boleto(**arguments)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"convenio": "123456"}, "convênio"),
        ({"sequence": 12345678901}, "sequence"),
        ({"carteira": "7"}, "carteira"),
    ],
)
def test_invalid_banco_do_brasil_data_is_refused(given, message):
    arguments = {"convenio": "1234567", "sequence": 1, "carteira": "17"} | given
    with pytest.raises(InvalidBoleto, match=message):
        campo_livre_banco_do_brasil(**arguments)


# Interleaved 2 of 5, written out independently of the drawing library:
# each digit is five elements, two of them wide.
ITF_DIGITS = {
    "nnwwn": "0",
    "wnnnw": "1",
    "nwnnw": "2",
    "wwnnn": "3",
    "nnwnw": "4",
    "wnwnn": "5",
    "nwwnn": "6",
    "nnnww": "7",
    "wnnwn": "8",
    "nwnwn": "9",
}


def _runs(modules: str) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for module in modules:
        if runs and runs[-1][0] == module:
            runs[-1] = (module, runs[-1][1] + 1)
        else:
            runs.append((module, 1))
    return runs


def _decode_itf(modules: str) -> str:
    runs = _runs(modules)
    assert {width for _, width in runs} == {1, 3}
    widths = ["w" if width == 3 else "n" for _, width in runs]
    assert widths[:4] == ["n"] * 4  # start: bar, space, bar, space
    assert widths[-3:] == ["w", "n", "n"]  # stop: wide bar, space, bar
    body = widths[4:-3]
    digits = ""
    for start in range(0, len(body), 10):
        pair = body[start : start + 10]
        digits += ITF_DIGITS["".join(pair[0::2])] + ITF_DIGITS["".join(pair[1::2])]
    return digits


@pytest.mark.parametrize("barcode", [BB_BARCODE, CAIXA_BARCODE, CARD_BARCODE])
def test_the_bars_encode_the_barcode_digits(barcode):
    modules = barcode_modules(barcode)
    # 4 start modules, 44 digits of 2 wide (3) and 3 narrow elements, stop 5:
    # 405 modules of 0.254 mm make FEBRABAN's 103 mm
    assert len(modules) == 4 + 44 * 9 + 5 == 405
    assert sum(1 for kind, _ in _runs(modules) if kind == "1") == 2 + 44 * 5 // 2 + 2
    assert _decode_itf(modules) == barcode


def test_the_svg_draws_one_rectangle_per_bar_narrow_and_wide():
    svg = barcode_svg(BB_BARCODE)
    root = ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted)
    namespace = "{http://www.w3.org/2000/svg}"
    bars = [
        rect
        for rect in root.iter(f"{namespace}rect")
        if "fill:black" in rect.get("style", "")
    ]
    assert len(bars) == 114
    widths = {bar.get("width") for bar in bars}
    assert widths == {"0.254mm", "0.762mm"}
    # drawn bars in order match the modules' bars
    expected = [
        width for kind, width in _runs(barcode_modules(BB_BARCODE)) if kind == "1"
    ]
    drawn = [1 if bar.get("width") == "0.254mm" else 3 for bar in bars]
    assert drawn == expected


def test_only_a_44_digit_barcode_is_drawn():
    with pytest.raises(InvalidBoleto, match="barcode"):
        barcode_svg(BB_LINE)
