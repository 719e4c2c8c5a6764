from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from content.resources import parse_decimal
from content.validators import (
    is_valid_cnpj,
    is_valid_cpf,
    validate_cep,
    validate_gtin,
    validate_ncm,
)


@pytest.mark.parametrize(
    "gtin", ["7891000315507", "78912342", "012345678905", "17891000315504"]
)
def test_valid_gtins(gtin):
    validate_gtin(gtin)


@pytest.mark.parametrize(
    ("gtin", "code"),
    [
        ("7891000315508", "gtin_check_digit"),
        ("789100031550", "gtin_check_digit"),
        ("12345", "gtin_length"),
        ("78910003155A7", "gtin_length"),
    ],
)
def test_invalid_gtins_say_why(gtin, code):
    with pytest.raises(ValidationError) as error:
        validate_gtin(gtin)
    assert error.value.error_list[0].code == code
    if code == "gtin_check_digit":
        expected = error.value.error_list[0].params["digit"]
        assert str(expected) in error.value.messages[0]


@pytest.mark.parametrize("ncm", ["6109100", "610910001", "6109.10.00", "abcdefgh"])
def test_ncm_has_eight_digits(ncm):
    with pytest.raises(ValidationError):
        validate_ncm(ncm)
    validate_ncm("61091000")


def test_cnpj_and_cpf_check_digits():
    assert is_valid_cnpj("11.222.333/0001-81")
    assert is_valid_cnpj("11222333000181")
    assert not is_valid_cnpj("11.222.333/0001-82")
    assert not is_valid_cnpj("00000000000000")
    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("529.982.247-24")
    assert not is_valid_cpf("111.111.111-11")


def test_cep():
    validate_cep("01310-100")
    with pytest.raises(ValidationError):
        validate_cep("1310-100")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("R$ 49,90", "49.90"),
        ("1.234", "1234"),
        ("12.50", "12.50"),
        ("1.234.567,8", "1234567.8"),
    ],
)
def test_brazilian_and_plain_numbers(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "1,2,3", "12,3.4,5", "", "NaN", "inf"])
def test_bad_numbers(text):
    with pytest.raises(ValueError):
        parse_decimal(text)
