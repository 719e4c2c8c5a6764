"""URL patterns of the KPI API, mounted at ``/api/v1/analytics/`` through
``plugins.hooks.API_ROUTES`` (see ``wagtail_hooks.py``)."""

from django.urls import path

from plugins.analytics.api.views import KpiDefinitionsView, KpiView


def api_routes() -> list:
    return [
        path("kpis/", KpiView.as_view(), name="kpis"),
        path(
            "kpis/definitions/",
            KpiDefinitionsView.as_view(),
            name="kpi-definitions",
        ),
    ]
