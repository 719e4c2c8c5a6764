"""Relatórios › Painel: every figure the user may see for a period, compared
with the previous period or the same period last year, filtered by channel,
category, brand or warehouse; a time series, bars per group and the funnel
of order statuses, each with its table and CSV/XLSX export; each figure
and each row links to what it counts (within the user's scopes)."""

from __future__ import annotations

from collections import OrderedDict

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.analytics import engine
from plugins.analytics.apps import REPORTS
from plugins.analytics.formatting import change, format_change, format_value, rounded
from plugins.analytics.periods import (
    COMPARISONS,
    PRESETS,
    Period,
    comparison,
    preset,
    store_today,
)
from plugins.dates import BRDateInput
from plugins.exports import csv_response, xlsx_response
from plugins.kpis import DIMENSIONS, Unit
from plugins.permissions import is_active_user

#: The longest period a report covers.
MAX_DAYS = 3 * 366
#: What the series chart shows by default, and the bars.
SERIES_KPI = "orders.gmv"
#: The funnel of order statuses: (measure of the orders source, label).
FUNNEL = (
    ("placed", gettext_lazy("Placed")),
    ("paid", gettext_lazy("Paid")),
    ("invoiced", gettext_lazy("Invoiced")),
    ("shipped", gettext_lazy("Shipped")),
    ("delivered", gettext_lazy("Delivered")),
)
#: Dimensions the screen filters by (when their plugin is installed).
FILTERS = ("channel", "category", "brand", "warehouse")
GROUPS = (
    "channel",
    "category",
    "brand",
    "uf",
    "payment_method",
    "warehouse",
    "carrier",
)


def may_see_reports(user) -> bool:
    return is_active_user(user) and user.has_perm(REPORTS)


class ReportForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=list(PRESETS.items()),
        initial="this_month",
    )
    start = forms.DateField(
        label=gettext_lazy("From"), widget=BRDateInput, required=False
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=BRDateInput, required=False)
    compare = forms.ChoiceField(
        label=gettext_lazy("Compare with"),
        choices=list(COMPARISONS.items()),
        initial="previous",
    )
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Sales channel"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All my channels"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All"),
    )
    brand = forms.ModelChoiceField(
        label=gettext_lazy("Brand"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All"),
    )
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All my warehouses"),
    )
    group_by = forms.ChoiceField(label=gettext_lazy("Bars by"), required=False)
    chart = forms.ChoiceField(label=gettext_lazy("Chart of"), required=False)

    def __init__(self, *args, user=None, kpis=None, **kwargs):
        super().__init__(*args, **kwargs)
        from content.models import Brand, Category
        from plugins.orders.permissions import order_policy

        self.fields["channel"].queryset = order_policy().scope_objects(user, "view")
        self.fields["category"].queryset = Category.objects.order_by("path")
        self.fields["brand"].queryset = Brand.objects.order_by("name")
        if apps.is_installed("plugins.stock"):
            from plugins.stock.permissions import warehouse_policy

            self.fields["warehouse"].queryset = warehouse_policy().scope_objects(
                user, "view"
            )
        else:
            del self.fields["warehouse"]
        # No choice where the user has nothing to choose from.
        for name in ("channel", "warehouse"):
            if name in self.fields and not self.fields[name].queryset.exists():
                del self.fields[name]
        self.fields["group_by"].choices = [
            (key, DIMENSIONS[key]) for key in GROUPS if self._dimension_used(key, kpis)
        ]
        self.fields["chart"].choices = [
            (key, kpi.name)
            for key, kpi in (kpis or {}).items()
            if kpi.source.flow and not kpi.share
        ]

    @staticmethod
    def _dimension_used(key, kpis) -> bool:
        return any(
            key in engine.source_dimensions(kpi.source) for kpi in (kpis or {}).values()
        )

    def clean(self):
        data = super().clean()
        key = data.get("period")
        if key == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(
                    _("A custom period needs its first and last days.")
                )
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}
                )
            data["range"] = Period(start, end)
        elif key:
            data["range"] = preset(key)
        return data

    def filters(self) -> dict[str, list[str]]:
        found = {}
        for name in FILTERS:
            value = self.cleaned_data.get(name)
            if value is not None:
                found[name] = [str(value.pk)]
        return found


class Card:
    """One figure on the screen."""

    def __init__(self, result, previous, *, url: str = ""):
        kpi = result.kpi
        self.kpi = kpi
        self.key = kpi.key
        self.name = kpi.name
        self.definition = kpi.definition
        self.applicable = result.applicable
        self.value = result.value
        self.display = format_value(result.value, kpi.unit)
        self.previous = previous.value if previous is not None else None
        self.previous_display = (
            format_value(self.previous, kpi.unit) if previous is not None else ""
        )
        self.change = None if kpi.share else change(result.value, self.previous)
        self.change_display = format_change(self.change)
        self.url = url

    @property
    def trend(self) -> str:
        """ "good", "bad" or "flat", as the figure moved."""
        if self.change is None or not rounded(self.change, Unit.PERCENT):
            return "flat"
        up = self.change > 0
        return "good" if up == self.kpi.higher_is_better else "bad"


class ReportsDashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "analytics/dashboard.html"
    page_title = gettext_lazy("Reports")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def session(self):
        return engine.Session()

    @cached_property
    def kpis(self):
        return engine.visible_kpis(self.request.user)

    def get_form(self) -> ReportForm:
        data = self.request.GET.copy()
        data.setdefault("period", "this_month")
        data.setdefault("compare", "previous")
        return ReportForm(data, user=self.request.user, kpis=self.kpis)

    def get(self, request, *args, **kwargs):
        self.form = self.get_form()
        self.report = None
        if self.form.is_valid():
            self.report = self.build_report()
            export = request.GET.get("export")
            if export in ("csv", "xlsx"):
                return self.export(export, request.GET.get("table", "figures"))
        return super().get(request, *args, **kwargs)

    # -- the report ---------------------------------------------------------------

    def build_report(self) -> dict:
        data = self.form.cleaned_data
        user = self.request.user
        period: Period = data["range"]
        compared = comparison(period, data["compare"], data["period"])
        filters = self.form.filters()
        today = store_today()
        keys = list(self.kpis)
        current = engine.compute(
            user,
            keys,
            period.start,
            period.end,
            filters=filters,
            today=today,
            kpis=self.kpis,
            session=self.session,
        )
        previous = (
            engine.compute(
                user,
                keys,
                compared.start,
                compared.end,
                filters=filters,
                today=today,
                kpis=self.kpis,
                session=self.session,
            )
            if compared
            else {}
        )
        sections: OrderedDict = OrderedDict()
        for key, result in current.items():
            kpi = result.kpi
            if kpi.share:
                continue  # a share is read per group: the bars' table has it
            url = (
                kpi.source.drilldown_url(
                    kpi, start=period.start, end=period.end, filters=filters
                )
                if result.applicable
                else ""
            )
            card = Card(result, previous.get(key), url=url)
            sections.setdefault(kpi.source.key, (kpi.source.label, []))[1].append(card)
        report = {
            "period": period,
            "compared": compared,
            "filters": filters,
            "sections": list(sections.values()),
        }
        report.update(self.series(period, compared, filters, today))
        report.update(self.bars(period, filters, today))
        report.update(self.funnel(period, filters, today))
        return report

    def chart_kpi(self):
        key = self.form.cleaned_data.get("chart") or SERIES_KPI
        return self.kpis.get(key) or next(
            (kpi for kpi in self.kpis.values() if kpi.source.flow and not kpi.share),
            None,
        )

    def series(self, period, compared, filters, today) -> dict:
        kpi = self.chart_kpi()
        if kpi is None:
            return {"series": None}

        def by_day(span) -> dict:
            result = engine.compute(
                self.request.user,
                [kpi.key],
                span.start,
                span.end,
                filters=filters,
                group_by="day",
                today=today,
                kpis=self.kpis,
                session=self.session,
            )[kpi.key]
            return {member: value for member, _label, value in result.groups}

        current = by_day(period)
        before = by_day(compared) if compared else {}
        rows = []
        compared_days = list(compared.each_day()) if compared else []
        # A day without facts of a flow is a day with none (R$ 0,00); a
        # state never recorded that day is unknown.
        nothing = kpi.value({}) if kpi.source.flow else None
        for index, day in enumerate(period.each_day()):
            other = compared_days[index] if index < len(compared_days) else None
            value = current.get(day, nothing)
            previous = before.get(other, nothing) if other else None
            rows.append(
                {
                    "day": day,
                    "value": value,
                    "display": format_value(value, kpi.unit),
                    "compared_day": other,
                    "compared": previous,
                    "compared_display": format_value(previous, kpi.unit)
                    if other
                    else "",
                    "url": kpi.source.drilldown_url(
                        kpi, start=day, end=day, filters=filters
                    ),
                }
            )
        chart = {
            "type": "line",
            "unit": kpi.unit,
            "labels": [row["day"].strftime("%d/%m") for row in rows],
            "datasets": [
                {
                    "label": f"{kpi.name} · {period}",
                    "values": [_number(row["value"]) for row in rows],
                }
            ],
        }
        if compared:
            chart["datasets"].append(
                {
                    "label": f"{kpi.name} · {compared}",
                    "values": [_number(row["compared"]) for row in rows],
                    "muted": True,
                }
            )
        return {"series": {"kpi": kpi, "rows": rows, "chart": chart}}

    def bars(self, period, filters, today) -> dict:
        kpi = self.chart_kpi()
        group_by = self.form.cleaned_data.get("group_by") or "channel"
        if kpi is None or group_by not in engine.source_dimensions(kpi.source):
            return {"bars": None}
        result = engine.compute(
            self.request.user,
            [kpi.key],
            period.start,
            period.end,
            filters=filters,
            group_by=group_by,
            today=today,
            kpis=self.kpis,
            session=self.session,
        )[kpi.key]
        if not result.applicable:
            return {"bars": None}
        rows = []
        additive = kpi.unit in (Unit.MONEY, Unit.COUNT) and not kpi.share
        whole = sum((value or 0) for _m, _l, value in result.groups)
        for member, label, value in result.groups:
            member_filters = {**filters, group_by: [member]} if member else filters
            rows.append(
                {
                    "member": member,
                    "label": label,
                    "value": value,
                    "display": format_value(value, kpi.unit),
                    "share": format_value(value * 100 / whole, Unit.PERCENT)
                    if additive and whole and value is not None
                    else "",
                    "url": kpi.source.drilldown_url(
                        kpi, start=period.start, end=period.end, filters=member_filters
                    )
                    if member
                    else "",
                }
            )
        chart = {
            "type": "bar",
            "unit": kpi.unit,
            "labels": [str(row["label"]) for row in rows],
            "datasets": [
                {"label": str(kpi.name), "values": [_number(r["value"]) for r in rows]}
            ],
        }
        return {
            "bars": {
                "kpi": kpi,
                "group_by": group_by,
                "group_label": DIMENSIONS[group_by],
                "with_share": additive,
                "rows": rows,
                "chart": chart,
            }
        }

    def funnel(self, period, filters, today) -> dict:
        if "orders.orders" not in self.kpis:
            return {"funnel": None}
        source = self.kpis["orders.orders"].source
        request = engine.Request(
            self.request.user,
            period.start,
            period.end,
            filters=filters,
            today=today,
            session=self.session,
        )
        if not request.applies_to(source):
            return {"funnel": None}
        measures = request.measures(source).get(None, {})
        placed = measures.get("placed") or 0
        rows = []
        for measure, label in FUNNEL:
            value = measures.get(measure, 0)
            rows.append(
                {
                    "label": label,
                    "value": int(value),
                    "share": format_value(value * 100 / placed, Unit.PERCENT)
                    if placed
                    else "—",
                }
            )
        chart = {
            "type": "funnel",
            "unit": Unit.COUNT,
            "labels": [str(row["label"]) for row in rows],
            "datasets": [
                {"label": str(_("Orders")), "values": [row["value"] for row in rows]}
            ],
        }
        return {"funnel": {"rows": rows, "chart": chart}}

    # -- exports ----------------------------------------------------------------------

    def export(self, kind: str, table: str):
        report = self.report
        period = report["period"]
        if table == "figures":
            header = [
                _("Section"),
                _("Figure"),
                _("Value"),
                _("Compared value"),
                _("Change (%)"),
            ]
            rows = [
                [
                    str(label),
                    str(card.name),
                    rounded(card.value, card.kpi.unit),
                    rounded(card.previous, card.kpi.unit),
                    rounded(card.change, Unit.PERCENT),
                ]
                for label, cards in report["sections"]
                for card in cards
            ]
        elif table == "series" and report["series"]:
            unit = report["series"]["kpi"].unit
            header = [_("Day"), str(report["series"]["kpi"].name)]
            if report["compared"]:
                header += [_("Compared day"), _("Compared value")]
            rows = []
            for row in report["series"]["rows"]:
                line = [row["day"], rounded(row["value"], unit)]
                if report["compared"]:
                    line += [row["compared_day"], rounded(row["compared"], unit)]
                rows.append(line)
        elif table == "bars" and report["bars"]:
            bars = report["bars"]
            header = [str(bars["group_label"]), str(bars["kpi"].name)]
            if bars["with_share"]:
                header.append(_("Share (%)"))
            rows = []
            for row in bars["rows"]:
                line = [str(row["label"]), rounded(row["value"], bars["kpi"].unit)]
                if bars["with_share"]:
                    line.append(row["share"].replace(" %", ""))
                rows.append(line)
        elif table == "funnel" and report["funnel"]:
            header = [_("Status"), _("Orders")]
            rows = [
                [str(row["label"]), row["value"]] for row in report["funnel"]["rows"]
            ]
        else:
            raise Http404
        name = f"relatorio-{table}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}"
        if kind == "csv":
            return csv_response(f"{name}.csv", header, rows)
        return xlsx_response(f"{name}.xlsx", header, rows, title=_("Reports"))

    def export_url(self, kind: str, table: str) -> str:
        params = self.request.GET.copy()
        params["export"] = kind
        params["table"] = table
        return f"?{params.urlencode()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["report"] = self.report
        context["exports"] = {
            table: {
                "csv": self.export_url("csv", table),
                "xlsx": self.export_url("xlsx", table),
            }
            for table in ("figures", "series", "bars", "funnel")
        }
        context["goals"] = self.goals()
        return context

    def goals(self):
        """The goals of the current month, quarter and year, first."""
        from plugins.analytics.goals import goals_for

        return goals_for(self.request.user, kpis=self.kpis)


def _number(value):
    """A chart value: a decimal string (money stays exact), or ``None``."""
    return None if value is None else str(value)
