"""Listing columns shared by every admin screen of the project."""

from __future__ import annotations

import datetime

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn as WagtailBooleanColumn
from wagtail.admin.ui.tables import Column, DateColumn

#: How listings show moments and days, in every admin language.
DATETIME_DISPLAY = "d/m/Y H:i"
DATE_DISPLAY = "d/m/Y"


class AbsoluteDateColumn(DateColumn):
    """A date or moment shown as "10/12/2026 14:30" (local time), with the
    relative time ("há 2 dias") as a tooltip: Wagtail's ``DateColumn`` shows
    only "1 semana atrás", which nobody can match with a receipt or a call."""

    cell_template_name = "plugins/tables/absolute_date_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context.get("raw_value")
        context["date_format"] = (
            DATETIME_DISPLAY if isinstance(value, datetime.datetime) else DATE_DISPLAY
        )
        return context


class AbsoluteUpdatedAtColumn(AbsoluteDateColumn):
    """Wagtail's ``UpdatedAtColumn`` (the ``_updated_at`` annotation of
    snippet listings), shown as an absolute date."""

    def __init__(self, **kwargs):
        super().__init__(
            "_updated_at",
            label=kwargs.pop("label", _("Updated")),
            sort_key=kwargs.pop("sort_key", "_updated_at"),
            **kwargs,
        )


class LinkColumn(Column):
    """A cell whose value links to ``get_url(instance)`` when that returns a
    URL (e.g. only where the user may open the target), plain text otherwise."""

    cell_template_name = "plugins/tables/link_cell.html"

    def __init__(self, name, *, get_url, **kwargs):
        super().__init__(name, **kwargs)
        self.get_url = get_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["link_url"] = self.get_url(instance)
        return context


class BooleanColumn(WagtailBooleanColumn):
    """A yes/no value: Wagtail's tick or cross with "Sim" / "Não" beside it
    ("—" when unknown), instead of the icon alone whose text is Python's
    "True" / "False"."""

    cell_template_name = "plugins/tables/boolean_cell.html"

    @classmethod
    def for_field(cls, model, name: str, **kwargs) -> BooleanColumn:
        """The column of ``model``'s boolean field ``name``, labelled with
        the field's verbose name and sortable by it."""
        kwargs.setdefault("label", capfirst(model._meta.get_field(name).verbose_name))
        kwargs.setdefault("sort_key", name)
        return cls(name, **kwargs)
