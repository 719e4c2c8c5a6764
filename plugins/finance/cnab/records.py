"""Fixed-width CNAB 240 records: fields declared by position, written and read
by one description.

A :class:`Layout` is the list of a record's fields with their positions as
the bank's manual numbers them (1 to 240, first and last inclusive); it
refuses, when it is declared, a list with a gap, an overlap or another
length, so a layout that imports is 240 characters wide. Field kinds follow
the FEBRABAN "pictures":

- ``ALPHA`` (X): left-aligned, padded with spaces, upper-case ASCII without
  accents ("São João" → ``SAO JOAO``); free text too long for its field is
  cut, an identifier (``strict``) is refused;
- ``NUM`` (9): digits, right-aligned, padded with zeros; never cut;
- ``MONEY`` (9 with two implied decimals): centavos, ``1234.56`` →
  ``...0123456``;
- ``DATE`` (DDMMAAAA): zeros for no date.

A field without a name is reserved for FEBRABAN or the bank: written as
spaces (``ALPHA``) or zeros (the other kinds) and not read back.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from plugins.exceptions import RetaguardaError
from plugins.importing.errors import FileProblem

LINE_LENGTH = 240
ALPHA, NUM, MONEY, DATE = "alpha", "num", "money", "date"
NO_DATE = "00000000"


class CnabError(RetaguardaError, FileProblem):
    """A CNAB file cannot be written or read. ``line`` (1-based) and
    ``field`` (its label) name where, when the problem has a place; the
    message says it all in the active language. A ``FileProblem``, so the
    import framework reports it as the file's error."""

    code = "cnab-invalid"

    def __init__(self, message: str, *, line: int | None = None, field: str = ""):
        super().__init__(message)
        self.line = line
        self.field = field


@dataclass(frozen=True)
class Field:
    start: int
    end: int
    name: str = ""
    kind: str = ALPHA
    label: Any = ""
    #: what is always written here (record type, segment, layout version)
    value: str | None = None
    #: ALPHA only: refuse a text too long instead of cutting it
    strict: bool = False

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @property
    def places(self) -> str:
        if self.start == self.end:
            return _("position %(start)s") % {"start": self.start}
        return _("positions %(start)s–%(end)s") % {"start": self.start, "end": self.end}


def ascii_upper(text: Any) -> str:
    """Text as CNAB files carry it: accents folded away, anything else
    outside printable ASCII (a control character, a letter with no ASCII
    form) turned into a space, spaces collapsed, upper case."""
    folded = unicodedata.normalize("NFKD", str(text or ""))
    kept = "".join(
        char if " " <= char <= "~" else " "
        for char in folded
        if not unicodedata.combining(char)
    )
    return " ".join(kept.split()).upper()


def field_error(
    field: Field,
    problem: str,
    *,
    line: int | None = None,
    value: Any = "",
    **params: Any,
) -> CnabError:
    """The error of one field: ``Line 7, nosso número (positions 38–57):
    “…” is not a number.`` ``problem`` may use ``%(value)s``, ``%(width)s``
    and the names in ``params``."""
    where = {"field": field.label or field.name, "places": field.places}
    if line is None:
        prefix = _("%(field)s (%(places)s)") % where
    else:
        prefix = _("Line %(line)s, %(field)s (%(places)s)") % {"line": line, **where}
    details = problem % {"value": value, "width": field.width, **params}
    message = f"{prefix}: {details}"
    return CnabError(message, line=line, field=str(field.label or field.name))


class Layout:
    """One kind of record: its fields, how to write them and read them."""

    def __init__(self, name: str, fields: tuple[Field, ...]):
        self.name = name
        self.fields = fields
        position = 1
        for field in fields:
            if field.start != position or field.end < field.start:
                raise ValueError(f"{name}: field {field} does not start at {position}")
            if field.value is not None and len(field.value) != field.width:
                raise ValueError(f"{name}: the value of {field} does not fit")
            position = field.end + 1
        if position != LINE_LENGTH + 1:
            raise ValueError(f"{name}: the fields end at {position - 1}, not 240")
        self.named = {field.name: field for field in fields if field.name}

    def __repr__(self) -> str:
        return f"<Layout {self.name}>"

    def field(self, name: str) -> Field:
        return self.named[name]

    # -- writing ------------------------------------------------------------

    def format(self, values: Mapping[str, Any]) -> str:
        """The 240 characters of a record. Fields missing from ``values`` are
        blank (zeros, spaces, no date); a name the layout does not have is a
        mistake of the caller (:class:`KeyError`)."""
        unknown = set(values) - set(self.named)
        if unknown:
            raise KeyError(f"{self.name} has no field {sorted(unknown)}")
        return "".join(
            _write(
                field,
                field.value if field.value is not None else values.get(field.name),
            )
            for field in self.fields
        )

    # -- reading ------------------------------------------------------------

    def parse(self, line: str, number: int) -> dict[str, Any]:
        """The named fields of a 240-character ``line`` (the file's line
        ``number``, for errors): text stripped, numbers as digit strings,
        amounts as :class:`Decimal`, dates as :class:`date` or ``None``."""
        return {
            name: _read(field, line[field.start - 1 : field.end], number)
            for name, field in self.named.items()
        }


def _write(field: Field, value: Any) -> str:
    width = field.width
    if field.kind == ALPHA:
        text = ascii_upper(value)
        if len(text) > width:
            if field.strict:
                raise field_error(
                    field,
                    _("“%(value)s” does not fit in %(width)s characters."),
                    value=text,
                )
            text = text[:width].rstrip()
        return text.ljust(width)
    if field.kind == DATE:
        if value is None or value == "":
            return NO_DATE
        return value.strftime("%d%m%Y")
    if field.kind == MONEY:
        return _money_digits(field, value)
    digits = "" if value is None else str(value)
    if not digits.isascii() or not digits.isdigit():
        if digits == "":
            return "0" * width
        raise field_error(field, _("“%(value)s” is not a number."), value=digits)
    if len(digits) > width:
        raise field_error(
            field, _("“%(value)s” does not fit in %(width)s digits."), value=digits
        )
    return digits.zfill(width)


def _money_digits(field: Field, value: Any) -> str:
    try:
        amount = Decimal(value if value is not None else 0)
    except (InvalidOperation, TypeError, ValueError):
        raise field_error(
            field, _("“%(value)s” is not an amount."), value=str(value)
        ) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise field_error(
            field,
            _("“%(value)s” is not an amount of reais and centavos."),
            value=str(value),
        )
    digits = str(int(amount * 100))
    if len(digits) > field.width:
        raise field_error(
            field, _("%(value)s does not fit in %(width)s digits."), value=str(amount)
        )
    return digits.zfill(field.width)


def _read(field: Field, text: str, number: int) -> Any:
    if field.kind == ALPHA:
        return text.rstrip()
    if not text.strip():
        # Banks leave some numeric fields blank where FEBRABAN asks zeros.
        return None if field.kind == DATE else Decimal(0) if field.kind == MONEY else ""
    if not text.isdigit():
        raise field_error(
            field, _("“%(value)s” is not a number."), line=number, value=text
        )
    if field.kind == MONEY:
        return Decimal(text).scaleb(-2)
    if field.kind == DATE:
        if text == NO_DATE:
            return None
        try:
            return date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            raise field_error(
                field,
                _("“%(value)s” is not a date (DDMMAAAA)."),
                line=number,
                value=text,
            ) from None
    return text
