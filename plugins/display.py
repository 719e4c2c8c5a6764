"""How values read on admin screens: yes/no, local dates, empty values.

One place for what listings (:mod:`plugins.tables`), inspect screens and the
history show instead of Python's own spelling of a value ("True", "None",
"2026-12-03 13:28:09+00:00"). :func:`register_display_classes` makes every
inspect view of the admin (Wagtail's, snippets', the plugins') use them for
boolean, date and moment fields, through Wagtail's ``register_display_class``,
and the chips of active yes/no listing filters through
``register_filter_adapter_class``.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db import models
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext, pgettext
from wagtail.admin.active_filters import (
    BaseFilterAdapter,
    register_filter_adapter_class,
)
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class
from wagtail.models import Revision

from plugins.tables import DATE_DISPLAY, DATETIME_DISPLAY

#: What a screen shows for an empty value.
EMPTY = "—"


def absolute_date(value) -> str:
    """``"10/12/2026 14:30"`` for a moment (in the local time zone),
    ``"10/12/2026"`` for a day, ``""`` for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return dateformat.format(value, DATETIME_DISPLAY)
    if isinstance(value, datetime.date):
        return dateformat.format(value, DATE_DISPLAY)
    return str(value)


def relative_time(value) -> str:
    """How long ago (or until) a day or moment is: "Há 3 minutos", "Em 2
    dias", "Agora mesmo" — the tooltip of a date written out, in Portuguese
    word order (not Wagtail's "3 minutos atrás")."""
    if not isinstance(value, datetime.date):
        return ""
    now = timezone.now() if isinstance(value, datetime.datetime) else None
    if now is not None and timezone.is_naive(value):
        now = timezone.localtime(now).replace(tzinfo=None)
    moment = now or timezone.localdate()
    if value > moment:
        return gettext("In %(time)s") % {"time": timeuntil(value, moment, depth=1)}
    if now is not None and (now - value) < datetime.timedelta(minutes=1):
        return gettext("Just now")
    return gettext("%(time)s ago") % {"time": timesince(value, moment, depth=1)}


def yes_no(value) -> str:
    """Sim, Não, or "—" when unknown."""
    if value is None:
        return EMPTY
    return (
        pgettext("boolean value", "Yes") if value else pgettext("boolean value", "No")
    )


class BooleanDisplay(BaseFieldDisplay):
    """A boolean field on an inspect screen: "Sim" / "Não"."""

    def render_html(self, parent_context=None):
        return yes_no(self.value)


class DateDisplay(BaseFieldDisplay):
    """A date or moment field on an inspect screen: dd/mm/aaaa (HH:MM, local
    time), with the ISO value in a ``<time>`` element."""

    def render_html(self, parent_context=None):
        if self.value in (None, ""):
            return EMPTY
        return format_html(
            '<time datetime="{}">{}</time>',
            self.value.isoformat(),
            absolute_date(self.value),
        )


class BooleanFilterAdapter(BaseFilterAdapter):
    """The chip of an active yes/no listing filter: "Abaixo do ponto de
    reposição: Sim", not "…: True"."""

    def get_active_filters(self):
        for active in super().get_active_filters():
            yield active._replace(value=yes_no(self.value))


class RevisionDisplay(BaseFieldDisplay):
    """A revision (latest, live) on an inspect screen: when it was saved, in
    local time, and by whom — not Wagtail's '"Name" at 2026-12-03
    13:25:30+00:00'."""

    def render_html(self, parent_context=None):
        if self.value is None:
            return EMPTY
        user = self.value.user
        by = user.get_full_name() or user.get_username() if user else None
        when = format_html(
            '<time datetime="{}">{}</time>',
            self.value.created_at.isoformat(),
            absolute_date(self.value.created_at),
        )
        return format_html("{} ({})", when, by) if by else when


def register_display_classes() -> None:
    """Inspect screens show booleans, days and moments as above; active
    yes/no filters of every listing read "Sim" / "Não"."""
    register_filter_adapter_class(django_filters.BooleanFilter, BooleanFilterAdapter)
    register_display_class(models.BooleanField, display_class=BooleanDisplay)
    register_display_class(models.DateField, display_class=DateDisplay)
    register_display_class(models.DateTimeField, display_class=DateDisplay)
    register_display_class(
        models.ForeignKey, to=Revision, display_class=RevisionDisplay
    )
