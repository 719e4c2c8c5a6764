"""Reconciliation (conciliação): statement lines matched automatically to
receivables and bills by transaction id, reference, amount and date, batch
payout and partial payments, with differences within the tolerance booked
as fees; the same lines twice change nothing; a person matches (and
splits), ignores and undoes, within the bank accounts granted to them."""

import datetime
import itertools
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.utils import translation
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from plugins.finance.models import (
    BankAccount,
    BillCategory,
    Match,
    Provider,
    ProviderAccount,
    Receivable,
    StatementLine,
    Supplier,
)
from plugins.finance.services.payables import create_bill
from plugins.finance.services.reconciliation import (
    ReconciliationError,
    Target,
    ignore_line,
    match_line,
    reconcile,
    suggestions,
    undo_match,
    unignore_line,
)
from tests.factories import UserFactory
from tests.helpers import is_admin_denied, page_text
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
_fingerprints = itertools.count()


def day(n: int = 0) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def bank(db):
    return BankAccount.objects.create(
        name="Itaú", bank_code="341", agency="0001", number="12345-6"
    )


@pytest.fixture
def other_bank(db):
    return BankAccount.objects.create(
        name="Bradesco", bank_code="237", agency="0002", number="555-1"
    )


@pytest.fixture
def mp(db):
    return ProviderAccount.objects.create(
        name="Mercado Pago", provider=Provider.MERCADO_PAGO, access_token="t"
    )


@pytest.fixture
def pagbank(db):
    return ProviderAccount.objects.create(
        name="PagBank", provider=Provider.PAGBANK, access_token="t"
    )


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente-fin", roles=["finance_manager"])


@pytest.fixture
def clerk(bank):
    """A finance clerk granted the Itaú account (view and reconcile)."""
    user = UserFactory(username="financeiro", roles=["finance"])
    assign_perm("finance.view_bankaccount", user, bank)
    assign_perm("finance.reconcile_bankaccount", user, bank)
    return user


def receivable(net, due=DAY, reference="", account=None, installment=1, **kw):
    net = D(net)
    kw.setdefault("installments", max(installment, 1))
    return Receivable.objects.create(
        kind=kw.pop("kind", "pix"),
        gross=net,
        net=net,
        due_date=due,
        reference=reference,
        account=account,
        installment=installment,
        **kw,
    )


def line(bank, amount, date=DAY, reference="", description="", **kw):
    return StatementLine.objects.create(
        account=bank,
        source=kw.pop("source", "ofx"),
        date=date,
        amount=D(amount),
        reference=reference,
        description=description,
        fingerprint=f"t-{next(_fingerprints)}",
        **kw,
    )


def fresh(*objects):
    for obj in objects:
        obj.refresh_from_db()
    return objects


def active(line_):
    return list(Match.objects.filter(line=line_, undone_at=None).order_by("pk"))


# -- the rules -----------------------------------------------------------------------


def test_a_line_naming_the_provider_transaction_settles_its_receivable(bank, mp):
    title = receivable("97.03", reference="MP-123456789", account=mp)
    credit = line(bank, "97.03", date=day(1), reference="MP-123456789")

    result = reconcile(bank)

    assert result.rules == {"id": 1}
    fresh(title, credit)
    assert title.status == "settled"
    assert title.settled_amount == D("97.03")
    assert title.settled_on == day(1)
    assert credit.status == "matched" and credit.matched_amount == D("97.03")
    (match,) = active(credit)
    assert (match.receivable, match.amount, match.fee, match.rule) == (
        title,
        D("97.03"),
        D("0.00"),
        "id",
    )


def test_the_installment_the_line_names_is_the_one_settled(bank, mp):
    first = receivable("50.00", reference="PAY-777", account=mp, installments=3)
    second = receivable(
        "50.00", reference="PAY-777", account=mp, installment=2, installments=3
    )
    credit = line(
        bank, "50.00", reference="PAY-777", installment=2, source="settlement"
    )

    reconcile(bank)

    fresh(first, second)
    assert (first.status, second.status) == ("open", "settled")
    assert active(credit)[0].rule == "id"


def test_an_order_number_or_txid_in_the_description_settles_by_reference(
    bank,
    loja,  # noqa: F811
    sellable,  # noqa: F811
):
    order = place(loja)  # 154.70
    by_order = receivable(order.total, order=order, channel=loja, kind="boleto")
    by_txid = receivable("80.00", reference="E18236120202603021200s0123456789")
    credits = [
        line(bank, order.total, description=f"TED RECEBIDA PEDIDO {order.number}"),
        line(
            bank, "80.00", description="PIX RECEBIDO E18236120202603021200s0123456789"
        ),
    ]

    result = reconcile(bank)

    assert result.rules == {"reference": 2}
    fresh(by_order, by_txid)
    assert by_order.status == by_txid.status == "settled"
    assert [active(c)[0].rule for c in credits] == ["reference", "reference"]


def test_a_boleto_nosso_numero_is_found_without_its_leading_zeros(bank):
    title = receivable("250.00", reference="12345678", kind="boleto")
    credit = line(bank, "250.00", description="LIQUIDACAO BOLETO NN 0000012345678")

    reconcile(bank)

    assert active(credit)[0].receivable == title


def test_amount_and_date_match_a_single_title_within_the_window(bank, settings):
    settings.RETAGUARDA_FINANCE_RECONCILE_WINDOW_DAYS = 3
    near = receivable("310.45", due=day(-3))
    receivable("310.45", due=day(-10))  # out of the window
    credit = line(bank, "310.45", description="DEPOSITO")

    assert reconcile(bank).rules == {"amount_date": 1}
    assert active(credit)[0].receivable == near


def test_amount_and_date_leave_a_line_that_two_titles_could_be(bank):
    receivable("310.45", due=day(-1))
    receivable("310.45", due=day(1))
    credit = line(bank, "310.45", description="DEPOSITO")

    result = reconcile(bank)

    assert result.matched == 0 and result.left == 1
    credit.refresh_from_db()
    assert credit.status == "unmatched"
    assert len(suggestions(credit)) == 2


def test_a_difference_exactly_at_the_tolerance_is_a_fee(bank, settings):
    settings.RETAGUARDA_FINANCE_RECONCILE_TOLERANCE = D("0.05")
    title = receivable("100.00", reference="ABC-12345")
    credit = line(bank, "99.95", reference="ABC-12345")

    reconcile(bank)

    (match,) = active(credit)
    assert (match.amount, match.fee) == (D("99.95"), D("0.05"))
    fresh(title, credit)
    assert title.status == "settled" and title.settled_amount == D("100.00")
    assert credit.status == "matched"


def test_a_centavo_over_the_tolerance_is_a_partial_payment(bank, settings):
    settings.RETAGUARDA_FINANCE_RECONCILE_TOLERANCE = D("0.05")
    title = receivable("100.00", reference="ABC-12345")
    credit = line(bank, "99.94", reference="ABC-12345")

    assert reconcile(bank).rules == {"partial": 1}

    (match,) = active(credit)
    assert (match.amount, match.fee, match.rule) == (D("99.94"), D("0.00"), "partial")
    title.refresh_from_db()
    assert title.status == "partial" and title.settled_amount == D("99.94")


def test_by_amount_a_centavo_over_the_tolerance_is_not_a_match(bank, settings):
    settings.RETAGUARDA_FINANCE_RECONCILE_TOLERANCE = D("0.05")
    at = receivable("200.00", due=day(-1))
    receivable("300.00", due=day(-1))
    at_edge = line(bank, "200.05", description="DEPOSITO")
    over = line(bank, "299.94", description="DEPOSITO")

    reconcile(bank)

    (match,) = active(at_edge)
    assert (match.receivable, match.amount, match.fee) == (at, D("200.05"), D("0"))
    assert active(over) == []


def test_the_tolerance_is_a_setting(bank, settings):
    settings.RETAGUARDA_FINANCE_RECONCILE_TOLERANCE = D("1.00")
    receivable("100.00", reference="ABC-12345")
    credit = line(bank, "99.00", reference="ABC-12345")

    reconcile(bank)

    assert active(credit)[0].fee == D("1.00")


def test_one_payout_settles_the_receivables_of_an_account_due_that_day(
    bank, mp, pagbank, settings
):
    settings.RETAGUARDA_FINANCE_RECONCILE_BATCH_PERCENT = D("1.00")
    batch = [
        receivable(net, due=day(-1), account=mp, kind="card")
        for net in ("120.00", "80.00", "300.00")
    ]
    # another acquirer's receivables of the same day stay open
    others = [
        receivable("260.00", due=day(-1), account=pagbank, kind="card")
        for _ in range(2)
    ]
    payout = line(bank, "497.00", description="MERCADO PAGO REPASSE")  # 3.00 of fees

    assert reconcile(bank).rules == {"batch": 1}

    matches = active(payout)
    assert sorted(m.receivable_id for m in matches) == sorted(r.pk for r in batch)
    assert sum(m.amount for m in matches) == D("497.00")
    assert sum(m.fee for m in matches) == D("3.00")
    for title in batch:
        title.refresh_from_db()
        assert title.status == "settled" and title.settled_amount == title.net
    assert all(r.status == "open" for r in fresh(*others))
    payout.refresh_from_db()
    assert payout.status == "matched"


def test_a_payout_short_by_more_than_the_batch_percent_stays_in_the_queue(
    bank, mp, settings
):
    settings.RETAGUARDA_FINANCE_RECONCILE_BATCH_PERCENT = D("1.00")
    for net in ("120.00", "80.00", "300.00"):
        receivable(net, due=day(-1), account=mp, kind="card")
    payout = line(bank, "494.99", description="REPASSE")  # 5.01 short of 500.00

    assert reconcile(bank).matched == 0
    assert active(payout) == []


def test_partial_payments_settle_a_title_when_they_reach_it(bank):
    title = receivable("300.00", reference="NF-99887")
    payments = [
        line(bank, amount, date=day(n), reference="NF-99887")
        for n, amount in enumerate(("100.00", "150.00", "50.00"))
    ]

    result = reconcile(bank)

    assert result.rules == {"partial": 3}
    title.refresh_from_db()
    assert title.status == "settled" and title.settled_amount == D("300.00")
    assert title.settled_on == day(2)
    assert all(p.status == "matched" for p in fresh(*payments))


def test_a_partial_payment_leaves_the_title_partly_settled(bank):
    title = receivable("300.00", reference="NF-99887")
    first = line(bank, "100.00", reference="NF-99887")
    reconcile(bank)
    title.refresh_from_db()
    assert title.status == "partial" and title.settled_on is None

    # the rest comes in a later statement
    line(bank, "200.00", date=day(5), reference="NF-99887")
    assert reconcile(bank).rules == {"partial": 1}
    title.refresh_from_db()
    assert title.status == "settled" and title.settled_on == day(5)
    assert active(first)[0].rule == "partial"


def test_the_rules_go_in_order_the_id_before_the_amount(bank, mp):
    # the line's amount fits an unrelated title by amount and date, but its
    # transaction id names another one
    named = receivable("75.00", due=day(20), reference="MP-555555", account=mp)
    receivable("75.00", due=day(0))
    credit = line(bank, "75.00", reference="MP-555555")

    assert reconcile(bank).rules == {"id": 1}
    assert active(credit)[0].receivable == named


def test_a_title_is_never_settled_twice(bank):
    title = receivable("60.00", reference="TX-000111")
    lines = [line(bank, "60.00", reference="TX-000111") for _ in range(2)]

    reconcile(bank)

    title.refresh_from_db()
    assert title.settled_amount == D("60.00")
    assert sorted(line_.status for line_ in fresh(*lines)) == ["matched", "unmatched"]
    assert Match.objects.filter(receivable=title).count() == 1


def test_reconciling_the_same_lines_twice_changes_nothing(bank, mp):
    receivable("97.03", reference="MP-1", account=mp)
    receivable("40.00", reference="MP-22222", account=mp)
    receivable("10.00", due=day(0))
    line(bank, "97.03", reference="MP-1")
    line(bank, "40.00", reference="MP-22222")
    line(bank, "10.00")
    line(bank, "3.33", description="TARIFA")

    first = reconcile(bank)
    state = (
        list(Receivable.objects.values_list("pk", "settled_amount", "status")),
        list(StatementLine.objects.values_list("pk", "matched_amount", "status")),
        Match.objects.count(),
    )
    second = reconcile(bank)

    assert first.matched == 3 and second.matched == 0
    assert state == (
        list(Receivable.objects.values_list("pk", "settled_amount", "status")),
        list(StatementLine.objects.values_list("pk", "matched_amount", "status")),
        Match.objects.count(),
    )


def test_only_the_given_lines_and_only_this_account_are_reconciled(bank, other_bank):
    receivable("10.00", reference="REF-00001")
    receivable("20.00", reference="REF-00002")
    mine = line(bank, "10.00", reference="REF-00001")
    not_given = line(bank, "20.00", reference="REF-00002")
    elsewhere = line(other_bank, "20.00", reference="REF-00002")

    assert reconcile(bank, lines=[mine]).matched == 1
    assert [x.status for x in fresh(mine, not_given, elsewhere)] == [
        "matched",
        "unmatched",
        "unmatched",
    ]


def test_ignored_lines_and_debits_are_not_matched_to_receivables(bank, manager):
    receivable("10.00", reference="REF-00001", due=DAY)
    ignored = line(bank, "10.00", reference="REF-00001")
    ignore_line(ignored, user=manager, reason="Transferência entre contas")
    debit = line(bank, "-10.00", reference="REF-00001")

    assert reconcile(bank).matched == 0
    assert [x.status for x in fresh(ignored, debit)] == ["ignored", "unmatched"]


# -- payables ------------------------------------------------------------------------


@pytest.fixture
def bill(manager, settings):
    settings.RETAGUARDA_FINANCE_APPROVAL_ABOVE = D("5000.00")
    supplier = Supplier.objects.create(name="Malharia", document="11222333000181")
    return create_bill(
        supplier,
        category=BillCategory.objects.get(code="01.01"),
        description="Camisetas",
        issue_date=day(-30),
        user=manager,
        total=D("1000.00"),
        installments=2,
        first_due_date=day(-1),
        document_number="NF-4321",
    )


def test_a_debit_pays_the_bill_installment_it_names(bank, bill):
    first, second = bill.installments.order_by("number")
    debit = line(bank, "-500.00", description="PAGTO FORNECEDOR NF-4321", date=DAY)

    result = reconcile(bank)

    assert result.rules == {"reference": 1}
    first.refresh_from_db()
    assert first.status == "paid" and first.paid_on == DAY
    assert first.amount_paid == D("500.00") and first.paid_from == "Itaú"
    (match,) = active(debit)
    assert match.installment == first
    bill.refresh_from_db()
    assert bill.status == "partially_paid"


def test_a_debit_a_few_centavos_over_pays_with_interest(bank, bill):
    first, _second = bill.installments.order_by("number")
    debit = line(bank, "-500.04", description="PAGAMENTO BOLETO", date=DAY)

    assert reconcile(bank).rules == {"amount_date": 1}

    first.refresh_from_db()
    assert (first.status, first.amount_paid, first.interest) == (
        "paid",
        D("500.04"),
        D("0.04"),
    )
    assert active(debit)[0].fee == D("0.04")


def test_undoing_a_bill_match_takes_the_payment_back(bank, bill, manager):
    first, _second = bill.installments.order_by("number")
    debit = line(bank, "-500.00", description="PAGTO NF-4321")
    reconcile(bank)
    (match,) = active(debit)

    undo_match(match, user=manager, reason="Outro fornecedor")

    first.refresh_from_db()
    assert first.status == "approved" and first.paid_on is None
    assert first.amount_paid is None
    bill.refresh_from_db()
    assert bill.status == "open"
    debit.refresh_from_db()
    assert debit.status == "unmatched" and debit.matched_amount == 0


def test_an_installment_awaiting_approval_is_not_paid(bank, manager, settings):
    settings.RETAGUARDA_FINANCE_APPROVAL_ABOVE = D("100.00")
    supplier = Supplier.objects.create(name="Gráfica", document="11222333000181")
    big = create_bill(
        supplier,
        category=BillCategory.objects.get(code="01.01"),
        description="Etiquetas",
        issue_date=day(-30),
        user=manager,
        total=D("900.00"),
        first_due_date=DAY,
        document_number="NF-5555",
    )
    line(bank, "-900.00", description="PAGTO NF-5555")

    assert reconcile(bank).matched == 0
    assert big.installments.get().status == "open"


# -- a person's actions --------------------------------------------------------------


def test_a_line_split_by_hand_over_several_titles(bank, clerk):
    a = receivable("70.00")
    b = receivable("50.00")
    credit = line(bank, "118.00", description="DEPOSITO EM DINHEIRO")

    match_line(
        credit,
        [Target(a, D("70.00")), Target(b, D("48.00"), fee=D("2.00"))],
        user=clerk,
        note="Dois pedidos num depósito",
    )

    fresh(a, b, credit)
    assert a.status == b.status == "settled"
    assert credit.status == "matched" and credit.matched_amount == D("118.00")
    assert b.settled_amount == D("50.00")
    assert [(m.rule, m.created_by) for m in active(credit)] == [("manual", clerk)] * 2
    entry = ModelLogEntry.objects.get(action="finance.reconcile.match")
    assert entry.user == clerk and len(entry.data["titles"]) == 2


def test_a_part_of_a_line_matched_by_hand_leaves_the_rest_to_reconcile(bank, clerk):
    a = receivable("70.00")
    credit = line(bank, "120.00")

    match_line(credit, [Target(a, D("70.00"))], user=clerk)

    credit.refresh_from_db()
    assert credit.status == "partial" and credit.open_amount == D("50.00")


def test_a_match_by_hand_cannot_take_more_than_the_line_or_the_title(bank, clerk):
    a = receivable("70.00")
    b = receivable("20.00")
    credit = line(bank, "80.00")

    with pytest.raises(ReconciliationError, match="add up to"):
        match_line(credit, [Target(a, D("70.00")), Target(b, D("20.00"))], user=clerk)
    with pytest.raises(ReconciliationError, match="open"):
        match_line(credit, [Target(b, D("25.00"))], user=clerk)
    with pytest.raises(ReconciliationError, match="more than zero"):
        match_line(credit, [Target(b, D("-1"))], user=clerk)

    assert not Match.objects.exists()
    assert all(r.status == "open" for r in fresh(a, b))


def test_undo_reverses_exactly_and_the_match_stays_on_record(bank, clerk):
    title = receivable("300.00", reference="NF-99887")
    first = line(bank, "100.00", reference="NF-99887")
    second = line(bank, "200.00", date=day(1), reference="NF-99887")
    reconcile(bank)
    title.refresh_from_db()
    assert title.status == "settled"

    with pytest.raises(ReconciliationError):
        undo_match(active(second)[0], user=clerk, reason="")
    undo_match(active(second)[0], user=clerk, reason="Lançamento estornado")

    fresh(title, second)
    assert title.status == "partial" and title.settled_amount == D("100.00")
    assert title.settled_on is None
    assert second.status == "unmatched" and second.matched_amount == 0
    undone = Match.objects.get(line=second)
    assert undone.undone_by == clerk and undone.undo_reason == "Lançamento estornado"
    with pytest.raises(ReconciliationError, match="already"):
        undo_match(undone, user=clerk, reason="de novo")

    undo_match(active(first)[0], user=clerk, reason="Estorno")
    title.refresh_from_db()
    assert title.status == "open" and title.settled_amount == 0
    # undone lines go back to the queue and reconcile again
    assert reconcile(bank).matched == 2
    title.refresh_from_db()
    assert title.status == "settled" and title.settled_amount == D("300.00")


def test_undoing_one_receivable_of_a_payout_leaves_the_others(bank, mp, clerk):
    batch = [receivable(n, due=DAY, account=mp) for n in ("30.00", "70.00")]
    payout = line(bank, "100.00", description="REPASSE")
    reconcile(bank)

    undo_match(active(payout)[0], user=clerk, reason="Repasse de outro dia")

    payout.refresh_from_db()
    assert payout.status == "partial" and payout.open_amount == D("30.00")
    assert [r.status for r in fresh(*batch)] == ["open", "settled"]


def test_ignore_and_take_back_a_line_with_a_reason(bank, clerk):
    fee = line(bank, "-12.90", description="TARIFA PACOTE SERVICOS")

    with pytest.raises(ReconciliationError, match="why"):
        ignore_line(fee, user=clerk, reason=" ")
    ignore_line(fee, user=clerk, reason="Tarifa bancária")
    fee.refresh_from_db()
    assert (fee.status, fee.ignored_reason) == ("ignored", "Tarifa bancária")
    with pytest.raises(ReconciliationError):
        match_line(fee, [Target(receivable("12.90"), D("12.90"))], user=clerk)

    unignore_line(fee, user=clerk)
    fee.refresh_from_db()
    assert (fee.status, fee.ignored_reason) == ("unmatched", "")
    assert list(
        ModelLogEntry.objects.filter(object_id=str(fee.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["finance.reconcile.ignore", "finance.reconcile.unignore"]


def test_a_line_with_something_matched_cannot_be_ignored(bank, clerk):
    credit = line(bank, "120.00")
    match_line(credit, [Target(receivable("20.00"), D("20.00"))], user=clerk)

    with pytest.raises(ReconciliationError, match="nothing reconciled"):
        ignore_line(credit, user=clerk, reason="Transferência")


def test_actions_need_reconcile_on_the_lines_account(bank, other_bank, clerk):
    title = receivable("20.00")
    outside = line(other_bank, "20.00")
    viewer = UserFactory(username="so-ve", roles=["finance"])
    assign_perm("finance.view_bankaccount", viewer, bank)
    inside = line(bank, "20.00")
    auditor = UserFactory(username="auditor", roles=["auditor"])
    desk = UserFactory(username="atendente", roles=["order_desk"])

    for user, target in (
        (clerk, outside),
        (viewer, inside),
        (auditor, inside),
        (desk, inside),
    ):
        with pytest.raises(PermissionDenied):
            match_line(target, [Target(title, D("20.00"))], user=user)
        with pytest.raises(PermissionDenied):
            ignore_line(target, user=user, reason="x")
    for user in (clerk, viewer, auditor):
        with pytest.raises(PermissionDenied):
            reconcile(other_bank, user=user)
    assert not Match.objects.exists()


def test_the_manager_reconciles_every_account(bank, other_bank, manager):
    receivable("20.00", reference="REF-00020")
    credit = line(other_bank, "20.00", reference="REF-00020")

    result = reconcile(other_bank, user=manager)

    assert result.matched == 1
    entry = ModelLogEntry.objects.get(action="finance.reconcile.run")
    assert entry.user == manager and entry.data["rules"] == {"id": 1}
    credit.refresh_from_db()
    assert credit.status == "matched"


def test_an_error_in_portuguese(bank, clerk):
    fee = line(bank, "-1.00")
    with translation.override("pt-br"), pytest.raises(ReconciliationError) as error:
        ignore_line(fee, user=clerk, reason="")
    assert error.value.message == "Diga por que a linha é ignorada."


# -- the screens ---------------------------------------------------------------------

RECON = "/admin/finance/reconciliation/"


def test_the_clerk_sees_the_queue_of_the_accounts_granted(
    bank, other_bank, clerk, client
):
    receivable("310.45", due=day(-1), reference="")
    inside = line(bank, "310.45", description="DEPOSITO JOAO")
    outside = line(other_bank, "99.00", description="DEPOSITO MARIA")
    client.force_login(clerk)

    accounts = page_text(client.get(RECON))
    assert "Itaú" in accounts and "Bradesco" not in accounts
    queue = client.get(f"{RECON}{bank.pk}/")
    assert queue.status_code == 200
    text = page_text(queue)
    assert "DEPOSITO JOAO" in text and "DEPOSITO MARIA" not in text
    assert "R$ 310,45" in text  # the suggested receivable
    assert client.get(f"{RECON}{other_bank.pk}/").status_code == 404
    assert client.get(f"{RECON}lines/{outside.pk}/").status_code == 404
    assert client.get(f"{RECON}lines/{inside.pk}/").status_code == 200


def test_a_clerk_matches_a_line_by_hand_on_its_page(
    bank,
    clerk,
    client,
    loja,  # noqa: F811
    sellable,  # noqa: F811
):
    order = place(loja)
    first = receivable("100.00", order=order, channel=loja)
    second = receivable("54.70", order=order, channel=loja)
    credit = line(bank, "154.70", description="DEPOSITO")
    client.force_login(clerk)

    found = client.get(f"{RECON}lines/{credit.pk}/", {"q": order.number})
    assert f"r:{first.pk}" in found.content.decode()
    response = client.post(
        f"{RECON}lines/{credit.pk}/match/",
        {
            "title": [f"r:{first.pk}", f"r:{second.pk}"],
            f"amount-r:{first.pk}": "100,00",
            f"amount-r:{second.pk}": "54,70",
            "note": "Depósito do cliente",
        },
    )
    assert response.status_code == 302
    fresh(first, second, credit)
    assert first.status == second.status == "settled"
    assert credit.status == "matched"
    assert "Depósito do cliente" in page_text(client.get(f"{RECON}{bank.pk}/matches/"))


def test_a_clerk_ignores_undoes_and_reconciles_now_on_the_screens(bank, clerk, client):
    title = receivable("60.00", reference="TX-000111")
    credit = line(bank, "60.00", reference="TX-000111")
    fee = line(bank, "-8.00", description="TARIFA")
    client.force_login(clerk)

    client.post(f"{RECON}lines/{fee.pk}/ignore/", {"reason": "Tarifa bancária"})
    fee.refresh_from_db()
    assert fee.status == "ignored"

    response = client.post(f"{RECON}{bank.pk}/run/")
    assert response.url == f"{RECON}{bank.pk}/"
    # the admin speaks the clerk's language
    assert "1 de 1 linhas conciliadas; 0 ficaram para a fila de revisão." in [
        str(message) for message in get_messages(response.wsgi_request)
    ]
    title.refresh_from_db()
    assert title.status == "settled"

    (match,) = active(credit)
    client.post(f"{RECON}lines/{credit.pk}/undo/", {"match": match.pk, "reason": ""})
    assert active(credit) == [match]  # a reason is needed
    client.post(
        f"{RECON}lines/{credit.pk}/undo/", {"match": match.pk, "reason": "Errado"}
    )
    assert active(credit) == []
    title.refresh_from_db()
    assert title.status == "open"


def test_auditors_read_and_do_not_act(bank, client):
    credit = line(bank, "60.00")
    auditor = UserFactory(username="auditor", roles=["auditor"])
    client.force_login(auditor)

    assert client.get(f"{RECON}{bank.pk}/").status_code == 200
    page = client.get(f"{RECON}lines/{credit.pk}/").content.decode()
    assert 'id="line-ignore"' not in page
    assert is_admin_denied(
        client.post(f"{RECON}lines/{credit.pk}/ignore/", {"reason": "x"})
    )
    assert is_admin_denied(client.post(f"{RECON}{bank.pk}/run/"))
    credit.refresh_from_db()
    assert credit.status == "unmatched"


def test_the_queue_in_portuguese(bank, clerk, client):
    line(bank, "60.00", description="DEPOSITO")
    client.force_login(clerk)
    with translation.override("pt-br"):
        text = page_text(client.get(f"{RECON}{bank.pk}/", HTTP_ACCEPT_LANGUAGE="pt-br"))
    assert "Fila de revisão" in text and "Conciliar agora" in text
