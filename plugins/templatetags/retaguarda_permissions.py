"""``{{ permission|permission_label }}``: a permission's name in the active
language (:func:`plugins.roles.permission_label`)."""

from django import template

from plugins.roles import permission_label as _permission_label

register = template.Library()


@register.filter
def permission_label(permission) -> str:
    if permission is None or permission == "":
        return ""
    # a choice's value in Wagtail's permission formsets
    permission = getattr(permission, "instance", permission)
    return _permission_label(permission)
