"""The finance desk in the browser: a finance clerk imports the bank's OFX
statement, sees most lines reconciled on the spot, matches by hand the one
left (a Pix with no reference, far from its due date), ignores the bank fee
with a reason, and the cash flow of the account shows the money in."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect
from wagtail.models import ModelLogEntry

from plugins.finance.demo_banking import ofx_statement
from plugins.finance.models import (
    BankAccount,
    Bill,
    BillCategory,
    BillInstallment,
    BillStatus,
    InstallmentStatus,
    LineStatus,
    Match,
    MatchRule,
    ProviderAccount,
    Receivable,
    StatementLine,
    Supplier,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    # on PostgreSQL the import writes its progress through a connection of
    # its own
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases="__all__"
    ),
]


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


class Desk:
    """Itaú opened with R$ 1.000,00 forty days ago; Mercado Pago pays out
    into it. Four sales are awaiting their money (three named in the
    statement, one paid by a Pix with no reference ten days after its due
    date), one is due in ten days; a bill of R$ 300,00 is approved,
    to be paid from Itaú."""

    def __init__(self):
        self.bank = BankAccount.objects.create(
            name="Itaú",
            bank_code="341",
            agency="0001",
            number="12345-6",
            opening_balance=D("1000.00"),
            opening_date=ago(40),
        )
        self.mp = ProviderAccount.objects.create(
            name="Mercado Pago", provider="mercadopago", bank_account=self.bank
        )
        self.r1 = self.receivable("PED-10001", "350.00", ago(8))
        self.r2 = self.receivable("PED-10002", "1200.00", ago(6))
        self.r3 = self.receivable("PED-10003", "89.90", ago(5))
        self.by_hand = self.receivable("PED-10004", "475.50", ago(20))
        self.later = self.receivable("PED-10005", "200.00", ago(-10))
        supplier = Supplier.objects.create(
            name="Malharia Paulista", document="11222333000181"
        )
        bill = Bill.objects.create(
            supplier=supplier,
            category=BillCategory.objects.get(code="01.01"),
            description="Camisetas",
            issue_date=ago(15),
            total=D("300.00"),
            bank_account=self.bank,
            status=BillStatus.OPEN,
        )
        BillInstallment.objects.create(
            bill=bill,
            number=1,
            due_date=ago(-12),
            amount=D("300.00"),
            status=InstallmentStatus.APPROVED,
        )
        self.clerk = UserFactory(username="financeiro", roles=["finance"])
        for perm in ("finance.view_bankaccount", "finance.reconcile_bankaccount"):
            assign_perm(perm, self.clerk, self.bank)

    def receivable(self, reference, net, due):
        return Receivable.objects.create(
            kind="pix",
            account=self.mp,
            gross=D(net),
            net=D(net),
            due_date=due,
            reference=reference,
        )

    def statement(self) -> bytes:
        lines = [
            (ago(10), D("475.50"), "PIX RECEBIDO MARIA SILVA", "TX-0001"),
            (ago(7), D("350.00"), "PIX RECEBIDO PED-10001", "TX-0002"),
            (ago(5), D("1200.00"), "TED RECEBIDA PED-10002", "TX-0003"),
            (ago(4), D("89.90"), "PIX RECEBIDO PED-10003", "TX-0004"),
            (ago(2), D("-12.90"), "TARIFA BANCARIA PACOTE SERVICOS", "TX-0005"),
        ]
        return ofx_statement(
            self.bank, lines, start=ago(12), end=ago(1), balance=D("3102.50")
        )


@pytest.fixture
def desk(db):
    return Desk()


def totals(page) -> dict:
    """The cash flow's total row: realised inflows, bank movement, projected
    inflows and outflows, and the closing balance."""
    cells = page.locator("#cashflow-table tfoot td.rg-cashflow-amount")
    return {
        "realised_in": cells.nth(0).inner_text().strip(),
        "bank": cells.nth(2).inner_text().strip(),
        "projected_in": cells.nth(3).inner_text().strip(),
        "projected_out": cells.nth(4).inner_text().strip(),
        "balance": cells.nth(8).inner_text().strip(),
    }


def open_cash_flow(page, live_server, bank):
    start = ago(30).strftime("%d/%m/%Y")
    end = ago(-30).strftime("%d/%m/%Y")
    page.goto(
        f"{live_server.url}/admin/finance/cash-flow/account/{bank.pk}/"
        f"?start={start}&end={end}&granularity=month&account={bank.pk}"
    )
    expect(page.locator("#cashflow-chart")).to_have_attribute("data-rendered", "true")
    return totals(page)


def test_clerk_imports_a_statement_and_reconciles_what_is_left(
    page, login, live_server, desk, tmp_path
):
    bank = desk.bank
    statement = tmp_path / "extrato-itau.ofx"
    statement.write_bytes(desk.statement())
    login(page, "financeiro")

    # before: nothing realised, every sale projected, the bill to pay
    before = open_cash_flow(page, live_server, bank)
    assert before == {
        "realised_in": "R$ 0,00",
        "bank": "R$ 0,00",
        "projected_in": "R$ 2.315,40",
        "projected_out": "R$ 300,00",
        "balance": "R$ 3.015,40",
    }
    page.screenshot(path="var/e2e-finance-cashflow-before.png", full_page=True)
    page.locator("#cashflow-table").screenshot(
        path="var/e2e-finance-cashflow-table-before.png"
    )

    # the import: account, OFX, check, confirm
    page.goto(f"{live_server.url}/admin/imports/finance.statement/")
    page.select_option("select[name=account]", str(bank.pk))
    page.check("input[name=format][value=ofx]")
    page.set_input_files("input[type=file]", str(statement))
    page.get_by_role("button", name="Conferir o arquivo").click()
    confirm = page.locator("#import-confirm")
    expect(confirm).to_be_visible(timeout=60_000)
    expect(page.locator("[data-count=valid]")).to_have_text("5")
    expect(page.locator("[data-count=invalid]")).to_have_text("0")
    page.screenshot(path="var/e2e-finance-import-check.png", full_page=True)
    confirm.get_by_role("button").click()
    expect(page.locator("#import-done")).to_be_visible(timeout=60_000)
    reconciled = page.locator("#import-counts tr").filter(
        has_text="Lançamentos conciliados automaticamente"
    )
    expect(reconciled.locator("td")).to_have_text("3")
    page.screenshot(path="var/e2e-finance-import-done.png", full_page=True)
    assert StatementLine.objects.filter(account=bank).count() == 5

    # the review queue: only the Pix with no reference and the fee
    pix = StatementLine.objects.get(account=bank, amount=D("475.50"))
    fee = StatementLine.objects.get(account=bank, amount=D("-12.90"))
    page.goto(f"{live_server.url}/admin/finance/reconciliation/{bank.pk}/")
    queue = page.locator("#queue-lines tbody tr[id^=line-]")
    expect(queue).to_have_count(2)
    expect(page.locator(f"#line-{pix.pk}")).to_contain_text("R$ 475,50")
    # the sale of the same amount is suggested, though due ten days before
    expect(page.locator(f"#line-{pix.pk}")).to_contain_text("PED-10004")
    expect(page.locator(f"#line-{fee.pk}")).to_contain_text("R$ -12,90")
    page.screenshot(path="var/e2e-finance-queue.png", full_page=True)

    # match the Pix by hand to the suggested sale
    page.locator(f"#line-{pix.pk} a").first.click()
    key = f"r{desk.by_hand.pk}"
    expect(page.locator(f"#title-{key}")).to_contain_text("PED-10004")
    page.check(f"#pick-{key}")
    page.fill(f"input[name='amount-r:{desk.by_hand.pk}']", "475,50")
    page.fill("#match-note", "Pix da cliente sem referência")
    page.screenshot(path="var/e2e-finance-line-match.png", full_page=True)
    page.get_by_role("button", name="Conciliar com os títulos escolhidos").click()
    expect(page.locator("#line-status")).to_have_text("Conciliado")
    expect(page.locator("#line-matches")).to_contain_text("PED-10004")
    expect(page.locator("#line-matches")).to_contain_text("À mão")
    expect(page.locator("#line-history")).to_contain_text("financeiro")
    page.screenshot(path="var/e2e-finance-line-matched.png", full_page=True)

    page.goto(f"{live_server.url}/admin/finance/reconciliation/{bank.pk}/")
    expect(queue).to_have_count(1)
    expect(page.locator(f"#line-{pix.pk}")).to_have_count(0)

    # ignore the bank fee, saying why
    page.locator(f"#line-{fee.pk} a").first.click()
    page.fill("#ignore-reason", "Tarifa do pacote de serviços")
    page.get_by_role("button", name="Ignorar a linha").click()
    expect(page.locator("#queue-lines")).to_contain_text("Nada a mostrar")
    expect(queue).to_have_count(0)
    page.screenshot(path="var/e2e-finance-queue-empty.png", full_page=True)

    # the cash flow: the money is in, only the sale of next week is projected
    after = open_cash_flow(page, live_server, bank)
    assert after == {
        "realised_in": "R$ 2.115,40",
        "bank": "R$ 2.102,50",
        "projected_in": "R$ 200,00",
        "projected_out": "R$ 300,00",
        "balance": "R$ 3.002,50",
    }
    expect(page.locator("#cashflow-summary")).to_contain_text("R$ 3.002,50")
    page.screenshot(path="var/e2e-finance-cashflow-after.png", full_page=True)
    page.locator("#cashflow-table").screenshot(
        path="var/e2e-finance-cashflow-table-after.png"
    )
    wrapper = page.locator(".rg-cashflow-table")
    wrapper.evaluate("(e) => { e.scrollLeft = e.scrollWidth; }")
    wrapper.screenshot(path="var/e2e-finance-cashflow-table-after-right.png")
    # the amounts line up on the right, as money is read
    amount = page.locator("#cashflow-table tbody td.rg-cashflow-amount").first
    assert amount.evaluate("(e) => getComputedStyle(e).textAlign") == "right"

    # the books
    for title in (desk.r1, desk.r2, desk.r3, desk.by_hand):
        title.refresh_from_db()
        assert title.status == Receivable.Status.SETTLED
        assert title.settled_amount == title.net
    desk.later.refresh_from_db()
    assert desk.later.status == Receivable.Status.OPEN
    desk.by_hand.refresh_from_db()
    assert desk.by_hand.settled_on == ago(10)
    (manual,) = Match.objects.filter(rule=MatchRule.MANUAL, undone_at=None)
    assert (manual.line, manual.receivable, manual.amount) == (
        pix,
        desk.by_hand,
        D("475.50"),
    )
    assert manual.created_by == desk.clerk
    assert manual.note == "Pix da cliente sem referência"
    assert (
        Match.objects.filter(undone_at=None).exclude(rule=MatchRule.MANUAL).count() == 3
    )
    fee.refresh_from_db()
    assert fee.status == LineStatus.IGNORED
    assert fee.ignored_reason == "Tarifa do pacote de serviços"
    assert (
        ModelLogEntry.objects.for_instance(pix)
        .filter(action="finance.reconcile.match", user=desk.clerk)
        .exists()
    )
    assert (
        ModelLogEntry.objects.for_instance(fee)
        .filter(action="finance.reconcile.ignore", user=desk.clerk)
        .exists()
    )
