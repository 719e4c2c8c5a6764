"""Reconciliations racing each other, on PostgreSQL: runs of the same
account at once, and runs of two accounts whose lines name the same
receivable, settle each receivable once."""

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from plugins.finance.models import BankAccount, Match, Receivable, StatementLine
from plugins.finance.services.reconciliation import reconcile

THREADS = 4
DAY = datetime.date(2026, 3, 2)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls) -> list:
    """Each call in its own thread and database connection, released at
    the same moment."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def bank(name: str) -> BankAccount:
    return BankAccount.objects.create(
        name=name, bank_code="341", agency="0001", number=name
    )


def lines(account, count: int, prefix: str = "TX") -> None:
    StatementLine.objects.bulk_create(
        StatementLine(
            account=account,
            source="ofx",
            date=DAY,
            amount=D("10.00") + i,
            reference=f"{prefix}-{i:06d}",
            fingerprint=f"{account.pk}-{prefix}-{i}",
        )
        for i in range(count)
    )


def receivables(count: int, prefix: str = "TX") -> None:
    Receivable.objects.bulk_create(
        Receivable(
            kind="pix",
            gross=D("10.00") + i,
            net=D("10.00") + i,
            due_date=DAY,
            reference=f"{prefix}-{i:06d}",
        )
        for i in range(count)
    )


def test_runs_of_the_same_account_at_once_settle_each_title_once():
    account = bank("Itaú")
    receivables(300)
    lines(account, 300)

    results = race(*[lambda: reconcile(account) for _ in range(THREADS)])

    assert sum(r.matched for r in results) == 300
    assert Match.objects.count() == 300
    assert not Receivable.objects.exclude(status="settled").exists()
    for receivable in Receivable.objects.all():
        assert receivable.settled_amount == receivable.net
    assert not StatementLine.objects.exclude(status="matched").exists()


def test_two_accounts_naming_the_same_titles_settle_them_once():
    first, second = bank("Itaú"), bank("Bradesco")
    receivables(200)
    lines(first, 200)
    lines(second, 200)

    race(lambda: reconcile(first), lambda: reconcile(second))

    assert Match.objects.count() == 200
    for receivable in Receivable.objects.all():
        assert receivable.status == "settled"
        assert receivable.settled_amount == receivable.net
    assert StatementLine.objects.filter(status="matched").count() == 200
    assert StatementLine.objects.filter(status="unmatched").count() == 200
    # the lines left over reconcile to nothing later
    assert reconcile(first).matched + reconcile(second).matched == 0
