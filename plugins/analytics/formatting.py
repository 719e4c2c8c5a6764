"""Figures as people read them: "R$ 1.234,56", "12,5 %", "4,2 dias", "1.234"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plugins.display import EMPTY
from plugins.kpis import Unit
from plugins.money import format_br_decimal, format_brl

#: Decimal places shown (and given by the API) per unit.
PLACES = {
    Unit.MONEY: 2,
    Unit.PERCENT: 1,
    Unit.DAYS: 1,
    Unit.COUNT: 0,
    Unit.SCORE: 0,
}


def rounded(value: Decimal | None, unit: str) -> Decimal | None:
    """The value at the places its unit shows."""
    if value is None:
        return None
    places = PLACES.get(unit, 2)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value: Decimal | None, unit: str) -> str:
    value = rounded(value, unit)
    if value is None:
        return EMPTY
    if unit == Unit.MONEY:
        return format_brl(value)
    places = PLACES.get(unit, 2)
    text = format_br_decimal(value, places)
    if unit == Unit.PERCENT:
        return f"{text} %"
    if unit == Unit.DAYS:
        return ngettext("%(days)s day", "%(days)s days", int(value) or 2) % {
            "days": text
        }
    return text


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change from ``previous`` to ``current`` in % (``None`` when there
    is nothing to compare with)."""
    if current is None or previous is None or not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / abs(Decimal(previous))


def format_change(value: Decimal | None) -> str:
    if value is None:
        return EMPTY
    value = rounded(value, Unit.PERCENT)
    sign = "+" if value > 0 else ""
    return _("%(sign)s%(value)s %%") % {
        "sign": sign,
        "value": format_br_decimal(value, 1),
    }
