"""Everything the finance plugin contributes to Wagtail and to the other
plugins."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from plugins.finance.models import BankAccount, StatementLine
from plugins.permissions import ScopedPermissionPolicy

# Bank accounts are scope objects: a finance clerk sees and reconciles the
# statements of the accounts granted to them (before the viewsets below).
register_permission_policy(BankAccount, ScopedPermissionPolicy(BankAccount))
register_permission_policy(
    StatementLine,
    ScopedPermissionPolicy(
        StatementLine,
        scope_field="account",
        scope_actions={
            "view": "finance.view_bankaccount",
            "change": "finance.reconcile_bankaccount",
        },
    ),
)

LOG_ACTIONS = (
    ("finance.payment_status", _("Payment status"), _("Payment status changed")),
    (
        "finance.manual_payment",
        _("Register manual payment"),
        _("Manual payment registered"),
    ),
    ("finance.create_payment", _("Create payment"), _("Payment created")),
    ("finance.refund", _("Refund"), _("Payment refunded")),
    (
        "finance.event_reprocess",
        _("Process again"),
        _("Provider notification processed again"),
    ),
    ("finance.provider_account", _("Provider account"), _("Provider account changed")),
    ("finance.bill.create", _("Record bill"), _("Bill recorded")),
    ("finance.bill.approve", _("Approve bill"), _("Bill approved")),
    ("finance.bill.pay", _("Record bill payment"), _("Bill payment recorded")),
    ("finance.bill.cancel", _("Cancel bill"), _("Bill cancelled")),
    ("finance.bill.boleto", _("Supplier's boleto"), _("Supplier's boleto recorded")),
    ("finance.bill.attachment", _("Attach a file"), _("File attached to the bill")),
    (
        "finance.bill.unpay",
        _("Take back a bill payment"),
        _("Bill payment taken back"),
    ),
    ("finance.reconcile.run", _("Reconcile"), _("Statement reconciled")),
    ("finance.reconcile.match", _("Match a line"), _("Statement line matched")),
    ("finance.reconcile.undo", _("Undo a match"), _("Reconciliation match undone")),
    ("finance.reconcile.ignore", _("Ignore a line"), _("Statement line ignored")),
    (
        "finance.reconcile.unignore",
        _("Take back an ignored line"),
        _("Statement line back to reconcile"),
    ),
)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)


from django.urls import path, reverse  # noqa: E402
from wagtail.admin.menu import MenuItem  # noqa: E402

from plugins.finance import demo, panels, views, views_cashflow, viewsets  # noqa: E402
from plugins.hooks import API_ROUTES, BACKOFFICE_MENU, DEMO_DATA  # noqa: E402
from plugins.orders import hooks as order_hooks  # noqa: E402

hooks.register(BACKOFFICE_MENU, viewsets.FinanceMenu().get_menu_item)


for _viewset in (
    viewsets.ReceivableViewSet,
    viewsets.PaymentViewSet,
    viewsets.ProviderEventViewSet,
    viewsets.ProviderAccountViewSet,
    viewsets.PayoutTermsViewSet,
):
    hooks.register("register_admin_viewset", _viewset)

hooks.register(order_hooks.ORDER_DETAIL_PANELS, panels.order_payments_panel)


def _write_payout(*, order, user=None):
    from plugins.finance.services.marketplace import write_payout

    write_payout(order)


def _write_off_payout(*, order, user=None):
    from plugins.finance.services.marketplace import write_off_payout

    write_off_payout(order)


# Marketplace payouts: one receivable per marketplace order.
for _hook, _fn in (
    (order_hooks.ORDER_PAID, _write_payout),
    (order_hooks.ORDER_DELIVERED, _write_payout),
    (order_hooks.ORDER_IMPORTED, _write_payout),
    (order_hooks.ORDER_CANCELLED, _write_off_payout),
    (order_hooks.ORDER_RETURNED, _write_off_payout),
):
    hooks.register(_hook, _fn)
# after the orders' demo data (order 0): it takes the sales channels made there
hooks.register(DEMO_DATA, demo.seed_demo_finance, order=1)


@hooks.register("register_admin_urls")
def register_finance_urls():
    return [
        path(
            "finance/orders/<int:pk>/manual-payment/",
            views.ManualPaymentView.as_view(),
            name="finance_manual_payment",
        ),
        path(
            "finance/payments/<int:pk>/refund/",
            views.RefundView.as_view(),
            name="finance_refund",
        ),
        path(
            "finance/notifications/<int:pk>/reprocess/",
            views.ReprocessEventView.as_view(),
            name="finance_event_reprocess",
        ),
        path(
            "finance/cash-flow/",
            views_cashflow.CashFlowView.as_view(),
            name=views_cashflow.CASH_FLOW,
        ),
        path(
            "finance/cash-flow/account/<int:pk>/",
            views_cashflow.CashFlowView.as_view(),
            name=f"{views_cashflow.CASH_FLOW}_account",
        ),
    ]


@hooks.register(API_ROUTES)
def finance_api_routes():
    from plugins.finance.api.routes import api_routes

    return api_routes()


from plugins.finance import viewsets_payables  # noqa: E402

for _viewset in (
    viewsets_payables.BillViewSet,
    viewsets_payables.InstallmentViewSet,
    viewsets_payables.SupplierViewSet,
    viewsets_payables.BillCategoryViewSet,
):
    hooks.register("register_admin_viewset", _viewset)
for _item in viewsets_payables.MENU_ITEMS:
    hooks.register(viewsets.FINANCE_MENU, _item)


from plugins.finance import viewsets_banking  # noqa: E402
from plugins.importing.base import REGISTER_IMPORTER  # noqa: E402

for _viewset in (
    viewsets_banking.BankAccountViewSet,
    viewsets_banking.StatementLineViewSet,
):
    hooks.register("register_admin_viewset", _viewset)


@hooks.register(REGISTER_IMPORTER)
def finance_statement_importer():
    from plugins.finance.importers import StatementImporter

    return StatementImporter


@hooks.register(REGISTER_IMPORTER)
def finance_settlement_importer():
    from plugins.finance.importers import SettlementImporter

    return SettlementImporter


class CashFlowMenuItem(MenuItem):
    def is_shown(self, request):
        return views_cashflow.may_see_cash_flow(request.user)


hooks.register(
    viewsets.FINANCE_MENU,
    lambda: CashFlowMenuItem(
        _("Cash flow"),
        reverse(views_cashflow.CASH_FLOW),
        name="finance-cash-flow",
        icon_name="table",
        order=75,
    ),
)


from plugins.finance import views_reconciliation  # noqa: E402


@hooks.register("register_admin_urls")
def register_reconciliation_urls():
    from django.urls import include

    views = views_reconciliation
    patterns = [
        path("", views.AccountsView.as_view(), name="accounts"),
        path("<int:bank>/", views.QueueView.as_view(), name="queue"),
        path("<int:bank>/run/", views.RunView.as_view(), name="run"),
        path("<int:bank>/matches/", views.MatchesView.as_view(), name="matches"),
        path("lines/<int:line>/", views.LineView.as_view(), name="line"),
        path("lines/<int:line>/match/", views.MatchView.as_view(), name="match"),
        path("lines/<int:line>/ignore/", views.IgnoreView.as_view(), name="ignore"),
        path(
            "lines/<int:line>/unignore/",
            views.UnignoreView.as_view(),
            name="unignore",
        ),
        path("lines/<int:line>/undo/", views.UndoView.as_view(), name="undo"),
    ]
    return [
        path(
            "finance/reconciliation/",
            include((patterns, views.PREFIX), namespace=views.PREFIX),
        )
    ]


@hooks.register(viewsets.FINANCE_MENU)
def reconciliation_menu_item():
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    class ReconciliationMenuItem(MenuItem):
        def is_shown(self, request):
            return views_reconciliation.user_sees_reconciliation(request.user)

    return ReconciliationMenuItem(
        _("Reconciliation"),
        reverse(f"{views_reconciliation.PREFIX}:accounts"),
        name="finance-reconciliation",
        icon_name="tasks",
        order=72,
    )


@hooks.register(order_hooks.ORDER_ANALYTICS_MEASURES)
def refunded_per_order():
    """What was refunded on each order: net revenue subtracts it."""
    from django.db.models import OuterRef, Subquery, Sum

    from plugins.finance.models import Payment

    return {
        "refunded": Subquery(
            Payment.objects.filter(order=OuterRef("pk"))
            .values("order")
            .annotate(total=Sum("refunded_amount"))
            .values("total")
        )
    }


from plugins.hooks import KPI_SOURCES  # noqa: E402


@hooks.register(KPI_SOURCES)
def finance_kpi_sources():
    from plugins.finance.analytics import sources

    return sources()
