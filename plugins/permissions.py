"""One permission model for the admin and the API.

:class:`ScopedPermissionPolicy` is a Wagtail permission policy backed by Django's
model permissions *and* django-guardian's per-object grants. Register it for a
model at the top of the app's ``wagtail_hooks.py``::

    register_permission_policy(Warehouse, ScopedPermissionPolicy(Warehouse))
    register_permission_policy(
        StockLevel,
        ScopedPermissionPolicy(
            StockLevel,
            scope_field="warehouse",
            scope_actions={
                "view": "stock.view_warehouse",
                "change": "stock.move_stock",
            },
        ),
    )

Wagtail's viewsets pick it up from the registry (listing, edit and delete views,
menu items, exports: see :class:`ScopedViewSetMixin`), and DRF views use the
same policy through :class:`PolicyPermission` and :class:`PolicyQuerysetMixin`.

Rules:

* inactive and anonymous users get nothing (guardian's ``get_objects_for_user``
  alone would still return objects for an inactive user);
* active superusers get everything;
* a model-level permission (from a role's group) covers every object;
* otherwise a user acts on exactly the scope objects they (or one of their
  groups) were granted the permission on, and on the rows that belong to them;
* ``view`` is also satisfied by ``change`` (as in Django's admin).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_group, get_objects_for_user
from rest_framework.permissions import BasePermission
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from plugins.roles import READ_ONLY_GROUPS_CACHE_ATTR

IMPLIED_ACTIONS = {"view": ("view", "change")}
_CACHE_ATTR = "_retaguarda_scope_cache"


def is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def clear_permission_cache(user) -> None:
    """Forget the per-object grants cached on this user object."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    for attr in (
        "_perm_cache",
        "_user_perm_cache",
        "_group_perm_cache",
        READ_ONLY_GROUPS_CACHE_ATTR,
    ):
        if user is not None and hasattr(user, attr):
            delattr(user, attr)


def scoped_models() -> list[type[Model]]:
    """Models declared by installed apps as scoping work (``scoped_models``)."""
    from django.apps import apps

    found = []
    for app_config in apps.get_app_configs():
        for label in getattr(app_config, "scoped_models", ()):
            found.append(apps.get_model(label))
    return found


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions plus django-guardian object grants on scope objects.

    Without ``scope_field`` the model's rows are themselves the scope (a
    warehouse): grants are the model's own permissions on single rows. With
    ``scope_field`` the rows belong to a scope object through that foreign key
    (a stock level's warehouse), and ``scope_actions`` maps each action to the
    ``"app_label.codename"`` permission checked on the scope object.
    """

    def __init__(
        self,
        model,
        auth_model=None,
        *,
        scope_field: str | None = None,
        scope_actions: Mapping[str, str] | None = None,
    ):
        super().__init__(model, auth_model=auth_model)
        if scope_field and not scope_actions:
            raise ValueError("scope_actions is required with scope_field")
        self.scope_field = scope_field
        self.scope_actions = dict(scope_actions or {})

    # -- helpers -------------------------------------------------------------

    @cached_property
    def scope_model(self) -> type[Model]:
        if not self.scope_field:
            return self.model
        return self.model._meta.get_field(self.scope_field).related_model

    def _expand(self, actions: Iterable[str]) -> set[str]:
        expanded: set[str] = set()
        for action in actions:
            expanded.update(IMPLIED_ACTIONS.get(action, (action,)))
        return expanded

    def _scope_perm(self, action: str) -> str | None:
        if not self.scope_field:
            return self._get_permission_name(action)
        return self.scope_actions.get(action)

    def _model_level(self, user, actions: set[str]) -> bool:
        from plugins.roles import held_only_through_read_only_groups

        for action in actions:
            name = self._get_permission_name(action)
            if user.has_perm(name) and not held_only_through_read_only_groups(
                user, name
            ):
                return True
        return False

    def _granted_scope_ids(self, user, action: str) -> frozenset:
        """Primary keys of the scope objects the user was granted ``action`` on."""
        perm = self._scope_perm(action)
        if perm is None:
            return frozenset()
        cache = getattr(user, _CACHE_ATTR, None)
        if cache is None:
            cache = {}
            setattr(user, _CACHE_ATTR, cache)
        key = (self.scope_model._meta.label, perm)
        if key not in cache:
            try:
                cache[key] = self._granted_ids(user, perm)
            except ContentType.DoesNotExist:
                # An action with no such permission (e.g. Wagtail asking about
                # "publish" on a model without drafts): nobody holds it.
                cache[key] = frozenset()
        return cache[key]

    def _granted_ids(self, user, perm: str) -> frozenset:
        from plugins.roles import is_read_permission, read_only_groups_of

        if is_read_permission(perm) or not read_only_groups_of(user):
            objects = get_objects_for_user(
                user,
                perm,
                klass=self.scope_model,
                accept_global_perms=False,
                with_superuser=False,
            )
            return frozenset(objects.values_list("pk", flat=True))
        # Defence in depth: a write permission granted to a read-only role's
        # group (the auditor) is ignored; the user's own grants and those of
        # their other groups count.
        from plugins.roles import other_groups_of

        ids = set(
            get_objects_for_user(
                user,
                perm,
                klass=self.scope_model,
                use_groups=False,
                accept_global_perms=False,
                with_superuser=False,
            ).values_list("pk", flat=True)
        )
        for group in other_groups_of(user):
            ids.update(
                get_objects_for_group(
                    group, perm, klass=self.scope_model, accept_global_perms=False
                ).values_list("pk", flat=True)
            )
        return frozenset(ids)

    def _scope_ids(self, user, actions: set[str]) -> set:
        ids: set = set()
        for action in actions:
            ids |= self._granted_scope_ids(user, action)
        return ids

    def _scope_pk_of(self, instance):
        if not self.scope_field:
            return instance.pk
        return getattr(instance, self.model._meta.get_field(self.scope_field).attname)

    # -- model-level questions ----------------------------------------------

    def user_has_permission(self, user, action):
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions):
        if not is_active_user(user):
            return False
        if user.is_superuser:
            return True
        actions = self._expand(actions)
        if self._model_level(user, actions):
            return True
        # Creating a scope object (a new warehouse) needs the model permission;
        # anything else is possible as soon as one object was granted.
        object_actions = actions - {"add"} if not self.scope_field else actions
        return bool(self._scope_ids(user, object_actions))

    def users_with_any_permission(self, actions):
        from guardian.models import GroupObjectPermission, UserObjectPermission

        actions = self._expand(actions)
        users = super().users_with_any_permission(actions)
        perms = [self._scope_perm(a) for a in actions]
        perms = [p.split(".", 1) for p in perms if p]
        if not perms:
            return users
        perm_q = Q()
        for app_label, codename in perms:
            perm_q |= Q(
                permission__content_type__app_label=app_label,
                permission__codename=codename,
            )
        user_ids = UserObjectPermission.objects.filter(perm_q).values("user_id")
        group_ids = GroupObjectPermission.objects.filter(perm_q).values("group_id")
        return (
            get_user_model()
            .objects.filter(
                Q(pk__in=users.values("pk"))
                | Q(pk__in=user_ids, is_active=True)
                | Q(groups__in=group_ids, is_active=True)
            )
            .distinct()
        )

    # -- instance-level questions -------------------------------------------

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not is_active_user(user):
            return False
        if user.is_superuser:
            return True
        actions = self._expand(actions)
        if self._model_level(user, actions):
            return True
        return self._instance_in_scope(user, actions, instance)

    def _instance_in_scope(self, user, actions, instance) -> bool:
        """Whether one of the user's per-object grants of ``actions`` reaches
        ``instance`` (model-level grants are already ruled out)."""
        scope_pk = self._scope_pk_of(instance)
        return scope_pk is not None and scope_pk in self._scope_ids(user, actions)

    def instances_user_has_any_permission_for(self, user, actions):
        return self.filter_queryset(self.model._default_manager.all(), user, actions)

    def filter_queryset(self, queryset: QuerySet, user, actions) -> QuerySet:
        """Narrow ``queryset`` to the rows ``user`` may act on with any of
        ``actions``."""
        if not is_active_user(user):
            return queryset.none()
        if user.is_superuser:
            return queryset
        actions = self._expand(actions)
        if self._model_level(user, actions):
            return queryset
        return self._in_scope(queryset, self._scope_ids(user, actions))

    def _in_scope(self, queryset: QuerySet, ids) -> QuerySet:
        """The rows of ``queryset`` reached by the scope objects ``ids``."""
        lookup = f"{self.scope_field}__in" if self.scope_field else "pk__in"
        return queryset.filter(**{lookup: ids})

    def users_with_any_permission_for_instance(self, actions, instance):
        from guardian.shortcuts import get_users_with_perms

        actions = self._expand(actions)
        users = super().users_with_any_permission(actions)
        scope_obj = (
            instance if not self.scope_field else getattr(instance, self.scope_field)
        )
        codenames = [p.split(".", 1)[1] for p in map(self._scope_perm, actions) if p]
        granted = get_users_with_perms(
            scope_obj, with_group_users=True, only_with_perms_in=codenames
        ).filter(is_active=True)
        return get_user_model().objects.filter(
            Q(pk__in=users.values("pk")) | Q(pk__in=granted.values("pk"))
        )

    def scope_ids_for(self, user, action: str = "view") -> set | None:
        """The primary keys of the scope objects ``user`` may use for
        ``action``, or ``None`` when a model-level permission (or being a
        superuser) reaches every one of them: the scope of a figure."""
        if not is_active_user(user):
            return set()
        actions = self._expand([action])
        if user.is_superuser or self._model_level(user, actions):
            return None
        return set(self._scope_ids(user, actions))

    def scope_objects(self, user, action: str) -> QuerySet:
        """Scope objects (e.g. warehouses) the user may use for ``action``:
        the choices of a form's scope field."""
        manager = self.scope_model._default_manager
        if not is_active_user(user):
            return manager.none()
        actions = self._expand([action])
        if user.is_superuser or self._model_level(user, actions):
            return manager.all()
        return manager.filter(pk__in=self._scope_ids(user, actions))


class ReadGatedScopedPolicy(ScopedPermissionPolicy):
    """Rows of a scope object (an emitter's NF-e, a carrier's shipments) that
    a user acts on only while holding the model's own view permission (for
    an emitter's documents, ``fiscal.view_fiscaldocument``: the roles that
    work them, managers and auditors).

    Which rows: those of every scope object when the action's scope
    permission is held for the model through a group that is not read-only
    (the manager of the desk reads and acts everywhere), otherwise those of
    the scope objects granted to the user. The desk's own role holds the
    rows' view permission for the model, so the model permission alone never
    widens the scope.
    """

    def _reads_model(self, user) -> bool:
        return user.has_perm(self._get_permission_name("view"))

    def _model_level(self, user, actions: set[str]) -> bool:
        from plugins.roles import held_only_through_read_only_groups

        if not self._reads_model(user):
            return False
        for action in actions:
            perm = self._scope_perm(action)
            if (
                perm
                and user.has_perm(perm)
                and not held_only_through_read_only_groups(user, perm)
            ):
                return True
        return False

    def _scope_ids(self, user, actions: set[str]) -> set:
        if not self._reads_model(user):
            return set()
        return super()._scope_ids(user, actions)


class RelatedScopePermissionPolicy(ScopedPermissionPolicy):
    """Rows that belong to no scope object themselves but are reached through
    rows that do: a customer is visible through the sales channels of their
    orders. ``scope_path`` is a lookup path that may cross reverse and
    many-valued relations (``"orders__channel"``); ``scope_actions`` maps each
    action to the permission checked on the scope objects at its end.

    A user with a model-level permission (a role's group) acts on every row,
    including rows that reach no scope object at all (a customer with no
    orders); anybody else acts on exactly the rows that reach, through
    ``scope_path``, a scope object they were granted the action's permission
    on. The admin (``ScopedModelViewSet``) and the API
    (``PolicyQuerysetMixin``) use it like any scoped policy::

        RelatedScopePermissionPolicy(
            Customer,
            scope_path="orders__channel",
            scope_actions={"view": "orders.view_saleschannel",
                           "change": "orders.handle_orders"},
        )
    """

    def __init__(
        self,
        model,
        auth_model=None,
        *,
        scope_path: str,
        scope_actions: Mapping[str, str],
    ):
        super().__init__(
            model,
            auth_model=auth_model,
            scope_field=scope_path,
            scope_actions=scope_actions,
        )
        self.scope_path = scope_path

    @cached_property
    def scope_model(self) -> type[Model]:
        model = self.model
        for name in self.scope_path.split("__"):
            model = model._meta.get_field(name).related_model
        return model

    def _reaching(self, ids) -> QuerySet:
        """Primary keys of the rows reaching any of the scope objects ``ids``
        (a subquery: no duplicate rows from many-valued relations)."""
        return (
            self.model._default_manager.filter(**{f"{self.scope_path}__in": ids})
            .order_by()
            .values("pk")
        )

    def _instance_in_scope(self, user, actions, instance) -> bool:
        ids = self._scope_ids(user, actions)
        return bool(ids) and self._reaching(ids).filter(pk=instance.pk).exists()

    def _in_scope(self, queryset: QuerySet, ids) -> QuerySet:
        if not ids:
            return queryset.none()
        return queryset.filter(pk__in=self._reaching(ids))

    def users_with_any_permission_for_instance(self, actions, instance):
        from guardian.shortcuts import get_users_with_perms

        actions = self._expand(actions)
        users = super(ScopedPermissionPolicy, self).users_with_any_permission(actions)
        codenames = [p.split(".", 1)[1] for p in map(self._scope_perm, actions) if p]
        scope_ids = (
            self.model._default_manager.filter(pk=instance.pk)
            .exclude(**{f"{self.scope_path}__isnull": True})
            .values_list(self.scope_path, flat=True)
        )
        user_q = Q(pk__in=users.values("pk"))
        for scope_obj in self.scope_model._default_manager.filter(pk__in=scope_ids):
            granted = get_users_with_perms(
                scope_obj, with_group_users=True, only_with_perms_in=codenames
            ).filter(is_active=True)
            user_q |= Q(pk__in=granted.values("pk"))
        return get_user_model().objects.filter(user_q)


class PermissionRequiredMixin:
    """For admin views outside viewsets: an active user holding ``permission``
    (``"app_label.codename"``), otherwise PermissionDenied."""

    permission = ""

    def dispatch(self, request, *args, **kwargs):
        if not (
            is_active_user(request.user) and request.user.has_perm(self.permission)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def policy_for(model) -> ModelPermissionPolicy:
    return policy_registry.get_by_type(model)


# -- Django REST framework ----------------------------------------------------


class HasPermission(BasePermission):
    """DRF permission: an active user holding ``permission``
    (``"app_label.codename"``), for endpoints that are not a model's (the
    reports' figures); the API's counterpart of :class:`PermissionRequiredMixin`."""

    permission = ""

    def has_permission(self, request, view):
        return is_active_user(request.user) and request.user.has_perm(self.permission)


class PolicyPermission(BasePermission):
    """DRF permission checking the model's registered Wagtail permission policy.

    The action comes from the view's ``policy_actions`` (a dict of DRF action
    or HTTP method → policy action) or from the HTTP method: safe methods →
    ``view``, POST → ``add``, PUT/PATCH → ``change``, DELETE → ``delete``.
    """

    method_actions = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    def _policy(self, view):
        policy = getattr(view, "permission_policy", None)
        if policy is None:
            policy = policy_for(view.get_queryset().model)
        return policy

    def _action(self, request, view) -> str:
        custom = getattr(view, "policy_actions", {})
        drf_action = getattr(view, "action", None)
        if drf_action in custom:
            return custom[drf_action]
        return custom.get(
            request.method, self.method_actions.get(request.method, "view")
        )

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        return self._policy(view).user_has_permission(
            request.user, self._action(request, view)
        )

    def has_object_permission(self, request, view, obj):
        return self._policy(view).user_has_permission_for_instance(
            request.user, self._action(request, view), obj
        )


class PolicyQuerysetMixin:
    """For DRF views: lists and lookups see only what the user may view."""

    permission_classes = [PolicyPermission]

    def get_queryset(self):
        queryset = super().get_queryset()
        policy = getattr(self, "permission_policy", None) or policy_for(queryset.model)
        if isinstance(policy, ScopedPermissionPolicy):
            return policy.filter_queryset(queryset, self.request.user, ["view"])
        if policy.user_has_permission(self.request.user, "view"):
            return queryset
        return queryset.none()
