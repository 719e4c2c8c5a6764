"""The NF-e access key: check digit, parts, parsing, and the random cNF."""

import datetime as dt
import re
from pathlib import Path

import nfelib
import pytest
from django.utils import translation

from plugins.fiscal import keys

SAMPLES = Path(nfelib.__file__).resolve().parent / "nfe" / "samples" / "v4_0"

#: Keys of real NF-e authorised by the SEFAZ, from the sample documents that
#: ship with nfelib (their file names and their infNFe Id).
PUBLISHED = sorted(
    {
        match
        for path in SAMPLES.rglob("*.xml")
        for match in re.findall(
            r'Id="NFe([0-9]{44})"', path.read_text(encoding="utf-8-sig")
        )
    }
)


def test_the_samples_hold_published_keys():
    assert len(PUBLISHED) >= 15
    assert "35180834128745000152550010000474281920007498" in PUBLISHED


@pytest.mark.parametrize("key", PUBLISHED)
def test_published_keys_have_the_check_digit_we_compute(key):
    assert keys.check_digit(key[:43]) == int(key[43])
    assert keys.is_valid(key)


def test_a_key_is_made_of_its_parts():
    # the sample 35180834128745000152550010000474281920007498-nfe.xml
    key = keys.make_key(
        uf="SP",
        issued_at=dt.date(2018, 8, 20),
        cnpj="34128745000152",
        series=1,
        number=47428,
        numeric_code="92000749",
    )
    assert str(key) == "35180834128745000152550010000474281920007498"
    assert key.digit == 8


def test_parse_reads_every_part():
    key = keys.parse("3518 0834 1287 4500 0152 5500 1000 0474 2819 2000 7498")
    assert key.uf == "SP"
    assert key.year_month == "1808"
    assert key.cnpj == "34128745000152"
    assert key.model == "55"
    assert key.series == 1
    assert key.number == 47428
    assert key.emission_type == "1"
    assert key.numeric_code == "92000749"
    assert key.digit == 8


def test_an_alphanumeric_cnpj_counts_each_character_as_its_code_minus_48():
    # the Receita Federal's example CNPJ 12.ABC.345/01DE-35: its own check
    # digits follow the same modulo 11 with the same character values
    assert keys.check_digit("12ABC34501DE") == 3
    assert keys.check_digit("12ABC34501DE3") == 5
    key = keys.make_key(
        uf="SP",
        issued_at=dt.datetime(2026, 8, 3, 10, tzinfo=dt.UTC),
        cnpj="12abc34501de35",
        series=1,
        number=123,
        numeric_code="48261930",
    )
    assert str(key).startswith("352608" + "12ABC34501DE35" + "55001000000123148261930")
    assert keys.parse(str(key)).cnpj == "12ABC34501DE35"
    # "A" counts 17: changing it changes the digit
    other = str(key).replace("ABC", "ABD", 1)
    assert not keys.is_valid(other)


def test_a_wrong_check_digit_is_refused_and_says_which_it_should_be():
    key = PUBLISHED[0]
    wrong = key[:43] + str((int(key[43]) + 1) % 10)
    with translation.override("pt-br"), pytest.raises(keys.InvalidAccessKey) as error:
        keys.parse(wrong)
    assert f"deveria ser {key[43]}" in str(error.value)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("3518083412874500015255001000047428192000749", "44 characters"),
        ("35180834128745000152550010000474281920007A98", "only the CNPJ part"),
        ("99180834128745000152550010000474281920007498", "no UF's code"),
        ("35181334128745000152550010000474281920007498", "month"),
        ("", "44 characters"),
    ],
)
def test_malformed_keys_are_refused_with_their_reason(key, reason):
    with translation.override("en"), pytest.raises(keys.InvalidAccessKey) as error:
        keys.parse(key)
    assert reason in str(error.value)


def test_the_numeric_code_has_8_digits_and_is_never_the_number(monkeypatch):
    assert re.fullmatch(r"[0-9]{8}", keys.random_numeric_code(1))
    # the first draw equals the number: a second one is taken
    draws = iter([47428, 12345])
    monkeypatch.setattr(keys.secrets, "randbelow", lambda _limit: next(draws))
    assert keys.random_numeric_code(47428) == "00012345"
