"""The KPI API: the figures of the reports for BI tools and TV dashboards,
with a staff token (or the admin session) of a user who may see the reports.

Each figure is narrowed to the user's scopes, exactly as on the reports
screen: an attendant granted one channel gets that channel's sales. A KPI
the user may not see is answered as an unknown one, and a filter naming a
scope object (a channel, a warehouse, a carrier) out of the user's scope is
a 404, as everywhere else.

Responses carry an ETag and honour ``If-None-Match`` (a dashboard polling
every minute gets a 304 while nothing changed); they are private to the user.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import APIView

from api.cache import etag_for, render
from api.openapi import problems
from plugins.analytics.api import serializers as s
from plugins.analytics.apps import REPORTS
from plugins.analytics.engine import compute, source_dimensions, visible_kpis
from plugins.analytics.formatting import change, rounded
from plugins.analytics.periods import (
    COMPARISONS,
    Period,
    comparison,
    preset,
    store_today,
)
from plugins.kpis import DIMENSIONS, KPI, Unit, all_kpis
from plugins.orders.models import UF_CHOICES, PaymentMethod
from plugins.permissions import HasPermission

TAG = "analytics"
CACHE_CONTROL = "private, no-cache"


class SeesReports(HasPermission):
    """An active user with ``analytics.view_reports``; each figure then
    needs its own plugin's view permission and is narrowed to the user's
    scopes (:func:`plugins.analytics.engine.visible_kpis`)."""

    permission = REPORTS


def conditional_json(request, data) -> HttpResponse:
    """``data`` as JSON with a strong ETag: a 304 when ``If-None-Match``
    names it. Private (the figures are the user's share), revalidated on
    every use."""
    body = render(data)
    etag = etag_for(body)
    # compared weakly (RFC 9110): a proxy that compresses the body marks the
    # ETag it passes on as weak (W/"…")
    matches = [
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    ]
    if etag in matches:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def figure(value: Decimal | None, unit: str) -> Decimal | None:
    """The value at its unit's places (``formatting.PLACES``), never "-0"."""
    value = rounded(value, unit)
    return value.copy_abs() if value is not None and value.is_zero() else value


def change_percent(kpi: KPI, value, before) -> Decimal | None:
    """As the reports show it: none for a share (always 100 % in total)."""
    return None if kpi.share else figure(change(value, before), Unit.PERCENT)


def query_data(request) -> dict:
    """The query as plain values, lists for the list parameters (an empty
    value is a value, validated rather than taken as left out)."""
    params = request.query_params
    return {
        key: params.getlist(key) if key in s.LISTS else params.get(key)
        for key in params
    }


def check_scopes(user, kpis: dict[str, KPI], filters: dict[str, list[str]]) -> None:
    """A filter by scope objects (channels …) names only objects in the
    user's scope, for the sources of that scope the user sees: otherwise a
    404, as for the objects themselves."""
    for dimension, members in filters.items():
        sources = {
            kpi.source.key: kpi.source
            for kpi in kpis.values()
            if kpi.source.scope == dimension
        }
        allowed: set[str] | None = set()
        for source in sources.values():
            ids = source.scope_ids(user)
            if ids is None:
                allowed = None
                break
            allowed |= {str(pk) for pk in ids}
        if not sources or allowed is None:
            continue
        hidden = [member for member in members if member not in allowed]
        if hidden:
            raise NotFound(
                _("Not found: %(parameter)s %(members)s.")
                % {"parameter": dimension, "members": ", ".join(hidden)}
            )


def definition_of(kpi: KPI) -> dict:
    return {
        "key": kpi.key,
        "name": str(kpi.name),
        "unit": str(kpi.unit),
        "definition": str(kpi.definition),
        "higher_is_better": kpi.higher_is_better,
        "dimensions": list(kpi.dimensions or source_dimensions(kpi.source)),
    }


class KpiKeys:
    """The installed KPIs' keys, read when the schema is generated (the
    plugins' hooks are not loaded yet when this module is imported)."""

    def __iter__(self):
        return iter(all_kpis())

    def __len__(self):
        return len(all_kpis())


def _list(name: str, items: dict, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "array", "items": items, "maxItems": s.MAX_MEMBERS},
        style="form",
        explode=False,
        description=description,
        **kwargs,
    )


ID = {"type": "integer", "minimum": 1, "maximum": s.MAX_ID}
PARAMETERS = [
    _list(
        "keys",
        {"type": "string"},
        "KPI keys, comma-separated (as `GET /api/v1/analytics/kpis/definitions/` "
        "lists them); by default every KPI the user may see. A KPI the user may "
        "not see is answered as an unknown one: `400`.",
        enum=KpiKeys(),
    ),
    OpenApiParameter(
        "period",
        str,
        enum=s.PERIODS,
        description=f"A preset (store days, America/Sao_Paulo); `{s.DEFAULT_PERIOD}` "
        "when neither it nor `start` and `end` are given.",
    ),
    OpenApiParameter(
        "start",
        {"type": "string", "format": "date"},
        description="A custom period's first day (YYYY-MM-DD), with `end`, "
        f"instead of `period`; from {s.FIRST_DAY.isoformat()}.",
    ),
    OpenApiParameter(
        "end",
        {"type": "string", "format": "date"},
        description="A custom period's last day (YYYY-MM-DD), on or after "
        f"`start`; a period has at most {s.MAX_DAYS} days; up to "
        f"{s.LAST_DAY.isoformat()}.",
    ),
    OpenApiParameter(
        "compare",
        str,
        enum=list(COMPARISONS),
        default="none",
        description="`previous`: the period before (the previous month for a "
        "month, the same days of last month for this month so far, last year's "
        "for the year to date); `last_year`: the same days a year before.",
    ),
    OpenApiParameter(
        "group_by",
        str,
        enum=list(DIMENSIONS),
        description="Per member of a dimension (`day`: a time series). Figures "
        "whose source does not know it come back with `applicable: false`.",
    ),
    *(
        _list(
            name,
            ID,
            f"Only these {name} ids, comma-separated."
            + (
                " Those out of the user's scope are a `404`."
                if name in ("channel", "warehouse", "carrier")
                else ""
            ),
        )
        for name in s.ID_FILTERS
    ),
    _list(
        "uf",
        {"type": "string", "enum": [uf for uf, _label in UF_CHOICES]},
        "Only these states (of the shipping address), comma-separated.",
    ),
    _list(
        "payment_method",
        {"type": "string", "enum": list(PaymentMethod.values)},
        "Only these payment methods, comma-separated.",
    ),
]


class ReportsView(APIView):
    permission_classes = [SeesReports]
    # The responses are built by ``conditional_json``: ETag, If-None-Match,
    # 304 (documented by ``api.openapi.AutoSchema``).
    conditional_get = True


class KpiView(ReportsView):
    """Figures over a period, with a comparison and groups, within the
    user's scopes."""

    @extend_schema(
        tags=[TAG],
        operation_id="analytics_kpis",
        summary="KPIs (reports)",
        description=(
            "The figures of the reports over a period, each narrowed to the "
            "user's scopes (an attendant granted one channel gets that "
            "channel's share), optionally compared with another period, "
            "filtered and grouped. Needs `analytics.view_reports`; each KPI "
            "also needs its plugin's view permission.\n\n"
            "Values are decimal strings rounded by unit. `400` names the "
            "parameter at fault in `errors` (unknown KPI keys are listed in "
            "`errors.keys`); `404` when a filter names a scope object out of "
            "the user's scope."
        ),
        parameters=PARAMETERS,
        responses={200: s.KpiReportSerializer, **problems(404)},
    )
    def get(self, request):
        query = s.KpiQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        data = query.validated_data
        user = request.user
        visible = visible_kpis(user)
        keys = data.get("keys") or list(visible)
        unknown = [key for key in keys if key not in visible]
        if unknown:
            raise ValidationError(
                {
                    "keys": [
                        _("Unknown or not visible KPIs: %(keys)s.")
                        % {"keys": ", ".join(unknown)}
                    ]
                }
            )
        filters = {
            dimension: [str(member) for member in data[dimension]]
            for dimension in s.FILTERS
            if data.get(dimension)
        }
        check_scopes(user, visible, filters)
        if data.get("start"):
            period, preset_key = Period(data["start"], data["end"]), ""
        else:
            preset_key = data.get("period") or s.DEFAULT_PERIOD
            period = preset(preset_key, store_today())
        against = comparison(period, data["compare"], preset_key)
        group_by = data.get("group_by")
        results = compute(
            user,
            keys,
            period.start,
            period.end,
            filters=filters,
            group_by=group_by,
            kpis=visible,
        )
        before = (
            compute(
                user, keys, against.start, against.end, filters=filters, kpis=visible
            )
            if against
            else {}
        )
        figures = []
        for key in keys:
            result = results[key]
            kpi = result.kpi
            previous = before[key].value if key in before else None
            figures.append(
                {
                    **{
                        name: value
                        for name, value in definition_of(kpi).items()
                        if name != "dimensions"
                    },
                    "applicable": result.applicable,
                    "value": figure(result.value, kpi.unit),
                    "comparison_value": figure(previous, kpi.unit),
                    "change_percent": change_percent(kpi, result.value, previous),
                    "groups": [
                        {
                            "member": (
                                member.isoformat()
                                if hasattr(member, "isoformat")
                                else str(member or "")
                            ),
                            "label": str(label),
                            "value": figure(value, kpi.unit),
                        }
                        for member, label, value in result.groups
                    ],
                }
            )
        payload = {
            "period": {"start": period.start, "end": period.end},
            "comparison": (
                {"start": against.start, "end": against.end} if against else None
            ),
            "group_by": group_by,
            "kpis": figures,
        }
        return conditional_json(request, s.KpiReportSerializer(payload).data)


class KpiDefinitionsView(ReportsView):
    """The KPIs the user may see."""

    @extend_schema(
        tags=[TAG],
        operation_id="analytics_kpi_definitions",
        summary="KPI definitions",
        description=(
            "The KPIs the user may see, in the reports' order: key, name, unit, "
            "what counts, whether up is good, and the dimensions each can be "
            "grouped by."
        ),
        responses=s.KpiDefinitionsSerializer,
    )
    def get(self, request):
        payload = {
            "kpis": [definition_of(kpi) for kpi in visible_kpis(request.user).values()]
        }
        return conditional_json(request, s.KpiDefinitionsSerializer(payload).data)
