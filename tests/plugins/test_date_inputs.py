"""Dates typed the Brazilian way in every admin date input, whatever the
admin's language: dd/mm/aaaa in, dd/mm/aaaa out, an error for what cannot be
read."""

import datetime

import pytest
from django import forms
from django.utils import translation
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput


class DatesForm(forms.Form):
    day = forms.DateField(widget=AdminDateInput, required=False)
    at = forms.DateTimeField(widget=AdminDateTimeInput, required=False)


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_dd_mm_yyyy_is_read_in_every_admin_language(language):
    with translation.override(language):
        form = DatesForm(data={"day": "10/12/2026", "at": "10/12/2026 14:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 10)
    at = form.cleaned_data["at"]
    assert (at.date(), at.hour, at.minute) == (datetime.date(2026, 12, 10), 14, 30)


def test_iso_dates_are_still_read():
    form = DatesForm(data={"day": "2026-12-10"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 10)


@pytest.mark.parametrize("text", ["31/02/2026", "10-dez-2026", "hoje", "12/2026"])
def test_what_cannot_be_read_is_an_error_not_a_default(text):
    with translation.override("pt-br"):
        form = DatesForm(data={"day": text})
        assert not form.is_valid()
        assert "Informe uma data válida" in str(form.errors["day"])


def test_inputs_and_picker_show_dd_mm_yyyy():
    form = DatesForm(
        initial={
            "day": datetime.date(2026, 12, 10),
            "at": datetime.datetime(2026, 12, 10, 14, 30),  # noqa: DTZ001
        }
    )
    assert 'value="10/12/2026"' in str(form["day"])
    assert 'value="10/12/2026 14:30"' in str(form["at"])
    assert form.fields["day"].widget.get_config()["format"] == "d/m/Y"
    assert form.fields["at"].widget.get_config()["format"] == "d/m/Y H:i"
