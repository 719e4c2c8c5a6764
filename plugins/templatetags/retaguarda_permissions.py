"""``{{ permission|permission_label }}``: a permission's name in the active
language (:func:`plugins.roles.permission_label`)."""

from django import template

from plugins.roles import permission_label as _permission_label

register = template.Library()


@register.filter
def permission_label(permission) -> str:
    """A ``Permission``, or the value of a form's permission choice (Wagtail's
    page and collection permission rows render those)."""
    return _permission_label(getattr(permission, "instance", permission))
