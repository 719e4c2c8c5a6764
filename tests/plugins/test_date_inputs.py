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


def test_the_pickers_keep_what_was_typed_for_the_form_to_judge(db):
    """The picker never rewrites a typed date (31/02 used to become 03/03):
    every Wagtail model form and the project's forms use inputs that keep the
    text, and the form refuses an impossible date on its field."""
    from wagtail.admin.forms.models import WagtailAdminModelForm

    from plugins.dates import BRDateInput, BRDateTimeInput
    from plugins.orders.forms import NewOrderForm
    from plugins.orders.models import Order

    form = forms.models.modelform_factory(
        Order, form=WagtailAdminModelForm, fields=["promised_delivery_date", "paid_at"]
    )()
    date_widget = form.fields["promised_delivery_date"].widget
    assert isinstance(date_widget, BRDateInput)
    assert isinstance(form.fields["paid_at"].widget, BRDateTimeInput)
    for widget in (date_widget, form.fields["paid_at"].widget):
        assert widget.get_config()["validateOnBlur"] is False
        assert '"validateOnBlur": false' in widget.render("d", None)
    order_widget = NewOrderForm.base_fields["promised_delivery_date"].widget
    assert isinstance(order_widget, BRDateInput)
    impossible = DatesForm(data={"day": "31/02/2026"})
    assert not impossible.is_valid() and "day" in impossible.errors
