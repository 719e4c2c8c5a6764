"""Business operations of the framework: object-permission grants."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.permissions import clear_permission_cache, is_active_user, scoped_models
from plugins.roles import check_read_only_grant

MANAGE_OBJECT_PERMISSIONS = "plugins.manage_object_permissions"


class InvalidGrant(RetaguardaError):
    code = "invalid-grant"


def user_can_manage_object_permissions(user) -> bool:
    return is_active_user(user) and user.has_perm(MANAGE_OBJECT_PERMISSIONS)


def grantable_permissions(model: type[models.Model]):
    """Permissions that can be granted on single rows of ``model``: all of its
    permissions except ``add_*`` (adding is not an action on an object)."""
    content_type = ContentType.objects.get_for_model(model)
    return (
        Permission.objects.filter(content_type=content_type)
        .exclude(codename__startswith="add_")
        .order_by("codename")
    )


def _check(obj: models.Model, permission: Permission, holder, by) -> None:
    if not user_can_manage_object_permissions(by):
        raise PermissionDenied(_("You may not manage object permissions."))
    if type(obj) not in scoped_models():
        raise InvalidGrant(
            _("%(model)s is not a scope of object permissions.")
            % {"model": obj._meta.verbose_name}
        )
    if permission not in grantable_permissions(type(obj)):
        raise InvalidGrant(
            _("Permission “%(perm)s” does not apply to %(model)s.")
            % {"perm": permission.codename, "model": obj._meta.verbose_name}
        )
    if not isinstance(holder, Group) and not getattr(holder, "is_active", False):
        raise InvalidGrant(_("Object permissions can only be granted to active users."))
    if isinstance(holder, Group):
        # The auditor's group never receives a write permission.
        check_read_only_grant(
            holder, [f"{permission.content_type.app_label}.{permission.codename}"]
        )


def _holder_data(holder) -> dict[str, str]:
    if isinstance(holder, Group):
        return {"holder_type": "group", "holder": holder.name}
    return {"holder_type": "user", "holder": holder.get_username()}


@dataclass(frozen=True)
class GrantResult:
    created: bool


@transaction.atomic
def grant_object_permission(
    obj: models.Model, *, permission: Permission, holder, by
) -> GrantResult:
    """Grant ``permission`` on ``obj`` to a user or group.

    Requires ``plugins.manage_object_permissions``; ``obj`` must be a row of a
    declared scoped model. Idempotent: granting again changes nothing and
    reports ``created=False``. Logs ``retaguarda.object_permission.grant``.
    Raises PermissionDenied, InvalidGrant, or ReadOnlyRoleError when a write
    permission is granted to a read-only role's group (the auditor).
    """
    _check(obj, permission, holder, by)
    perm_name = f"{permission.content_type.app_label}.{permission.codename}"
    model = GroupObjectPermission if isinstance(holder, Group) else UserObjectPermission
    holder_field = "group" if isinstance(holder, Group) else "user"
    exists = model.objects.filter(
        **{holder_field: holder},
        permission=permission,
        content_type=permission.content_type,
        object_pk=str(obj.pk),
    ).exists()
    if exists:
        return GrantResult(created=False)
    assign_perm(perm_name, holder, obj)
    log_change(
        obj,
        "retaguarda.object_permission.grant",
        user=by,
        permission=perm_name,
        **_holder_data(holder),
    )
    if not isinstance(holder, Group):
        clear_permission_cache(holder)
    return GrantResult(created=True)


@transaction.atomic
def revoke_object_permission(
    obj: models.Model, *, permission: Permission, holder, by
) -> bool:
    """Revoke a grant. Returns whether there was one to revoke.

    Requires ``plugins.manage_object_permissions``. Logs
    ``retaguarda.object_permission.revoke``.
    """
    if not user_can_manage_object_permissions(by):
        raise PermissionDenied(_("You may not manage object permissions."))
    perm_name = f"{permission.content_type.app_label}.{permission.codename}"
    model = GroupObjectPermission if isinstance(holder, Group) else UserObjectPermission
    holder_field = "group" if isinstance(holder, Group) else "user"
    grant = model.objects.filter(
        **{holder_field: holder},
        permission=permission,
        content_type=permission.content_type,
        object_pk=str(obj.pk),
    ).first()
    if grant is None:
        return False
    remove_perm(perm_name, holder, obj)
    log_change(
        obj,
        "retaguarda.object_permission.revoke",
        user=by,
        permission=perm_name,
        **_holder_data(holder),
    )
    if not isinstance(holder, Group):
        clear_permission_cache(holder)
    return True
