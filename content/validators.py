"""Brazilian and catalog identifiers: GTIN/EAN, NCM, CNPJ, CPF, CEP."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DIGITS = re.compile(r"\D")


def only_digits(value: str) -> str:
    return DIGITS.sub("", value or "")


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits before the check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(value: str) -> None:
    if not value:
        return
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise ValidationError(
            _("GTIN/EAN must have 8, 12, 13 or 14 digits."), code="gtin_length"
        )
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            _("Invalid GTIN/EAN check digit: expected %(digit)s."),
            params={"digit": gtin_check_digit(value[:-1])},
            code="gtin_check_digit",
        )


def validate_ncm(value: str) -> None:
    if value and not re.fullmatch(r"\d{8}", value):
        raise ValidationError(_("NCM must have exactly 8 digits."), code="ncm")


def _cnpj_digit(digits: str) -> int:
    weights = list(range(len(digits) - 7, 1, -1)) + list(range(9, 1, -1))
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    remainder = total % 11
    return 0 if remainder < 2 else 11 - remainder


def is_valid_cnpj(value: str) -> bool:
    digits = only_digits(value)
    if len(digits) != 14 or digits == digits[0] * 14:
        return False
    first = _cnpj_digit(digits[:12])
    second = _cnpj_digit(digits[:12] + str(first))
    return digits[12:] == f"{first}{second}"


def _cpf_digit(digits: str) -> int:
    total = sum(
        int(d) * w for d, w in zip(digits, range(len(digits) + 1, 1, -1), strict=True)
    )
    remainder = (total * 10) % 11
    return 0 if remainder == 10 else remainder


def is_valid_cpf(value: str) -> bool:
    digits = only_digits(value)
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    first = _cpf_digit(digits[:9])
    second = _cpf_digit(digits[:9] + str(first))
    return digits[9:] == f"{first}{second}"


def validate_cnpj(value: str) -> None:
    if value and not is_valid_cnpj(value):
        raise ValidationError(_("Invalid CNPJ."), code="cnpj")


def validate_cpf(value: str) -> None:
    if value and not is_valid_cpf(value):
        raise ValidationError(_("Invalid CPF."), code="cpf")


def validate_cep(value: str) -> None:
    if value and len(only_digits(value)) != 8:
        raise ValidationError(_("CEP must have 8 digits."), code="cep")


def format_cnpj(value: str) -> str:
    d = only_digits(value)
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}" if len(d) == 14 else value
