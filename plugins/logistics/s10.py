"""Correios' S10 tracking codes (UPU standard S10): two letters of the
service, eight digits of the serial, a check digit and the country ("BR"):
``AA123456785BR``.

The check digit weighs the serial's digits 8 6 4 2 3 5 9 7, sums them and
takes 11 minus the remainder of the sum by 11; 10 becomes 0 and 11 becomes 5.
"""

from __future__ import annotations

import re

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
PATTERN = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")


def check_digit(serial: str) -> int:
    """The check digit of an eight-digit serial."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial has eight digits")
    remainder = sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True)) % 11
    digit = 11 - remainder
    if digit == 10:
        return 0
    if digit == 11:
        return 5
    return digit


def make(prefix: str, serial: int, country: str = "BR") -> str:
    """The S10 code of ``serial`` (0 – 99,999,999) under the two-letter
    ``prefix``."""
    prefix = prefix.upper()
    if not re.fullmatch(r"[A-Z]{2}", prefix):
        raise ValueError("an S10 prefix is two letters")
    if not 0 <= serial <= 99_999_999:
        raise ValueError("an S10 serial has at most eight digits")
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{check_digit(digits)}{country}"


def is_valid(code: str) -> bool:
    """Whether ``code`` is an S10 code with the right check digit."""
    match = PATTERN.match((code or "").strip().upper())
    if not match:
        return False
    return check_digit(match.group(2)) == int(match.group(3))


def normalise(code: str) -> str:
    """A tracking code as typed (spaces, lower case) in its stored form."""
    return re.sub(r"\s+", "", code or "").upper()
