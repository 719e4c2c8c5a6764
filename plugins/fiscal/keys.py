"""The NF-e access key (chave de acesso): 44 characters that identify one
document nationwide.

    cUF  AAMM  CNPJ            mod  série  nNF        tpEmis  cNF       cDV
    35   2607  12ABC34501DE35  55   001    000000123  1       48261930  7

The CNPJ may be alphanumeric (issued since July 2026); every other part is
digits. The check digit is the modulo 11 of the first 43 characters with the
weights 2 to 9 repeated from the right, each character counting as
``ord(c) - 48`` (a digit its value, "A" 17 … "Z" 42), as for the CNPJ's own
check digits; a remainder of 0 or 1 gives 0.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: The IBGE code of each UF (the key's cUF, the events' cOrgao).
UF_CODES = {
    "RO": "11",
    "AC": "12",
    "AM": "13",
    "RR": "14",
    "PA": "15",
    "AP": "16",
    "TO": "17",
    "MA": "21",
    "PI": "22",
    "CE": "23",
    "RN": "24",
    "PB": "25",
    "PE": "26",
    "AL": "27",
    "SE": "28",
    "BA": "29",
    "MG": "31",
    "ES": "32",
    "RJ": "33",
    "SP": "35",
    "PR": "41",
    "SC": "42",
    "RS": "43",
    "MS": "50",
    "MT": "51",
    "GO": "52",
    "DF": "53",
}
UF_BY_CODE = {code: uf for uf, code in UF_CODES.items()}

#: NF-e (the only model this project issues; 65 is the NFC-e).
MODEL_NFE = "55"

KEY_SHAPE = re.compile(r"[0-9]{6}[0-9A-Z]{12}[0-9]{26}")


class InvalidAccessKey(ValueError):
    """Not an access key; ``str()`` says why, in pt-BR."""


def check_digit(body: str) -> int:
    """The modulo 11 check digit of the first 43 characters of a key."""
    total = 0
    weight = 2
    for char in reversed(body):
        total += (ord(char) - 48) * weight
        weight = 2 if weight == 9 else weight + 1
    remainder = total % 11
    return 0 if remainder < 2 else 11 - remainder


@dataclass(frozen=True)
class AccessKey:
    """The parts of an access key."""

    uf_code: str  # cUF
    year_month: str  # AAMM
    cnpj: str
    model: str  # mod
    series: int
    number: int  # nNF
    emission_type: str  # tpEmis
    numeric_code: str  # cNF
    digit: int  # cDV

    @property
    def uf(self) -> str:
        return UF_BY_CODE[self.uf_code]

    @property
    def body(self) -> str:
        return (
            f"{self.uf_code}{self.year_month}{self.cnpj}{self.model}"
            f"{self.series:03d}{self.number:09d}{self.emission_type}"
            f"{self.numeric_code}"
        )

    def __str__(self) -> str:
        return f"{self.body}{self.digit}"


def make_key(
    *,
    uf: str,
    issued_at: dt.datetime | dt.date,
    cnpj: str,
    series: int,
    number: int,
    numeric_code: str,
    emission_type: str = "1",
    model: str = MODEL_NFE,
) -> AccessKey:
    """The access key of a document; ``issued_at`` in the emitter's local
    time (its year and month are the key's AAMM). Raises
    :class:`InvalidAccessKey` when a part does not fit."""
    if uf not in UF_CODES:
        raise InvalidAccessKey(_("“%(uf)s” is not a UF.") % {"uf": uf})
    cnpj = (cnpj or "").upper()
    if not re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", cnpj):
        raise InvalidAccessKey(
            _("The CNPJ “%(cnpj)s” does not fit in an access key.") % {"cnpj": cnpj}
        )
    if not 0 <= series <= 999:
        raise InvalidAccessKey(_("The série must be between 0 and 999."))
    if not 1 <= number <= 999_999_999:
        raise InvalidAccessKey(_("The number must be between 1 and 999,999,999."))
    if not re.fullmatch(r"[0-9]{8}", numeric_code or ""):
        raise InvalidAccessKey(_("The numeric code (cNF) has 8 digits."))
    if not re.fullmatch(r"[0-9]", emission_type) or not re.fullmatch(
        r"[0-9]{2}", model
    ):
        raise InvalidAccessKey(_("The emission type or the model is not valid."))
    parts = AccessKey(
        uf_code=UF_CODES[uf],
        year_month=f"{issued_at.year % 100:02d}{issued_at.month:02d}",
        cnpj=cnpj,
        model=model,
        series=series,
        number=number,
        emission_type=emission_type,
        numeric_code=numeric_code,
        digit=0,
    )
    return _with_digit(parts)


def _with_digit(parts: AccessKey) -> AccessKey:
    return AccessKey(**{**parts.__dict__, "digit": check_digit(parts.body)})


def parse(key: str) -> AccessKey:
    """The parts of ``key`` (spaces and dots allowed, as printed on a DANFE).
    Raises :class:`InvalidAccessKey` when it is not 44 characters of the
    right shape, names no UF or month, or its check digit is wrong."""
    value = re.sub(r"[\s.]", "", key or "").upper()
    if len(value) != 44:
        raise InvalidAccessKey(
            _("An access key has 44 characters; “%(key)s” has %(count)d.")
            % {"key": key, "count": len(value)}
        )
    if not KEY_SHAPE.fullmatch(value):
        raise InvalidAccessKey(
            _("“%(key)s” is not an access key: only the CNPJ part may have letters.")
            % {"key": key}
        )
    if value[:2] not in UF_BY_CODE:
        raise InvalidAccessKey(
            _("The access key starts with %(code)s, which is no UF's code.")
            % {"code": value[:2]}
        )
    if not 1 <= int(value[4:6]) <= 12:
        raise InvalidAccessKey(_("The access key's month is not valid."))
    expected = check_digit(value[:43])
    if int(value[43]) != expected:
        raise InvalidAccessKey(
            _("The access key's check digit is %(found)s; it should be %(expected)s.")
            % {"found": value[43], "expected": expected}
        )
    return AccessKey(
        uf_code=value[:2],
        year_month=value[2:6],
        cnpj=value[6:20],
        model=value[20:22],
        series=int(value[22:25]),
        number=int(value[25:34]),
        emission_type=value[34],
        numeric_code=value[35:43],
        digit=expected,
    )


def is_valid(key: str) -> bool:
    try:
        parse(key)
    except InvalidAccessKey:
        return False
    return True


def random_numeric_code(number: int) -> str:
    """A random cNF for the document numbered ``number``: 8 digits, never the
    number itself (the authoriser refuses a cNF equal to nNF)."""
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        if int(code) != number:
            return code
