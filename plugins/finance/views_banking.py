"""The bank-account screens: the accounts listing and the statement lines
listing (per account, status and source, a date range), both narrowed to the
accounts the user may see (the finance manager: all; a finance clerk: those
granted to them), with the imports' buttons for those who may import."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.widgets import HeaderButton

from plugins.finance.models import (
    BankAccount,
    LineSource,
    LineStatus,
    StatementLine,
)
from plugins.money import format_brl
from plugins.permissions import policy_for
from plugins.tables import AbsoluteDateColumn
from plugins.viewsets import ScopedIndexView

ACCOUNTS = "finance_bank_accounts"
LINES = "finance_statement_lines"


def visible_accounts(request):
    """The accounts the request's user may see: the account filter's
    choices (an account out of reach is no choice)."""
    if request is None:
        return BankAccount.objects.none()
    return policy_for(BankAccount).scope_objects(request.user, "view")


class MoneyColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance)
        return format_brl(value) if value is not None else ""


class StatementLineFilterSet(WagtailFilterSet):
    account = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Bank account"), queryset=visible_accounts
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=LineStatus.choices
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Source"), choices=LineSource.choices
    )
    date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = StatementLine
        fields = ["account", "status", "source", "date"]


class LineStatusColumn(StatusTagColumn):
    def __init__(self, name="status", **kwargs):
        super().__init__(
            name,
            accessor="get_status_display",
            primary=lambda line: (
                line.status in (LineStatus.UNMATCHED, LineStatus.PARTIAL)
            ),
            **kwargs,
        )


def import_buttons(user) -> list[HeaderButton]:
    from plugins.finance.importers import SettlementImporter, StatementImporter

    buttons = []
    for importer, label in (
        (StatementImporter, _("Import statement")),
        (SettlementImporter, _("Import settlement report")),
    ):
        if importer.user_can_import(user):
            buttons.append(
                HeaderButton(
                    label,
                    url=reverse("imports:start", args=[importer.key]),
                    icon_name="upload",
                )
            )
    return buttons


class StatementLineIndexView(ScopedIndexView):
    page_title = gettext_lazy("Statement lines")
    default_ordering = "-date"
    search_fields = ["description", "reference", "order_number"]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("account")

    def get_line_url(self, line):
        return reverse(f"{LINES}:inspect", args=[line.pk])

    @cached_property
    def columns(self):
        return [
            AbsoluteDateColumn("date", label=_("Date"), sort_key="date"),
            TitleColumn(
                "description",
                label=_("Description"),
                get_url=self.get_line_url,
                accessor=lambda line: line.description or line.reference or "—",
            ),
            Column("reference", label=_("Reference")),
            Column("account", label=_("Bank account"), accessor="account.name"),
            MoneyColumn("amount", label=_("Amount"), sort_key="amount"),
            MoneyColumn("fee", label=_("Fee")),
            Column("source", label=_("Source"), accessor="get_source_display"),
            LineStatusColumn(label=_("Status")),
        ]

    @property
    def header_buttons(self):
        return import_buttons(self.request.user)


class BankAccountIndexView(ScopedIndexView):
    @property
    def header_buttons(self):
        return [*super().header_buttons, *import_buttons(self.request.user)]
