"""IBGE city codes found offline from a UF and a city's name."""

import csv
from pathlib import Path

import brazilfiscalreport
import pytest
from django.utils import translation

from plugins.fiscal import ibge


@pytest.mark.parametrize(
    ("uf", "city", "code"),
    [
        ("SP", "São Paulo", "3550308"),
        ("sp", "SAO PAULO", "3550308"),
        ("SP", "  são   paulo ", "3550308"),
        ("RO", "Alta Floresta D'Oeste", "1100015"),
        ("RO", "alta floresta d oeste", "1100015"),
        ("RO", "Alta Floresta d´Oeste", "1100015"),
        ("SP", "Embu-Guaçu", "3515103"),
        ("SP", "embu guacu", "3515103"),
        ("RJ", "Parati", "3303807"),  # a former name
        ("SP", "Embu", "3515004"),  # Embu das Artes since 2011
        ("DF", "Taguatinga", "5300108"),  # every address in the DF is Brasília
    ],
)
def test_city_codes_ignore_accents_case_and_punctuation(uf, city, code):
    assert ibge.city_code(uf, city) == code


def test_the_same_name_in_another_state_is_another_city():
    assert ibge.city_code("MS", "Campo Grande") == "5002704"
    assert ibge.city_code("RN", "Campo Grande") == "2401305"


def test_an_unknown_city_suggests_close_names_in_portuguese():
    with translation.override("pt-br"), pytest.raises(ibge.CityNotFound) as error:
        ibge.city_code("SP", "Sao Paolo")
    assert error.value.suggestions == ["São Paulo"]
    assert str(error.value) == (
        "Não há cidade “Sao Paolo” em SP. Você quis dizer: São Paulo?"
    )


def test_a_code_gives_the_official_name():
    assert ibge.city_name("3509502") == ("Campinas", "SP")
    assert ibge.city_name("0000000") == ("", "")


def test_the_table_is_the_one_brazilfiscalreport_ships():
    source = (
        Path(brazilfiscalreport.__file__).resolve().parent
        / "danfse"
        / "municipios_ibge.csv"
    )
    with source.open(encoding="utf-8", newline="") as handle:
        theirs = sorted(tuple(row) for row in csv.reader(handle, delimiter=";"))
    with ibge.TABLE.open(encoding="utf-8", newline="") as handle:
        ours = [tuple(row) for row in csv.reader(handle, delimiter=";")]
    # when the IBGE adds a municipality: python -m plugins.fiscal.ibge
    assert ours == theirs
    assert len(ours) >= 5570
