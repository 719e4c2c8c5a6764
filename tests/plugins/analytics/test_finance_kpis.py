"""The finance plugin's KPIs (plugins.finance.analytics), live and from the
rollups, within the users' scopes.

The books, dated from today (T):

Receivables (left to receive = net − settled):

====  ======  =======  ===========  ======  =====  ==========
 #     net    settled  status       due     left   aging
====  ======  =======  ===========  ======  =====  ==========
 r1   100,00     0     open         T+5     100    current
 r2   200,00    50     partial      T       150    current
 r3    80,00     0     open         T−10     80    1_30
 r4    60,00    20     partial      T−45     40    31_60
 r5    30,00     0     open         T−75     30    61_90
 r6   500,00     0     open         T−120   500    over_90
 r7   999,00   999     settled      T−10     —     —
 r8   999,00     0     written_off  T−200    —     —
====  ======  =======  ===========  ======  =====  ==========

To receive 900,00 (current 250, 1_30 80, 31_60 40, 61_90 30, over_90 500);
overdue 650,00 in 4 titles (due today is not overdue).

Bill installments:

====  ======  =========  ======
 #    amount  status     due
====  ======  =========  ======
 i1   300,00  approved   T−3     overdue
 i2   120,00  open       T       this week
 i3    45,50  approved   T+6     this week
 i4   700,00  approved   T+7     (next week)
 i5    99,00  paid       T−1     —
 i6    10,00  cancelled  T+1     —
====  ======  =========  ======

To pay 1.165,50; overdue 300,00; due this week 165,50.

Bank accounts (balance now = opening + lines from the opening day on):

* Itaú, R$ 1.000,00 opening on T−30: T−40 +100,00 (ignored; already in the
  opening), T−5 +250,00 reconciled, T−2 −80,00 to reconcile, T +30,00
  reconciled 10,00 → balance 1.200,00; 2 lines to reconcile, 100,00.
* Bradesco, R$ 500,00, no opening day: T−3 −20,00 to reconcile, T−1 +70,50
  reconciled → balance 550,50; 1 line to reconcile, 20,00.

Cash 1.750,50; 3 lines, 120,00 to reconcile.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from plugins.analytics import engine, rollups
from plugins.analytics.periods import store_today
from plugins.finance.models import (
    BankAccount,
    Bill,
    BillCategory,
    BillInstallment,
    InstallmentStatus,
    LineStatus,
    Receivable,
    StatementLine,
    Supplier,
)
from plugins.finance.views_payables import InstallmentFilterSet
from plugins.finance.viewsets import ReceivableFilterSet
from plugins.permissions import clear_permission_cache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
RECEIVABLES = (
    "finance.receivables_open",
    "finance.receivables_overdue",
    "finance.receivables_overdue_count",
)
PAYABLES = (
    "finance.payables_open",
    "finance.payables_overdue",
    "finance.payables_due_week",
)
BANK = (
    "finance.cash",
    "finance.reconciliation_backlog",
    "finance.reconciliation_backlog_amount",
)
ALL = RECEIVABLES + PAYABLES + BANK


def days(n: int) -> datetime.date:
    return store_today() + datetime.timedelta(days=n)


_fingerprints = iter(range(1, 10**6))


def receivable(net, due, *, settled="0", status=Receivable.Status.OPEN):
    return Receivable.objects.create(
        kind=Receivable.Kind.MANUAL,
        gross=D(net),
        net=D(net),
        settled_amount=D(settled),
        status=status,
        due_date=due,
    )


def line(account, date, amount, *, status=LineStatus.UNMATCHED, matched="0", **kw):
    return StatementLine.objects.create(
        account=account,
        source=StatementLine.Source.MANUAL,
        date=date,
        amount=D(amount),
        status=status,
        matched_amount=D(matched),
        fingerprint=f"fp-{next(_fingerprints)}",
        **kw,
    )


class Books:
    def __init__(self):
        open_, partial = Receivable.Status.OPEN, Receivable.Status.PARTIALLY_SETTLED
        self.receivables = [
            receivable("100.00", days(5)),
            receivable("200.00", days(0), settled="50.00", status=partial),
            receivable("80.00", days(-10)),
            receivable("60.00", days(-45), settled="20.00", status=partial),
            receivable("30.00", days(-75), status=open_),
            receivable("500.00", days(-120)),
            receivable(
                "999.00",
                days(-10),
                settled="999.00",
                status=Receivable.Status.SETTLED,
            ),
            receivable("999.00", days(-200), status=Receivable.Status.WRITTEN_OFF),
        ]
        supplier = Supplier.objects.create(
            name="Malharia Paulista", document="11222333000181"
        )
        bill = Bill.objects.create(
            supplier=supplier,
            category=BillCategory.objects.get(code="01.01"),
            description="Camisetas",
            issue_date=days(-10),
            total=D("1274.50"),
        )
        approved, paid = InstallmentStatus.APPROVED, InstallmentStatus.PAID
        for number, (amount, status, due) in enumerate(
            [
                ("300.00", approved, days(-3)),
                ("120.00", InstallmentStatus.OPEN, days(0)),
                ("45.50", approved, days(6)),
                ("700.00", approved, days(7)),
                ("99.00", paid, days(-1)),
                ("10.00", InstallmentStatus.CANCELLED, days(1)),
            ],
            start=1,
        ):
            extra = (
                {"paid_on": days(-1), "amount_paid": D(amount)}
                if status == paid
                else {}
            )
            BillInstallment.objects.create(
                bill=bill,
                number=number,
                amount=D(amount),
                status=status,
                due_date=due,
                **extra,
            )
        self.itau = BankAccount.objects.create(
            name="Itaú",
            bank_code="341",
            agency="0001",
            number="12345-6",
            opening_balance=D("1000.00"),
            opening_date=days(-30),
        )
        self.bradesco = BankAccount.objects.create(
            name="Bradesco",
            bank_code="237",
            agency="0002",
            number="54321-0",
            opening_balance=D("500.00"),
        )
        matched = LineStatus.MATCHED
        line(
            self.itau,
            days(-40),
            "100.00",
            status=LineStatus.IGNORED,
            ignored_reason="before the opening day",
        )
        line(self.itau, days(-5), "250.00", status=matched, matched="250.00")
        line(self.itau, days(-2), "-80.00")
        line(self.itau, days(0), "30.00", status=LineStatus.PARTIAL, matched="10.00")
        line(self.bradesco, days(-3), "-20.00")
        line(self.bradesco, days(-1), "70.50", status=matched, matched="70.50")


@pytest.fixture
def books():
    return Books()


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente-financeiro", roles=["finance_manager"])


def figures(user, keys=ALL, *, today=None, **kwargs):
    """The KPIs' values for today (from the rollup's snapshot of today when
    ``today`` is tomorrow)."""
    day = store_today()
    results = engine.compute(user, keys, day, day, today=today, **kwargs)
    return {key: result.value for key, result in results.items()}


def groups(user, key, group_by, *, today=None):
    day = store_today()
    result = engine.compute(user, [key], day, day, group_by=group_by, today=today)
    return {member: value for member, _label, value in result[key].groups}


EXPECTED = {
    "finance.receivables_open": D("900.00"),
    "finance.receivables_overdue": D("650.00"),
    "finance.receivables_overdue_count": D(4),
    "finance.payables_open": D("1165.50"),
    "finance.payables_overdue": D("300.00"),
    "finance.payables_due_week": D("165.50"),
    "finance.cash": D("1750.50"),
    "finance.reconciliation_backlog": D(3),
    "finance.reconciliation_backlog_amount": D("120.00"),
}
AGING_OPEN = {
    "current": D("250.00"),
    "1_30": D("80.00"),
    "31_60": D("40.00"),
    "61_90": D("30.00"),
    "over_90": D("500.00"),
}


def test_each_figure_live_and_from_the_rollup(books, manager):
    # given the books above, read live
    assert figures(manager) == EXPECTED
    # when the rollup records today's snapshot and the report reads it
    # (as it will tomorrow, for the day gone by)
    rollups.refresh()
    rolled = figures(manager, today=days(1))
    # then the figures are the same
    assert rolled == EXPECTED


def test_receivables_by_aging_live_and_from_the_rollup(books, manager):
    assert groups(manager, "finance.receivables_open", "aging") == AGING_OPEN
    overdue = groups(manager, "finance.receivables_overdue", "aging")
    assert {k: v for k, v in overdue.items() if v} == {
        k: v for k, v in AGING_OPEN.items() if k != "current"
    }
    rollups.refresh()
    assert (
        groups(manager, "finance.receivables_open", "aging", today=days(1))
        == AGING_OPEN
    )
    # a filter on one bucket
    result = engine.compute(
        manager,
        ["finance.receivables_open"],
        days(0),
        days(0),
        filters={"aging": ["31_60", "over_90"]},
        today=days(1),
    )
    assert result["finance.receivables_open"].value == D("540.00")


def test_cash_and_backlog_per_bank_account(books, manager):
    itau, bradesco = str(books.itau.pk), str(books.bradesco.pk)
    assert groups(manager, "finance.cash", "bank_account") == {
        itau: D("1200.00"),
        bradesco: D("550.50"),
    }
    assert groups(manager, "finance.reconciliation_backlog_amount", "bank_account") == {
        itau: D("100.00"),
        bradesco: D("20.00"),
    }
    rollups.refresh()
    assert groups(manager, "finance.cash", "bank_account", today=days(1)) == {
        itau: D("1200.00"),
        bradesco: D("550.50"),
    }


def test_a_clerk_sees_the_bank_figures_of_their_accounts_only(books):
    # given two finance clerks: one may view Itaú, the other reconcile Bradesco
    itau_clerk = UserFactory(username="financeiro-itau", roles=["finance"])
    bradesco_clerk = UserFactory(username="financeiro-bradesco", roles=["finance"])
    assign_perm("finance.view_bankaccount", itau_clerk, books.itau)
    assign_perm("finance.reconcile_bankaccount", bradesco_clerk, books.bradesco)
    for user in (itau_clerk, bradesco_clerk):
        clear_permission_cache(user)
    # then each sees the balance and the backlog of their account
    mine = figures(itau_clerk, BANK)
    theirs = figures(bradesco_clerk, BANK)
    assert mine == {
        "finance.cash": D("1200.00"),
        "finance.reconciliation_backlog": D(2),
        "finance.reconciliation_backlog_amount": D("100.00"),
    }
    assert theirs == {
        "finance.cash": D("550.50"),
        "finance.reconciliation_backlog": D(1),
        "finance.reconciliation_backlog_amount": D("20.00"),
    }
    # also from the rollup
    rollups.refresh()
    assert figures(itau_clerk, BANK, today=days(1)) == mine
    assert figures(bradesco_clerk, BANK, today=days(1)) == theirs
    # asking for the other account gives nothing of it
    other = engine.compute(
        itau_clerk,
        ["finance.cash"],
        days(0),
        days(0),
        filters={"bank_account": [str(books.bradesco.pk)]},
    )
    assert not other["finance.cash"].value
    # receivables and bills are not scoped: both clerks see them whole
    assert figures(itau_clerk, RECEIVABLES + PAYABLES) == {
        key: EXPECTED[key] for key in RECEIVABLES + PAYABLES
    }


def test_a_clerk_with_no_bank_account_sees_no_bank_figure(books):
    clerk = UserFactory(username="financeiro", roles=["finance"])
    visible = engine.visible_kpis(clerk)
    assert set(RECEIVABLES + PAYABLES) <= set(visible)
    assert not set(BANK) & set(visible)


def test_users_without_finance_permissions_see_no_finance_kpi(books):
    desk = UserFactory(username="balcao", roles=["order_desk"])
    inactive = UserFactory(username="ex-gerente", roles=["finance_manager"])
    inactive.is_active = False
    inactive.save()
    for user in (desk, inactive):
        assert not [key for key in engine.visible_kpis(user) if key in ALL]
        assert figures(user) == {}


def test_the_queries_do_not_grow_with_the_books(books, manager):
    def count():
        with CaptureQueriesContext(connection) as queries:
            figures(manager)
            groups(manager, "finance.receivables_open", "aging")
        return len(queries)

    count()  # the first run also reads permissions and content types
    before = count()
    # when the books grow
    for n in range(5):
        receivable("10.00", days(-n * 20))
    account = BankAccount.objects.create(
        name="Nubank", bank_code="260", agency="0001", number="1-1"
    )
    for n in range(5):
        line(account, days(-n), "5.00")
    # then the reports run the same queries
    assert count() == before


def test_the_drilldowns_list_what_the_figures_count(books, manager):
    kpis = engine.visible_kpis(manager)

    def params(key, **filters):
        kpi = kpis[key]
        url = kpi.source.drilldown_url(kpi, start=days(0), end=days(0), filters=filters)
        return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

    overdue = ReceivableFilterSet(
        params("finance.receivables_overdue"), queryset=Receivable.objects.all()
    ).qs
    assert sorted(r.net for r in overdue) == [
        D("30.00"),
        D("60.00"),
        D("80.00"),
        D("500.00"),
    ]
    bucket = ReceivableFilterSet(
        params("finance.receivables_open", aging={"current"}),
        queryset=Receivable.objects.all(),
    ).qs
    assert sorted(r.net for r in bucket) == [D("100.00"), D("200.00")]
    for key, expected in (
        ("finance.payables_open", EXPECTED["finance.payables_open"]),
        ("finance.payables_overdue", EXPECTED["finance.payables_overdue"]),
        ("finance.payables_due_week", EXPECTED["finance.payables_due_week"]),
    ):
        listed = InstallmentFilterSet(
            params(key), queryset=BillInstallment.objects.all()
        ).qs
        assert sum(i.amount for i in listed) == expected, key
    cash = kpis["finance.cash"]
    assert cash.source.drilldown_url(
        cash, start=days(0), end=days(0), filters={"bank_account": {str(books.itau.pk)}}
    ).endswith(f"/account/{books.itau.pk}/")
