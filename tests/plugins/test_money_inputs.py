"""Money and decimals typed the Brazilian way: the parsing rules of the one
field every admin decimal input uses (plugins.money)."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from content.models import Variant
from plugins.money import (
    AmbiguousNumber,
    BRDecimalField,
    BRDecimalInput,
    ForeignNumber,
    MoneyField,
    parse_br_decimal,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("89,90", "89.90"),
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("R$ 1.234,56", "1234.56"),
        ("R$1.234,56", "1234.56"),
        ("R$\u00a01.234,56", "1234.56"),
        ("  89,90 ", "89.90"),
        ("1 234,56", "1234.56"),
        ("89.90", "89.90"),
        ("1.5", "1.5"),
        ("0,5", "0.5"),
        ("89", "89"),
        ("1.234.567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("-5,00", "-5.00"),
        ("R$ -5,00", "-5.00"),
        ("-R$ 5,00", "-5.00"),
    ],
)
def test_numbers_typed_the_brazilian_way(text, value):
    assert parse_br_decimal(text) == Decimal(value)


def test_one_dot_and_three_digits_is_ambiguous():
    # "1.234": one thousand two hundred thirty-four, or one point two three four?
    with pytest.raises(AmbiguousNumber):
        parse_br_decimal("1.234")
    with pytest.raises(AmbiguousNumber):
        parse_br_decimal("R$ 12.500")


def test_a_comma_before_a_dot_is_refused():
    with pytest.raises(ForeignNumber):
        parse_br_decimal("1,234.56")


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "89,90,1",
        "1.23.4",
        "12.3456",
        "1234.567",
        "1.2345,00",
        "--5",
        "89,",
        ",",
        "1e3",
        "NaN",
        "Infinity",
        "R$",
    ],
)
def test_what_cannot_be_read_is_refused(text):
    with pytest.raises(ValueError):
        parse_br_decimal(text)


class PriceForm(forms.Form):
    price = MoneyField(min_value=Decimal("0.01"))
    rate = BRDecimalField(max_digits=7, decimal_places=2, required=False)
    delta = MoneyField(required=False)


def errors_for(**data):
    with translation.override("pt-br"):
        form = PriceForm(data={"price": "1,00", **data})
        form.is_valid()
        return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def cleaned(**data):
    form = PriceForm(data={"price": "1,00", **data})
    assert form.is_valid(), form.errors
    return form.cleaned_data


def test_the_field_stores_what_the_person_meant():
    assert cleaned(price="89,90")["price"] == Decimal("89.90")
    assert cleaned(price="1.234,56")["price"] == Decimal("1234.56")
    assert cleaned(price="R$ 1.234,56")["price"] == Decimal("1234.56")
    assert cleaned(price="89.90")["price"] == Decimal("89.90")
    assert cleaned(delta="-10,50")["delta"] == Decimal("-10.50")
    assert cleaned(rate="")["rate"] is None


def test_field_errors_are_in_portuguese_and_never_a_guess():
    assert "ambíguo" in errors_for(price="1.234")["price"][0]
    assert "1.234,56" in errors_for(price="1,234.56")["price"][0]
    assert "89,90" in errors_for(price="oitenta")["price"][0]
    # too many decimal places: an error, never rounded
    assert "2 casas decimais" in errors_for(price="89,901")["price"][0]
    # negative where the field does not allow it
    assert errors_for(price="-1,00")["price"]


def test_the_widget_is_a_text_input_showing_pt_br_with_r_dollar():
    form = PriceForm(initial={"price": Decimal("1234.5"), "rate": Decimal("12.5")})
    html = str(form["price"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'value="1.234,50"' in html and "R$" in html
    assert 'type="number"' not in str(form["rate"])
    assert 'value="12,50"' in str(form["rate"]) and "R$" not in str(form["rate"])


@pytest.mark.django_db
def test_model_forms_of_the_admin_get_the_field_for_every_decimal_column():
    # given Wagtail's admin form for variants (prices and measures)
    from wagtail.admin.forms.models import WagtailAdminModelForm

    form_class = forms.models.modelform_factory(
        Variant,
        form=WagtailAdminModelForm,
        fields=["price", "length_cm"],
    )
    form = form_class()
    # then both are the project's field; the price is money
    assert isinstance(form.fields["price"], MoneyField)
    assert type(form.fields["length_cm"]) is BRDecimalField
    assert isinstance(form.fields["length_cm"].widget, BRDecimalInput)
    assert "R$" not in str(form["length_cm"])
    form = form_class(data={"price": "89,90", "length_cm": "12,5"})
    form.is_valid()
    assert "price" not in form.errors and "length_cm" not in form.errors
    assert form.cleaned_data["price"] == Decimal("89.90")
    assert form.cleaned_data["length_cm"] == Decimal("12.5")
