"""Date and date-time inputs as a Brazilian clerk types them.

Wagtail's pickers (jQuery datetimepicker) rewrite what is typed when the field
loses focus: an impossible date such as 31/02/2026 silently became
03/03/2026. :class:`BRDateInput` and :class:`BRDateTimeInput` keep the typed
text (``validateOnBlur: false``) so that the form refuses it on the field,
and replace Wagtail's inputs in every Wagtail model form
(``register_form_field_override``) and in the project's own forms."""

from __future__ import annotations

from django.db import models
from wagtail.admin.telepath import register
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput
from wagtail.admin.widgets.datetime import (
    AdminDateInputAdapter,
    AdminDateTimeInputAdapter,
)

#: what the picker does with what is typed: nothing; the form checks it
KEEP_TYPED = {"validateOnBlur": False}


class BRDateInput(AdminDateInput):
    def get_config(self):
        return {**super().get_config(), **KEEP_TYPED}


class BRDateTimeInput(AdminDateTimeInput):
    def get_config(self):
        return {**super().get_config(), **KEEP_TYPED}


register(AdminDateInputAdapter(), BRDateInput)
register(AdminDateTimeInputAdapter(), BRDateTimeInput)


def register_date_form_fields() -> None:
    from wagtail.admin.forms.models import register_form_field_override

    register_form_field_override(models.DateField, override={"widget": BRDateInput})
    register_form_field_override(
        models.DateTimeField, override={"widget": BRDateTimeInput}
    )
