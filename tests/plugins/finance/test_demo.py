"""The demo finance written by `manage.py seed_demo` (the DEMO_DATA hook): the
provider accounts on the simulators, payments in every method and state
taken through the services, the receivables they give, the demo finance
users, and the pending payments left to pay in the simulators `make run`
starts."""

import datetime
import re
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks as wagtail_hooks

from plugins.finance import demo, demo_banking
from plugins.finance.gateway import provider_for
from plugins.finance.models import (
    Payment,
    ProviderAccount,
    ProviderEvent,
    Receivable,
)
from plugins.finance.pix import parse_br_code
from plugins.finance.simulators import (
    DEMO_ACCESS_TOKEN,
    DEMO_WEBHOOK_SECRET,
    MercadoPagoSimulator,
    PagBankSimulator,
)
from plugins.hooks import DEMO_DATA
from plugins.management.commands.seed_demo import Command as SeedDemo
from plugins.orders.models import Order, OrderEvent
from tests.factories import UserFactory
from tests.helpers import listing_rows
from tests.plugins.orders.conftest import sellable  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

#: Every demo payment: (method, installments, status, provider).
EVERY_PAYMENT = {
    ("pix", 1, "approved", "mercadopago"),
    ("pix", 1, "approved", "pagbank"),
    ("pix", 1, "pending", "mercadopago"),
    ("boleto", 1, "pending", "pagbank"),
    ("boleto", 1, "approved", "mercadopago"),
    ("card", 3, "approved", "mercadopago"),
    ("card", 6, "approved", "pagbank"),
    ("card", 1, "refunded", "mercadopago"),
    ("transfer", 1, "approved", "manual"),
    ("pix", 1, "approved", "manual"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_settings(settings, tmp_path):
    """The simulators' demo ports (free ones) and state directory."""
    settings.RETAGUARDA_DEMO_MERCADOPAGO_PORT = free_port()
    settings.RETAGUARDA_DEMO_PAGBANK_PORT = free_port()
    settings.RETAGUARDA_DEMO_SIMULATORS_DIR = tmp_path / "simulators"
    return settings


def make_run_simulator(cls, settings):
    """A simulator as `make run` starts it: on its demo port, with its state
    file (webhooks are delivered when the test says)."""
    vendor = cls.vendor
    port = {
        "mercadopago": settings.RETAGUARDA_DEMO_MERCADOPAGO_PORT,
        "pagbank": settings.RETAGUARDA_DEMO_PAGBANK_PORT,
    }[vendor]
    return cls(
        access_token=DEMO_ACCESS_TOKEN,
        webhook_secret=DEMO_WEBHOOK_SECRET,
        port=port,
        state_file=settings.RETAGUARDA_DEMO_SIMULATORS_DIR / f"{vendor}.json",
    )


@pytest.fixture
def seeded(sellable, demo_settings):  # noqa: F811
    """The demo seeded with no simulator running (as `make run` seeds)."""
    finance = UserFactory(username="finance", roles=["finance"])
    out = StringIO()
    demo.seed_demo_finance(stdout=out)
    return finance, out.getvalue()


def demo_payments():
    return Payment.objects.filter(order__external_id__startswith=demo.PREFIX)


def test_demo_finance_runs_after_the_demo_orders():
    names = [fn.__module__ for fn in wagtail_hooks.get_hooks(DEMO_DATA)]
    assert names.index("plugins.orders.demo") < names.index("plugins.finance.demo")


def test_demo_accounts_point_at_the_simulators_with_their_credentials(
    seeded, demo_settings
):
    accounts = {a.provider: a for a in ProviderAccount.objects.all()}
    assert set(accounts) == {"mercadopago", "pagbank", "manual"}
    for provider, port in (
        ("mercadopago", demo_settings.RETAGUARDA_DEMO_MERCADOPAGO_PORT),
        ("pagbank", demo_settings.RETAGUARDA_DEMO_PAGBANK_PORT),
    ):
        account = accounts[provider]
        assert account.api_url == f"http://127.0.0.1:{port}"
        assert (account.access_token, account.webhook_secret) == (
            DEMO_ACCESS_TOKEN,
            DEMO_WEBHOOK_SECRET,
        )
    manual = accounts["manual"]
    assert manual.pix_key and not manual.accepts_card and not manual.accepts_boleto


def test_demo_payments_in_every_method_and_state(seeded):
    finance, output = seeded
    payments = demo_payments()
    assert (
        set(
            payments.values_list(
                "method", "installments", "status", "account__provider"
            )
        )
        == EVERY_PAYMENT
    )
    assert payments.count() == len(EVERY_PAYMENT)
    assert "Financeiro de demonstração: 3 contas" in output
    assert "10 pagamentos (7 aprovados, 2 aguardando, 1 estornado)" in output

    # each payment is its order's total, and its order moved with it
    for payment in payments.select_related("order"):
        assert payment.amount == payment.order.total
        expected = {"approved": "paid", "pending": "pending_payment"}
        assert payment.order.status == expected.get(payment.status, "cancelled")
        assert payment.order.payment_method == payment.method
        assert payment.order.installments == payment.installments

    pix = payments.get(method="pix", status="pending")
    assert parse_br_code(pix.pix_payload).amount == pix.order.total
    assert pix.expires_at > timezone.now()
    boleto = payments.get(method="boleto", status="pending")
    assert len(boleto.boleto_line) == 47 and boleto.due_date > timezone.localdate()
    refunded = payments.get(status="refunded")
    assert refunded.refunded_amount == refunded.amount
    transfer = payments.get(method="transfer")
    assert transfer.created_by == finance
    assert transfer.order.channel.code == "b2b"
    assert timezone.localdate(transfer.paid_at) == timezone.localdate() - (
        datetime.timedelta(days=10)
    )


def test_demo_receivables_are_open_due_soon_and_overdue(seeded, client):
    finance, _output = seeded
    today = timezone.localdate()
    receivables = Receivable.objects.filter(payment__in=demo_payments())
    # 1 per Pix, boleto, transfer and 1x card; 3 and 6 for the installments
    assert receivables.count() == 6 + 3 + 6
    opened = receivables.open()
    overdue = set(opened.overdue().values_list("kind", flat=True))
    # the counter Pix of three days ago, not on the bank statement yet (the
    # transfer of ten days ago is: reconciled)
    assert overdue == {"manual"}
    assert opened.overdue().count() == 1
    soon = opened.filter(due_date__gte=today, due_date__lte=today + (3 * demo.DAY))
    assert set(soon.values_list("kind", flat=True)) == {"pix", "boleto"}
    later = opened.filter(due_date__gt=today + (20 * demo.DAY))
    assert later.filter(kind="card").count() == 3 + 6
    assert receivables.filter(status="written_off").count() == 1  # the refund

    # the finance desk sees them in the receivables listing
    client.force_login(finance)
    listing = reverse("finance_receivables:index")
    assert len(listing_rows(client.get(listing))) == receivables.count()
    late = listing_rows(client.get(listing, {"aging": "1_30"}))
    assert len(late) == 1


def test_demo_order_screens_show_their_payments(seeded, client):
    finance, _output = seeded
    client.force_login(finance)
    for payment in demo_payments().select_related("order"):
        page = client.get(reverse("orders:detail", args=[payment.order.pk]))
        html = page.content.decode()
        assert 'id="order-finance-payments"' in html, payment
        if payment.status == "approved":
            assert 'id="order-finance-receivables"' in html, payment


def test_demo_is_idempotent(seeded):
    def counts():
        return [
            model.objects.count()
            for model in (ProviderAccount, Order, OrderEvent, Payment, Receivable)
        ]

    before = counts()
    out = StringIO()
    demo.seed_demo_finance(stdout=out)
    assert counts() == before
    # what waits to be paid is said again, with how to pay it
    lines = [line for line in out.getvalue().splitlines() if "curl" in line]
    assert len(lines) == 2
    assert "Pix do pedido" in lines[0] and "boleto do pedido" in lines[1]


def test_the_simulators_make_run_starts_know_the_demo_payments(seeded, demo_settings):
    # the simulators started for the seeding are gone: the ports are free
    for port in (
        demo_settings.RETAGUARDA_DEMO_MERCADOPAGO_PORT,
        demo_settings.RETAGUARDA_DEMO_PAGBANK_PORT,
    ):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))
    # and make run's, started on their state files, know every payment
    with (
        make_run_simulator(MercadoPagoSimulator, demo_settings),
        make_run_simulator(PagBankSimulator, demo_settings),
    ):
        for payment in demo_payments().exclude(account__provider="manual"):
            status = provider_for(payment.account).fetch_status(payment.provider_id)
            assert (status.status, status.amount) == (payment.status, payment.amount)


@pytest.mark.django_db(transaction=True)
def test_the_demo_pix_paid_in_the_simulator_pays_its_order(
    live_server,
    sellable,  # noqa: F811
    demo_settings,
):
    # given the demo seeded while the app serves at its address
    demo_settings.WAGTAILADMIN_BASE_URL = live_server.url
    out = StringIO()
    demo.seed_demo_finance(stdout=out)
    pix_line = next(line for line in out.getvalue().splitlines() if "Pix do" in line)
    approve = re.search(r"curl -X POST (\S+)", pix_line).group(1)
    payment = demo_payments().get(method="pix", status="pending")

    # when the payer pays it in make run's simulator, as the seed says
    with make_run_simulator(MercadoPagoSimulator, demo_settings) as simulator:
        assert requests.post(approve, timeout=10).status_code == 200
        deliveries = simulator.deliver_until_done()

    # then the signed notification reached the app, which paid the order
    assert deliveries and all(delivery.ok for delivery in deliveries)
    payment.refresh_from_db()
    assert payment.status == "approved"
    assert payment.order.status == "paid"
    assert payment.receivables.count() == 1
    event = ProviderEvent.objects.get(payment=payment)
    assert event.outcome == "applied"


def test_the_demo_takes_the_payments_through_running_simulators(
    sellable,  # noqa: F811
    demo_settings,
):
    # given the simulators already running at the demo ports (make run's)
    with (
        make_run_simulator(MercadoPagoSimulator, demo_settings) as mercadopago,
        make_run_simulator(PagBankSimulator, demo_settings) as pagbank,
    ):
        demo.seed_demo_finance(stdout=StringIO())
        # then the payments were made there
        for account, known in (
            ("mercadopago", mercadopago.payments),
            ("pagbank", pagbank.orders),
        ):
            ids = set(
                demo_payments()
                .filter(account__provider=account)
                .values_list("provider_id", flat=True)
            )
            assert ids and ids <= set(known)
    assert demo_payments().count() == len(EVERY_PAYMENT)


def test_without_its_simulators_the_demo_writes_no_payment(sellable, demo_settings):  # noqa: F811
    # given something that is not a simulator on the Mercado Pago port
    server = ThreadingHTTPServer(
        ("127.0.0.1", demo_settings.RETAGUARDA_DEMO_MERCADOPAGO_PORT),
        BaseHTTPRequestHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = StringIO()
        demo.seed_demo_finance(stdout=out)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    # then nothing of the payments is written, and a line says why
    assert "Pagamentos de demonstração não criados" in out.getvalue()
    assert "não é um simulador" in out.getvalue()
    assert not Order.objects.filter(external_id__startswith=demo.PREFIX).exists()
    assert not Payment.objects.exists()
    # and the next run, with the port free, makes them
    demo.seed_demo_finance(stdout=StringIO())
    assert demo_payments().count() == len(EVERY_PAYMENT)


def test_the_demo_has_a_finance_user_and_a_finance_manager(db):
    credentials = SeedDemo().create_users()
    labels = {username: label for username, _password, label in credentials}
    assert labels["finance"] == "Financeiro"
    assert labels["finance_manager"] == "Gerente financeiro"
    text = SeedDemo.credentials_text(credentials, None)
    assert "  finance  " in text and "Gerente financeiro" in text
    manager = UserFactory._meta.model.objects.get(username="finance_manager")
    assert manager.has_perm("finance.manage_credentials")
    assert manager.has_perm("finance.refund_payment")


def test_demo_bills_wait_are_due_and_need_approval(sellable, demo_settings):  # noqa: F811
    from plugins.finance.models import Bill, BillInstallment, Supplier

    clerk = UserFactory(username="finance", roles=["finance"])
    manager = UserFactory(username="finance_manager", roles=["finance_manager"])
    demo.seed_demo_finance(stdout=StringIO())
    assert Supplier.objects.count() == len(demo_banking.SUPPLIERS)
    assert Bill.objects.count() == len(demo_banking.BILLS)
    assert set(Bill.objects.values_list("created_by", flat=True)) == {clerk.pk}
    # the bill above the limit waits for the manager's approval
    waiting = Bill.objects.get(status="awaiting_approval")
    assert waiting.total > Decimal("5000") and waiting.approved_by is None
    today = timezone.localdate()
    installments = BillInstallment.objects.all()
    # one paid by hand, two by the statement's debits (reconciliation)
    assert installments.filter(status="paid").count() == 3
    assert installments.filter(status="paid", matches__isnull=False).count() == 2
    assert installments.overdue(today).exists()
    assert installments.due_this_week(today).exists()
    # a second run adds nothing
    demo.seed_demo_finance(stdout=StringIO())
    assert Bill.objects.count() == len(demo_banking.BILLS)
    assert manager.pk not in set(Bill.objects.values_list("created_by", flat=True))


def test_demo_finance_clerk_is_granted_the_main_bank_account(sellable, demo_settings):  # noqa: F811
    from plugins.finance.models import BankAccount

    clerk = UserFactory(username="finance", roles=["finance"])
    demo.seed_demo_finance(stdout=StringIO())
    main = BankAccount.objects.get(name=demo_banking.MAIN_ACCOUNT)
    wallet = BankAccount.objects.get(name=demo_banking.WALLET_ACCOUNT)
    assert clerk.has_perm("finance.reconcile_bankaccount", main)
    assert not clerk.has_perm("finance.reconcile_bankaccount", wallet)
    assert not clerk.has_perm("finance.reconcile_bankaccount")


def test_demo_statements_reconcile_but_a_handful(sellable, demo_settings):  # noqa: F811
    """A statement is imported into each account through the statement
    import: every line of a receivable or a bill is reconciled by itself,
    the few lines no rule matches wait in the review queue."""
    from plugins.finance.models import BankAccount, StatementLine

    UserFactory(username="finance", roles=["finance"])
    UserFactory(username="finance_manager", roles=["finance_manager"])
    out = StringIO()
    demo.seed_demo_finance(stdout=out)
    main = BankAccount.objects.get(name=demo_banking.MAIN_ACCOUNT)
    lines = StatementLine.objects.filter(account=main)
    waiting = sorted(lines.filter(status="unmatched").values_list("description"))
    assert waiting == sorted((memo,) for _d, _a, memo in demo_banking.UNMATCHED)
    assert lines.filter(status="matched").count() == lines.count() - len(waiting)
    # the bills the month's debits pay are paid by the reconciliation
    assert lines.filter(description__startswith="PAGTO BOLETO", status="matched")
    assert "na fila de conciliação" in out.getvalue()
    # a second run imports nothing again
    count = StatementLine.objects.count()
    demo.seed_demo_finance(stdout=StringIO())
    assert StatementLine.objects.count() == count
