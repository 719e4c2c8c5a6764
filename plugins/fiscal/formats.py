"""How values are written in the fiscal XML: amounts, rates, quantities,
dates in the emitter's legal time, and free text as the schemas accept it
(printable Latin-1, single spaces, no space at either end)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from content.validators import only_digits

CENT = Decimal("0.01")

#: Each UF's legal time where it is not Brasília's (the access key's AAMM
#: and every date of a document are the emitter's local time).
ZONES = {
    "AC": "America/Rio_Branco",
    "AM": "America/Manaus",
    "RR": "America/Boa_Vista",
    "RO": "America/Porto_Velho",
    "MT": "America/Cuiaba",
    "MS": "America/Campo_Grande",
}


def local_time(moment: dt.datetime, uf: str) -> dt.datetime:
    """``moment`` (aware) in the legal time of ``uf``."""
    return moment.astimezone(ZoneInfo(ZONES.get(uf, "America/Sao_Paulo")))


def datetime(moment: dt.datetime) -> str:
    """2026-08-01T10:00:00-03:00 (TDateTimeUTC: seconds, the offset)."""
    return moment.replace(microsecond=0).isoformat()


def money(value) -> Decimal:
    """``value`` rounded to the centavo (ROUND_HALF_UP)."""
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def amount(value) -> str:
    """An amount with two places: "1234.50" (TDec_1302)."""
    return f"{money(value):f}"


def _places(value, places: str) -> str:
    return f"{Decimal(value).quantize(Decimal(places), ROUND_HALF_UP):f}"


def rate(value) -> str:
    """A percentage with four places: "18.0000" (TDec_0302a04)."""
    return _places(value, "0.0001")


def quantity(value) -> str:
    """A quantity with four places (TDec_1104v)."""
    return _places(value, "0.0001")


def unit_price(value) -> str:
    """A unit price with ten places (TDec_1110v)."""
    return _places(value, "0.0000000001")


def weight(value) -> str | None:
    """Kilograms with three places (TDec_1203); None for None."""
    return None if value is None else _places(value, "0.001")


def phone(value: str) -> str | None:
    """6 to 14 digits, without the country's 55; None when it does not fit."""
    digits = only_digits(value or "")
    if digits.startswith("55") and len(digits) > 11:
        digits = digits[2:]
    return digits if 6 <= len(digits) <= 14 else None


_REPLACEMENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u20ac": "EUR",
    }
)


def text(value, limit: int) -> str | None:
    """Free text as the schemas accept it: printable Latin-1 characters
    (others decomposed to their base letter or dropped), single spaces, none
    at either end, at most ``limit`` characters; None when nothing is left."""
    value = unicodedata.normalize("NFC", str(value or "")).translate(_REPLACEMENTS)
    chars = []
    for char in value:
        code = ord(char)
        if code > 255:
            char = "".join(
                c
                for c in unicodedata.normalize("NFKD", char)
                if ord(c) < 256 and not unicodedata.combining(c)
            )
        elif code < 32 or 127 <= code < 160:
            char = " "
        chars.append(char)
    return " ".join("".join(chars).split())[:limit].strip() or None
