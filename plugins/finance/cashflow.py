"""The cash flow (fluxo de caixa): what came in and went out, what is still
to come in and go out, and the balance, per day, week or month, for one
bank account or for all the accounts a person may see.

Each bucket (a day, a week starting on Monday, a month) holds:

* **realised inflows**: receivables settled in the bucket (``settled_on``),
  for their ``settled_amount``;
* **realised outflows**: bill installments paid in the bucket (``paid_on``),
  for their ``amount_paid``;
* **bank movement**: the sum of the statement lines dated in the bucket, up
  to today (credits positive, debits negative);
* **projected inflows**: receivables still open or partly settled, by their
  expected date (``due_date``), for what is left of them (``net`` less
  ``settled_amount``);
* **projected outflows**: unpaid installments (awaiting approval or
  approved), by their due date, for their ``amount``;
* of those, the **overdue** part: open titles whose date has passed are
  still expected, so they are projected into the bucket of today (and
  counted there, flagged as overdue), never into the past;
* **net**: inflows less outflows, realised and projected;
* **balance**: the balance at the end of the bucket (see below).

What is counted once — the rule
-------------------------------

The balance comes from the bank, the title columns from the titles, and the
two never add up into each other:

* up to today, the balance is the **statement balance**: the account's
  opening balance plus its statement lines (``BankAccount.opening_balance``
  is the balance at the start of ``opening_date``; lines before that day are
  already in it). A receivable settled through a statement line is in the
  balance once, through that line; its realised inflow column shows it, but
  is never added to the balance (it would count the same money twice);
* from today on, the balance is the statement balance of today plus what is
  **projected**: open titles only. A settled title is no longer open, so it
  is never projected; a partly settled one is projected for what is left.

So the balance moves, bucket to bucket, by ``bank movement + projected
inflows − projected outflows``; the realised columns tell where the money
came from and went to. A statement line not yet reconciled with its open
title is counted in the balance and the title is still projected, until the
reconciliation settles the title.

Titles belong to a bank account through their provider account
(``ProviderAccount.bank_account``, where the provider pays out) and their
bill (``Bill.bank_account``, where it is paid from). Titles with no bank
account are part of the cash flow of those who see every account, when no
account is chosen; never of one account's, nor of a clerk's.

Sums are made by the database, grouped by bucket: a handful of queries
whatever the number of titles and lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    DateField,
    DecimalField,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, TruncDay, TruncMonth, TruncWeek
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from plugins.finance import querysets
from plugins.finance.models import (
    BankAccount,
    BillInstallment,
    InstallmentStatus,
    Receivable,
    StatementLine,
)
from plugins.finance.permissions import sees_every_bank_account, visible_bank_accounts

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
AMOUNT = DecimalField(max_digits=14, decimal_places=2)

DAY, WEEK, MONTH = "day", "week", "month"
GRANULARITIES = (
    (DAY, _("Day")),
    (WEEK, _("Week")),
    (MONTH, _("Month")),
)
_TRUNC = {DAY: TruncDay, WEEK: TruncWeek, MONTH: TruncMonth}

#: a bucket wholly before today, the one holding today, one wholly after it
REALISED, CURRENT, PROJECTED = "realised", "current", "projected"

#: the most buckets one cash flow shows (a year and a bit of days)
MAX_BUCKETS = 400


def bucket_start(day: datetime.date, granularity: str) -> datetime.date:
    """The first day of the bucket holding ``day``: itself, its week's
    Monday, its month's first day."""
    if granularity == WEEK:
        return day - datetime.timedelta(days=day.weekday())
    if granularity == MONTH:
        return day.replace(day=1)
    return day


def next_bucket(start: datetime.date, granularity: str) -> datetime.date:
    if granularity == WEEK:
        return start + datetime.timedelta(days=7)
    if granularity == MONTH:
        return (start + datetime.timedelta(days=32)).replace(day=1)
    return start + datetime.timedelta(days=1)


def bucket_count(start: datetime.date, end: datetime.date, granularity: str) -> int:
    count, key, last = (
        0,
        bucket_start(start, granularity),
        bucket_start(end, granularity),
    )
    while key <= last:
        count += 1
        key = next_bucket(key, granularity)
    return count


def bucket_label(start: datetime.date, granularity: str) -> str:
    """``02/03/2026`` for a day or the week starting on that Monday,
    ``mar/2026`` for a month (in the active language)."""
    if granularity == MONTH:
        return dateformat.format(start, "b/Y")
    return dateformat.format(start, "d/m/Y")


@dataclass
class Bucket:
    start: datetime.date
    end: datetime.date
    label: str
    kind: str
    realised_in: Decimal = ZERO
    realised_out: Decimal = ZERO
    bank: Decimal = ZERO
    projected_in: Decimal = ZERO
    projected_out: Decimal = ZERO
    overdue_in: Decimal = ZERO
    overdue_out: Decimal = ZERO
    balance: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return (
            self.realised_in
            - self.realised_out
            + self.projected_in
            - self.projected_out
        )

    @property
    def has_overdue(self) -> bool:
        return bool(self.overdue_in or self.overdue_out)


@dataclass
class CashFlow:
    start: datetime.date
    end: datetime.date
    granularity: str
    today: datetime.date
    accounts: list[BankAccount]
    with_unassigned: bool
    opening_balance: Decimal
    rows: list[Bucket] = field(default_factory=list)

    def total(self, name: str) -> Decimal:
        return sum((getattr(row, name) for row in self.rows), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening_balance


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT)


def _receivables(accounts: list[BankAccount], with_unassigned: bool):
    q = Q(account__bank_account__in=accounts)
    if with_unassigned:
        q |= Q(account__bank_account__isnull=True)
    return Receivable.objects.filter(q)


def _installments(accounts: list[BankAccount], with_unassigned: bool):
    q = Q(bill__bank_account__in=accounts)
    if with_unassigned:
        q |= Q(bill__bank_account__isnull=True)
    return BillInstallment.objects.filter(q)


def _by_bucket(queryset, date_expr, amount_expr, granularity, **extra) -> dict:
    """``{bucket start: {"total": sum, **extra sums}}`` of ``queryset``."""
    trunc = _TRUNC[granularity](date_expr, output_field=DateField())
    rows = (
        queryset.order_by()
        .annotate(bucket=trunc)
        .values("bucket")
        .annotate(total=Sum(amount_expr, output_field=AMOUNT), **extra)
    )
    found: dict = {}
    for row in rows:
        bucket = row.pop("bucket")
        if isinstance(bucket, datetime.datetime):
            bucket = bucket.date()
        found[bucket] = {name: _money(value) for name, value in row.items()}
    return found


def statement_balances(
    day: datetime.date, accounts: Iterable[BankAccount] | None = None
) -> dict[int, Decimal]:
    """Each account's balance at the start of ``day`` (of ``accounts``, or
    of every account), by primary key, from its opening balance and its
    statement lines (two queries)."""
    banks = BankAccount.objects.all()
    if accounts is not None:
        banks = banks.filter(pk__in=[account.pk for account in accounts])
    balances = {
        pk: _money(opening)
        for pk, opening in banks.values_list("pk", "opening_balance")
    }
    if not balances:
        return {}
    # Lines from the opening day up to the day before ``day`` move the balance
    # forward; lines from ``day`` up to the day before the opening day were
    # already in the opening balance, so take them back.
    lines = (
        StatementLine.objects.filter(account__in=list(balances))
        .values("account_id")
        .annotate(
            forward=Sum(
                "amount",
                filter=Q(date__lt=day)
                & (
                    Q(account__opening_date__isnull=True)
                    | Q(date__gte=F("account__opening_date"))
                ),
            ),
            back=Sum(
                "amount",
                filter=Q(date__gte=day, date__lt=F("account__opening_date")),
            ),
        )
        .order_by()
    )
    for row in lines:
        balances[row["account_id"]] += _money(row["forward"]) - _money(row["back"])
    return balances


def statement_balance(accounts: Iterable[BankAccount], day: datetime.date) -> Decimal:
    """The balance of ``accounts`` at the start of ``day``, from their
    opening balances and statement lines (two queries)."""
    accounts = list(accounts)
    if not accounts:
        return ZERO
    return sum(statement_balances(day, accounts).values(), ZERO)


def compute_cash_flow(
    *,
    start: datetime.date,
    end: datetime.date,
    granularity: str,
    accounts: Iterable[BankAccount],
    with_unassigned: bool = False,
    today: datetime.date | None = None,
) -> CashFlow:
    """The cash flow of ``accounts`` (and of the titles of no account, with
    ``with_unassigned``) from ``start`` to ``end`` (both included) by
    ``granularity`` (:data:`DAY`, :data:`WEEK` or :data:`MONTH`)."""
    if granularity not in _TRUNC:
        raise ValueError(f"unknown granularity {granularity!r}")
    if end < start:
        raise ValueError("the period ends before it starts")
    today = today or timezone.localdate()
    accounts = list(accounts)
    receivables = _receivables(accounts, with_unassigned)
    installments = _installments(accounts, with_unassigned)
    period = {"start": start, "end": end}

    # -- realised: settled titles, statement lines up to today --------------
    realised_in = _by_bucket(
        receivables.filter(settled_on__range=(start, end), settled_amount__gt=0),
        F("settled_on"),
        F("settled_amount"),
        granularity,
    )
    realised_out = _by_bucket(
        installments.filter(status=InstallmentStatus.PAID, paid_on__range=(start, end)),
        F("paid_on"),
        F("amount_paid"),
        granularity,
    )
    bank = (
        _by_bucket(
            StatementLine.objects.filter(
                account__in=accounts, date__range=(start, min(end, today))
            ),
            F("date"),
            F("amount"),
            granularity,
        )
        if start <= today
        else {}
    )

    # -- projected: open titles by due date, the overdue ones on today -----
    expected = Greatest(F("due_date"), Value(today), output_field=DateField())
    left_to_receive = querysets.left_to_receive()
    open_receivables = receivables.open().filter(due_date__lte=end)
    unpaid_installments = installments.unpaid().filter(due_date__lte=end)
    overdue = Q(due_date__lt=today)
    projected_in = projected_out = {}
    if end >= today:
        projected_in = _by_bucket(
            open_receivables.alias(expected=expected).filter(expected__gte=start),
            expected,
            left_to_receive,
            granularity,
            overdue=Sum(left_to_receive, filter=overdue, output_field=AMOUNT),
        )
        projected_out = _by_bucket(
            unpaid_installments.alias(expected=expected).filter(expected__gte=start),
            expected,
            F("amount"),
            granularity,
            overdue=Sum("amount", filter=overdue, output_field=AMOUNT),
        )

    # -- the balance at the start of the period -----------------------------
    if start <= today:
        opening = statement_balance(accounts, start)
    else:
        # what the bank says today, and what is expected before the period
        before = Q(due_date__lt=start)
        carried_in = open_receivables.filter(before).aggregate(
            total=Sum(left_to_receive, output_field=AMOUNT)
        )["total"]
        carried_out = unpaid_installments.filter(before).aggregate(total=Sum("amount"))[
            "total"
        ]
        opening = (
            statement_balance(accounts, today + datetime.timedelta(days=1))
            + _money(carried_in)
            - _money(carried_out)
        )

    flow = CashFlow(
        granularity=granularity,
        today=today,
        accounts=accounts,
        with_unassigned=with_unassigned,
        opening_balance=opening,
        **period,
    )
    balance = opening
    key = bucket_start(start, granularity)
    while key <= end:
        following = next_bucket(key, granularity)
        last_day = following - datetime.timedelta(days=1)
        kind = REALISED if last_day < today else PROJECTED if key > today else CURRENT
        incoming = projected_in.get(key, {})
        outgoing = projected_out.get(key, {})
        row = Bucket(
            start=max(key, start),
            end=min(last_day, end),
            label=bucket_label(key, granularity),
            kind=kind,
            realised_in=realised_in.get(key, {}).get("total", ZERO),
            realised_out=realised_out.get(key, {}).get("total", ZERO),
            bank=bank.get(key, {}).get("total", ZERO),
            projected_in=incoming.get("total", ZERO),
            projected_out=outgoing.get("total", ZERO),
            overdue_in=incoming.get("overdue", ZERO),
            overdue_out=outgoing.get("overdue", ZERO),
        )
        balance += row.bank + row.projected_in - row.projected_out
        row.balance = balance
        flow.rows.append(row)
        key = following
    return flow


def cash_flow_for(
    user,
    *,
    start: datetime.date,
    end: datetime.date,
    granularity: str,
    account: BankAccount | None = None,
    today: datetime.date | None = None,
) -> CashFlow:
    """The cash flow ``user`` may see: of ``account`` (one they may see), or
    of all their accounts — with the titles of no account when they see
    every account (the finance manager), without for a clerk."""
    visible = visible_bank_accounts(user)
    if account is not None:
        if not visible.filter(pk=account.pk).exists():
            raise PermissionDenied
        accounts, with_unassigned = [account], False
    else:
        accounts, with_unassigned = list(visible), sees_every_bank_account(user)
    return compute_cash_flow(
        start=start,
        end=end,
        granularity=granularity,
        accounts=accounts,
        with_unassigned=with_unassigned,
        today=today,
    )
