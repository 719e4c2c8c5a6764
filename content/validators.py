"""Brazilian and catalog identifiers (GTIN/EAN, NCM, CNPJ, CPF, CEP) and the
invisible characters refused in identifiers and stripped from free text.

Every form, serializer, importer and model field that takes one of these goes
through the functions here."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

DIGITS = re.compile(r"\D")

# -- Invisible characters ----------------------------------------------------------
#
# Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) and
# zero-width characters (U+200B-U+200F, U+2060, U+FEFF) make what the admin
# shows differ from what is stored ("ABC\u202e321" reads as "ABC123").
# Identifiers (SKU, slug, CPF/CNPJ, CEP, e-mail) that carry them are refused;
# free text that people write (names, descriptions, addresses, notes) loses them.

INVISIBLE_CHARACTERS = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def has_invisible_characters(value) -> bool:
    return isinstance(value, str) and INVISIBLE_CHARACTERS.search(value) is not None


def strip_invisible_characters(value):
    """Free text without bidirectional controls and zero-width characters;
    anything that is not a string is returned as it is."""
    if not isinstance(value, str):
        return value
    return INVISIBLE_CHARACTERS.sub("", value)


def validate_identifier_text(value) -> None:
    """Refuse an identifier with bidirectional controls or zero-width
    characters, with an error that says so."""
    if has_invisible_characters(value):
        raise ValidationError(
            _(
                "Remove the invisible characters (text direction controls or "
                "zero-width characters) from this value."
            ),
            code="invisible_characters",
        )


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


# -- CPF and CNPJ --------------------------------------------------------------------
#
# Since July 2026 the Receita Federal issues alphanumeric CNPJs: letters A-Z and
# digits in the first twelve positions, two numeric check digits (mod 11, each
# character's value being ord(char) - 48). python-stdnum computes the check
# digits; the shapes, the repeated characters and the error messages are ours.

CPF_SHAPE = re.compile(r"[0-9]{11}")
CNPJ_SHAPE = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
DOCUMENT_SEPARATORS = re.compile(r"[\s./-]")


def normalise_document(value: str) -> str:
    """A CPF or CNPJ as stored: without punctuation or spaces, letters in upper
    case ("12.abc.345/01de-35" -> "12ABC34501DE35"). Any other character stays,
    so that validation refuses it."""
    return DOCUMENT_SEPARATORS.sub("", value or "").upper()


def is_valid_cnpj(value: str) -> bool:
    """A CNPJ, numeric or alphanumeric, formatted or not, in any case, with
    valid check digits; never twelve repeated characters (00.000.000/0000-00)."""
    number = normalise_document(value)
    if not CNPJ_SHAPE.fullmatch(number) or len(set(number[:12])) == 1:
        return False
    return stdnum_cnpj.is_valid(number)


def is_valid_cpf(value: str) -> bool:
    """A CPF with valid check digits; never eleven repeated digits."""
    number = normalise_document(value)
    if not CPF_SHAPE.fullmatch(number) or len(set(number)) == 1:
        return False
    return stdnum_cpf.is_valid(number)


def validate_cnpj(value: str) -> None:
    if not value:
        return
    validate_identifier_text(value)
    if not is_valid_cnpj(value):
        raise ValidationError(
            _("“%(value)s” is not a valid CNPJ."), code="cnpj", params={"value": value}
        )


def validate_cpf(value: str) -> None:
    if not value:
        return
    validate_identifier_text(value)
    if not is_valid_cpf(value):
        raise ValidationError(
            _("“%(value)s” is not a valid CPF."), code="cpf", params={"value": value}
        )


def validate_document(value: str) -> None:
    """A CPF (11 digits) or a CNPJ (14 characters, numeric or alphanumeric)
    with valid check digits."""
    validate_identifier_text(value)
    if is_valid_cpf(value) or is_valid_cnpj(value):
        return
    raise ValidationError(
        _("“%(value)s” is not a valid CPF or CNPJ."),
        code="document",
        params={"value": value},
    )


def format_cnpj(value: str) -> str:
    """12.ABC.345/01DE-35; the value unchanged if it is not 14 characters."""
    number = normalise_document(value)
    if len(number) != 14:
        return value
    return f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}"


def format_document(value: str) -> str:
    """A stored CPF or CNPJ with its punctuation."""
    number = normalise_document(value)
    if len(number) == 11:
        return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
    return format_cnpj(value)


def validate_cep(value: str) -> None:
    if not value:
        return
    validate_identifier_text(value)
    digits = only_digits(value)
    if len(digits) != 8:
        raise ValidationError(_("CEP must have 8 digits."), code="cep")
    if digits == "00000000":
        raise ValidationError(_("CEP 00000-000 does not exist."), code="cep_zero")
