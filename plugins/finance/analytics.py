"""The finance plugin's figures (:mod:`plugins.kpis`): receivables to
receive and overdue (by aging), bills to pay, the cash in the bank
accounts and the statement lines waiting for reconciliation.

Every figure here is a *level*: the state of the books now, recorded by
the rollup as the snapshot of each day. The rules are the finance
plugin's own: "open" and "overdue" receivables
(:class:`~plugins.finance.querysets.ReceivableQuerySet`), what is left to
receive (:func:`~plugins.finance.querysets.left_to_receive`), "unpaid",
"overdue" and "due this week" installments
(:class:`~plugins.finance.querysets.BillInstallmentQuerySet`), an
account's balance (:func:`~plugins.finance.cashflow.statement_balances`)
and a line still to reconcile
(:data:`~plugins.finance.services.reconciliation.OPEN_LINE`).

Who sees what follows the screens behind the figures: receivables and
installments are not scoped (their listings' view permissions); balances
and lines to reconcile are per bank account, the scope the finance clerk
is granted (:func:`~plugins.finance.permissions.bank_account_policy`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Abs
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plugins.kpis import KPI, Fact, Source, Unit, measure, store_today

MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)
#: The scope id of the facts of sources without a scope object.
NO_SCOPE = 0


def _facts(day, scope_id, member, values):
    for name, value in values.items():
        if value:
            yield Fact(day, scope_id, member, name, Decimal(value))


def _single(filters, dimension):
    members = sorted(filters.get(dimension, ()))
    return members[0] if len(members) == 1 else None


def _model_policy_allows(model, user) -> bool:
    """Whether ``user`` may open ``model``'s listing (its registered
    permission policy's ``view``)."""
    from plugins.permissions import policy_for

    return policy_for(model).user_has_permission(user, "view")


# -- Receivables --------------------------------------------------------------------


class ReceivablesSource(Source):
    """Receivables still expected, per aging bucket
    (:data:`~plugins.finance.querysets.AGING_BUCKETS`)."""

    key = "finance_receivables"
    label = _("Receivables")
    scope = ""
    dimensions = ("aging",)
    flow = False
    kpis = (
        KPI(
            "finance.receivables_open",
            _("Receivables to receive"),
            Unit.MONEY,
            measure("open"),
            _(
                "What is left to receive (net of fees, less what was already "
                "settled) of the open and partly settled receivables, due or "
                "not; settled and written-off ones do not count."
            ),
            drilldown="receivables",
        ),
        KPI(
            "finance.receivables_overdue",
            _("Overdue receivables"),
            Unit.MONEY,
            measure("overdue"),
            _(
                "What is left to receive of the open and partly settled "
                "receivables whose expected date has passed; those expected "
                "today or later do not count."
            ),
            higher_is_better=False,
            drilldown="receivables",
        ),
        KPI(
            "finance.receivables_overdue_count",
            _("Overdue receivables (titles)"),
            Unit.COUNT,
            measure("overdue_count"),
            _(
                "Open and partly settled receivables (one per card installment, "
                "Pix, boleto or marketplace payout) whose expected date has passed."
            ),
            higher_is_better=False,
            drilldown="receivables",
        ),
    )

    def user_can_see(self, user) -> bool:
        from plugins.finance.models import Receivable

        return _model_policy_allows(Receivable, user)

    def scope_ids(self, user):
        return None

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.finance.models import Receivable
        from plugins.finance.querysets import ReceivableQuerySet, left_to_receive

        today = store_today()
        receivables = Receivable.objects.open().with_aging(today)
        aging = (where or {}).get("aging")
        if aging:
            receivables = receivables.filter(aging__in=list(aging))
        overdue = ReceivableQuerySet.overdue_q(today)
        sums = {
            "open": Sum(left_to_receive()),
            "open_count": Count("pk"),
            "overdue": Sum(left_to_receive(), filter=overdue),
            "overdue_count": Count("pk", filter=overdue),
        }
        if dimension != "aging":
            yield from _facts(end, NO_SCOPE, "", receivables.aggregate(**sums))
            return
        for row in receivables.values("aging").annotate(**sums).order_by():
            member = row.pop("aging") or ""
            yield from _facts(end, NO_SCOPE, member, row)

    def member_labels(self, dimension, members):
        if dimension == "aging":
            from plugins.finance.querysets import AGING_BUCKETS

            labels = {key: str(label) for key, label, _first, _last in AGING_BUCKETS}
            return {member: labels.get(member, member) for member in members}
        return super().member_labels(dimension, members)

    def drilldown_url(self, kpi, *, start, end, filters):
        params = {"due": "open" if kpi.key == "finance.receivables_open" else "overdue"}
        aging = _single(filters, "aging")
        if aging:
            params["aging"] = aging
        return f"{reverse('finance_receivables:index')}?{urlencode(params)}"


# -- Payables -----------------------------------------------------------------------


class PayablesSource(Source):
    """Bill installments still to be paid."""

    key = "finance_payables"
    label = _("Bills to pay")
    scope = ""
    dimensions = ()
    flow = False
    kpis = (
        KPI(
            "finance.payables_open",
            _("Bills to pay"),
            Unit.MONEY,
            measure("unpaid"),
            _(
                "The amount of the bill installments still to be paid (awaiting "
                "approval or approved), due or not; paid and cancelled ones do "
                "not count."
            ),
            higher_is_better=False,
            drilldown="installments",
        ),
        KPI(
            "finance.payables_overdue",
            _("Overdue bills"),
            Unit.MONEY,
            measure("overdue"),
            _(
                "The amount of the unpaid bill installments whose due date has "
                "passed; those due today do not count."
            ),
            higher_is_better=False,
            drilldown="installments",
        ),
        KPI(
            "finance.payables_due_week",
            _("Bills due this week"),
            Unit.MONEY,
            measure("due_week"),
            _(
                "The amount of the unpaid bill installments due today or in the "
                "six days after it; overdue ones do not count."
            ),
            higher_is_better=False,
            drilldown="installments",
        ),
    )

    def user_can_see(self, user) -> bool:
        from plugins.finance.models import BillInstallment

        return _model_policy_allows(BillInstallment, user)

    def scope_ids(self, user):
        return None

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.finance.models import BillInstallment
        from plugins.finance.querysets import BillInstallmentQuerySet

        if dimension:
            return
        today = store_today()
        overdue = BillInstallmentQuerySet.overdue_q(today)
        week = BillInstallment.objects.due_this_week(today).values("pk")
        totals = BillInstallment.objects.unpaid().aggregate(
            unpaid=Sum("amount"),
            unpaid_count=Count("pk"),
            overdue=Sum("amount", filter=overdue),
            overdue_count=Count("pk", filter=overdue),
            due_week=Sum("amount", filter=Q(pk__in=week)),
        )
        yield from _facts(end, NO_SCOPE, "", totals)

    def drilldown_url(self, kpi, *, start, end, filters):
        due = {
            "finance.payables_open": "unpaid",
            "finance.payables_overdue": "overdue",
            "finance.payables_due_week": "this_week",
        }[kpi.key]
        url = reverse("finance_bill_installments:index")
        return f"{url}?{urlencode({'due': due})}"


# -- Bank accounts ------------------------------------------------------------------


def _bank_scope_ids(user):
    """The bank accounts whose figures ``user`` sees: those granted to them
    to view or to reconcile (``None``: every account)."""
    from plugins.finance.permissions import bank_account_policy

    policy = bank_account_policy()
    seen = policy.scope_ids_for(user, "view")
    reconciled = policy.scope_ids_for(user, "reconcile")
    if seen is None or reconciled is None:
        return None
    return seen | reconciled


class BankAccountsSource(Source):
    """The balance of each bank account and its statement lines still to
    reconcile."""

    key = "finance_bank"
    label = _("Bank accounts")
    scope = "bank_account"
    dimensions = ()
    flow = False
    kpis = (
        KPI(
            "finance.cash",
            _("Cash position"),
            Unit.MONEY,
            measure("balance"),
            _(
                "The bank accounts' balance now: each account's opening balance "
                "plus its statement lines up to today; movements whose statement "
                "was not imported yet do not count."
            ),
            drilldown="cash_flow",
        ),
        KPI(
            "finance.reconciliation_backlog",
            _("Statement lines to reconcile"),
            Unit.COUNT,
            measure("to_reconcile"),
            _(
                "Statement lines not reconciled yet, or reconciled only in part; "
                "ignored lines do not count."
            ),
            higher_is_better=False,
            drilldown="reconciliation",
        ),
        KPI(
            "finance.reconciliation_backlog_amount",
            _("Amount to reconcile"),
            Unit.MONEY,
            measure("to_reconcile_amount"),
            _(
                "What is left to reconcile of the statement lines not reconciled "
                "yet or reconciled in part, credits and debits alike (as "
                "positive amounts); ignored lines do not count."
            ),
            higher_is_better=False,
            drilldown="reconciliation",
        ),
    )

    def user_can_see(self, user) -> bool:
        from plugins.finance.permissions import bank_account_policy

        policy = bank_account_policy()
        return policy.user_has_any_permission(user, ["view", "reconcile"])

    def scope_ids(self, user):
        return _bank_scope_ids(user)

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.finance.cashflow import statement_balances
        from plugins.finance.models import BankAccount, StatementLine
        from plugins.finance.services.reconciliation import OPEN_LINE

        if dimension:
            return
        accounts = BankAccount.objects.all()
        if scope_ids is not None:
            accounts = accounts.filter(pk__in=scope_ids)
        tomorrow = store_today() + datetime.timedelta(days=1)
        for pk, balance in statement_balances(tomorrow, accounts).items():
            yield from _facts(end, pk, "", {"balance": balance})
        lines = StatementLine.objects.filter(status__in=OPEN_LINE)
        if scope_ids is not None:
            lines = lines.filter(account_id__in=scope_ids)
        left = ExpressionWrapper(
            Abs("amount") - F("matched_amount"), output_field=MONEY_FIELD
        )
        rows = (
            lines.values("account_id")
            .annotate(to_reconcile=Count("pk"), to_reconcile_amount=Sum(left))
            .order_by()
        )
        for row in rows:
            account = row.pop("account_id")
            yield from _facts(end, account, "", row)

    def member_labels(self, dimension, members):
        if dimension == "bank_account":
            from plugins.finance.models import BankAccount

            ids = [int(m) for m in members if str(m).isdigit()]
            names = BankAccount.objects.filter(pk__in=ids).values_list("pk", "name")
            return {str(pk): name for pk, name in names}
        return super().member_labels(dimension, members)

    def drilldown_url(self, kpi, *, start, end, filters):
        from plugins.finance import views_cashflow, views_reconciliation

        account = _single(filters, "bank_account")
        if account is not None and not str(account).isdigit():
            account = None
        if kpi.key == "finance.cash":
            if account is not None:
                return reverse(
                    f"{views_cashflow.CASH_FLOW}_account", args=[int(account)]
                )
            return reverse(views_cashflow.CASH_FLOW)
        if account is not None:
            return views_reconciliation.url("queue", int(account))
        return views_reconciliation.url("accounts")


def sources():
    return [ReceivablesSource(), PayablesSource(), BankAccountsSource()]
