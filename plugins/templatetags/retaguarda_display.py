"""Template filters of :mod:`plugins.display`: ``{{ value|absolute_date }}``,
``{{ value|relative_time }}``, ``{{ value|yes_no }}``."""

from django import template

from plugins import display

register = template.Library()


@register.filter(expects_localtime=False)
def absolute_date(value) -> str:
    return display.absolute_date(value)


@register.filter
def yes_no(value) -> str:
    return display.yes_no(value)


@register.filter(expects_localtime=False)
def relative_time(value) -> str:
    return display.relative_time(value)
