"""Boletos bancários (FEBRABAN "ficha de compensação"): barcode, typed line,
due-date factor and the barcode image.

The 44-digit barcode is, position by position::

    1–3 bank | 4 currency (9 = real) | 5 general check digit |
    6–9 due-date factor | 10–19 amount in centavos | 20–44 "campo livre"

The check digit is modulo 11 over the other 43 digits, weights 2 to 9 from the
right; a result of 0, 10 or 11 becomes 1. The 47-digit typed line ("linha
digitável") regroups the same digits in five fields: bank, currency and
campo livre 1–5 with a modulo-10 check digit; campo livre 6–15 with one;
campo livre 16–25 with one; the general check digit; factor and amount.

The due-date factor counts days from 1997-10-07 (factor 1000 is 2000-07-03).
It reached 9999 on 2025-02-21 and, by FEBRABAN's rule, restarted at 1000 on
2025-02-22; it will do so every 9,000 days (next on 2049-10-14). A factor
therefore names one date per cycle: :func:`due_date_from_factor` reads it as
the date that falls between 3,000 days before and 5,500 days after a
reference date (today by default) — boletos are read close to their due
date, and the window, 8,501 days, is shorter than a cycle, so at most one date
fits. Factor 0000 means "no due date".

The campo livre belongs to the bank. :func:`campo_livre_banco_do_brasil`
builds Banco do Brasil's for convênios of 7 digits (carteiras 17 and 18), as
the bank's "Especificações Técnicas para Confecção de Boleto de Cobrança do
Banco do Brasil" lays it out: six zeros, the 17-digit nosso número (the
convênio and a 10-digit sequence) and the 2-digit carteira.

The barcode is drawn as Interleaved 2 of 5 by python-barcode, narrow to wide
1:3 with a 0.254 mm narrow bar: 405 modules, 103 mm long as FEBRABAN asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from barcode.itf import ITF
from barcode.writer import SVGWriter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from stdnum import luhn

from plugins.exceptions import RetaguardaError

BASE_DATE = date(1997, 10, 7)
FACTOR_1000_DATE = date(2000, 7, 3)
ROLLOVER_DATE = date(2025, 2, 22)
CYCLE_DAYS = 9000
DAYS_BEFORE = 3000
DAYS_AFTER = 5500
CURRENCY_REAL = "9"
MAX_AMOUNT = Decimal("99999999.99")

_SEPARATORS = re.compile(r"[\s.\-]")


class BoletoError(RetaguardaError, ValueError):
    """Base of the errors of this module (a bad request: HTTP 400)."""

    status = 400
    code = "boleto-invalid"


class InvalidBoleto(BoletoError):
    """The data cannot make a boleto, or a typed line or barcode is
    malformed."""


class BoletoCheckDigitMismatch(InvalidBoleto):
    """A check digit does not match: the line was mistyped or altered."""

    code = "boleto-check-digit"


def due_date_factor(due: date) -> int:
    """The four-digit factor of a due date, restarting at 1000 every 9,000
    days (2025-02-22 is 1000 again). Dates before 2000-07-03 have none."""
    if due < FACTOR_1000_DATE:
        raise InvalidBoleto(
            _("A boleto cannot fall due before %(date)s.")
            % {"date": date_format(FACTOR_1000_DATE, "SHORT_DATE_FORMAT")}
        )
    return (due - FACTOR_1000_DATE).days % CYCLE_DAYS + 1000


def due_date_from_factor(factor: int, *, reference: date | None = None) -> date | None:
    """The due date a factor stands for, read in the window of 3,000 days
    before to 5,500 days after ``reference`` (today by default); ``None`` for
    factor 0 (no due date). Raises :class:`InvalidBoleto` for factors 1–999
    and when no date of the factor falls in the window."""
    if factor == 0:
        return None
    if not 1000 <= factor <= 9999:
        raise InvalidBoleto(
            _("%(factor)s is not a due-date factor.") % {"factor": factor}
        )
    reference = reference or timezone.localdate()
    first = FACTOR_1000_DATE + timedelta(days=factor - 1000)
    earliest = reference - timedelta(days=DAYS_BEFORE)
    cycles = max(0, -(-(earliest - first).days // CYCLE_DAYS))
    candidate = first + timedelta(days=cycles * CYCLE_DAYS)
    if candidate > reference + timedelta(days=DAYS_AFTER):
        raise InvalidBoleto(
            _(
                "The due-date factor %(factor)s stands for no date between "
                "%(before)s days before and %(after)s days after %(reference)s."
            )
            % {
                "factor": factor,
                "before": DAYS_BEFORE,
                "after": DAYS_AFTER,
                "reference": date_format(reference, "SHORT_DATE_FORMAT"),
            }
        )
    return candidate


def field_check_digit(digits: str) -> str:
    """Modulo 10 of a typed-line field: weights 2 and 1 from the right, the
    digits of each product added — the Luhn check digit."""
    return luhn.calc_check_digit(digits)


def barcode_check_digit(digits: str) -> str:
    """Modulo 11 of the 43 other barcode digits, weights 2–9 from the right;
    0, 10 and 11 become 1 (FEBRABAN's general check digit)."""
    total = sum(
        int(digit) * (2 + index % 8) for index, digit in enumerate(reversed(digits))
    )
    result = 11 - total % 11
    return "1" if result in (0, 10, 11) else str(result)


def _digits(value: str, length: int, name: str) -> str:
    value = str(value)
    if not value.isascii() or not value.isdigit() or len(value) != length:
        raise InvalidBoleto(
            _("The %(name)s must have exactly %(length)s digits.")
            % {"name": name, "length": length}
        )
    return value


def campo_livre_banco_do_brasil(
    *, convenio: str, sequence: int | str, carteira: str
) -> str:
    """Banco do Brasil's campo livre for a 7-digit convênio (carteiras 17 and
    18): ``000000`` + nosso número (convênio + 10-digit sequence) + carteira."""
    convenio = _digits(convenio, 7, _("convênio"))
    sequence = str(sequence)
    if len(sequence) <= 10:
        sequence = sequence.zfill(10)
    sequence = _digits(sequence, 10, _("nosso número sequence"))
    carteira = _digits(carteira, 2, _("carteira"))
    return "000000" + convenio + sequence + carteira


@dataclass(frozen=True)
class Boleto:
    """A boleto's barcode with the due date and amount it carries."""

    barcode: str
    due_date: date | None
    amount: Decimal

    @property
    def bank(self) -> str:
        return self.barcode[:3]

    @property
    def campo_livre(self) -> str:
        return self.barcode[19:]

    @property
    def factor(self) -> int:
        return int(self.barcode[5:9])

    @property
    def digitable_line(self) -> str:
        """The 47 digits of the typed line, without separators."""
        code = self.barcode
        field1 = code[0:4] + code[19:24]
        field2 = code[24:34]
        field3 = code[34:44]
        return (
            field1
            + field_check_digit(field1)
            + field2
            + field_check_digit(field2)
            + field3
            + field_check_digit(field3)
            + code[4]
            + code[5:19]
        )

    @property
    def formatted_line(self) -> str:
        """The typed line as printed: ``00190.00009 07777.777009 … 6 4900…``."""
        line = self.digitable_line
        return (
            f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} "
            f"{line[21:26]}.{line[26:32]} {line[32]} {line[33:]}"
        )


def _amount_digits(amount: Decimal) -> str:
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidBoleto(_("The amount is not a number.")) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidBoleto(_("The amount cannot be negative."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidBoleto(_("The amount has more than two decimal places."))
    if amount > MAX_AMOUNT:
        raise InvalidBoleto(_("The amount is too large for a boleto."))
    return f"{int(amount * 100):010d}"


def build_boleto(
    *,
    bank: str,
    due_date: date | None,
    amount: Decimal,
    campo_livre: str,
    currency: str = CURRENCY_REAL,
) -> Boleto:
    """Assemble the barcode of a boleto (``due_date=None``: no due date).

    Raises :class:`InvalidBoleto` for a bank code that is not 3 digits, a
    campo livre that is not 25 digits, a negative, over-precise or too large
    amount (at most 99.999.999,99) or a due date before 2000-07-03.
    """
    bank = _digits(bank, 3, _("bank code"))
    currency = _digits(currency, 1, _("currency code"))
    campo_livre = _digits(campo_livre, 25, _("campo livre"))
    factor = "0000" if due_date is None else f"{due_date_factor(due_date):04d}"
    body = bank + currency + factor + _amount_digits(amount) + campo_livre
    barcode = body[:4] + barcode_check_digit(body) + body[4:]
    return Boleto(
        barcode=barcode,
        due_date=due_date,
        amount=Decimal(barcode[9:19]).scaleb(-2),
    )


def _from_barcode(barcode: str, reference: date | None) -> Boleto:
    if barcode_check_digit(barcode[:4] + barcode[5:]) != barcode[4]:
        raise BoletoCheckDigitMismatch(
            _(
                "The boleto's general check digit does not match: check the "
                "digits typed."
            )
        )
    return Boleto(
        barcode=barcode,
        due_date=due_date_from_factor(int(barcode[5:9]), reference=reference),
        amount=Decimal(barcode[9:19]).scaleb(-2),
    )


def parse_boleto(text: str, *, reference: date | None = None) -> Boleto:
    """Read a typed line (47 digits, dots and spaces allowed) or a scanned
    barcode (44 digits), check every check digit and return the boleto with
    its due date (read around ``reference``, today by default) and amount.

    Raises :class:`BoletoCheckDigitMismatch` naming the field whose check
    digit fails, and :class:`InvalidBoleto` for anything else.
    """
    digits = _SEPARATORS.sub("", text or "")
    if not digits:
        raise InvalidBoleto(_("Type the boleto's line."))
    if not digits.isascii() or not digits.isdigit():
        raise InvalidBoleto(_("A boleto's line has only digits."))
    if digits[0] == "8" and len(digits) in (44, 48):
        raise InvalidBoleto(
            _("This is a utility or tax payment slip (arrecadação), not a bank boleto.")
        )
    if len(digits) == 44:
        return _from_barcode(digits, reference)
    if len(digits) != 47:
        raise InvalidBoleto(
            _("A boleto's line has 47 digits (%(count)s were typed).")
            % {"count": len(digits)}
        )
    fields = ((digits[0:9], digits[9]), (digits[10:20], digits[20]))
    fields += ((digits[21:31], digits[31]),)
    for number, (field, check) in enumerate(fields, start=1):
        if field_check_digit(field) != check:
            raise BoletoCheckDigitMismatch(
                _(
                    "Field %(number)s of the line does not match its check "
                    "digit: check the digits typed."
                )
                % {"number": number}
            )
    barcode = (
        digits[0:4] + digits[32] + digits[33:47] + digits[4:9] + digits[10:20]
    ) + digits[21:31]
    return _from_barcode(barcode, reference)


def barcode_modules(barcode: str) -> str:
    """The barcode as Interleaved 2 of 5 modules, ``1`` bar and ``0`` space,
    narrow one module and wide three."""
    return ITF(_digits(barcode, 44, _("barcode")), narrow=1, wide=3).build()[0]


def barcode_svg(
    barcode: str, *, narrow_mm: float = 0.254, height_mm: float = 13
) -> bytes:
    """The barcode drawn as an SVG document (no human-readable text under it:
    the typed line is printed above the barcode on a boleto)."""
    code = ITF(_digits(barcode, 44, _("barcode")), writer=SVGWriter(), narrow=1, wide=3)
    return code.render(
        {
            "module_width": narrow_mm,
            "module_height": height_mm,
            "quiet_zone": 25 * narrow_mm,
            "write_text": False,
        }
    )
