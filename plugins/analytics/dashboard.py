"""The admin home's goals panel: this month's, quarter's and year's goals
the user may see, with their progress, above the other panels; it links to
Relatórios › Painel. Shown to whoever sees the reports when a goal of a
current period exists."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plugins.analytics.views import may_see_reports
from plugins.dashboard import DashboardPanel


class GoalsPanel(DashboardPanel):
    name = "goals"
    order = 90
    heading = _("Goals")
    icon = "crosshairs"
    template_name = "analytics/dashboard/goals_panel.html"

    @classmethod
    def user_can_see(cls, user) -> bool:
        return may_see_reports(user)

    def get_context_data(self, parent_context=None):
        from plugins.analytics.goals import goals_for

        context = super().get_context_data(parent_context)
        context["goals"] = goals_for(self.user)
        context["reports_url"] = reverse("analytics:dashboard")
        return context

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["goals"]:
            return ""
        from django.template.loader import render_to_string

        return render_to_string(self.template_name, context)
