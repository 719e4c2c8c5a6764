"""Payables (contas a pagar): suppliers with valid documents, bills split
into installments that add up to the centavo, the second person's approval
above the limit, payments, the supplier's boleto, cancellation, the
overdue and due-this-week lists, attachments kept private, and who may do
what on the services and the screens."""

import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from plugins.finance.attachments import MAX_ATTACHMENT_BYTES
from plugins.finance.boleto import build_boleto
from plugins.finance.exceptions import (
    ApprovalRefused,
    BillClosed,
    BillNotPayable,
    InvalidBill,
)
from plugins.finance.forms_payables import SupplierForm
from plugins.finance.models import (
    Bill,
    BillAttachment,
    BillCategory,
    BillInstallment,
    Supplier,
)
from plugins.finance.services.payables import (
    NewAttachment,
    add_bill_attachment,
    approve_bill,
    cancel_bill,
    create_bill,
    record_bill_payment,
    set_installment_boleto,
)
from tests.factories import UserFactory
from tests.helpers import is_admin_denied, page_text

pytestmark = pytest.mark.django_db

CNPJ = "11.222.333/0001-81"
CPF = "529.982.247-25"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
BILLS = "/admin/finance/bills/"
INSTALLMENTS = "/admin/finance/bill-installments/"


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def limit(settings):
    settings.RETAGUARDA_FINANCE_APPROVAL_ABOVE = D("5000.00")


@pytest.fixture(autouse=True)
def remove_stored_files(db):
    yield
    for attachment in BillAttachment.objects.all():
        attachment.file.storage.delete(attachment.file.name)


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="Malharia Paulista", document="11222333000181")


@pytest.fixture
def goods(db):
    """A line of the default chart of accounts (created by the migration)."""
    return BillCategory.objects.get(code="01.01")


@pytest.fixture
def clerk(db):
    return UserFactory(username="financeiro", roles=["finance"])


@pytest.fixture
def boss(db):
    return UserFactory(username="gerente-fin", roles=["finance_manager"])


@pytest.fixture
def other_boss(db):
    return UserFactory(username="gerente-fin-2", roles=["finance_manager"])


def new_bill(supplier, category, user, **kwargs):
    kwargs.setdefault("description", "Camisetas lote 12")
    kwargs.setdefault("issue_date", days(-10))
    kwargs.setdefault("total", D("900.00"))
    kwargs.setdefault("first_due_date", days(20))
    return create_bill(supplier, category=category, user=user, **kwargs)


def boleto_line(amount: str, due: datetime.date | None) -> str:
    return build_boleto(
        bank="001", due_date=due, amount=D(amount), campo_livre="0" * 24 + "7"
    ).formatted_line


def pdf(name="boleto.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# -- suppliers -------------------------------------------------------------------


def supplier_form(**data):
    return SupplierForm(data={"name": "Transportadora Sul", "active": "on", **data})


def test_a_supplier_document_is_checked_and_stored_without_punctuation(db):
    form = supplier_form(document=CNPJ, pix_key="Financeiro@Transul.com.br")
    assert form.is_valid(), form.errors
    supplier = form.save()
    assert supplier.document == "11222333000181"
    assert supplier.document_display == CNPJ
    assert supplier.pix_key == "financeiro@transul.com.br"

    # a CPF works too; a wrong check digit does not
    assert supplier_form(document=CPF).is_valid()
    form = supplier_form(document="529.982.247-26")
    assert not form.is_valid()
    assert "not a valid CPF or CNPJ" in form.errors["document"][0]


def test_a_supplier_document_is_unique_and_a_bad_pix_key_is_refused(supplier):
    form = supplier_form(document=CNPJ)
    assert not form.is_valid()
    assert "document" in form.errors

    form = supplier_form(document=CPF, pix_key="+55 11 1234")
    assert not form.is_valid()
    assert "not a valid phone Pix key" in form.errors["pix_key"][0]


def test_bank_details_come_complete(db):
    form = supplier_form(document=CPF, bank_code="1", bank_branch="1234")
    assert not form.is_valid()
    assert form.errors["bank_code"] == ["A bank's code has three digits."]
    assert "bank_account" in form.errors
    form = supplier_form(
        document=CPF, bank_code="001", bank_branch="1234", bank_account="12345-6"
    )
    assert form.is_valid(), form.errors


def test_the_default_chart_of_accounts_is_a_small_tree(db):
    roots = BillCategory.objects.filter(parent=None).values_list("name", flat=True)
    assert {
        "Custos das mercadorias",
        "Frete e logística",
        "Taxas de marketplace",
    } <= set(roots)
    staff = BillCategory.objects.get(name="Pessoal")
    assert {c.name for c in staff.children.all()} >= {"Salários", "Pró-labore"}
    taxes = BillCategory.objects.get(name="Impostos")
    assert {"Simples Nacional", "ICMS", "PIS", "COFINS"} <= {
        c.name for c in taxes.children.all()
    }


# -- bills and installments ------------------------------------------------------


def test_installments_add_up_to_the_total_to_the_centavo(supplier, goods, clerk):
    bill = new_bill(
        supplier, goods, clerk, total=D("100.00"), installments=3, every_days=30
    )

    rows = list(bill.installments.order_by("number"))
    assert [r.amount for r in rows] == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(r.amount for r in rows) == bill.total
    assert [r.due_date for r in rows] == [days(20), days(50), days(80)]
    entry = ModelLogEntry.objects.get(action="finance.bill.create")
    assert entry.user == clerk and entry.data["installments"][0]["amount"] == "33.34"


def test_a_total_that_cannot_be_split_is_refused_and_nothing_is_written(
    supplier, goods, clerk
):
    with pytest.raises(InvalidBill) as error:
        new_bill(supplier, goods, clerk, total=D("0.02"), installments=3)
    assert error.value.extra["field"] == "installments"
    with pytest.raises(InvalidBill) as error:
        new_bill(supplier, goods, clerk, total=D("10.001"))
    assert error.value.extra["field"] == "total"
    with pytest.raises(InvalidBill) as error:
        new_bill(supplier, goods, clerk, first_due_date=days(-11))
    assert error.value.extra["field"] == "first_due_date"
    assert Bill.objects.count() == BillInstallment.objects.count() == 0


def test_the_same_supplier_document_number_is_not_recorded_twice(
    supplier, goods, clerk
):
    first = new_bill(supplier, goods, clerk, document_number="NF 1234")
    with pytest.raises(InvalidBill) as error:
        new_bill(supplier, goods, clerk, document_number="NF 1234")
    assert error.value.extra["field"] == "document_number"
    # once cancelled, it may be recorded again
    cancel_bill(first, user=clerk, reason="Lançada em duplicidade")
    new_bill(supplier, goods, clerk, document_number="NF 1234")


def test_the_boleto_line_fills_the_total_and_the_due_date(supplier, goods, clerk):
    line = boleto_line("1234.56", days(15))
    bill = new_bill(
        supplier, goods, clerk, total=None, first_due_date=None, boleto_line=line
    )

    (row,) = bill.installments.all()
    assert bill.total == row.amount == D("1234.56")
    assert row.due_date == days(15)
    assert row.boleto_line == line.replace(".", "").replace(" ", "")


def test_a_boleto_that_disagrees_or_does_not_check_is_refused(supplier, goods, clerk):
    line = boleto_line("1234.56", days(15))
    cases = [
        ({"total": D("1234.00")}, "total"),
        ({"total": None, "first_due_date": days(16)}, "first_due_date"),
        ({"total": None, "installments": 2}, "boleto_line"),
        ({"total": None, "boleto_line": line[:-1] + "9"}, "boleto_line"),
    ]
    for overrides, field in cases:
        kwargs = {"boleto_line": line, "first_due_date": None, **overrides}
        with pytest.raises(InvalidBill) as error:
            new_bill(supplier, goods, clerk, **kwargs)
        assert error.value.extra["field"] == field, overrides
    assert Bill.objects.count() == 0


def test_an_installments_boleto_sets_its_due_date_if_the_amount_matches(
    supplier, goods, clerk
):
    bill = new_bill(supplier, goods, clerk, total=D("100.00"), installments=2)
    second = bill.installments.get(number=2)

    with pytest.raises(InvalidBill) as error:
        set_installment_boleto(second, line=boleto_line("50.01", days(60)), user=clerk)
    assert "R$ 50,01" in error.value.message and "R$ 50,00" in error.value.message

    set_installment_boleto(second, line=boleto_line("50.00", days(60)), user=clerk)
    second.refresh_from_db()
    assert second.due_date == days(60) and len(second.boleto_line) == 47
    assert ModelLogEntry.objects.filter(action="finance.bill.boleto").count() == 1


# -- approval --------------------------------------------------------------------


def test_exactly_at_the_limit_no_approval_is_needed(supplier, goods, clerk):
    bill = new_bill(supplier, goods, clerk, total=D("5000.00"))

    assert bill.status == "open" and not bill.requires_approval
    (row,) = bill.installments.all()
    assert row.payable
    record_bill_payment(row, user=clerk, paid_on=today())
    bill.refresh_from_db()
    assert bill.status == "paid"


def test_a_centavo_above_the_limit_waits_for_approval(supplier, goods, clerk):
    bill = new_bill(supplier, goods, clerk, total=D("5000.01"))

    assert bill.status == "awaiting_approval" and bill.requires_approval
    assert {r.status for r in bill.installments.all()} == {"open"}


def test_the_limit_is_a_setting(supplier, goods, clerk, settings):
    settings.RETAGUARDA_FINANCE_APPROVAL_ABOVE = D("500.00")
    assert new_bill(supplier, goods, clerk, total=D("500.01")).requires_approval


def test_whoever_recorded_a_bill_cannot_approve_it(supplier, goods, boss, other_boss):
    bill = new_bill(supplier, goods, boss, total=D("8000.00"), installments=2)

    with pytest.raises(ApprovalRefused) as error:
        approve_bill(bill, user=boss)
    assert "another person approves it" in error.value.message
    bill.refresh_from_db()
    assert bill.status == "awaiting_approval" and bill.approved_by is None

    approve_bill(bill, user=other_boss)
    bill.refresh_from_db()
    assert bill.status == "open" and bill.approved_by == other_boss
    assert {r.status for r in bill.installments.all()} == {"approved"}
    assert ModelLogEntry.objects.get(action="finance.bill.approve").user == other_boss
    # not twice
    with pytest.raises(ApprovalRefused):
        approve_bill(bill, user=other_boss)


def test_the_database_refuses_a_bill_approved_by_its_creator(supplier, goods, boss):
    from django.db import IntegrityError, transaction

    bill = new_bill(supplier, goods, boss, total=D("8000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.filter(pk=bill.pk).update(approved_by=boss)


def test_the_finance_desk_records_and_pays_but_does_not_approve(
    supplier, goods, clerk, boss
):
    bill = new_bill(supplier, goods, boss, total=D("8000.00"))
    with pytest.raises(PermissionDenied):
        approve_bill(bill, user=clerk)
    assert clerk.has_perm("finance.pay_bill") and clerk.has_perm("finance.add_bill")
    assert not clerk.has_perm("finance.approve_bill")
    assert boss.has_perm("finance.approve_bill")


def test_an_unapproved_bill_above_the_limit_cannot_be_paid(
    supplier, goods, clerk, boss
):
    bill = new_bill(supplier, goods, clerk, total=D("9000.00"), installments=3)
    first = bill.installments.get(number=1)

    with pytest.raises(BillNotPayable) as error:
        record_bill_payment(first, user=clerk, paid_on=today())
    assert "R$ 5.000,00" in error.value.message
    first.refresh_from_db()
    assert first.status == "open" and first.paid_on is None

    approve_bill(bill, user=boss)
    record_bill_payment(first, user=clerk, paid_on=today())
    bill.refresh_from_db()
    assert bill.status == "partially_paid"


# -- payments --------------------------------------------------------------------


def test_a_payment_with_interest_fine_and_discount_adds_up(supplier, goods, clerk):
    bill = new_bill(supplier, goods, clerk, total=D("300.00"))
    (row,) = bill.installments.all()

    with pytest.raises(InvalidBill) as error:
        record_bill_payment(
            row,
            user=clerk,
            paid_on=today(),
            interest=D("1.50"),
            fine=D("6.00"),
            discount=D("0.50"),
            amount_paid=D("307.50"),
        )
    assert error.value.extra["field"] == "amount_paid"
    assert "R$ 307,00" in error.value.message
    row.refresh_from_db()
    assert row.status == "approved"

    record_bill_payment(
        row,
        user=clerk,
        paid_on=today(),
        interest=D("1.50"),
        fine=D("6.00"),
        discount=D("0.50"),
        amount_paid=D("307.00"),
        paid_from="Itaú ag. 1234 c/c 5678-9",
    )
    row.refresh_from_db()
    assert (row.status, row.amount_paid, row.paid_by) == ("paid", D("307.00"), clerk)
    assert row.paid_from == "Itaú ag. 1234 c/c 5678-9"
    with pytest.raises(BillNotPayable):
        record_bill_payment(row, user=clerk, paid_on=today())


def test_a_payment_cannot_be_dated_in_the_future(supplier, goods, clerk):
    (row,) = new_bill(supplier, goods, clerk).installments.all()
    with pytest.raises(InvalidBill) as error:
        record_bill_payment(row, user=clerk, paid_on=days(1))
    assert error.value.extra["field"] == "paid_on"


def test_only_the_finance_roles_record_payments(supplier, goods, clerk):
    (row,) = new_bill(supplier, goods, clerk).installments.all()
    desk = UserFactory(username="atendente", roles=["order_desk"])
    auditor = UserFactory(username="auditor", roles=["auditor"])
    for user in (desk, auditor):
        with pytest.raises(PermissionDenied):
            record_bill_payment(row, user=user, paid_on=today())
        with pytest.raises(PermissionDenied):
            new_bill(supplier, goods, user)
        with pytest.raises(PermissionDenied):
            cancel_bill(row.bill, user=user, reason="x")
    row.refresh_from_db()
    assert row.status == "approved"


def test_cancelling_keeps_what_was_paid(supplier, goods, clerk):
    bill = new_bill(supplier, goods, clerk, total=D("300.00"), installments=3)
    record_bill_payment(bill.installments.get(number=1), user=clerk, paid_on=today())

    with pytest.raises(InvalidBill):
        cancel_bill(bill, user=clerk, reason="  ")
    cancel_bill(bill, user=clerk, reason="Renegociado com o fornecedor")

    bill.refresh_from_db()
    statuses = dict(bill.installments.values_list("number", "status"))
    assert statuses == {1: "paid", 2: "cancelled", 3: "cancelled"}
    assert (
        bill.status == "paid" and bill.cancel_reason == "Renegociado com o fornecedor"
    )
    with pytest.raises(BillClosed):
        cancel_bill(bill, user=clerk, reason="de novo")


# -- overdue and due this week ---------------------------------------------------


@pytest.fixture
def due_rows(supplier, goods, clerk):
    """Installments due 10 days ago, yesterday, today, in 6 and in 7 days;
    and one paid 10 days late."""
    bill = new_bill(
        supplier,
        goods,
        clerk,
        issue_date=days(-40),
        first_due_date=days(-10),
        total=D("500.00"),
        installments=5,
        every_days=1,
    )
    due = [days(-10), days(-1), days(0), days(6), days(7)]
    for row, date in zip(bill.installments.order_by("number"), due, strict=True):
        BillInstallment.objects.filter(pk=row.pk).update(due_date=date)
    paid = new_bill(
        supplier, goods, clerk, issue_date=days(-40), first_due_date=days(-10)
    )
    record_bill_payment(paid.installments.get(), user=clerk, paid_on=today())
    return bill


def test_overdue_and_due_this_week(due_rows):
    rows = BillInstallment.objects
    assert sorted(r.due_date for r in rows.overdue()) == [days(-10), days(-1)]
    assert sorted(r.due_date for r in rows.due_this_week()) == [days(0), days(6)]


def test_the_overdue_and_this_week_lists_on_the_screen(due_rows, client, clerk):
    client.force_login(clerk)

    overdue = page_text(client.get(INSTALLMENTS, {"due": "overdue"}))
    assert overdue.count("Camisetas lote 12") == 2
    assert days(-10).strftime("%d/%m/%Y") in overdue and "Aprovada · vencida" in overdue
    week = page_text(client.get(INSTALLMENTS, {"due": "this_week"}))
    assert week.count("Camisetas lote 12") == 2
    assert days(6).strftime("%d/%m/%Y") in week
    assert days(7).strftime("%d/%m/%Y") not in week


# -- attachments -----------------------------------------------------------------


def test_a_pdf_attachment_is_stored_privately(supplier, goods, clerk):
    bill = new_bill(
        supplier, goods, clerk, attachments=[NewAttachment("boleto", pdf())]
    )

    (attachment,) = bill.attachments.all()
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    assert attachment.original_name == "boleto.pdf"
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(django_settings.PRIVATE_MEDIA_ROOT)
    assert not stored.is_relative_to(django_settings.MEDIA_ROOT)
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            pdf("nota.exe", b"MZ\x90\x00", "application/pdf"),
            "Attach a PDF or a picture",
        ),
        (pdf("nota.html", b"<html><script>", "text/html"), "Attach a PDF or a picture"),
        (pdf("foto.png", PNG, "application/pdf"), "says it is application/pdf"),
        (pdf("vazio.pdf", b""), "The file is empty"),
        (
            pdf("grande.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES),
            "the most accepted is 10 MB",
        ),
    ],
)
def test_an_attachment_that_is_not_a_pdf_or_picture_or_too_big_is_refused(
    supplier, goods, clerk, upload, message
):
    with pytest.raises(InvalidBill) as error:
        new_bill(supplier, goods, clerk, attachments=[NewAttachment("invoice", upload)])
    assert message in error.value.message
    # nothing half-written: no bill, no file
    assert Bill.objects.count() == 0 and BillAttachment.objects.count() == 0


def test_a_picture_may_be_attached_later(supplier, goods, clerk):
    bill = new_bill(supplier, goods, clerk)
    upload = SimpleUploadedFile("nf.png", PNG, content_type="image/png")
    attachment = add_bill_attachment(bill, kind="invoice", file=upload, user=clerk)
    assert attachment.file.name.endswith(".png")
    assert ModelLogEntry.objects.filter(action="finance.bill.attachment").count() == 1


def test_an_attachment_is_served_only_to_who_may_see_bills(
    supplier, goods, clerk, client
):
    bill = new_bill(
        supplier, goods, clerk, attachments=[NewAttachment("boleto", pdf())]
    )
    url = f"{BILLS}attachments/{bill.attachments.get().pk}/"

    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")

    client.force_login(UserFactory(username="atendente", roles=["order_desk"]))
    assert is_admin_denied(client.get(url))
    client.logout()
    assert "/admin/login/" in client.get(url).url


# -- screens ---------------------------------------------------------------------


def test_a_clerk_records_a_bill_on_the_screen(supplier, goods, clerk, client):
    client.force_login(clerk)
    assert client.get(f"{BILLS}new/").status_code == 200

    response = client.post(
        f"{BILLS}new/",
        {
            "supplier": supplier.pk,
            "category": goods.pk,
            "description": "Frete de novembro",
            "document_number": "CT-e 998",
            "issue_date": days(-2).strftime("%d/%m/%Y"),
            "total": "R$ 1.234,56",
            "installments": "2",
            "first_due_date": days(10).strftime("%d/%m/%Y"),
            "every_days": "30",
            "invoice_file": pdf("cte.pdf"),
        },
    )

    bill = Bill.objects.get()
    assert response.status_code == 302 and response.url == f"{BILLS}{bill.pk}/"
    assert bill.total == D("1234.56") and bill.created_by == clerk
    assert [r.amount for r in bill.installments.order_by("number")] == [
        D("617.28"),
        D("617.28"),
    ]
    page = page_text(client.get(response.url))
    assert "R$ 1.234,56" in page and "cte.pdf" in page
    assert "Registrar pagamento" in page


def test_the_screen_shows_a_service_error_on_its_field(supplier, goods, clerk, client):
    client.force_login(clerk)
    response = client.post(
        f"{BILLS}new/",
        {
            "supplier": supplier.pk,
            "category": goods.pk,
            "description": "Boleto",
            "issue_date": days(-2).strftime("%d/%m/%Y"),
            "installments": "1",
            "every_days": "30",
            "invoice_file": pdf("nota.txt", b"just text", "text/plain"),
        },
    )
    assert response.status_code == 200
    assert "Digite o total da conta." in page_text(response)
    assert Bill.objects.count() == 0


def test_approval_and_payment_on_the_screens(supplier, goods, clerk, boss, client):
    bill = new_bill(supplier, goods, clerk, total=D("7000.00"))
    row = bill.installments.get()
    detail = f"{BILLS}{bill.pk}/"

    # the clerk sees the bill but no way to pay it yet, and may not approve
    client.force_login(clerk)
    assert "Registrar pagamento" not in page_text(client.get(detail))
    assert is_admin_denied(client.post(f"{detail}approve/"))
    response = client.get(f"{BILLS}installments/{row.pk}/pay/")
    assert response.status_code == 302 and response.url == detail

    # the manager approves
    client.force_login(boss)
    assert "Aprovar a conta" in page_text(client.get(detail))
    client.post(f"{detail}approve/")
    bill.refresh_from_db()
    assert bill.approved_by == boss

    # the clerk records the payment, with a fine typed the Brazilian way
    client.force_login(clerk)
    response = client.post(
        f"{BILLS}installments/{row.pk}/pay/",
        {
            "paid_on": today().strftime("%d/%m/%Y"),
            "fine": "140,00",
            "paid_from": "Banco do Brasil",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.amount_paid) == ("paid", D("7140.00"))
    page = page_text(client.get(detail))
    assert "R$ 7.140,00" in page and "Pagamento de conta registrado" in page


def test_the_creator_sees_that_another_person_approves(supplier, goods, boss, client):
    bill = new_bill(supplier, goods, boss, total=D("7000.00"))
    client.force_login(boss)
    page = page_text(client.get(f"{BILLS}{bill.pk}/"))
    assert "Aprovar a conta" not in page
    assert "Você lançou esta conta: outra pessoa a aprova." in page
    client.post(f"{BILLS}{bill.pk}/approve/")
    bill.refresh_from_db()
    assert bill.approved_by is None


def test_the_approval_message_in_portuguese(supplier, goods, boss):
    bill = new_bill(supplier, goods, boss, total=D("7000.00"))
    with translation.override("pt-br"), pytest.raises(ApprovalRefused) as error:
        approve_bill(bill, user=boss)
    assert error.value.message == ("Você lançou esta conta: outra pessoa a aprova.")


def test_listings_of_bills_for_readers_and_not_for_others(
    supplier, goods, clerk, client
):
    new_bill(supplier, goods, clerk)
    auditor = UserFactory(username="auditor", roles=["auditor"])
    client.force_login(auditor)
    page = page_text(client.get(BILLS))
    assert "Camisetas lote 12" in page and "R$ 900,00" in page
    assert "Nova conta" not in page
    client.force_login(UserFactory(username="editor", roles=["content_editor"]))
    assert is_admin_denied(client.get(BILLS))
    assert is_admin_denied(client.get(f"{BILLS}new/"))


def test_installments_listing_takes_the_same_queries_for_more_rows(
    supplier, goods, clerk, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(clerk)
    new_bill(supplier, goods, clerk, installments=2)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INSTALLMENTS).status_code == 200
        return len(captured)

    # the process's caches (content types, permissions) warm alike for both
    # counts, whatever test ran before in this process
    client.get(INSTALLMENTS)
    few = count()
    new_bill(supplier, goods, clerk, installments=6, description="Outro lote")
    assert count() == few


def test_suppliers_and_the_chart_on_their_screens(client, clerk, boss):
    client.force_login(clerk)
    response = client.post(
        "/admin/finance/suppliers/new/",
        {"name": "Gráfica Rápida", "document": CNPJ, "active": "on"},
    )
    assert response.status_code == 302
    assert Supplier.objects.get().document == "11222333000181"
    assert "11.222.333/0001-81" in page_text(client.get("/admin/finance/suppliers/"))
    # the chart of accounts is read by the desk and changed by its manager
    assert "Despesas financeiras" in page_text(
        client.get("/admin/finance/chart-of-accounts/")
    )
    assert is_admin_denied(client.get("/admin/finance/chart-of-accounts/new/"))
    client.force_login(boss)
    response = client.post(
        "/admin/finance/chart-of-accounts/new/",
        {
            "code": "03.01",
            "name": "Anúncios pagos",
            "parent": BillCategory.objects.get(code="03").pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert BillCategory.objects.get(code="03.01").parent.name == "Marketing e anúncios"


def test_a_boleto_typed_on_the_installment_screen(supplier, goods, clerk, client):
    bill = new_bill(supplier, goods, clerk, total=D("100.00"), installments=2)
    second = bill.installments.get(number=2)
    client.force_login(clerk)
    url = f"{BILLS}installments/{second.pk}/boleto/"
    assert "R$ 50,00" in page_text(client.get(url))

    response = client.post(url, {"boleto_line": boleto_line("50.00", days(45))})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.due_date == days(45)
    response = client.post(url, {"boleto_line": "0019"})
    assert response.status_code == 200
    assert "47 números" in page_text(response)
