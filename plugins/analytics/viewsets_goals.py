"""Relatórios › Metas: the managers' goals.

Managers (``analytics.add_goal`` …) set them; Wagtail's create, edit and
delete views write each change to the audit log. The listing shows each
goal's progress as the manager sees it (one computation per period and
channel or seller on the page, not one per goal)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.analytics.forms_goals import GoalForm
from plugins.analytics.goals import (
    format_figure,
    period_label,
    progress_of,
    scope_label,
)
from plugins.analytics.menu import REPORTS_MENU
from plugins.analytics.models import Goal
from plugins.kpis import all_kpis


def _kpi(goal: Goal):
    return all_kpis().get(goal.kpi)


class KPIColumn(Column):
    def get_value(self, instance):
        kpi = _kpi(instance)
        return kpi.name if kpi else instance.kpi


class PeriodColumn(Column):
    def get_value(self, instance):
        return period_label(instance)


class ScopeColumn(Column):
    def get_value(self, instance):
        return scope_label(instance)


class TargetColumn(Column):
    def get_value(self, instance):
        kpi = _kpi(instance)
        return format_figure(instance.target, kpi.unit if kpi else "")


class ProgressColumn(Column):
    """The goal's progress % and state, as the user sees it."""

    cell_template_name = "analytics/goals/progress_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["progress"] = getattr(instance, "measured", None)
        return context


class GoalFilterSet(WagtailFilterSet):
    class Meta:
        model = Goal
        fields = ["period_kind", "channel"]


class GoalIndexView(generic.IndexView):
    def get_base_queryset(self):
        # The latest periods first; among goals starting on the same day,
        # the month's, then the quarter's, then the year's.
        return (
            super()
            .get_base_queryset()
            .select_related("channel", "seller")
            .annotate(
                kind_order=Case(
                    When(period_kind=Goal.PeriodKind.MONTH, then=Value(0)),
                    When(period_kind=Goal.PeriodKind.QUARTER, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("-period_start", "kind_order", "kpi", "pk")
        )

    def get_table(self, object_list):
        goals = list(object_list)
        measured = progress_of(goals, self.request.user)
        for goal in goals:
            goal.measured = measured.get(goal.pk)
        return super().get_table(object_list)


class GoalCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class GoalViewSet(ModelViewSet):
    model = Goal
    name = "analytics_goals"
    url_prefix = "reports/goals"
    icon = "crosshairs"
    menu_label = _("Goals")
    menu_name = "analytics-goals"
    menu_order = 20
    menu_hook = REPORTS_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = GoalIndexView
    add_view_class = GoalCreateView
    form_fields = ["kpi", "period_kind", "period_start", "channel", "seller", "target"]
    filterset_class = GoalFilterSet
    list_per_page = 50

    @cached_property
    def list_display(self):
        return [
            KPIColumn("kpi", label=_("KPI"), sort_key="kpi"),
            PeriodColumn("period", label=_("Period"), sort_key="period_start"),
            ScopeColumn("scope", label=_("For")),
            TargetColumn("target", label=_("Target"), sort_key="target"),
            ProgressColumn("progress", label=_("Progress")),
        ]

    def get_form_class(self, for_update=False):
        return GoalForm
