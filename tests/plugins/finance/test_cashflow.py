"""The cash flow (fluxo de caixa): realised and projected per day, week and
month, per bank account, its balance counted once, the screen with its
chart, the export and the bank-account scope of the finance clerk."""

import datetime
import json
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from plugins.finance.cashflow import (
    CURRENT,
    DAY,
    MONTH,
    PROJECTED,
    REALISED,
    WEEK,
    cash_flow_for,
    compute_cash_flow,
)
from plugins.finance.models import (
    BankAccount,
    Bill,
    BillCategory,
    BillInstallment,
    BillStatus,
    InstallmentStatus,
    ProviderAccount,
    Receivable,
    StatementLine,
    Supplier,
)
from plugins.permissions import clear_permission_cache
from tests.factories import UserFactory
from tests.helpers import csv_export, is_admin_denied, page_text, xlsx_export

TODAY = datetime.date(2026, 3, 11)  # a Wednesday
MARCH = {"start": datetime.date(2026, 3, 1), "end": datetime.date(2026, 3, 31)}


def day(month: int, d: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, d)


class Books:
    """Two bank accounts, their statements and the titles that land in them.

    Itaú opened with R$ 1.000,00 on 01/02/2026 (a line of 20/01 is already in
    that balance); Bradesco's R$ 500,00 has no opening day. Mercado Pago
    pays out into Itaú, PagBank into Bradesco, the manual provider into no
    account; the bill of "Malharia" is paid from Itaú."""

    def __init__(self, today: datetime.date):
        self.itau = BankAccount.objects.create(
            name="Itaú",
            bank_code="341",
            agency="0001",
            number="12345-6",
            opening_balance=D("1000.00"),
            opening_date=day(2, 1),
        )
        self.bradesco = BankAccount.objects.create(
            name="Bradesco",
            bank_code="237",
            agency="0002",
            number="54321-0",
            opening_balance=D("500.00"),
        )
        self.mp = ProviderAccount.objects.create(
            name="MP", provider="mercadopago", bank_account=self.itau
        )
        self.pagbank = ProviderAccount.objects.create(
            name="PagBank", provider="pagbank", bank_account=self.bradesco
        )
        self.manual = ProviderAccount.objects.create(name="Balcão", provider="manual")
        for n, (bank, when, amount, text) in enumerate(
            [
                (self.itau, day(1, 20), "100.00", "before the opening day"),
                (self.itau, day(2, 15), "200.00", "TED RECEBIDA"),
                (self.itau, day(3, 2), "97.01", "PIX MERCADO PAGO"),
                (self.itau, day(3, 5), "-300.00", "BOLETO MALHARIA"),
                (self.itau, day(3, 11), "-10.50", "TARIFA"),
                (self.bradesco, day(1, 10), "-20.00", "TARIFA"),
                (self.bradesco, day(3, 3), "50.00", "PAGBANK"),
            ]
        ):
            self.line(bank, when, amount, text, n)
        self.r1 = self.receivable(self.mp, "97.01", day(3, 1))
        self.settle(self.r1, "97.01", day(3, 2))
        self.r2 = self.receivable(self.mp, "150.00", day(3, 5))
        self.settle(self.r2, "50.00", day(3, 9))  # partly: no line imported yet
        self.r3 = self.receivable(self.mp, "200.00", day(3, 20))
        self.r4 = self.receivable(self.mp, "80.00", day(2, 20))  # overdue
        self.r5 = self.receivable(self.mp, "999.99", day(4, 5))
        self.r6 = self.receivable(self.pagbank, "40.00", day(3, 12))
        self.r7 = self.receivable(self.manual, "33.33", day(3, 13))
        self.r8 = self.receivable(None, "12.34", day(3, 14))

        supplier = Supplier.objects.create(
            name="Malharia Paulista", document="11222333000181"
        )
        category = BillCategory.objects.get(code="01.01")
        self.bill = Bill.objects.create(
            supplier=supplier,
            category=category,
            description="Camisetas",
            issue_date=day(2, 1),
            total=D("645.45"),
            bank_account=self.itau,
            status=BillStatus.PARTIALLY_PAID,
        )
        self.paid = self.installment(self.bill, 1, day(3, 5), "300.00")
        self.paid.status = InstallmentStatus.PAID
        self.paid.paid_on = day(3, 5)
        self.paid.amount_paid = D("300.00")
        self.paid.save()
        self.later = self.installment(
            self.bill, 2, day(3, 25), "300.00", InstallmentStatus.APPROVED
        )
        self.late = self.installment(self.bill, 3, day(3, 9), "45.45")
        cancelled = Bill.objects.create(
            supplier=supplier,
            category=category,
            description="Cancelada",
            issue_date=day(2, 1),
            total=D("70.00"),
            bank_account=self.itau,
            status=BillStatus.CANCELLED,
        )
        self.installment(cancelled, 1, day(3, 15), "70.00", InstallmentStatus.CANCELLED)
        other = Bill.objects.create(
            supplier=supplier,
            category=category,
            description="Frete",
            issue_date=day(2, 1),
            total=D("25.00"),
            bank_account=self.bradesco,
            status=BillStatus.OPEN,
        )
        self.installment(other, 1, day(3, 16), "25.00", InstallmentStatus.APPROVED)

    def line(self, bank, when, amount, text, n):
        return StatementLine.objects.create(
            account=bank,
            source="manual",
            date=when,
            amount=D(amount),
            description=text,
            fingerprint=f"cashflow-{bank.pk}-{n}",
        )

    def receivable(self, account, net, due):
        return Receivable.objects.create(
            kind="manual", account=account, gross=D(net), net=D(net), due_date=due
        )

    def settle(self, receivable, amount, when):
        receivable.settled_amount += D(amount)
        receivable.settled_on = when
        receivable.status = (
            Receivable.Status.SETTLED
            if receivable.settled_amount >= receivable.net
            else Receivable.Status.PARTIALLY_SETTLED
        )
        receivable.save()

    def installment(self, bill, number, due, amount, status=InstallmentStatus.OPEN):
        return BillInstallment.objects.create(
            bill=bill, number=number, due_date=due, amount=D(amount), status=status
        )


@pytest.fixture
def books(db):
    return Books(TODAY)


def by_start(flow):
    return {row.start: row for row in flow.rows}


def itau_flow(books, granularity=DAY, **period):
    return compute_cash_flow(
        granularity=granularity,
        accounts=[books.itau],
        today=TODAY,
        **(period or MARCH),
    )


# -- the arithmetic ------------------------------------------------------------------


def test_daily_cash_flow_of_one_account_to_the_centavo(books):
    flow = itau_flow(books)
    rows = by_start(flow)
    assert len(flow.rows) == 31
    # 1.000,00 opening on 01/02 + 200,00 on 15/02 (the line of 20/01 was
    # already in the opening balance)
    assert flow.opening_balance == D("1200.00")

    settled = rows[day(3, 2)]
    assert (settled.kind, settled.realised_in, settled.bank) == (
        REALISED,
        D("97.01"),
        D("97.01"),
    )
    assert settled.balance == D("1297.01")
    paid = rows[day(3, 5)]
    assert (paid.realised_out, paid.bank, paid.balance) == (
        D("300.00"),
        D("-300.00"),
        D("997.01"),
    )
    # settled in part, its line not imported yet: realised, not in the balance
    partly = rows[day(3, 9)]
    assert (partly.realised_in, partly.bank, partly.balance) == (
        D("50.00"),
        D("0.00"),
        D("997.01"),
    )
    assert partly.projected_in == partly.projected_out == D("0.00")

    now = rows[TODAY]
    assert now.kind == CURRENT
    assert now.bank == D("-10.50")
    # what is left of the partly settled title (100,00) and the one of 20/02
    # (80,00) are overdue: still expected, today
    assert (now.projected_in, now.overdue_in) == (D("180.00"), D("180.00"))
    assert (now.projected_out, now.overdue_out) == (D("45.45"), D("45.45"))
    assert now.has_overdue
    assert now.net == D("134.55")
    assert now.balance == D("1121.06")  # 997,01 − 10,50 + 180,00 − 45,45

    assert rows[day(3, 20)].projected_in == D("200.00")
    assert rows[day(3, 20)].kind == PROJECTED
    assert rows[day(3, 20)].balance == D("1321.06")
    assert rows[day(3, 25)].projected_out == D("300.00")  # approved, not paid
    # the cancelled bill's installment (15/03) is no outflow
    assert rows[day(3, 15)].projected_out == D("0.00")
    assert flow.closing_balance == D("1021.06")
    # the title of April and the other accounts' titles are not here
    assert flow.total("projected_in") == D("380.00")
    assert flow.total("projected_out") == D("345.45")
    assert flow.total("realised_in") == D("147.01")
    assert flow.total("realised_out") == D("300.00")


def test_weeks_start_on_monday_and_are_labelled_by_it(books):
    flow = itau_flow(books, WEEK)
    assert [row.label for row in flow.rows] == [
        "23/02/2026",
        "02/03/2026",
        "09/03/2026",
        "16/03/2026",
        "23/03/2026",
        "30/03/2026",
    ]
    first, second, this_week = flow.rows[:3]
    # the first week is cut to the period: only Sunday 01/03
    assert (first.start, first.end) == (day(3, 1), day(3, 1))
    assert first.balance == D("1200.00")
    assert (second.realised_in, second.realised_out, second.bank) == (
        D("97.01"),
        D("300.00"),
        D("-202.99"),
    )
    assert second.kind == REALISED
    assert this_week.kind == CURRENT
    assert (this_week.realised_in, this_week.projected_in) == (D("50.00"), D("180.00"))
    assert this_week.balance == D("1121.06")
    assert [row.kind for row in flow.rows[3:]] == [PROJECTED] * 3
    assert flow.rows[-1].balance == D("1021.06")
    assert flow.rows[-1].end == day(3, 31)


def test_months_are_labelled_in_portuguese(books):
    with translation.override("pt-br"):
        flow = compute_cash_flow(
            start=day(1, 1),
            end=day(4, 30),
            granularity=MONTH,
            accounts=[books.itau],
            today=TODAY,
        )
    assert [row.label for row in flow.rows] == [
        "jan/2026",
        "fev/2026",
        "mar/2026",
        "abr/2026",
    ]
    january, february, march, april = flow.rows
    # on 01/01 the account held 900,00: the opening balance of 01/02 less the
    # line of 20/01 that was already in it
    assert flow.opening_balance == D("900.00")
    assert (january.bank, january.balance) == (D("100.00"), D("1000.00"))
    assert (february.kind, february.balance) == (REALISED, D("1200.00"))
    # the overdue title of 20/02 is projected into March (today), not February
    assert february.projected_in == D("0.00")
    assert (march.kind, march.balance) == (CURRENT, D("1021.06"))
    assert (april.kind, april.projected_in, april.balance) == (
        PROJECTED,
        D("999.99"),
        D("2021.05"),
    )


def test_a_period_after_today_starts_from_what_is_expected_before_it(books):
    flow = itau_flow(books, DAY, start=day(4, 1), end=day(4, 30))
    # the bank today (986,51) and every open title due before April, the
    # overdue ones included (380,00 in, 345,45 out): the balance of 31/03
    assert flow.opening_balance == D("1021.06")
    assert all(row.kind == PROJECTED for row in flow.rows)
    assert not any(row.has_overdue for row in flow.rows)
    assert by_start(flow)[day(4, 5)].balance == D("2021.05")


def test_a_past_period_projects_nothing(books):
    flow = itau_flow(books, DAY, start=day(2, 1), end=day(2, 28))
    assert flow.opening_balance == D("1000.00")
    assert flow.total("projected_in") == flow.total("projected_out") == D("0.00")
    assert all(row.kind == REALISED for row in flow.rows)
    assert flow.closing_balance == D("1200.00")


# -- counted once ------------------------------------------------------------------


def test_a_title_settled_through_the_statement_counts_once(books):
    before = itau_flow(books)
    # the title of 20/03 arrives early, today: the bank's line and the
    # settlement of the title
    books.line(books.itau, TODAY, "200.00", "PIX", 99)
    books.settle(books.r3, "200.00", TODAY)
    after = itau_flow(books)
    now = by_start(after)[TODAY]
    assert now.realised_in == D("200.00")
    assert now.bank == D("189.50")
    assert by_start(after)[day(3, 20)].projected_in == D("0.00")
    # the money is in the balance once: the same closing balance
    assert after.closing_balance == before.closing_balance == D("1021.06")
    assert now.balance == D("1321.06")


def test_the_realised_columns_do_not_move_the_balance(books):
    """The balance is the bank's: a title settled with no statement line
    imported shows as realised and leaves the balance alone."""
    flow = itau_flow(books)
    previous = by_start(flow)[day(3, 8)].balance
    row = by_start(flow)[day(3, 9)]
    assert row.realised_in == D("50.00")
    assert row.balance == previous


# -- per account and scope -------------------------------------------------------


def test_one_account_sees_only_its_titles_and_lines(books):
    flow = compute_cash_flow(
        granularity=MONTH, accounts=[books.bradesco], today=TODAY, **MARCH
    )
    (march,) = flow.rows
    assert flow.opening_balance == D("480.00")
    assert march.bank == D("50.00")
    assert (march.projected_in, march.projected_out) == (D("40.00"), D("25.00"))
    assert march.realised_in == march.realised_out == D("0.00")
    assert march.balance == D("545.00")


def test_all_accounts_of_the_finance_manager_include_titles_of_no_account(books):
    boss = UserFactory(username="gerente-fin", roles=["finance_manager"])
    flow = cash_flow_for(boss, granularity=MONTH, today=TODAY, **MARCH)
    (march,) = flow.rows
    assert {a.name for a in flow.accounts} == {"Itaú", "Bradesco"}
    assert flow.with_unassigned
    assert flow.opening_balance == D("1200.00") + D("480.00")
    # Itaú's 380,00, Bradesco's 40,00, the manual provider's 33,33 and the
    # title of no provider account 12,34
    assert march.projected_in == D("465.67")
    assert march.projected_out == D("345.45") + D("25.00")
    assert march.balance == D("1021.06") + D("545.00") + D("33.33") + D("12.34")


def test_the_clerk_sees_the_cash_flow_of_the_granted_accounts_only(books):
    clerk = UserFactory(username="financeiro", roles=["finance"])
    assert cash_flow_for(clerk, granularity=MONTH, today=TODAY, **MARCH).accounts == []
    assign_perm("finance.view_bankaccount", clerk, books.itau)
    clear_permission_cache(clerk)
    flow = cash_flow_for(clerk, granularity=DAY, today=TODAY, **MARCH)
    assert flow.accounts == [books.itau]
    assert not flow.with_unassigned
    mine = itau_flow(books)
    assert [(r.projected_in, r.balance) for r in flow.rows] == [
        (r.projected_in, r.balance) for r in mine.rows
    ]
    with pytest.raises(PermissionDenied):
        cash_flow_for(
            clerk, granularity=DAY, account=books.bradesco, today=TODAY, **MARCH
        )


# -- the screen --------------------------------------------------------------------

URL = "/admin/finance/cash-flow/"


def shift(books, days: int) -> None:
    """Move the whole book by ``days``, so that the screen's today (the real
    one) is the book's TODAY."""
    delta = datetime.timedelta(days=days)
    for model, fields in (
        (StatementLine, ["date"]),
        (Receivable, ["due_date", "settled_on"]),
        (BillInstallment, ["due_date", "paid_on"]),
    ):
        for row in model.objects.all():
            for name in fields:
                if getattr(row, name):
                    setattr(row, name, getattr(row, name) + delta)
            row.save()
    for bank in BankAccount.objects.exclude(opening_date=None):
        bank.opening_date += delta
        bank.save()


@pytest.fixture
def live_books(books):
    """The book around the real today: the screen has no other today."""
    shift(books, (timezone.localdate() - TODAY).days)
    return books


def screen_params(books, **extra):
    today = timezone.localdate()
    start = today - (TODAY - MARCH["start"])
    end = today + (MARCH["end"] - TODAY)
    return {
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
        "granularity": "day",
        **extra,
    }


def chart_data(response) -> dict:
    match = re.search(
        r'<script id="cashflow-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "no chart data"
    return json.loads(match.group(1))


def test_the_screen_shows_the_chart_data_and_the_table_in_pt_br(client, live_books):
    boss = UserFactory(username="gerente-fin", roles=["finance_manager"])
    client.force_login(boss)
    with translation.override("pt-br"):
        response = client.get(
            URL,
            screen_params(live_books, account=live_books.itau.pk),
            HTTP_ACCEPT_LANGUAGE="pt-br",
        )
    assert response.status_code == 200
    data = chart_data(response)
    assert len(data["labels"]) == 31
    today = timezone.localdate()
    position = data["labels"].index(today.strftime("%d/%m/%Y"))
    assert data["projected_in"][position] == "180.00"
    assert data["projected_out"][position] == "45.45"
    assert data["balance"][-1] == "1021.06"
    assert data["realised_in"][position - 9] == "97.01"
    text = page_text(response)
    assert "Fluxo de caixa" in text
    assert "R$ 1.021,06" in text
    assert "R$ 1.200,00" in text  # the opening balance
    assert today.strftime("%d/%m/%Y") in text
    assert "vendor/chartjs/chart.umd.min.js" in response.content.decode()
    assert "finance/js/cashflow.js" in response.content.decode()


def test_month_buckets_on_the_screen(client, live_books):
    boss = UserFactory(username="gerente-fin", roles=["finance_manager"])
    client.force_login(boss)
    today = timezone.localdate()
    with translation.override("pt-br"):
        response = client.get(
            URL,
            {
                "start": today.replace(day=1).strftime("%d/%m/%Y"),
                "end": today.strftime("%d/%m/%Y"),
                "granularity": "month",
            },
            HTTP_ACCEPT_LANGUAGE="pt-br",
        )
    with translation.override("pt-br"):
        from django.utils import dateformat

        label = dateformat.format(today, "b/Y")
    assert chart_data(response)["labels"] == [label]


def test_the_export_matches_the_table(client, live_books):
    """The download holds the rows of the screen, in pt-BR, in the project's
    one format (CSV: decimal comma; XLSX: numbers and dates as such)."""
    boss = UserFactory(username="gerente-fin", roles=["finance_manager"])
    client.force_login(boss)
    params = screen_params(live_books, account=live_books.itau.pk)
    page = client.get(URL, params)
    data = chart_data(page)
    header, *rows = csv_export(client.get(URL, {**params, "export": "csv"}))
    assert len(rows) == len(data["labels"]) == 31
    assert [row[0] for row in rows] == data["labels"]
    balance = header.index("Saldo")
    assert [row[balance] for row in rows] == [
        value.replace(".", ",") for value in data["balance"]
    ]
    today = timezone.localdate().strftime("%d/%m/%Y")
    (now,) = [row for row in rows if row[0] == today]
    assert now[header.index("Entradas previstas")] == "180,00"
    assert now[header.index("Entradas vencidas")] == "180,00"

    xlsx_header, *cells = xlsx_export(client.get(URL, {**params, "export": "xlsx"}))
    names = [cell.value for cell in xlsx_header]
    assert names == header
    assert [
        D(str(row[names.index("Saldo")].value)).quantize(D("0.01")) for row in cells
    ] == [D(value) for value in data["balance"]]
    assert isinstance(cells[0][names.index("Saldo")].value, int | float)
    assert cells[0][names.index("De")].is_date


def test_the_clerk_screen_offers_only_granted_accounts(client, live_books):
    clerk = UserFactory(username="financeiro", roles=["finance"])
    assign_perm("finance.view_bankaccount", clerk, live_books.itau)
    client.force_login(clerk)
    response = client.get(URL, screen_params(live_books))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Itaú" in html and "Bradesco" not in html
    # without the titles of no account: the same flow as Itaú's alone
    assert chart_data(response)["balance"][-1] == "1021.06"
    # another account is no choice
    response = client.get(
        URL, screen_params(live_books, account=live_books.bradesco.pk)
    )
    assert response.status_code == 200
    assert "cashflow-chart-data" not in response.content.decode()
    export = client.get(
        URL, screen_params(live_books, account=live_books.bradesco.pk, export="csv")
    )
    assert export["Content-Type"].startswith("text/html")


def test_one_account_by_its_address(client, live_books):
    clerk = UserFactory(username="financeiro", roles=["finance"])
    assign_perm("finance.view_bankaccount", clerk, live_books.itau)
    client.force_login(clerk)
    response = client.get(f"{URL}account/{live_books.itau.pk}/")
    assert response.status_code == 200
    assert f'value="{live_books.itau.pk}" selected' in response.content.decode()
    assert "cashflow-chart-data" in response.content.decode()
    assert client.get(f"{URL}account/{live_books.bradesco.pk}/").status_code == 404


def test_without_an_account_the_clerk_is_denied(client, db):
    clerk = UserFactory(username="financeiro", roles=["finance"])
    client.force_login(clerk)
    assert is_admin_denied(client.get(URL))


def test_a_bad_period_is_an_error_on_the_form(client, books):
    boss = UserFactory(username="gerente-fin", roles=["finance_manager"])
    client.force_login(boss)
    response = client.get(
        URL, {"start": "31/03/2026", "end": "01/03/2026", "granularity": "day"}
    )
    assert response.status_code == 200
    assert "O período termina antes de começar." in page_text(response)
    response = client.get(
        URL, {"start": "01/01/2020", "end": "31/12/2026", "granularity": "day"}
    )
    assert "cashflow-chart-data" not in response.content.decode()


def test_the_demo_says_where_the_money_lands(db):
    from plugins.finance import demo, demo_banking

    accounts = demo.ensure_accounts()
    banks = demo_banking.ensure_bank_accounts()
    demo.link_bank_accounts(accounts, banks)
    demo.link_bank_accounts(accounts, banks)  # again: nothing changes
    linked = {
        provider: account.bank_account
        for provider, account in (
            (p, ProviderAccount.objects.get(pk=a.pk)) for p, a in accounts.items()
        )
    }
    assert linked == {
        "mercadopago": banks["wallet"],
        "pagbank": banks["main"],
        "manual": banks["main"],
    }
