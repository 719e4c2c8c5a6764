from django.utils.translation import gettext_lazy as _

from plugins.base import PluginConfig
from plugins.roles import ACCESS_ADMIN, RoleTemplate

#: Seeing the reports screen (each figure then needs its own plugin's view
#: permission and is narrowed to the user's scopes).
REPORTS = "analytics.view_reports"
#: What some roles see on top of the reports.
ROLE_EXTRAS = {
    # the purchase planning, within the warehouses they see
    "stock_manager": ("analytics.view_planning",),
}


class AnalyticsConfig(PluginConfig):
    name = "plugins.analytics"
    label = "analytics"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"
    version = "0.1.0"
    requires = ("orders",)
    description = (
        "Reports: the KPIs every plugin declares, kept in daily rollups, on one "
        "dashboard with periods, comparisons, charts, exports and drill-down; "
        "goals (metas) with pace and projection, an e-mail digest, purchase "
        "planning (coverage and reorder suggestions) and the KPI API."
    )
    roles = (
        # Every back-office role sees the reports, each within its own scopes
        # (an attendant's channels, a clerk's warehouses, a shipping clerk's
        # carriers) and only the figures of the plugins it works with.
        *(
            RoleTemplate(key, name, permissions=(REPORTS, *ROLE_EXTRAS.get(key, ())))
            for key, name in (
                ("order_desk", "Atendimento / Pedidos"),
                ("stock_clerk", "Estoquista"),
                ("stock_manager", "Gerente de estoque"),
                ("finance", "Financeiro"),
                ("finance_manager", "Gerente financeiro"),
                ("fiscal", "Fiscal / Faturamento"),
                ("accountant", "Contador"),
                ("shipping_desk", "Expedição"),
                ("logistics_manager", "Gerente de logística"),
            )
        ),
        RoleTemplate(
            "manager",
            "Gerente",
            permissions=(
                ACCESS_ADMIN,
                REPORTS,
                "analytics.view_goal",
                "analytics.add_goal",
                "analytics.change_goal",
                "analytics.delete_goal",
                "analytics.view_planning",
                "analytics.view_leadtime",
                "analytics.add_leadtime",
                "analytics.change_leadtime",
                "analytics.delete_leadtime",
            ),
        ),
    )
