"""Wagtail viewsets that honour object-level permissions.

:class:`ScopedModelViewSet` is a ``ModelViewSet`` whose listing (and so its
spreadsheet export), edit, delete, inspect, history, usage and copy views
consult the model's registered permission policy *per object*: a user sees and
acts on the objects they may; an object out of their scope (one they may not
even view) does not exist for them — 404, never 403, so ids are not confirmed —
and an object they see but may not act on that way is a 403. When the policy is a
:class:`~plugins.permissions.ScopedPermissionPolicy` with a ``scope_field``,
that field's choices in forms are narrowed to the scope objects the user holds.

Back-office screens set ``menu_hook = BACKOFFICE_MENU`` to appear in the shared
"Retaguarda" menu group.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.display import EMPTY
from plugins.exports import SafeSpreadsheetExportMixin
from plugins.hooks import BACKOFFICE_MENU
from plugins.permissions import ScopedPermissionPolicy


class ObjectPermissionMixin:
    """Check the policy on the object the view works on: out of the scope of
    a user who works on some objects of the model (not even ``view`` on this
    one) is a 404; in scope without the action, or no access to the model's
    screens at all, is Wagtail's permission denied."""

    object_permission_actions: tuple[str, ...] = ("view",)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy = self.permission_policy
        user = self.request.user
        if policy is not None and not policy.user_has_any_permission_for_instance(
            user, list(self.object_permission_actions), obj
        ):
            actions = [*self.object_permission_actions, "view"]
            if (
                isinstance(policy, ScopedPermissionPolicy)
                and not policy.user_has_any_permission_for_instance(user, ["view"], obj)
                # A user with no access to these screens at all is denied
                # alike for every object, as Wagtail does.
                and policy.user_has_any_permission(user, actions)
            ):
                raise Http404
            raise PermissionDenied
        return obj


class VisibleObjectMixin:
    """An object the user may not even view does not exist for them: 404
    before any other check (a 403 would confirm that it exists). Put it
    before :class:`ObjectPermissionMixin`, which then answers 403 for an
    object the user sees but may not act on this way."""

    def get_object(self, *args, **kwargs):
        policy = self.permission_policy
        if isinstance(policy, ScopedPermissionPolicy):
            pk = unquote(str(self.kwargs.get(getattr(self, "pk_url_kwarg", "pk"))))
            visible = policy.filter_queryset(
                self.model._default_manager.all(), self.request.user, ["view"]
            )
            try:
                found = visible.filter(pk=pk).exists()
            except (ValueError, ValidationError):
                found = False
            if not found:
                raise Http404
        return super().get_object(*args, **kwargs)


class ScopeFieldFormMixin:
    """Narrow the scope field's choices to the scope objects the user holds."""

    scope_action = "change"

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        policy = self.permission_policy
        if (
            isinstance(policy, ScopedPermissionPolicy)
            and policy.scope_field
            and policy.scope_field in form.fields
        ):
            form.fields[policy.scope_field].queryset = policy.scope_objects(
                self.request.user, self.scope_action
            )
        return form


class ScopedIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        policy = self.permission_policy
        if isinstance(policy, ScopedPermissionPolicy):
            return policy.filter_queryset(queryset, self.request.user, ["view"])
        return queryset


class ScopedCreateView(ScopeFieldFormMixin, generic.CreateView):
    scope_action = "add"


class ScopedEditView(ScopeFieldFormMixin, ObjectPermissionMixin, generic.EditView):
    object_permission_actions = ("change",)


class ScopedDeleteView(ObjectPermissionMixin, generic.DeleteView):
    object_permission_actions = ("delete",)


class ReadableInspectMixin:
    """For inspect views (Wagtail's, snippets'): an empty value reads "—",
    not "None" or a blank; booleans, days and moments read as
    :mod:`plugins.display` registers them for every inspect view."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "" or value == []:
            return EMPTY
        return value


class InspectView(ReadableInspectMixin, generic.InspectView):
    """Wagtail's inspect view showing what a person reads."""


class ScopedInspectView(ObjectPermissionMixin, InspectView):
    any_permission_required = ["view", "change"]
    permission_required = None


class ScopedHistoryView(ObjectPermissionMixin, history.HistoryView):
    any_permission_required = ["view", "change", "delete"]


class ScopedUsageView(ObjectPermissionMixin, usage.UsageView):
    # Where an object is used is read-only information.
    permission_required = None
    any_permission_required = ["view", "change"]


class ScopedCopyView(
    ScopeFieldFormMixin, VisibleObjectMixin, ObjectPermissionMixin, generic.CopyView
):
    # Wagtail's copy view denies an object it may not copy before handing it
    # over: an object out of scope is found out first.
    scope_action = "add"


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet that applies object-level permissions everywhere."""

    menu_hook = BACKOFFICE_MENU
    inspect_view_enabled = True
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_class = ScopedCopyView
