"""Role templates and their synchronisation into Django groups.

The core and each plugin declare :class:`RoleTemplate` objects on their app
config (``roles = (...)``). :func:`sync_roles` turns them into groups: it runs
after every ``migrate`` and from ``manage.py sync_roles``. It is idempotent,
adds what is missing and reports permissions an administrator added to a role's
group by hand, keeping them — except on a *read-only* role (the auditor): such a
role is declared never to hold a write permission or a sensitive view
permission, and the sync removes those from its group.

Read-only roles are enforced in one place, :func:`check_read_only_grant`,
which the sync, the object-permission grants and Wagtail's group editor call.

This module is imported by ``apps.py`` files while settings load; it imports
models only inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from plugins.exceptions import RetaguardaError


@dataclass(frozen=True)
class RoleTemplate:
    """A role: a named set of permissions, synced into one Django group.

    ``permissions`` are ``"app_label.codename"`` strings given to the group.
    ``all_view_permissions`` adds every ``view_*`` permission of every installed
    model (read-only roles). ``page_permissions`` (``"add_page"``,
    ``"publish_page"`` ...) are granted on the root of the page tree and
    ``collection_permissions`` (``"wagtailimages.add_image"`` ...) on the root
    collection. ``object_permissions`` documents the permissions a holder of the
    role receives per scoped object (a warehouse, a channel) through the
    object-permission screen; they are not given to the group.

    ``all_view_permissions`` skips the sensitive view permissions
    (:func:`sensitive_view_permissions`, e.g. ``content.view_cost_price``): a
    role that needs one names it in ``permissions``. A ``read_only`` role
    (the auditor) never holds anything but read permissions
    (:func:`is_read_permission`), whoever tries to give it one.
    """

    key: str
    name: str
    permissions: tuple[str, ...] = ()
    description: str = ""
    all_view_permissions: bool = False
    page_permissions: tuple[str, ...] = ()
    collection_permissions: tuple[str, ...] = ()
    object_permissions: tuple[str, ...] = ()
    read_only: bool = False


@dataclass
class MergedRole:
    key: str
    name: str
    description: str
    sources: list[str] = field(default_factory=list)
    permissions: set[str] = field(default_factory=set)
    all_view_permissions: bool = False
    page_permissions: set[str] = field(default_factory=set)
    collection_permissions: set[str] = field(default_factory=set)
    object_permissions: set[str] = field(default_factory=set)
    read_only: bool = False


@dataclass
class RoleSyncResult:
    key: str
    group_name: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


ACCESS_ADMIN = "wagtailadmin.access_admin"

#: ``view_*`` permissions that are not read-only in effect, or show what only
#: some roles may see: ``all_view_permissions`` skips them and read-only roles
#: never hold them. Plugins add theirs with ``sensitive_view_permissions`` on
#: their app config.
SENSITIVE_VIEW_PERMISSIONS = frozenset(
    {
        # Shows *and edits* variants' cost prices (only the Gerente).
        "content.view_cost_price",
    }
)


def sensitive_view_permissions() -> frozenset[str]:
    """The core's sensitive view permissions and those of installed apps."""
    from django.apps import apps

    found = set(SENSITIVE_VIEW_PERMISSIONS)
    for app_config in apps.get_app_configs():
        found.update(getattr(app_config, "sensitive_view_permissions", ()))
    return frozenset(found)


def is_read_permission(name: str) -> bool:
    """Whether ``"app_label.codename"`` only lets its holder see things: a
    ``view_*`` permission that is not sensitive, or access to the admin."""
    if name == ACCESS_ADMIN:
        return True
    codename = name.split(".", 1)[-1]
    return codename.startswith("view_") and name not in sensitive_view_permissions()


#: Labels of Django's default permissions. Django names them in English
#: when it creates them ("Can view sales channel"); they are shown from these.
DEFAULT_PERMISSION_LABELS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
    # Wagtail's: snippets with drafts and locking, images and documents
    "publish": _("Can publish %(model)s"),
    "lock": _("Can lock %(model)s"),
    "unlock": _("Can unlock %(model)s"),
    "choose": _("Can choose %(model)s"),
}


def permission_label(permission) -> str:
    """A permission's name in the active language, wherever permissions are
    listed (the group editor, the object-permission screens, the audit log).

    ``Permission.name`` is stored once, in English, when ``migrate`` creates
    the permission. One named as Django names the default permissions (and
    Wagtail the publish, lock, unlock and choose permissions), "Can <action>
    <model>", is named from its action and the model's verbose name;
    any other (``Meta.permissions``, names marked for translation) through
    the catalogues.
    """
    from django.contrib.auth import get_permission_codename
    from django.utils.translation import gettext

    model = permission.content_type.model_class()
    if model is not None:
        opts = model._meta
        for action, label in DEFAULT_PERMISSION_LABELS.items():
            if permission.codename == get_permission_codename(
                action, opts
            ) and permission.name.startswith(f"Can {action} "):
                return label % {"model": opts.verbose_name}
    return gettext(permission.name)


def permission_labels(names) -> list[str]:
    """:func:`permission_label` of ``"app_label.codename"`` names (as the
    audit log records them), in their order; a name of no permission (one
    since removed) stays as it is."""
    names = list(names)
    perms = _permissions_by_name(set(names))
    return [permission_label(perms[n]) if n in perms else n for n in names]


class ReadOnlyRoleError(RetaguardaError):
    """A write permission was about to be given to a read-only role's group."""

    code = "read-only-role"


def read_only_role_keys() -> list[str]:
    """Keys of the declared read-only roles."""
    return [key for key, role in declared_roles().items() if role.read_only]


def read_only_group_ids() -> set[int]:
    """Primary keys of the groups of the declared read-only roles."""
    from plugins.models import Role

    keys = read_only_role_keys()
    if not keys:
        return set()
    return set(Role.objects.filter(key__in=keys).values_list("group_id", flat=True))


def is_read_only_group(group) -> bool:
    return group is not None and group.pk in read_only_group_ids()


def check_read_only_grant(group, permission_names) -> None:
    """Refuse giving ``group`` any of ``permission_names`` that is not a read
    permission when ``group`` is a read-only role's group (the auditor).

    The one check behind role sync, object-permission grants and Wagtail's
    group editor. Raises :class:`ReadOnlyRoleError`.
    """
    if not is_read_only_group(group):
        return
    refused = sorted(name for name in permission_names if not is_read_permission(name))
    if refused:
        raise ReadOnlyRoleError(
            _(
                "The group “%(group)s” is read-only: it cannot receive "
                "“%(permissions)s”."
            )
            % {"group": group.name, "permissions": "”, “".join(refused)}
        )


def _media(*actions: str) -> tuple[str, ...]:
    """Image and document permissions (given on the root collection too)."""
    return tuple(
        f"{app}.{action}_{model}"
        for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
        for action in actions
    )


EDITOR_MEDIA = _media("add", "change", "choose")
MODERATOR_MEDIA = _media("add", "change", "delete", "choose")

# Core role templates. Plugins extend "manager" and "auditor" with their own
# permissions by declaring templates with the same key.
CORE_ROLES: tuple[RoleTemplate, ...] = (
    RoleTemplate(
        "content_editor",
        "Editor de conteúdo",
        permissions=(ACCESS_ADMIN, *EDITOR_MEDIA, "taggit.add_tag", "taggit.view_tag"),
        description=_("Edits the catalog and storefront pages; submits for review."),
        page_permissions=("add_page", "change_page"),
        collection_permissions=EDITOR_MEDIA,
    ),
    RoleTemplate(
        "content_moderator",
        "Moderador de conteúdo",
        permissions=(
            ACCESS_ADMIN,
            *MODERATOR_MEDIA,
            "taggit.add_tag",
            "taggit.change_tag",
            "taggit.view_tag",
        ),
        description=_("Approves or rejects content submitted for review; publishes."),
        page_permissions=(
            "add_page",
            "change_page",
            "publish_page",
            "lock_page",
            "unlock_page",
        ),
        collection_permissions=MODERATOR_MEDIA,
    ),
    RoleTemplate(
        "manager",
        "Gerente",
        permissions=(
            ACCESS_ADMIN,
            "plugins.manage_object_permissions",
            "plugins.view_audit_log",
        ),
        description=_(
            "Runs the back office: sees everything, grants object permissions."
        ),
        all_view_permissions=True,
    ),
    RoleTemplate(
        "auditor",
        "Auditor (somente leitura)",
        permissions=(ACCESS_ADMIN, "plugins.view_audit_log"),
        description=_("Sees everything and changes nothing."),
        all_view_permissions=True,
        read_only=True,
    ),
)


def declared_roles() -> dict[str, MergedRole]:
    """Role templates of every installed app, merged by key, in app order."""
    from django.apps import apps

    merged: dict[str, MergedRole] = {}
    # Core apps first, so core templates name the roles plugins extend.
    app_configs = sorted(
        apps.get_app_configs(),
        key=lambda cfg: getattr(cfg, "is_retaguarda_plugin", False),
    )
    for app_config in app_configs:
        for template in getattr(app_config, "roles", ()):
            role = merged.get(template.key)
            if role is None:
                role = merged[template.key] = MergedRole(
                    template.key, template.name, template.description
                )
            role.sources.append(app_config.label)
            role.permissions.update(template.permissions)
            role.all_view_permissions |= template.all_view_permissions
            role.page_permissions.update(template.page_permissions)
            role.collection_permissions.update(template.collection_permissions)
            role.object_permissions.update(template.object_permissions)
            role.read_only |= template.read_only
    return merged


def _permissions_by_name(names: set[str]):
    from django.contrib.auth.models import Permission

    wanted = {tuple(name.split(".", 1)) for name in names if "." in name}
    found = {}
    labels = {app_label for app_label, _ in wanted}
    codenames = {codename for _, codename in wanted}
    for perm in Permission.objects.filter(
        content_type__app_label__in=labels, codename__in=codenames
    ).select_related("content_type"):
        key = f"{perm.content_type.app_label}.{perm.codename}"
        if key in names:
            found[key] = perm
    return found


def _sync_tree_permissions(group, role: MergedRole, result: RoleSyncResult) -> None:
    from django.contrib.auth.models import Permission
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
    )

    if role.page_permissions:
        root = Page.get_first_root_node()
        if root is not None:
            perms = Permission.objects.filter(
                content_type__app_label="wagtailcore",
                codename__in=role.page_permissions,
            )
            for perm in perms:
                _, created = GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=perm
                )
                if created:
                    result.added.append(f"page:{perm.codename}")
    if role.collection_permissions:
        root = Collection.get_first_root_node()
        if root is not None:
            by_name = _permissions_by_name(role.collection_permissions)
            for name, perm in sorted(by_name.items()):
                _, created = GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=perm
                )
                if created:
                    result.added.append(f"collection:{name}")


def _check_read_only_tree(group, role: MergedRole) -> None:
    names = {f"wagtailcore.{codename}" for codename in role.page_permissions}
    check_read_only_grant(group, names | role.collection_permissions)


def _clear_read_only_grants(group) -> list[str]:
    """Remove from a read-only role's group every page, collection and object
    permission that is not a read permission; returns what was removed."""
    from guardian.models import GroupObjectPermission
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    removed = []
    for model, label in (
        (GroupPagePermission, "page"),
        (GroupCollectionPermission, "collection"),
        (GroupObjectPermission, "object"),
    ):
        for row in model.objects.filter(group=group).select_related(
            "permission__content_type"
        ):
            perm = row.permission
            name = f"{perm.content_type.app_label}.{perm.codename}"
            if not is_read_permission(name):
                row.delete()
                removed.append(f"{label}:{name}")
    return sorted(removed)


def sync_roles() -> list[RoleSyncResult]:
    """Create or complete one group per declared role.

    Idempotent. Adds missing permissions, reports unknown permission names
    (their app is not installed) and permissions an administrator added by
    hand (kept). ``all_view_permissions`` skips the sensitive view
    permissions. A read-only role's group is cleared of everything that is not
    a read permission — model permissions, page and collection permissions,
    object grants — and the role's own templates may declare only read
    permissions (:class:`ReadOnlyRoleError` otherwise). Logs
    ``retaguarda.roles.sync`` on each group it changed.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction
    from wagtail.log_actions import log

    from plugins.models import Role

    results = []
    with transaction.atomic():
        for role in declared_roles().values():
            result = RoleSyncResult(role.key, role.name)
            link = Role.objects.select_related("group").filter(key=role.key).first()
            if link is None:
                group, result.created = Group.objects.get_or_create(name=role.name)
                link = Role.objects.create(key=role.key, group=group)
            group = link.group
            result.group_name = group.name

            if role.read_only:
                check_read_only_grant(group, role.permissions)
                _check_read_only_tree(group, role)
            by_name = _permissions_by_name(role.permissions)
            result.unknown = sorted(role.permissions - set(by_name))
            wanted = {perm.pk: name for name, perm in by_name.items()}
            if role.all_view_permissions:
                sensitive = sensitive_view_permissions()
                for perm in Permission.objects.filter(
                    codename__startswith="view_"
                ).select_related("content_type"):
                    name = f"{perm.content_type.app_label}.{perm.codename}"
                    if name not in sensitive:
                        wanted.setdefault(perm.pk, name)
            current = {
                perm.pk: f"{perm.content_type.app_label}.{perm.codename}"
                for perm in group.permissions.select_related("content_type")
            }
            missing = [pk for pk in wanted if pk not in current]
            if missing:
                group.permissions.add(*missing)
                result.added.extend(sorted(wanted[pk] for pk in missing))
            if role.read_only:
                forbidden = {
                    pk: name
                    for pk, name in current.items()
                    if not is_read_permission(name)
                }
                if forbidden:
                    group.permissions.remove(*forbidden)
                    result.removed.extend(sorted(forbidden.values()))
                    current = {
                        pk: n for pk, n in current.items() if pk not in forbidden
                    }
                result.removed.extend(_clear_read_only_grants(group))
            result.extra = sorted(
                name for pk, name in current.items() if pk not in wanted
            )
            _sync_tree_permissions(group, role, result)
            if result.added or result.created or result.removed:
                data = {"role": role.key, "added": result.added}
                if result.removed:
                    data["removed"] = result.removed
                log(instance=group, action="retaguarda.roles.sync", data=data)
            results.append(result)
    return results


def role_group(key: str):
    """The group synced for role ``key`` (``None`` before the first sync)."""
    from plugins.models import Role

    link = Role.objects.select_related("group").filter(key=key).first()
    return link.group if link else None


READ_ONLY_GROUPS_CACHE_ATTR = "_retaguarda_read_only_groups"


def read_only_groups_of(user) -> frozenset[int]:
    """Ids of the read-only role groups ``user`` belongs to (cached on the
    user object, like Django's permission caches)."""
    cached = getattr(user, READ_ONLY_GROUPS_CACHE_ATTR, None)
    if cached is None:
        keys = read_only_role_keys()
        cached = frozenset(
            user.groups.filter(retaguarda_role__key__in=keys).values_list(
                "pk", flat=True
            )
            if keys
            else ()
        )
        setattr(user, READ_ONLY_GROUPS_CACHE_ATTR, cached)
    return cached


def other_groups_of(user):
    """The groups of ``user`` that are not read-only role groups."""
    return user.groups.exclude(pk__in=read_only_groups_of(user))


def held_only_through_read_only_groups(user, name: str) -> bool:
    """Defence in depth, at permission-evaluation time: whether the write
    permission ``name`` reaches ``user`` only through read-only role groups
    (it should never be there; it is then ignored). ``False`` for read
    permissions and for users in no read-only group (no query then)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if is_read_permission(name) or not read_only_groups_of(user):
        return False
    app_label, _sep, codename = name.partition(".")
    return not (
        Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        .filter(Q(user=user) | Q(group__in=other_groups_of(user)))
        .exists()
    )
