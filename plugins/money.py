"""Money and decimals typed the Brazilian way: the one form field and widget of
every decimal input in the admin.

:func:`parse_br_decimal` reads what people type; :class:`BRDecimalField` turns
it into a ``Decimal`` or a field error (never a guess); :class:`BRDecimalInput`
is a text input (``inputmode="decimal"``, never a browser number input, which
drops the comma of "89,90" and sends 8990) that shows values as "1.234,56",
with an "R$" prefix for money. :func:`register_decimal_form_fields` wires them
into every Wagtail model form through ``register_form_field_override``, so a
plugin's ``DecimalField`` gets them without asking.

The rules, in order, after dropping "R$", spaces and non-breaking spaces:

- a comma is the decimal separator: "89,90", "1234,56", "1.234,56"
  (dots before it must group thousands by three);
- "1.234.567" (two or more groups of three) is thousands: 1234567;
- a single dot followed by one or two digits is a decimal point: "89.90",
  "1.5" (people type prices with a dot, too);
- a single dot followed by exactly three digits ("1.234") is **ambiguous**
  (one thousand two hundred thirty-four in pt-BR, one point two three four
  elsewhere): an error asking for "1234" or "1.234,00";
- a comma before a dot ("1,234.56", the US way) is an error: it mixes the two
  conventions and a price must not depend on guessing which one was meant;
- a leading minus sign is read ("-5,00", "R$ -5,00", "-R$ 5,00"); the field's
  own ``min_value`` decides whether it is allowed;
- more decimal places than the field holds is an error (never rounded).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The project's definition of a money column: BRL, 2 places, up to
#: 9.999.999.999,99. Decimal columns of this shape get the "R$" prefix.
MONEY = {"max_digits": 12, "decimal_places": 2}

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_COMMA_DECIMAL = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+),\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3}){2,}$")
_AMBIGUOUS = re.compile(r"^\d{1,3}\.\d{3}$")
_DOT_DECIMAL = re.compile(r"^\d+\.\d{1,2}$")
_INTEGER = re.compile(r"^\d+$")


class AmbiguousNumber(ValueError):
    """A number with one dot and three digits after it ("1.234")."""


class ForeignNumber(ValueError):
    """A number written with a comma before a dot ("1,234.56")."""


def parse_br_decimal(text: str) -> Decimal:
    """Read a number as a person in Brazil types it (see the module's rules).

    Raises :class:`AmbiguousNumber` for "1.234", :class:`ForeignNumber` for
    "1,234.56" and ``ValueError`` for anything else it cannot read.
    """
    value = _SPACES.sub("", str(text)).replace("R$", "")
    negative = value.startswith("-")
    if negative:
        value = value[1:]
    value = value.replace("R$", "")
    if "," in value and "." in value and value.find(",") < value.rfind("."):
        raise ForeignNumber(text)
    if _COMMA_DECIMAL.match(value):
        value = value.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(value):
        value = value.replace(".", "")
    elif _AMBIGUOUS.match(value):
        raise AmbiguousNumber(text)
    elif not (_DOT_DECIMAL.match(value) or _INTEGER.match(value)):
        raise ValueError(text)
    try:
        number = Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above
        raise ValueError(text) from exc
    return -number if negative else number


def format_br_decimal(value, places: int | None = 2) -> str:
    """``Decimal("1234.5")`` → "1.234,50" (``places=None`` keeps its own)."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


class BRDecimalInput(forms.TextInput):
    """A text input for amounts: ``inputmode="decimal"`` (the phone shows
    digits and a comma), values shown as "1.234,56", an optional "R$"
    prefix."""

    template_name = "plugins/widgets/br_decimal_input.html"

    def __init__(self, attrs=None, *, prefix: str = "", places: int | None = 2):
        super().__init__(
            attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})}
        )
        self.prefix = prefix
        self.places = places

    def format_value(self, value):
        if isinstance(value, int | float | Decimal):
            return format_br_decimal(value, self.places)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["prefix"] = self.prefix
        return context


class BRDecimalField(forms.DecimalField):
    """A decimal typed the Brazilian way: a ``Decimal`` or a field error."""

    default_error_messages = {
        "invalid": _("Type a number the Brazilian way, such as 89,90 or 1.234,56."),
        "ambiguous": _(
            "“%(value)s” is ambiguous: type 1234 or 1.234,00 for thousands, and "
            "a comma for decimals, such as 1,23."
        ),
        "foreign": _(
            "“%(value)s” has a comma before the dot: type it the Brazilian way, "
            "such as 1.234,56."
        ),
    }

    def __init__(self, *, money: bool = False, **kwargs):
        places = kwargs.get("decimal_places")
        kwargs.setdefault(
            "widget", BRDecimalInput(prefix="R$" if money else "", places=places)
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal | int):
            return super().to_python(value)
        try:
            number = parse_br_decimal(value)
        except AmbiguousNumber:
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"value": value},
            ) from None
        except ForeignNumber:
            raise ValidationError(
                self.error_messages["foreign"],
                code="foreign",
                params={"value": value},
            ) from None
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None
        return number

    def widget_attrs(self, widget):
        # Not DecimalField's: "step" and "min"/"max" belong to number inputs.
        return forms.Field.widget_attrs(self, widget)


class MoneyField(BRDecimalField):
    """An amount in reais: :class:`BRDecimalField` with the "R$" prefix."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY["max_digits"])
        kwargs.setdefault("decimal_places", MONEY["decimal_places"])
        super().__init__(money=True, **kwargs)


def is_money_column(db_field: models.DecimalField) -> bool:
    return (db_field.max_digits, db_field.decimal_places) == (
        MONEY["max_digits"],
        MONEY["decimal_places"],
    )


def decimal_form_field_override(db_field: models.DecimalField) -> dict:
    """The form field of a model ``DecimalField`` in Wagtail's model forms."""
    if is_money_column(db_field):
        return {"form_class": MoneyField}
    return {
        "form_class": BRDecimalField,
        "widget": BRDecimalInput(places=db_field.decimal_places),
    }


def register_decimal_form_fields() -> None:
    """Every ``DecimalField`` of every Wagtail model form (snippets, model
    viewsets, inline children) gets :class:`BRDecimalField`."""
    from wagtail.admin.forms.models import register_form_field_override

    register_form_field_override(
        models.DecimalField, override=decimal_form_field_override
    )


def format_brl(value: Decimal | None) -> str:
    """An amount as a Brazilian reads it: ``R$ 1.234,56`` (empty for none)."""
    if value is None:
        return ""
    whole, cents = f"{value:,.2f}".split(".")
    return f"R$ {whole.replace(',', '.')},{cents}"


def money_filter(**kwargs):
    """A listing filter on an amount (django-filter), typed as in any other
    money input."""
    import django_filters

    class MoneyFilter(django_filters.NumberFilter):
        field_class = MoneyField

    return MoneyFilter(**kwargs)
