"""Admin screens of the framework: object permissions and the audit log."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from guardian.models import GroupObjectPermission, UserObjectPermission
from wagtail.admin.filters import ContentTypeFilter, WagtailFilterSet
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.coreutils import multigetattr
from wagtail.log_actions import registry as log_registry

from plugins.audit import describe_changes, log_entry_model
from plugins.exceptions import RetaguardaError
from plugins.exports import SafeSpreadsheetExportMixin
from plugins.forms import GrantFilterForm, GrantForm, model_from_label
from plugins.permissions import PermissionRequiredMixin, scoped_models
from plugins.roles import permission_label
from plugins.services import (
    MANAGE_OBJECT_PERMISSIONS,
    grant_object_permission,
    revoke_object_permission,
)


class ScreenBreadcrumbsMixin:
    """Breadcrumbs of an admin screen of its own (not a viewset's): the
    dashboard, then the screen's title. Wagtail's default is the dashboard
    alone, and the slim header then shows only "Página inicial"."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class ManageObjectPermissionsMixin(PermissionRequiredMixin):
    permission = MANAGE_OBJECT_PERMISSIONS


def _grant_rows(model_label: str = "", query: str = ""):
    """Every object grant on scoped models: dicts ready for the template."""
    models = scoped_models()
    if model_label:
        models = [m for m in models if m._meta.label_lower == model_label]
    content_types = ContentType.objects.get_for_models(*models) if models else {}
    ct_ids = [ct.pk for ct in content_types.values()]
    user_grants = UserObjectPermission.objects.filter(content_type_id__in=ct_ids)
    group_grants = GroupObjectPermission.objects.filter(content_type_id__in=ct_ids)
    if query:
        user_grants = user_grants.filter(
            Q(user__username__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
        )
        group_grants = group_grants.filter(group__name__icontains=query)
    grants = [
        ("user", grant)
        for grant in user_grants.select_related("user", "permission", "content_type")
    ] + [
        ("group", grant)
        for grant in group_grants.select_related("group", "permission", "content_type")
    ]
    # One query per scoped model for the objects' labels.
    objects = {}
    by_ct: dict[int, set[str]] = {}
    for _kind, grant in grants:
        by_ct.setdefault(grant.content_type_id, set()).add(grant.object_pk)
    for model, ct in content_types.items():
        pks = by_ct.get(ct.pk)
        if pks:
            for obj in model._default_manager.filter(pk__in=pks):
                objects[(ct.pk, str(obj.pk))] = obj
    rows = []
    for kind, grant in grants:
        obj = objects.get((grant.content_type_id, grant.object_pk))
        holder = grant.user if kind == "user" else grant.group
        rows.append(
            {
                "kind": kind,
                "id": grant.pk,
                "type": grant.content_type.model_class()._meta.verbose_name,
                "object": obj if obj is not None else f"#{grant.object_pk}",
                "permission": grant.permission,
                "holder": holder.get_username() if kind == "user" else holder.name,
                "holder_name": (
                    holder.get_full_name() if kind == "user" else _("group")
                ),
            }
        )
    rows.sort(key=lambda r: (str(r["type"]), str(r["object"]), r["holder"]))
    return rows


class ObjectPermissionIndexView(
    ManageObjectPermissionsMixin,
    ScreenBreadcrumbsMixin,
    WagtailAdminTemplateMixin,
    TemplateView,
):
    template_name = "plugins/object_permissions/index.html"
    page_title = gettext_lazy("Object permissions")
    header_icon = "key"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = GrantFilterForm(self.request.GET or None)
        model_label = query = ""
        if form.is_valid():
            model_label = form.cleaned_data["model"]
            query = form.cleaned_data["q"].strip()
        context.update(
            filter_form=form,
            rows=_grant_rows(model_label, query),
            scoped_models=[
                (m._meta.label_lower, m._meta.verbose_name) for m in scoped_models()
            ],
        )
        return context


class GrantObjectPermissionView(
    ManageObjectPermissionsMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "plugins/object_permissions/grant.html"
    page_title = gettext_lazy("Grant object permission")
    header_icon = "key"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.model = model_from_label(kwargs["model"])
        if self.model is None:
            raise Http404

    def get_page_subtitle(self):
        return self.model._meta.verbose_name_plural

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("retaguarda_object_permissions:index"),
                "label": _("Object permissions"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form(self, form_class=None):
        return GrantForm(self.model, **self.get_form_kwargs())

    def get_initial(self):
        initial = super().get_initial()
        if object_id := self.request.GET.get("object"):
            initial["object"] = object_id
        return initial

    def form_valid(self, form):
        holder = form.cleaned_data["user"] or form.cleaned_data["group"]
        obj = form.cleaned_data["object"]
        try:
            result = grant_object_permission(
                obj,
                permission=form.cleaned_data["permission"],
                holder=holder,
                by=self.request.user,
            )
        except RetaguardaError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        holder_name = getattr(holder, "name", None) or holder.get_username()
        if result.created:
            messages.success(
                self.request,
                _("%(holder)s may now “%(perm)s” on %(object)s.")
                % {
                    "holder": holder_name,
                    "perm": permission_label(form.cleaned_data["permission"]),
                    "object": obj,
                },
            )
        else:
            messages.info(
                self.request,
                _("%(holder)s already held that permission on %(object)s.")
                % {"holder": holder_name, "object": obj},
            )
        return redirect("retaguarda_object_permissions:index")


class RevokeObjectPermissionView(ManageObjectPermissionsMixin, View):
    http_method_names = ["post"]

    def post(self, request, kind, pk):
        if kind == "user":
            grant = get_object_or_404(UserObjectPermission, pk=pk)
            holder = grant.user
        elif kind == "group":
            grant = get_object_or_404(GroupObjectPermission, pk=pk)
            holder = grant.group
        else:
            raise Http404
        model = grant.content_type.model_class()
        if model not in scoped_models():
            raise Http404
        obj = get_object_or_404(model, pk=grant.object_pk)
        revoke_object_permission(
            obj, permission=grant.permission, holder=holder, by=request.user
        )
        holder_name = (
            holder.name if isinstance(holder, Group) else holder.get_username()
        )
        messages.success(
            request,
            _("Revoked “%(perm)s” on %(object)s from %(holder)s.")
            % {
                "perm": permission_label(grant.permission),
                "object": obj,
                "holder": holder_name,
            },
        )
        return redirect("retaguarda_object_permissions:index")


# -- Audit log -------------------------------------------------------------------


def _all_log_content_types(request):
    ids = set()
    for log_model in log_registry.get_log_entry_models():
        ids.update(log_model.objects.all().get_content_type_ids())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class AuditLogFilterSet(WagtailFilterSet):
    timestamp = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"),
        widget=django_filters.widgets.DateRangeWidget,
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"),
        choices=lambda: log_registry.get_choices(),
    )
    user = django_filters.ModelChoiceFilter(
        label=gettext_lazy("User"),
        field_name="user",
        queryset=lambda request: (
            get_user_model()
            .objects.filter(pk__in=_audit_user_ids())
            .order_by(get_user_model().USERNAME_FIELD)
        ),
    )
    label = django_filters.CharFilter(
        label=gettext_lazy("Name"), lookup_expr="icontains"
    )
    object_type = ContentTypeFilter(
        label=gettext_lazy("Type"),
        method="filter_object_type",
        queryset=_all_log_content_types,
    )

    def filter_object_type(self, queryset, name, value):
        return queryset.filter_on_content_type(value)

    class Meta:
        from wagtail.models import ModelLogEntry

        model = ModelLogEntry
        fields = []


def _audit_user_ids():
    ids = set()
    for log_model in log_registry.get_log_entry_models():
        ids.update(log_model.objects.all().get_user_ids())
    return ids


class AuditLogView(PermissionRequiredMixin, SafeSpreadsheetExportMixin, LogEntriesView):
    """Every audit log entry (pages, snippets, models), filterable and
    exportable to CSV/XLSX with the changed fields, for holders of
    ``plugins.view_audit_log``."""

    permission = "plugins.view_audit_log"
    page_title = gettext_lazy("Audit log")
    filterset_class = AuditLogFilterSet
    index_url_name = "retaguarda_audit_log:index"
    index_results_url_name = "retaguarda_audit_log:results"
    export_headings = {
        **LogEntriesView.export_headings,
        "message": gettext_lazy("Message"),
        "changes": gettext_lazy("Changes"),
    }
    list_export = [*LogEntriesView.list_export, "message", "changes"]

    def get_filename(self):
        return "auditoria-" + super().get_filename().removeprefix("audit-log-")

    def get_filtered_queryset(self):
        queryset = None
        self.log_models = list(log_registry.get_log_entry_models())
        from django.db.models import IntegerField, Value

        for index, log_model in enumerate(self.log_models):
            sub = (
                log_model.objects.all()
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            sub = self.filter_queryset(sub).order_by()
            queryset = sub if queryset is None else queryset.union(sub, all=True)
        return queryset.order_by("-timestamp")

    def to_row_dict(self, item):
        return {
            field: (
                describe_changes(item.data, log_entry_model(item))
                if field == "changes"
                else multigetattr(item, field)
            )
            for field in self.list_export
        }
