"""The purchase planning screen (Relatórios › Planejamento de compras): the
filter, the table of SKUs per warehouse with their coverage and reorder
suggestion, its download as a purchasing list (CSV or XLSX), and the
suppliers' lead times (Prazos de fornecedores) it uses.

Who sees it: holders of ``analytics.view_planning`` (the manager and the
stock manager), each within the warehouses whose stock they see.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.analytics.menu import REPORTS_MENU
from plugins.analytics.models import LeadTime
from plugins.analytics.periods import store_today
from plugins.analytics.planning import (
    DEFAULT_LEAD_TIME_DAYS,
    DEFAULT_TARGET_DAYS,
    DEFAULT_WINDOW,
    WINDOWS,
    PlanningRow,
    plan,
)
from plugins.display import EMPTY
from plugins.exports import csv_response, xlsx_response
from plugins.money import format_br_decimal
from plugins.permissions import is_active_user

PLANNING = "analytics.view_planning"
PREFIX = "analytics_planning"
PER_PAGE = 100
AVERAGE_PLACES = Decimal("0.01")
COVERAGE_PLACES = Decimal("0.1")


def user_can_plan(user) -> bool:
    return is_active_user(user) and user.has_perm(PLANNING)


def window_choices():
    return [(days, _("%(days)s days") % {"days": days}) for days in WINDOWS]


def _categories():
    from content.models import Category

    return Category.objects.order_by("path")


def _brands():
    from content.models import Brand

    return Brand.objects.order_by("name")


class PlanningForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All my warehouses"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All categories"),
    )
    brand = forms.ModelChoiceField(
        label=gettext_lazy("Brand"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All brands"),
    )
    window = forms.TypedChoiceField(
        label=gettext_lazy("Sales window"),
        choices=window_choices,
        coerce=int,
        help_text=gettext_lazy("Average daily sales over the days before today."),
    )
    target_days = forms.IntegerField(
        label=gettext_lazy("Target coverage (days)"), min_value=1, max_value=365
    )
    lead_time = forms.IntegerField(
        label=gettext_lazy("Default lead time (days)"),
        min_value=0,
        max_value=365,
        help_text=gettext_lazy("For brands without a supplier lead time."),
    )
    only_to_reorder = forms.BooleanField(
        label=gettext_lazy("Only SKUs to reorder"), required=False
    )

    DEFAULTS = {
        "window": DEFAULT_WINDOW,
        "target_days": DEFAULT_TARGET_DAYS,
        "lead_time": DEFAULT_LEAD_TIME_DAYS,
    }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from plugins.stock.permissions import visible_warehouses

        self.fields["warehouse"].queryset = visible_warehouses(user).order_by(
            "priority", "code"
        )
        self.fields["category"].queryset = _categories()
        self.fields["brand"].queryset = _brands()


def export_header() -> list[str]:
    return [
        _("SKU"),
        _("Product"),
        _("Brand"),
        _("Warehouse"),
        _("Available"),
        _("In transit"),
        _("Units sold in the window"),
        _("Average daily sales"),
        _("Stock-out days excluded"),
        _("Coverage (days)"),
        _("Lead time (days)"),
        _("Minimum purchase quantity"),
        _("Suggestion"),
    ]


def _rounded(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places)


def export_rows(rows: list[PlanningRow]):
    for row in rows:
        yield [
            row.sku,
            row.product,
            row.brand,
            row.warehouse,
            row.available,
            row.in_transit,
            row.sold,
            _rounded(row.average, AVERAGE_PLACES),
            row.stockout_days,
            _rounded(row.coverage, COVERAGE_PLACES),
            row.lead_time,
            row.minimum_quantity,
            row.suggestion,
        ]


class PlanningView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "analytics/planning.html"
    page_title = gettext_lazy("Purchase planning")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_plan(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": _("Reports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form(self) -> PlanningForm:
        user = self.request.user
        if any(name in self.request.GET for name in PlanningForm.base_fields):
            return PlanningForm(self.request.GET, user=user)
        data = QueryDict(mutable=True)
        for name, value in PlanningForm.DEFAULTS.items():
            data[name] = str(value)
        return PlanningForm(data, user=user)

    def get(self, request, *args, **kwargs):
        self.form = self.get_form()
        self.rows = None
        if self.form.is_valid():
            data = self.form.cleaned_data
            self.rows = plan(
                request.user,
                warehouse=data["warehouse"],
                category=data["category"],
                brand=data["brand"],
                window=data["window"],
                target_days=data["target_days"],
                default_lead_time=data["lead_time"],
                only_to_reorder=data["only_to_reorder"],
            )
            export = request.GET.get("export")
            if export in ("csv", "xlsx"):
                return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, kind: str):
        name = f"planejamento-de-compras-{store_today():%Y-%m-%d}"
        header, rows = export_header(), export_rows(self.rows)
        if kind == "csv":
            return csv_response(f"{name}.csv", header, rows)
        return xlsx_response(f"{name}.xlsx", header, rows, title=_("Purchase planning"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.rows is None:
            return context
        page = Paginator(self.rows, PER_PAGE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        for name in ("export", "p"):
            query.pop(name, None)
        for name in PlanningForm.base_fields:
            if name not in query and self.form.data.get(name):
                query[name] = self.form.data[name]
        context.update(
            page=page,
            rows=[self.display(row) for row in page.object_list],
            count=len(self.rows),
            to_reorder=sum(1 for row in self.rows if row.suggestion),
            window=self.form.cleaned_data["window"],
            csv_url="?" + _with(query, export="csv"),
            xlsx_url="?" + _with(query, export="xlsx"),
            previous_url=(
                "?" + _with(query, p=page.previous_page_number())
                if page.has_previous()
                else ""
            ),
            next_url=(
                "?" + _with(query, p=page.next_page_number()) if page.has_next() else ""
            ),
        )
        return context

    @staticmethod
    def display(row: PlanningRow) -> dict:
        def number(value, places):
            return EMPTY if value is None else format_br_decimal(value, places)

        return {
            "row": row,
            "average": number(row.average, 2),
            "average_value": _raw(row.average, AVERAGE_PLACES),
            "coverage": number(row.coverage, 1),
            "coverage_value": _raw(row.coverage, COVERAGE_PLACES),
        }


def _raw(value: Decimal | None, places: Decimal) -> str:
    """A figure for a ``data-*`` attribute: ``12.50``, or empty."""
    return "" if value is None else str(value.quantize(places))


def _with(query: QueryDict, **extra) -> str:
    query = query.copy()
    for name, value in extra.items():
        query[name] = value
    return query.urlencode()


class LeadTimeViewSet(ModelViewSet):
    """The suppliers' lead times the planning uses, one per brand."""

    model = LeadTime
    name = "analytics_leadtimes"
    url_prefix = "reports/lead-times"
    icon = "time"
    menu_label = gettext_lazy("Supplier lead times")
    menu_name = "analytics-lead-times"
    menu_order = 60
    menu_hook = REPORTS_MENU
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = ["brand", "supplier", "days", "minimum_quantity"]
    form_fields = ["brand", "supplier", "days", "minimum_quantity"]
