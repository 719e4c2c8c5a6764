"""Bank accounts and their statements: the accounts' screens (the finance
manager sets them up with their CSV column mapping; a finance clerk sees the
accounts granted to them), the statement lines listing, and the imports —
OFX (1.x SGML in latin-1, 2.x XML), CSV through the account's mapping, the
CNAB 240 retorno (with its boletos' payments) and settlement reports — each
stored once however many times the file is imported, hostile files refused
with nothing written, and no one importing into or reading an account out
of their reach."""

import datetime
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from plugins.finance.cnab.simulator import Outcome, retorno_for_remessa
from plugins.finance.importers import (
    SettlementImporter,
    StatementImporter,
    StatementOptionsForm,
)
from plugins.finance.models import (
    BankAccount,
    Payment,
    Provider,
    ProviderAccount,
    StatementLine,
)
from plugins.importing.models import ImportJob
from plugins.orders.status import OrderStatus
from tests.factories import UserFactory
from tests.helpers import is_admin_denied, page_text
from tests.plugins.finance.test_cnab import charge, nosso_numero, remessa
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

pytestmark = pytest.mark.django_db

ACCOUNTS = "/admin/finance/bank-accounts/"
LINES = "/admin/finance/statement-lines/"
MAPPING = {
    "date": "Data",
    "description": "Histórico",
    "reference": "Documento",
    "credit": "Crédito",
    "debit": "Débito",
    "balance": "Saldo",
    "date_format": "%d/%m/%Y",
    "decimal": ",",
}


# -- sample files ---------------------------------------------------------------

OFX_SGML = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1>
<SONRS>
<STATUS>
<CODE>0
<SEVERITY>INFO
</STATUS>
<DTSERVER>20260131120000[-3:BRT]
<LANGUAGE>POR
</SONRS>
</SIGNONMSGSRSV1>
<BANKMSGSRSV1>
<STMTTRNRS>
<TRNUID>1001
<STATUS>
<CODE>0
<SEVERITY>INFO
</STATUS>
<STMTRS>
<CURDEF>BRL
<BANKACCTFROM>
<BANKID>0341
<ACCTID>12345-6
<ACCTTYPE>CHECKING
</BANKACCTFROM>
<BANKTRANLIST>
<DTSTART>20260101
<DTEND>20260131
<STMTTRN>
<TRNTYPE>CREDIT
<DTPOSTED>20260105230000[-3:BRT]
<TRNAMT>1234.56
<FITID>20260105001
<CHECKNUM>001
<MEMO>PIX RECEBIDO JOSÉ DA CONCEIÇÃO
</STMTTRN>
<STMTTRN>
<TRNTYPE>DEBIT
<DTPOSTED>20260106
<TRNAMT>-89,90
<FITID>20260106002
<NAME>TARIFA PACOTE SERVIÇOS
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL>
<BALAMT>5144.66
<DTASOF>20260131
</LEDGERBAL>
</STMTRS>
</STMTTRNRS>
</BANKMSGSRSV1>
</OFX>
"""

OFX_XML = (
    (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" '
        'NEWFILEUID="NONE"?>\n'
    )
    + """<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY>
</STATUS><DTSERVER>20260131</DTSERVER><LANGUAGE>POR</LANGUAGE></SONRS>
</SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE>
<SEVERITY>INFO</SEVERITY></STATUS><STMTRS><CURDEF>BRL</CURDEF><BANKACCTFROM>
<BANKID>260</BANKID><ACCTID>999</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260101</DTSTART><DTEND>20260131</DTEND>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260110</DTPOSTED><TRNAMT>50.00</TRNAMT>
<FITID>abc-1</FITID><MEMO>Transferência recebida</MEMO></STMTTRN>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260111</DTPOSTED><TRNAMT>-20.00</TRNAMT>
<FITID>abc-2</FITID><MEMO>Pagamento de boleto</MEMO></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>30.00</BALAMT><DTASOF>20260131</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""
)


def bank_csv(
    rows, header=("Data", "Histórico", "Documento", "Crédito", "Débito", "Saldo")
):
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


BANK_CSV = bank_csv(
    [
        ("02/03/2026", "PIX RECEBIDO MARIA", "123", "1.234,56", "", "2.234,56"),
        ("02/03/2026", "TARIFA", "", "", "12,50", "2.222,06"),
        # the same transfer twice on a day: two movements
        ("03/03/2026", "TED RECEBIDA", "9", "100,00", "", "2.322,06"),
        ("03/03/2026", "TED RECEBIDA", "9", "100,00", "", "2.422,06"),
    ]
)

SETTLEMENT_HEADER = [
    "date",
    "reference",
    "order",
    "installment",
    "gross",
    "fee",
    "net",
    "description",
]
SETTLEMENT_CSV = bank_csv(
    [
        ("05/02/2026", "MP-111", "1001", "1", "100,00", "4,99", "95,01", "Venda"),
        ("05/03/2026", "MP-111", "1001", "2", "100,00", "4,99", "95,01", "Venda"),
        ("2026-03-06", "PAYOUT-9", "", "", "", "", "1.500,00", "Repasse"),
    ],
    header=SETTLEMENT_HEADER,
)


# -- fixtures and helpers ---------------------------------------------------------


@pytest.fixture
def account_a(db):
    return BankAccount.objects.create(
        name="Itaú",
        bank_code="341",
        agency="0001",
        number="12345-6",
        csv_mapping=MAPPING,
    )


@pytest.fixture
def account_b(db):
    return BankAccount.objects.create(
        name="Bradesco", bank_code="237", agency="0002", number="5432-1"
    )


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente-fin", roles=["finance_manager"])


@pytest.fixture
def clerk(account_a, account_b):
    """A finance clerk granted account A only."""
    user = UserFactory(username="financeiro", roles=["finance"])
    for perm in ("finance.view_bankaccount", "finance.reconcile_bankaccount"):
        assign_perm(perm, user, account_a)
    return user


def start(client, data, name, account, key="finance.statement", **options):
    before = ImportJob.objects.count()
    response = client.post(
        reverse("imports:start", args=[key]),
        {"file": SimpleUploadedFile(name, data), "account": account.pk, **options},
    )
    assert response.status_code == 302, page_text(response)[-1500:]
    assert ImportJob.objects.count() == before + 1
    return ImportJob.objects.latest("created_at")


def imported(client, data, name, account, **options):
    """Check then confirm: the job, done."""
    job = start(client, data, name, account, **options)
    assert not job.dry_run_report["file_error"], job.dry_run_report
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == job.Status.DONE, job.report or job.dry_run_report
    return job


def lines(account):
    return list(account.lines.order_by("date", "pk"))


# -- OFX ----------------------------------------------------------------------------


def test_an_ofx_1_statement_in_latin_1_is_imported_once(client, manager, account_a):
    client.force_login(manager)
    data = OFX_SGML.encode("latin-1")
    job = imported(client, data, "extrato.ofx", account_a, format="ofx")
    first, second = lines(account_a)
    # the bank's own day, whatever the time zone after it
    assert (first.date, first.amount, first.source) == (
        date(2026, 1, 5),
        D("1234.56"),
        "ofx",
    )
    assert first.description == "PIX RECEBIDO JOSÉ DA CONCEIÇÃO"
    assert first.reference == "001"
    assert (second.amount, second.description) == (
        D("-89.90"),
        "TARIFA PACOTE SERVIÇOS",
    )
    # the ledger balance goes on the statement's last line
    assert (first.balance, second.balance) == (None, D("5144.66"))
    assert first.import_job_id == job.pk
    assert job.report["counts"]["new_lines"] == 2

    again = imported(client, data, "extrato-de-novo.ofx", account_a, format="ofx")
    assert account_a.lines.count() == 2
    assert again.report["counts"] == {
        **again.report["counts"],
        "new_lines": 0,
        "existing_lines": 2,
    }


def test_an_ofx_2_statement_in_xml(client, manager, account_a):
    client.force_login(manager)
    imported(client, OFX_XML.encode(), "nubank.ofx", account_a, format="ofx")
    assert [
        (line.date, line.amount, line.description) for line in lines(account_a)
    ] == [
        (date(2026, 1, 10), D("50.00"), "Transferência recebida"),
        (date(2026, 1, 11), D("-20.00"), "Pagamento de boleto"),
    ]


def test_the_same_movement_in_two_accounts_is_two_lines(
    client, manager, account_a, account_b
):
    client.force_login(manager)
    data = OFX_XML.encode()
    imported(client, data, "a.ofx", account_a, format="ofx")
    imported(client, data, "b.ofx", account_b, format="ofx")
    assert account_a.lines.count() == account_b.lines.count() == 2


def test_the_importer_gives_the_ids_of_the_lines_it_stored(manager, account_a):
    from plugins.importing.engine import run

    importer = StatementImporter(manager, {"account": account_a.pk, "format": "ofx"})
    report = run(importer, OFX_XML.encode(), name="x.ofx", dry_run=False)
    assert report.committed
    assert sorted(importer.imported_line_ids()) == sorted(
        account_a.lines.values_list("pk", flat=True)
    )
    importer = StatementImporter(manager, {"account": account_a.pk, "format": "ofx"})
    run(importer, OFX_XML.encode(), name="x.ofx", dry_run=False)
    assert importer.imported_line_ids() == []


# -- CSV with the account's mapping ------------------------------------------------


def test_a_csv_statement_through_the_accounts_mapping(client, manager, account_a):
    client.force_login(manager)
    job = imported(client, BANK_CSV, "extrato.csv", account_a, format="csv")
    got = [
        (line.date, line.amount, line.description, line.reference, line.balance)
        for line in lines(account_a)
    ]
    assert got == [
        (date(2026, 3, 2), D("1234.56"), "PIX RECEBIDO MARIA", "123", D("2234.56")),
        (date(2026, 3, 2), D("-12.50"), "TARIFA", "", D("2222.06")),
        (date(2026, 3, 3), D("100.00"), "TED RECEBIDA", "9", D("2322.06")),
        (date(2026, 3, 3), D("100.00"), "TED RECEBIDA", "9", D("2422.06")),
    ]
    assert job.report["counts"]["new_lines"] == 4
    again = imported(client, BANK_CSV, "extrato.csv", account_a, format="csv")
    assert again.report["counts"]["existing_lines"] == 4
    assert account_a.lines.count() == 4


def test_a_csv_with_one_amount_column_and_dates_in_iso(client, manager, account_b):
    account_b.csv_mapping = {
        "date": "date",
        "amount": "valor",
        "description": "memo",
        "date_format": "%Y-%m-%d",
        "decimal": ".",
    }
    account_b.save()
    client.force_login(manager)
    data = b"date,valor,memo\n2026-04-01,-1234.50,Aluguel\n2026-04-02,99.90,Venda\n"
    imported(client, data, "conta.csv", account_b, format="csv")
    assert [(line.date, line.amount) for line in lines(account_b)] == [
        (date(2026, 4, 1), D("-1234.50")),
        (date(2026, 4, 2), D("99.90")),
    ]


def test_a_csv_row_with_a_bad_date_or_amount_is_an_error_of_its_row(
    client, manager, account_a
):
    client.force_login(manager)
    data = bank_csv(
        [
            ("31/02/2026", "X", "", "1,00", "", ""),
            ("01/03/2026", "Y", "", "um real", "", ""),
            ("01/03/2026", "Z", "", "5,00", "", ""),
        ]
    )
    job = start(client, data, "extrato.csv", account_a, format="csv")
    errors = [(e["row"], e["column"]) for e in job.dry_run_report["errors"]]
    assert errors == [(2, "date"), (3, "credit")]
    assert not account_a.lines.exists()


# -- CNAB 240 retorno ----------------------------------------------------------------


@pytest.fixture
def boletos(loja, sellable):  # noqa: F811
    """Three boleto payments of three orders, registered at the bank."""
    account = ProviderAccount.objects.create(
        name="Cobrança BB", provider=Provider.MANUAL
    )
    payments = []
    for sequence in (1, 2, 3):
        order = place(loja)
        payments.append(
            Payment.objects.create(
                order=order,
                account=account,
                method="boleto",
                amount=order.total,
                nosso_numero=nosso_numero(sequence),
            )
        )
    return payments


def cnab_retorno(total) -> bytes:
    return retorno_for_remessa(
        remessa(
            charge(1, str(total)),
            charge(2, str(total)),
            charge(3, str(total)),
            charge(4, "10.00"),
        ),
        {
            nosso_numero(1): Outcome(
                movement="06",
                fee=D("2.50"),
                payment_date=date(2026, 1, 21),
                credit_date=date(2026, 1, 22),
            ),
            nosso_numero(2): Outcome(movement="03", reasons=("48",)),
            nosso_numero(3): Outcome(movement="09", payment_date=date(2026, 1, 25)),
        },
    )


def test_a_cnab_retorno_credits_each_paid_boleto_and_settles_its_payment(
    client, manager, account_a, boletos
):
    paid, rejected, written_off = boletos
    data = cnab_retorno(paid.amount)
    client.force_login(manager)
    job = start(client, data, "retorno.ret", account_a, format="cnab")
    counts = job.dry_run_report["counts"]
    assert counts["new_lines"] == 1
    assert (counts["boletos_paid"], counts["boletos_rejected"]) == (1, 1)
    assert (counts["boletos_written_off"], counts["boletos_unknown"]) == (1, 0)
    paid.refresh_from_db()
    assert paid.status == "pending"  # the check writes nothing

    client.post(reverse("imports:confirm", args=[job.pk]))
    (line,) = lines(account_a)
    assert line.source == "cnab"
    assert line.reference == nosso_numero(1)
    assert (line.gross, line.fee, line.amount) == (
        paid.amount,
        D("2.50"),
        paid.amount - D("2.50"),
    )
    assert line.date == date(2026, 1, 22)
    for payment in boletos:
        payment.refresh_from_db()
    assert (paid.status, rejected.status, written_off.status) == (
        "approved",
        "rejected",
        "cancelled",
    )
    assert paid.fee == D("2.50")
    assert paid.order.status == OrderStatus.PAID

    again = imported(client, data, "retorno.ret", account_a, format="cnab")
    assert account_a.lines.count() == 1
    assert again.report["counts"]["existing_lines"] == 1
    assert again.report["counts"]["boletos_paid"] == 0


def test_a_paid_boleto_without_a_payment_here_is_still_a_line(
    client, manager, account_a
):
    data = retorno_for_remessa(
        remessa(charge(7, "50.00")),
        {nosso_numero(7): Outcome(movement="06", credit_date=date(2026, 1, 22))},
    )
    client.force_login(manager)
    job = imported(client, data, "retorno.txt", account_a, format="cnab")
    assert job.report["counts"]["boletos_unknown"] == 1
    assert [line.amount for line in lines(account_a)] == [D("50.00")]


# -- settlement reports ------------------------------------------------------------


def test_a_settlement_report_stores_gross_fee_and_net(client, manager, account_a):
    client.force_login(manager)
    job = imported(
        client, SETTLEMENT_CSV, "liquidacao.csv", account_a, key="finance.settlement"
    )
    got = [
        (
            line.date,
            line.source,
            line.reference,
            line.order_number,
            line.installment,
            line.gross,
            line.fee,
            line.amount,
        )
        for line in lines(account_a)
    ]
    assert got == [
        (
            date(2026, 2, 5),
            "settlement",
            "MP-111",
            "1001",
            1,
            D("100.00"),
            D("4.99"),
            D("95.01"),
        ),
        (
            date(2026, 3, 5),
            "settlement",
            "MP-111",
            "1001",
            2,
            D("100.00"),
            D("4.99"),
            D("95.01"),
        ),
        (
            date(2026, 3, 6),
            "settlement",
            "PAYOUT-9",
            "",
            None,
            None,
            D("0.00"),
            D("1500.00"),
        ),
    ]
    assert job.report["counts"]["new_lines"] == 3
    again = imported(
        client, SETTLEMENT_CSV, "liquidacao.csv", account_a, key="finance.settlement"
    )
    assert again.report["counts"]["existing_lines"] == 3
    assert account_a.lines.count() == 3


def test_a_settlement_row_whose_net_is_not_gross_less_fee_is_refused(
    client, manager, account_a
):
    data = bank_csv(
        [("05/02/2026", "MP-1", "1001", "1", "100,00", "4,99", "96,00", "")],
        header=SETTLEMENT_HEADER,
    )
    client.force_login(manager)
    job = start(client, data, "l.csv", account_a, key="finance.settlement")
    assert [(e["row"], e["column"]) for e in job.dry_run_report["errors"]] == [
        (2, "net")
    ]


# -- hostile and malformed files ---------------------------------------------------

HOSTILE = [
    ("ofx", "lixo.ofx", b"isto nao e um extrato", "não é um extrato OFX"),
    (
        "ofx",
        "imagem.ofx",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "não é um extrato OFX",
    ),
    (
        "ofx",
        "sem-extrato.ofx",
        OFX_SGML.split("<BANKMSGSRSV1>")[0].encode() + b"</OFX>\n",
        "não tem extrato bancário",
    ),
    (
        "csv",
        "aspas.csv",
        BANK_CSV.splitlines()[0] + b'\n01/03/2026;"aberta\n',
        "não é um CSV válido",
    ),
    ("csv", "colunas.csv", b"Dia;Valor\n01/03/2026;1,00\n", "Data"),
    ("cnab", "retorno.ret", OFX_SGML.encode("latin-1"), "240"),
    ("cnab", "extrato.ofx", b"x", ".ret"),
]


@pytest.mark.parametrize(
    ("fmt", "name", "data", "message"), HOSTILE, ids=[h[1] for h in HOSTILE]
)
def test_a_bad_file_is_refused_in_portuguese_and_writes_nothing(
    client, manager, account_a, fmt, name, data, message
):
    client.force_login(manager)
    job = start(client, data, name, account_a, format=fmt)
    error = job.dry_run_report["file_error"]
    assert message in error, error
    assert not job.can_confirm
    assert not StatementLine.objects.exists()


def test_a_cnab_retorno_cut_short_is_refused(client, manager, account_a):
    data = cnab_retorno(D("10.00"))
    client.force_login(manager)
    job = start(client, data[: len(data) // 2], "retorno.ret", account_a, format="cnab")
    assert job.dry_run_report["file_error"]
    assert not StatementLine.objects.exists()


def test_a_csv_import_into_an_account_without_a_mapping_says_so(
    client, manager, account_b
):
    client.force_login(manager)
    job = start(client, BANK_CSV, "extrato.csv", account_b, format="csv")
    assert "não tem o mapeamento de colunas" in job.dry_run_report["file_error"]


def test_the_start_screen_takes_only_statement_files(client, manager, account_a):
    client.force_login(manager)
    response = client.post(
        reverse("imports:start", args=["finance.statement"]),
        {
            "file": SimpleUploadedFile("planilha.xlsx", b"PK\x03\x04"),
            "account": account_a.pk,
            "format": "ofx",
        },
    )
    assert response.status_code == 200
    assert "Esta importação aceita arquivos" in page_text(response)
    assert not ImportJob.objects.exists()


# -- who may do what --------------------------------------------------------------


def test_a_clerk_imports_only_into_the_accounts_granted(
    client, clerk, account_a, account_b
):
    form = StatementOptionsForm(user=clerk)
    assert [pk for pk, _label in form.fields["account"].choices if pk] == [account_a.pk]
    client.force_login(clerk)
    page = page_text(client.get(reverse("imports:start", args=["finance.statement"])))
    assert "Itaú" in page and "Bradesco" not in page
    response = client.post(
        reverse("imports:start", args=["finance.statement"]),
        {
            "file": SimpleUploadedFile("x.ofx", OFX_XML.encode()),
            "account": account_b.pk,
            "format": "ofx",
        },
    )
    assert response.status_code == 200  # account B is no choice
    assert not ImportJob.objects.exists()
    imported(client, OFX_XML.encode(), "x.ofx", account_a, format="ofx")
    assert account_a.lines.count() == 2


def test_an_import_checks_the_account_again_when_it_runs(clerk, account_b):
    from plugins.importing.engine import run

    importer = StatementImporter(clerk, {"account": account_b.pk, "format": "ofx"})
    report = run(importer, OFX_XML.encode(), name="x.ofx", dry_run=False)
    assert "You may not import statements into this bank account." in report.file_error
    assert not StatementLine.objects.exists()
    settlement = SettlementImporter(clerk, {"account": account_b.pk})
    report = run(settlement, SETTLEMENT_CSV, name="l.csv", dry_run=False)
    assert report.file_error
    assert not StatementLine.objects.exists()


def test_who_may_import_statements(clerk, manager):
    auditor = UserFactory(username="auditor", roles=["auditor"])
    ungranted = UserFactory(username="financeiro-2", roles=["finance"])
    desk = UserFactory(username="atendente", roles=["order_desk"])
    for importer in (StatementImporter, SettlementImporter):
        assert importer.user_can_import(manager)
        assert importer.user_can_import(clerk)
        assert not importer.user_can_import(auditor)
        assert not importer.user_can_import(ungranted)
        assert not importer.user_can_import(desk)


def make_line(account, amount, description):
    return StatementLine.objects.create(
        account=account,
        source="manual",
        date=date(2026, 3, 2),
        amount=D(amount),
        description=description,
        fingerprint=description,
    )


def test_a_clerk_lists_and_exports_only_the_lines_of_the_accounts_granted(
    client, clerk, account_a, account_b
):
    inside = make_line(account_a, "10.00", "LINHA DA CONTA A")
    outside = make_line(account_b, "20.00", "LINHA DA CONTA B")
    client.force_login(clerk)
    page = page_text(client.get(LINES))
    assert "LINHA DA CONTA A" in page and "LINHA DA CONTA B" not in page
    # filtering by an account out of reach shows nothing of it
    page = page_text(client.get(LINES, {"account": account_b.pk}))
    assert "LINHA DA CONTA B" not in page
    export = client.get(LINES, {"export": "csv"})
    content = b"".join(export.streaming_content).decode()
    assert "LINHA DA CONTA A" in content and "LINHA DA CONTA B" not in content
    assert client.get(f"{LINES}inspect/{inside.pk}/").status_code == 200
    assert client.get(f"{LINES}inspect/{outside.pk}/").status_code == 404


def test_the_lines_listing_filters_by_account_status_and_dates(
    client, manager, account_a, account_b
):
    make_line(account_a, "10.00", "MARCO")
    later = make_line(account_a, "30.00", "ABRIL")
    later.date = date(2026, 4, 2)
    later.status = "ignored"
    later.ignored_reason = "teste"
    later.save()
    make_line(account_b, "20.00", "OUTRA CONTA")
    client.force_login(manager)
    page = page_text(client.get(LINES, {"account": account_a.pk}))
    assert "MARCO" in page and "ABRIL" in page and "OUTRA CONTA" not in page
    page = page_text(client.get(LINES, {"status": "unmatched"}))
    assert "MARCO" in page and "ABRIL" not in page
    page = page_text(
        client.get(LINES, {"date_from": "2026-04-01", "date_to": "2026-04-30"})
    )
    assert "ABRIL" in page and "MARCO" not in page


def test_a_clerk_sees_the_accounts_granted_and_changes_none(
    client, clerk, account_a, account_b
):
    client.force_login(clerk)
    page = page_text(client.get(ACCOUNTS))
    assert "Itaú" in page and "Bradesco" not in page
    assert is_admin_denied(client.get(f"{ACCOUNTS}new/"))
    # no account is the clerk's to change: denied alike, in reach or not
    assert is_admin_denied(client.get(f"{ACCOUNTS}edit/{account_a.pk}/"))
    assert is_admin_denied(client.get(f"{ACCOUNTS}edit/{account_b.pk}/"))
    assert client.get(f"{ACCOUNTS}inspect/{account_a.pk}/").status_code == 200
    assert client.get(f"{ACCOUNTS}inspect/{account_b.pk}/").status_code == 404


def test_the_finance_manager_sets_up_an_account_with_its_csv_mapping(client, manager):
    client.force_login(manager)
    response = client.post(
        f"{ACCOUNTS}new/",
        {
            "name": "Inter",
            "bank_code": "077",
            "bank_name": "Banco Inter",
            "agency": "0001",
            "number": "1234567-8",
            "opening_balance": "1.234,56",
            "opening_date": "01/03/2026",
            "active": "on",
            "csv_date": "Data Lançamento",
            "csv_amount": "Valor",
            "csv_description": "Descrição",
            "csv_date_format": "%d/%m/%Y",
            "csv_decimal": ",",
        },
    )
    assert response.status_code == 302, page_text(response)[-1500:]
    account = BankAccount.objects.get(name="Inter")
    assert account.opening_balance == D("1234.56")
    assert account.opening_date == datetime.date(2026, 3, 1)
    assert account.csv_mapping == {
        "date": "Data Lançamento",
        "amount": "Valor",
        "description": "Descrição",
        "date_format": "%d/%m/%Y",
        "decimal": ",",
    }
    page = client.get(f"{ACCOUNTS}edit/{account.pk}/").content.decode()
    assert 'value="Data Lançamento"' in page


def test_a_mapping_names_one_amount_column_or_credit_and_debit(client, manager):
    client.force_login(manager)
    response = client.post(
        f"{ACCOUNTS}new/",
        {
            "name": "Inter",
            "bank_code": "077",
            "agency": "0001",
            "number": "1",
            "opening_balance": "0",
            "csv_date": "Data",
            "csv_amount": "Valor",
            "csv_credit": "Crédito",
            "csv_date_format": "%d/%m/%Y",
            "csv_decimal": ",",
        },
    )
    assert response.status_code == 200
    assert "Informe uma coluna de valor ou as colunas de crédito e débito" in page_text(
        response
    )
    assert not BankAccount.objects.filter(name="Inter").exists()


def test_a_bad_file_reads_in_portuguese(manager, account_a):
    from django.utils import translation

    from plugins.importing.engine import run

    importer = StatementImporter(manager, {"account": account_a.pk, "format": "ofx"})
    with translation.override("pt-br"):
        report = run(importer, b"nada", name="x.ofx", dry_run=True)
    assert report.file_error.startswith("O arquivo não é um extrato OFX")


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("1.234,56", ",", "1234.56"),
        ("-1.234,56", ",", "-1234.56"),
        ("R$ 12,50", ",", "12.50"),
        ("12,50-", ",", "-12.50"),
        ("(12,50)", ",", "-12.50"),
        ("12,50 D", ",", "-12.50"),
        ("12,50C", ",", "12.50"),
        ("1,234.56", ".", "1234.56"),
        ("-89,90", "auto", "-89.90"),
        ("1234.5", "auto", "1234.5"),
    ],
)
def test_amounts_as_banks_write_them(text, decimal, value):
    from plugins.finance.statements import parse_amount

    assert parse_amount(text, decimal) == D(value)


@pytest.mark.parametrize("text", ["", "um real", "1,2,3", "12.345.6", "--1"])
def test_what_is_not_an_amount(text):
    from plugins.finance.statements import parse_amount

    with pytest.raises(ValueError):
        parse_amount(text, ",")


def test_the_demos_ofx_statement_imports(manager, account_a):
    from plugins.finance.demo_banking import ofx_statement
    from plugins.importing.engine import run

    data = ofx_statement(
        account_a,
        [
            (date(2026, 3, 2), D("154.70"), "PIX RECEBIDO MARIA JOSÉ", "F1"),
            (date(2026, 3, 3), D("-35.00"), "TARIFA", "F2"),
        ],
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        balance=D("119.70"),
    )
    importer = StatementImporter(manager, {"account": account_a.pk, "format": "ofx"})
    report = run(importer, data, name="demo.ofx", dry_run=False)
    assert report.committed, report
    assert [(line.amount, line.description) for line in lines(account_a)] == [
        (D("154.70"), "PIX RECEBIDO MARIA JOSÉ"),
        (D("-35.00"), "TARIFA"),
    ]
    assert lines(account_a)[-1].balance == D("119.70")


def test_an_imported_statement_is_reconciled_at_once(manager, account_a):
    """The lines of an import are matched to open receivables as soon as
    they are written; what no rule matches waits in the review queue."""
    from plugins.finance.demo_banking import ofx_statement
    from plugins.finance.models import Receivable
    from plugins.importing.engine import run

    title = Receivable.objects.create(
        kind="pix",
        gross=D("154.70"),
        net=D("154.70"),
        due_date=date(2026, 3, 2),
        reference="E1234567820260302",
    )
    data = ofx_statement(
        account_a,
        [
            (date(2026, 3, 2), D("154.70"), "PIX E1234567820260302", "F1"),
            (date(2026, 3, 3), D("-35.00"), "TARIFA", "F2"),
        ],
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        balance=D("119.70"),
    )
    importer = StatementImporter(manager, {"account": account_a.pk, "format": "ofx"})
    report = run(importer, data, name="extrato.ofx", dry_run=False)
    assert report.committed, report
    assert importer.counts["reconciled_lines"] == 1
    title.refresh_from_db()
    assert title.status == "settled" and title.settled_amount == D("154.70")
    statuses = {line.description: line.status for line in lines(account_a)}
    assert statuses == {"PIX E1234567820260302": "matched", "TARIFA": "unmatched"}
