"""The cash-flow screen (Fluxo de caixa): the filter, a Chart.js chart (bars
in and out, realised and projected; a line for the balance), the table
below it and its download (CSV or XLSX, the project's one format).

Who sees it: whoever sees receivables and bill installments and at least one
bank account (the finance manager every account, the finance clerk those
granted to them, managers and auditors every account, read only).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.display import absolute_date
from plugins.exports import csv_response, xlsx_response
from plugins.finance.cashflow import CashFlow, cash_flow_for
from plugins.finance.forms_cashflow import CashFlowForm, default_period
from plugins.finance.permissions import bank_account_policy, visible_bank_accounts
from plugins.money import format_brl
from plugins.permissions import is_active_user

CASH_FLOW = "finance_cash_flow"

#: the amounts of a row, in the order of the table and of the export
AMOUNTS = (
    ("realised_in", gettext_lazy("Realised inflows")),
    ("realised_out", gettext_lazy("Realised outflows")),
    ("bank", gettext_lazy("Bank movement")),
    ("projected_in", gettext_lazy("Projected inflows")),
    ("projected_out", gettext_lazy("Projected outflows")),
    ("overdue_in", gettext_lazy("Overdue inflows")),
    ("overdue_out", gettext_lazy("Overdue outflows")),
    ("net", gettext_lazy("Net")),
    ("balance", gettext_lazy("Balance")),
)
KINDS = {
    "realised": gettext_lazy("Realised"),
    "current": gettext_lazy("Today"),
    "projected": gettext_lazy("Projected"),
}


def may_see_cash_flow(user) -> bool:
    """Sees receivables, bill installments and at least one bank account."""
    return (
        is_active_user(user)
        and user.has_perm("finance.view_receivable")
        and user.has_perm("finance.view_billinstallment")
        and bank_account_policy().user_has_permission(user, "view")
    )


def export_header():
    return [
        _("Period"),
        _("From"),
        _("To"),
        _("Kind"),
        *[str(label) for _name, label in AMOUNTS],
    ]


def export_rows(flow: CashFlow):
    for row in flow.rows:
        yield [
            row.label,
            row.start,
            row.end,
            str(KINDS[row.kind]),
            *[getattr(row, name) for name, _label in AMOUNTS],
        ]


def chart_data(flow: CashFlow) -> dict:
    """What the chart script draws: labels, decimal strings per series, and
    the series' names in the person's language."""
    series = ("realised_in", "realised_out", "projected_in", "projected_out")
    data = {
        "labels": [row.label for row in flow.rows],
        "kinds": [row.kind for row in flow.rows],
        **{name: [f"{getattr(row, name):.2f}" for row in flow.rows] for name in series},
        "balance": [f"{row.balance:.2f}" for row in flow.rows],
        "names": {name: str(label) for name, label in AMOUNTS},
    }
    return data


class CashFlowView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "finance/cash_flow.html"
    page_title = gettext_lazy("Cash flow")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_cash_flow(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form(self) -> CashFlowForm:
        """The filter as typed, or this month and the next by week — of the
        account in the address (``account/<pk>/``: one the person sees, or
        404), or of all their accounts."""
        user = self.request.user
        fields = ("start", "end", "granularity", "account")
        if any(name in self.request.GET for name in fields):
            return CashFlowForm(self.request.GET, user=user)
        data = QueryDict(mutable=True)
        for name, value in default_period().items():
            data[name] = value.strftime("%d/%m/%Y") if hasattr(value, "year") else value
        if "pk" in self.kwargs:
            account = get_object_or_404(
                visible_bank_accounts(user), pk=self.kwargs["pk"]
            )
            data["account"] = str(account.pk)
        return CashFlowForm(data, user=user)

    def get(self, request, *args, **kwargs):
        self.form = self.get_form()
        self.flow = None
        if self.form.is_valid():
            data = self.form.cleaned_data
            self.flow = cash_flow_for(
                request.user,
                start=data["start"],
                end=data["end"],
                granularity=data["granularity"],
                account=data["account"],
            )
            export = request.GET.get("export")
            if export in ("csv", "xlsx"):
                return self.export(export)
        return super().get(request, *args, **kwargs)

    def export_filename(self) -> str:
        flow = self.flow
        name = f"fluxo-de-caixa-{flow.start:%Y-%m-%d}-{flow.end:%Y-%m-%d}"
        if self.form.cleaned_data["account"] is not None:
            name += f"-{self.form.cleaned_data['account'].pk}"
        return name

    def export(self, kind: str):
        header, rows = export_header(), export_rows(self.flow)
        if kind == "csv":
            return csv_response(f"{self.export_filename()}.csv", header, rows)
        return xlsx_response(
            f"{self.export_filename()}.xlsx", header, rows, title=_("Cash flow")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        flow = self.flow
        if flow is None:
            return context
        query = self.request.GET.copy()
        query.pop("export", None)
        for name in ("start", "end", "granularity", "account"):
            if name not in query:
                value = self.form.data.get(name)
                if value:
                    query[name] = value
        context.update(
            flow=flow,
            chart=chart_data(flow),
            headings=[label for _name, label in AMOUNTS],
            rows=[
                {
                    "row": row,
                    "kind": KINDS[row.kind],
                    "amounts": [format_brl(getattr(row, n)) for n, _l in AMOUNTS],
                }
                for row in flow.rows
            ],
            # the amounts add up; the balance does not (the closing one)
            totals=[format_brl(flow.total(name)) for name, _label in AMOUNTS[:-2]],
            net_total=format_brl(
                flow.total("realised_in")
                - flow.total("realised_out")
                + flow.total("projected_in")
                - flow.total("projected_out")
            ),
            opening_balance=format_brl(flow.opening_balance),
            closing_balance=format_brl(flow.closing_balance),
            today=absolute_date(flow.today),
            period=(absolute_date(flow.start), absolute_date(flow.end)),
            csv_url="?" + _with(query, export="csv"),
            xlsx_url="?" + _with(query, export="xlsx"),
        )
        return context


def _with(query: QueryDict, **extra) -> str:
    query = query.copy()
    for name, value in extra.items():
        query[name] = value
    return query.urlencode()
