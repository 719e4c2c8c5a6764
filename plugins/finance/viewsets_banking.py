"""The bank-account screens in the "Finance" menu: Bank accounts (the
finance manager creates and edits them, with their CSV column mapping; a
finance clerk sees those granted to them) and Statement lines (read only:
lines change by import and reconciliation).

Bank accounts are scope objects: their policy and the statement lines' are
registered in :mod:`plugins.finance.wagtail_hooks` before these viewsets.
Accounts are deactivated, not deleted (their lines point at them).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.finance import views_banking as views
from plugins.finance.forms_banking import BankAccountForm
from plugins.finance.models import BankAccount, StatementLine
from plugins.finance.viewsets import FINANCE_MENU, READ_ONLY
from plugins.tables import BooleanColumn
from plugins.viewsets import ScopedInspectView, ScopedModelViewSet


class BankAccountViewSet(ScopedModelViewSet):
    model = BankAccount
    name = views.ACCOUNTS
    url_prefix = "finance/bank-accounts"
    icon = "form"
    menu_label = _("Bank accounts")
    menu_name = "finance-bank-accounts"
    menu_order = 70
    menu_hook = FINANCE_MENU
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = views.BankAccountIndexView
    list_display = [
        "name",
        Column("display_number", label=_("Bank · agency / account")),
        "bank_name",
        BooleanColumn.for_field(BankAccount, "active"),
    ]
    list_filter = ["active"]
    list_export = [
        "name",
        "bank_code",
        "bank_name",
        "agency",
        "number",
        "opening_balance",
        "opening_date",
        "active",
    ]
    search_fields = ["name", "bank_name", "number"]
    inspect_view_fields = [
        "name",
        "bank_code",
        "bank_name",
        "agency",
        "number",
        "opening_balance",
        "opening_date",
        "active",
        "csv_mapping",
        "created_at",
    ]

    def get_form_class(self, for_update=False):
        return BankAccountForm

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)


class StatementLineViewSet(ModelViewSet):
    """Listing (filters, search, export) and a line's page, only."""

    model = StatementLine
    name = views.LINES
    url_prefix = "finance/statement-lines"
    icon = "list-ul"
    menu_label = _("Statement lines")
    menu_name = "finance-statement-lines"
    menu_order = 71
    menu_hook = FINANCE_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = views.StatementLineIndexView
    inspect_view_class = ScopedInspectView
    filterset_class = views.StatementLineFilterSet
    list_per_page = 50
    list_export = [
        "account",
        "date",
        "source",
        "description",
        "reference",
        "order_number",
        "installment",
        "amount",
        "gross",
        "fee",
        "balance",
        "status",
        "matched_amount",
    ]
    inspect_view_fields = [
        "account",
        "date",
        "source",
        "description",
        "reference",
        "order_number",
        "installment",
        "counterparty",
        "amount",
        "gross",
        "fee",
        "balance",
        "status",
        "matched_amount",
        "ignored_reason",
        "import_job",
        "created_at",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**READ_ONLY, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
        ]
