"""Demo data of the finance desk's other half: suppliers and their bills
(some paid, some due this week, one late, one waiting for the manager's
approval) and the store's bank accounts, the finance clerk granted the
main one.

Names, descriptions and memos are data the store types, in Portuguese.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plugins.finance.apps import BANK_ACCOUNT_PERMISSIONS
from plugins.finance.models import BankAccount, Bill, BillCategory, Supplier
from plugins.finance.services.payables import (
    approve_bill,
    create_bill,
    record_bill_payment,
)
from plugins.roles import role_group

#: The bank account the store's money arrives in and leaves from.
MAIN_ACCOUNT = "Itaú — conta movimento"
#: The Mercado Pago balance: where the marketplace's and the acquirer's
#: payouts land before a transfer to the bank.
WALLET_ACCOUNT = "Mercado Pago — saldo"
#: The statements cover the demo's orders: their last 90 days.
STATEMENT_DAYS = 90

SUPPLIERS = (
    # (name, CNPJ, category code)
    ("Malharia Nordeste Ltda.", "11222333000181", "01.01"),
    ("Embalagens Paulista Ltda.", "45321789000110", "01.02"),
    ("Transportadora Rota Sul Ltda.", "07856321000131", "02.01"),
    ("Contábil Horizonte S/S", "33445566000186", "10.01"),
)

#: (supplier index, description, total, installments, first due in days
#: from today, how many installments were recorded paid by hand). The
#: others due in the statement's month are paid by its debits, through
#: reconciliation.
BILLS = (
    (0, "Camisetas básicas — pedido 4471", "3600.00", 3, -40, 1),
    (1, "Caixas de papelão e fita", "842.70", 1, -12, 0),
    (2, "Fretes de outubro", "1290.40", 1, -3, 0),
    (3, "Honorários contábeis", "950.00", 1, 4, 0),
    (0, "Moletons — coleção de inverno", "12800.00", 4, 10, 0),
    (1, "Sacos plásticos personalizados", "410.00", 1, 2, 0),
)


def _user(role: str):
    group = role_group(role)
    if group is None:
        return None
    return get_user_model().objects.filter(groups=group, is_active=True).first()


def ensure_bank_accounts() -> dict[str, BankAccount]:
    """The two demo accounts, the finance clerk granted the main one."""
    today = timezone.localdate()
    main, _created = BankAccount.objects.get_or_create(
        name=MAIN_ACCOUNT,
        defaults={
            "bank_code": "341",
            "bank_name": "Itaú Unibanco",
            "agency": "1234",
            "number": "56789-0",
            "opening_balance": Decimal("25000.00"),
            "opening_date": today - datetime.timedelta(days=STATEMENT_DAYS),
        },
    )
    wallet, _created = BankAccount.objects.get_or_create(
        name=WALLET_ACCOUNT,
        defaults={
            "bank_code": "323",
            "bank_name": "Mercado Pago",
            "agency": "0001",
            "number": "9876543-2",
            "opening_balance": Decimal("0.00"),
            "opening_date": today - datetime.timedelta(days=STATEMENT_DAYS),
        },
    )
    clerk_group = role_group("finance")
    if clerk_group is not None:
        for user in get_user_model().objects.filter(groups=clerk_group):
            for perm in BANK_ACCOUNT_PERMISSIONS:
                assign_perm(perm, user, main)
    return {"main": main, "wallet": wallet}


def seed_payables() -> tuple[int, int]:
    """Suppliers and bills, recorded by ``finance``; the bill above the
    approval limit is left waiting for ``finance_manager``.
    Returns (suppliers, bills); nothing when they exist already."""
    clerk, manager = _user("finance"), _user("finance_manager")
    if clerk is None or Bill.objects.exists():
        return 0, 0
    today = timezone.localdate()
    suppliers = []
    for name, document, _code in SUPPLIERS:
        supplier, _created = Supplier.objects.get_or_create(
            document=document, defaults={"name": name}
        )
        suppliers.append(supplier)
    categories = {c.code: c for c in BillCategory.objects.all()}
    bills = 0
    for index, description, total, parts, first_due, paid in BILLS:
        first = today + datetime.timedelta(days=first_due)
        bill = create_bill(
            suppliers[index],
            category=categories[SUPPLIERS[index][2]],
            description=description,
            issue_date=min(first, today) - datetime.timedelta(days=5),
            total=Decimal(total),
            installments=parts,
            first_due_date=first,
            user=clerk,
        )
        bills += 1
        if bill.awaiting_approval and manager is not None and first_due < 0:
            approve_bill(bill, user=manager)
        for installment in bill.installments.order_by("number")[:paid]:
            record_bill_payment(
                installment,
                user=clerk,
                paid_on=installment.due_date,
                paid_from=MAIN_ACCOUNT,
            )
    return len(suppliers), bills


def ofx_statement(
    account: BankAccount,
    lines: list[tuple[datetime.date, Decimal, str, str]],
    *,
    start: datetime.date,
    end: datetime.date,
    balance: Decimal,
) -> bytes:
    """An OFX 1.02 statement (SGML, latin-1) as Brazilian banks export it:
    ``lines`` are (date, signed amount, memo, FITID)."""
    transactions = "".join(
        "<STMTTRN>\n"
        f"<TRNTYPE>{'CREDIT' if amount > 0 else 'DEBIT'}\n"
        f"<DTPOSTED>{date:%Y%m%d}120000[-3:BRT]\n"
        f"<TRNAMT>{amount:.2f}\n"
        f"<FITID>{fitid}\n"
        f"<MEMO>{memo}\n"
        "</STMTTRN>\n"
        for date, amount, memo, fitid in lines
    )
    text = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\n"
        "ENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\n"
        "NEWFILEUID:NONE\n\n"
        "<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n"
        "<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
        f"<DTSERVER>{end:%Y%m%d}120000[-3:BRT]\n<LANGUAGE>POR\n"
        "</SONRS>\n</SIGNONMSGSRSV1>\n"
        "<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1001\n"
        "<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
        "<STMTRS>\n<CURDEF>BRL\n"
        f"<BANKACCTFROM>\n<BANKID>{account.bank_code}\n"
        f"<ACCTID>{account.agency}{account.number.replace('-', '')}\n"
        "<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n"
        f"<BANKTRANLIST>\n<DTSTART>{start:%Y%m%d}\n<DTEND>{end:%Y%m%d}\n"
        f"{transactions}</BANKTRANLIST>\n"
        f"<LEDGERBAL>\n<BALAMT>{balance:.2f}\n<DTASOF>{end:%Y%m%d}\n</LEDGERBAL>\n"
        "</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
    )
    return text.encode("cp1252")


#: What was paid or sent in the last days is not on the demo statement yet.
MANUAL_LAG_DAYS = 5

#: Lines of the month no rule matches: the review queue's work.
UNMATCHED = (
    # (days ago, amount, memo)
    (27, "-89.90", "TARIFA PACOTE SERVICOS"),
    (18, "350.00", "TED RECEBIDA JOSE CARLOS PEREIRA"),
    (9, "-5000.00", "TRANSF ENTRE CONTAS MESMA TITULARIDADE"),
    (4, "87.30", "PIX RECEBIDO MARIANA ALVES"),
)


def _statement_lines(bank: BankAccount, today: datetime.date) -> list[tuple]:
    """A month of the account's movements: the payouts of its receivables
    due by today (named by the provider's id, or by amount alone for money
    the payer sent), the marketplace's payouts in one line per day, the
    bills it pays and a few lines no rule matches."""
    from plugins.finance.models import BillInstallment, Receivable

    start = today - datetime.timedelta(days=STATEMENT_DAYS)
    lines = []
    due = Receivable.objects.open().filter(due_date__gte=start, due_date__lte=today)
    for title in due.filter(account__bank_account=bank).order_by("due_date", "pk"):
        amount = title.net - title.settled_amount
        if title.kind == Receivable.Kind.MANUAL:
            if title.due_date > today - datetime.timedelta(days=MANUAL_LAG_DAYS):
                continue  # not on the statement yet: overdue in the aging
            memo = "TED RECEBIDA"
        else:
            memo = f"CREDITO {title.account.name.upper()} {title.reference}"
        lines.append((title.due_date, amount, memo, f"R{title.pk}"))
    if bank.name == MAIN_ACCOUNT:
        # each marketplace pays what fell due on a day in one transfer
        payouts: dict[tuple, Decimal] = {}
        marketplace = due.filter(kind=Receivable.Kind.MARKETPLACE)
        for title in marketplace.select_related("channel"):
            key = (title.due_date, title.channel.pk, title.channel.name)
            payouts[key] = (
                payouts.get(key, Decimal(0)) + title.net - title.settled_amount
            )
        for (day, channel, name), amount in sorted(payouts.items()):
            memo = f"REPASSE {name.upper()}"
            lines.append((day, amount, memo, f"M{channel}D{day:%Y%m%d}"))
        # the bills of the last days are still to pay: late in the lists
        paid_until = today - datetime.timedelta(days=MANUAL_LAG_DAYS)
        for installment in BillInstallment.objects.filter(
            status="approved", due_date__gte=start, due_date__lte=paid_until
        ).select_related("bill__supplier"):
            supplier = installment.bill.supplier.name.upper()[:30]
            lines.append(
                (
                    installment.due_date,
                    -installment.amount,
                    f"PAGTO BOLETO {supplier}",
                    f"B{installment.pk}",
                )
            )
        for days, amount, memo in UNMATCHED:
            day = today - datetime.timedelta(days=days)
            lines.append((day, Decimal(amount), memo, f"U{day:%Y%m%d}{days}"))
    return sorted(lines)


def seed_statements(banks: dict[str, BankAccount]) -> dict[str, tuple[int, int]]:
    """Import a month's OFX statement into each demo account, as the finance
    clerk (the main account) or the manager would, through the statement
    import, which reconciles it. Returns {account: (lines, reconciled)};
    nothing for an account that has lines already."""
    from plugins.finance.importers import StatementImporter
    from plugins.finance.models import StatementLine
    from plugins.importing.engine import run

    today = timezone.localdate()
    done = {}
    for key, bank in banks.items():
        user = _user("finance" if key == "main" else "finance_manager")
        if user is None or StatementLine.objects.filter(account=bank).exists():
            continue
        lines = _statement_lines(bank, today)
        if not lines:
            continue
        balance = bank.opening_balance + sum(line[1] for line in lines)
        data = ofx_statement(
            bank,
            lines,
            start=today - datetime.timedelta(days=STATEMENT_DAYS),
            end=today,
            balance=balance,
        )
        importer = StatementImporter(user, {"account": bank.pk, "format": "ofx"})
        report = run(importer, data, name=f"extrato-{key}.ofx", dry_run=False)
        if report.committed:
            done[bank.name] = (
                importer.counts["new_lines"],
                importer.counts["reconciled_lines"],
            )
    return done
