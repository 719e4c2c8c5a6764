"""Demo finance for ``manage.py seed_demo``: the store's provider accounts and
the payments of a few storefront, B2B and shop-counter orders, in every method
and state the finance desk works with.

Accounts: Mercado Pago and PagBank, pointing at the providers' simulators on
loopback (``RETAGUARDA_DEMO_MERCADOPAGO_PORT`` and
``RETAGUARDA_DEMO_PAGBANK_PORT``, where ``make run`` starts them) with the
credentials the simulators take (``DEMO_ACCESS_TOKEN``,
``DEMO_WEBHOOK_SECRET``), and a manual account (bank transfer and Pix to the
store's key).

Payments, each for an order of its own (``DEMO-FIN-…``) placed through
``place_order``: Pix approved (through each provider) and Pix pending with its
code, boleto pending and boleto paid, card in 3 and 6 installments approved,
a card payment refunded (its order cancelled, its receivables written off),
a bank transfer and a Pix at the shop counter registered by the finance desk
days after the money came. So the receivables listing has open rows (card
installments), rows settling today or in a couple of days (Pix, boleto) and
overdue ones (the transfer and the counter Pix, not yet matched on a bank
statement).

Provider payments are taken through the services as a storefront's are
(:func:`~plugins.finance.services.charges.create_payment`, over HTTP to the
simulator, with the app's webhook address as their notification URL); what
the payer or the store does at the provider (paying the Pix or the boleto, a
refund from the provider's panel) goes through the simulator's
``/_simulator/`` controls, and the provider's new status is then fetched and
applied with :func:`~plugins.finance.services.payments.apply_status`, as
processing the provider's notification does (the app is not serving while
the demo is seeded). Manual payments go through
:func:`~plugins.finance.services.payments.register_manual_payment`, by the
demo finance user.

``make run`` seeds before it starts the simulators: simulators already
answering at the ports (another ``make run``) are used as they are;
otherwise they are started here for the seeding, on those ports and with the
state files (``RETAGUARDA_DEMO_SIMULATORS_DIR``) that ``make run``'s
simulators read when they start, so they know these payments and the
pending ones can be paid there later.

Runs after the orders' demo data (``order=1``: its sales channels).
Idempotent (accounts by name, orders by external id) and deterministic (a
seeded random generator); if a simulator cannot be reached or started,
nothing of the payments is written and a line says why.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from plugins.exceptions import RetaguardaError
from plugins.finance import demo_banking
from plugins.finance.gateway import provider_for
from plugins.finance.models import (
    Bill,
    Payment,
    PaymentStatus,
    Provider,
    ProviderAccount,
    Receivable,
)
from plugins.finance.services import apply_status, register_manual_payment
from plugins.finance.services.charges import create_payment
from plugins.finance.simulators import (
    DEMO_ACCESS_TOKEN,
    DEMO_WEBHOOK_SECRET,
    SIMULATORS,
)
from plugins.orders.demo import cpf, ensure_channels
from plugins.orders.models import Order, PaymentMethod
from plugins.orders.services import place_order
from plugins.roles import role_group

PREFIX = "DEMO-FIN-"
#: The simulators approve a card token that names no test outcome
#: (``OTHE``, ``FUND``, ``CONT``).
CARD_TOKEN = "demo-card-token"  # noqa: S105  (a simulator's, not a secret)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

MANUAL_ACCOUNT = "Banco do Brasil — transferência e Pix"
#: Each account's name and settings; the provider accounts' fees are the
#: simulators' own rates (Mercado Pago) or PagBank's usual ones.
ACCOUNTS = {
    Provider.MERCADO_PAGO: {
        "name": "Mercado Pago",
        "pix_expiry_minutes": 24 * 60,
        "card_fee_percent": Decimal("4.98"),
        "installment_fee_percent": Decimal("1.00"),
        "pix_fee_percent": Decimal("0.99"),
        "boleto_fee": Decimal("3.49"),
    },
    Provider.PAGBANK: {
        "name": "PagBank",
        "pix_expiry_minutes": 24 * 60,
        "card_fee_percent": Decimal("4.99"),
        "anticipation": True,
        "pix_fee_percent": Decimal("0.99"),
        "boleto_fee": Decimal("2.99"),
    },
    Provider.MANUAL: {
        "name": MANUAL_ACCOUNT,
        "accepts_boleto": False,
        "accepts_card": False,
        "pix_key": "7d9f0335-8dcc-4054-9bf9-0dbd61d36906",
        "merchant_name": "Loja Demo Retaguarda",
        "merchant_city": "SAO PAULO",
    },
}


@dataclass(frozen=True)
class Scenario:
    """One demo order and what becomes of its payment.

    ``outcome``: ``pending`` (left to the payer), ``paid`` (the payer pays
    at the provider), ``charged`` (a card approved when charged),
    ``refunded`` (charged, then refunded from the provider's panel) or
    ``manual`` (registered by the finance desk, the money having come
    ``paid`` ago).
    """

    method: str
    account: str
    outcome: str
    placed: datetime.timedelta
    installments: int = 1
    channel: str = "loja"
    paid: datetime.timedelta | None = None
    note: str = ""


MP, PAGBANK, MANUAL = Provider.MERCADO_PAGO, Provider.PAGBANK, Provider.MANUAL
SCENARIOS = [
    Scenario(PaymentMethod.PIX, MP, "paid", placed=HOUR),
    Scenario(PaymentMethod.PIX, PAGBANK, "paid", placed=3 * HOUR),
    Scenario(PaymentMethod.PIX, MP, "pending", placed=HOUR / 6),
    Scenario(PaymentMethod.BOLETO, PAGBANK, "pending", placed=DAY),
    Scenario(PaymentMethod.BOLETO, MP, "paid", placed=2 * DAY),
    Scenario(PaymentMethod.CARD, MP, "charged", placed=HOUR / 2, installments=3),
    Scenario(PaymentMethod.CARD, PAGBANK, "charged", placed=5 * HOUR, installments=6),
    Scenario(PaymentMethod.CARD, MP, "refunded", placed=DAY),
    Scenario(
        PaymentMethod.TRANSFER,
        MANUAL,
        "manual",
        placed=12 * DAY,
        channel="b2b",
        paid=10 * DAY,
        note="TED recebida no Banco do Brasil",
    ),
    Scenario(
        PaymentMethod.PIX,
        MANUAL,
        "manual",
        placed=3 * DAY,
        channel="loja-fisica",
        paid=3 * DAY,
        note="Pix no balcão da loja de Pinheiros",
    ),
]
METHOD_NAMES = {PaymentMethod.PIX: "Pix", PaymentMethod.BOLETO: "boleto"}

CUSTOMERS = [
    # name, e-mail, document (None: a CPF from the generator)
    ("Larissa Nogueira", "larissa.nogueira@exemplo.com.br", None),
    ("Henrique Barros", "henrique.barros@exemplo.com.br", None),
    ("Beatriz Cardoso", "beatriz.cardoso@exemplo.com.br", None),
    ("Rodrigo Teixeira", "rodrigo.teixeira@exemplo.com.br", None),
    ("Vanessa Moura", "vanessa.moura@exemplo.com.br", None),
    ("Paulo Henrique Dias", "paulo.dias@exemplo.com.br", None),
    ("Aline Rocha", "aline.rocha@exemplo.com.br", None),
    ("Marcelo Antunes", "marcelo.antunes@exemplo.com.br", None),
    ("Papelaria Aurora Ltda", "compras@papelariaaurora.com.br", "11222333000181"),
    ("Renata Guimarães", "renata.guimaraes@exemplo.com.br", None),
]
ADDRESSES = [
    # street, number, district, city, uf, cep
    ("Rua Augusta", "1508", "Consolação", "São Paulo", "SP", "01304-001"),
    ("Avenida Rio Branco", "156", "Centro", "Rio de Janeiro", "RJ", "20040-003"),
    ("Rua da Bahia", "1148", "Centro", "Belo Horizonte", "MG", "30160-011"),
    ("Rua XV de Novembro", "700", "Centro", "Curitiba", "PR", "80020-310"),
]


class SimulatorUnavailable(Exception):
    """A simulator the demo needs neither answers nor can be started."""


def simulator_ports() -> dict[str, int]:
    return {
        Provider.MERCADO_PAGO: settings.RETAGUARDA_DEMO_MERCADOPAGO_PORT,
        Provider.PAGBANK: settings.RETAGUARDA_DEMO_PAGBANK_PORT,
    }


def simulator_url(vendor: str) -> str:
    return f"http://127.0.0.1:{simulator_ports()[vendor]}"


def ensure_accounts() -> dict[str, ProviderAccount]:
    """The demo's accounts, by provider; the provider accounts point at the
    simulators' configured ports."""
    accounts = {}
    for provider, fields in ACCOUNTS.items():
        fields = dict(fields)
        name = fields.pop("name")
        if provider != Provider.MANUAL:
            fields |= {
                "api_url": simulator_url(provider),
                "access_token": DEMO_ACCESS_TOKEN,
                "webhook_secret": DEMO_WEBHOOK_SECRET,
            }
        account, created = ProviderAccount.objects.get_or_create(
            name=name, defaults={"provider": provider, **fields}
        )
        if not created and provider != Provider.MANUAL:
            if account.api_url != fields["api_url"]:
                account.api_url = fields["api_url"]  # another port this time
                account.save(update_fields=["api_url", "updated_at"])
        accounts[provider] = account
    return accounts


def _answers(url: str) -> bool:
    """Whether one of our simulators answers at ``url`` (False: nothing
    listens there)."""
    try:
        answer = requests.get(f"{url}/_simulator/deliveries", timeout=5)
    except requests.ConnectionError:
        return False
    except requests.RequestException as error:
        raise SimulatorUnavailable(f"{url} não responde ({error})") from error
    if answer.status_code != 200:
        raise SimulatorUnavailable(
            f"{url} responde, mas não é um simulador (HTTP {answer.status_code})"
        )
    return True


@contextmanager
def demo_simulators() -> Iterator[None]:
    """The simulators at their demo ports: those running there, or started
    here for as long as the seeding lasts, with the state files that
    ``make run``'s simulators read next."""
    started = []
    try:
        for vendor, port in simulator_ports().items():
            if _answers(simulator_url(vendor)):
                continue
            simulator = SIMULATORS[vendor](
                access_token=DEMO_ACCESS_TOKEN,
                webhook_secret=DEMO_WEBHOOK_SECRET,
                port=port,
                state_file=settings.RETAGUARDA_DEMO_SIMULATORS_DIR / f"{vendor}.json",
            )
            try:
                simulator.start()
            except OSError as error:
                raise SimulatorUnavailable(
                    f"o simulador do {Provider(vendor).label} não abriu a porta "
                    f"{port} ({error.strerror or error})"
                ) from error
            started.append(simulator)
        yield
    finally:
        for simulator in started:
            simulator.stop()


def _skus() -> list[str]:
    from content.models import Variant

    return list(
        Variant.objects.filter(active=True, product__live=True)
        .order_by("sku")
        .values_list("sku", flat=True)
    )


def _place(number: int, scenario: Scenario, channels, skus, rng, now) -> Order:
    name, email, document = CUSTOMERS[(number - 1) % len(CUSTOMERS)]
    street, street_number, district, city, uf, cep = rng.choice(ADDRESSES)
    placed_at = now - scenario.placed
    refused = None
    # The stock plugin refuses a SKU without units left: take others.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return place_order(
                    channel=channels[scenario.channel],
                    external_id=f"{PREFIX}{number:02d}",
                    placed_at=placed_at,
                    promised_delivery_date=(placed_at + 15 * DAY).date(),
                    customer={
                        "name": name,
                        "email": email,
                        "phone": f"+55 11 9{rng.randint(1000, 9999)}-"
                        f"{rng.randint(1000, 9999)}",
                        "document": document or cpf(rng),
                    },
                    shipping_address={
                        "recipient": name,
                        "cep": cep,
                        "street": street,
                        "number": street_number,
                        "district": district,
                        "city": city,
                        "uf": uf,
                    },
                    lines=[
                        {"sku": sku, "quantity": rng.choice((1, 1, 2))}
                        for sku in rng.sample(skus, k=min(len(skus), 2))
                    ],
                    payment_method=scenario.method,
                    installments=scenario.installments,
                ).order
        except RetaguardaError as error:
            refused = error
    raise refused


def notification_url(account: ProviderAccount) -> str:
    """The app's webhook address of ``account``, on the app's own address."""
    path = reverse("api:finance:provider-webhook", args=[account.webhook_token])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _at_provider(payment: Payment, action: str) -> None:
    """What the payer or the store does at the provider (the simulator's
    demo control: approve, refund …)."""
    url = f"{payment.account.base_url}/_simulator/payments/{payment.provider_id}"
    try:
        answer = requests.post(f"{url}/{action}", timeout=10)
    except requests.RequestException as error:
        raise SimulatorUnavailable(f"{url} não responde ({error})") from error
    if answer.status_code != 200:
        raise SimulatorUnavailable(f"{url}/{action}: HTTP {answer.status_code}")


def _apply_provider_status(payment: Payment) -> None:
    """The provider's current status, applied as processing its notification
    applies it."""
    status = provider_for(payment.account).fetch_status(payment.provider_id)
    apply_status(
        payment,
        status.status,
        paid_at=status.paid_at,
        refunded_amount=status.refunded_amount,
        fee=status.fee_amount,
        source="demo",
    )


def _pay(order: Order, scenario: Scenario, accounts, user, now) -> Payment:
    account = accounts[scenario.account]
    if scenario.outcome == "manual":
        return register_manual_payment(
            order,
            account=account,
            method=scenario.method,
            user=user,
            paid_at=now - scenario.paid,
            note=scenario.note,
        )
    card = scenario.method == PaymentMethod.CARD
    payment = create_payment(
        order,
        account=account,
        method=scenario.method,
        installments=scenario.installments,
        card_token=CARD_TOKEN if card else None,
        card_brand="visa" if card else None,
        notification_url=notification_url(account),
    )
    action = {"paid": "approve", "refunded": "refund"}.get(scenario.outcome)
    if action:
        _at_provider(payment, action)
        _apply_provider_status(payment)
    return payment


def _demo_user():
    group = role_group("finance")
    if group is None:
        return None
    return get_user_model().objects.filter(groups=group, is_active=True).first()


def pending_payments() -> list[Payment]:
    """The demo's Pix and boleto waiting to be paid at a provider."""
    return list(
        Payment.objects.filter(
            order__external_id__startswith=PREFIX, status=PaymentStatus.PENDING
        )
        .exclude(provider_id="")
        .exclude(account__provider=Provider.MANUAL)
        .select_related("order", "account")
        .order_by("pk")
    )


def seed_demo_finance(*, stdout) -> None:
    accounts = ensure_accounts()
    if not Order.objects.filter(external_id__startswith=PREFIX).exists():
        _seed_payments(accounts, stdout)
    with transaction.atomic():
        banks = demo_banking.ensure_bank_accounts()
        suppliers, bills = demo_banking.seed_payables()
        link_bank_accounts(accounts, banks)
        statements = demo_banking.seed_statements(banks)
    if bills:
        stdout.write(
            f"Contas a pagar de demonstração: {suppliers} fornecedores, {bills} "
            f"contas; contas bancárias: {', '.join(str(b) for b in banks.values())}\n"
        )
    for name, (lines, reconciled) in statements.items():
        stdout.write(
            f"Extrato de {name}: {lines} lançamentos, {reconciled} conciliados "
            f"automaticamente, {lines - reconciled} na fila de conciliação\n"
        )
    # every run, while they wait: how to pay them in the simulator
    for payment in pending_payments():
        stdout.write(
            f"Aguardando pagamento: {METHOD_NAMES[payment.method]} do pedido "
            f"{payment.order.number} ({payment.account.name}); para pagá-lo no "
            f"simulador: curl -X POST {payment.account.base_url}/_simulator/"
            f"payments/{payment.provider_id}/approve\n"
        )


def link_bank_accounts(accounts, banks) -> None:
    """Where the money lands, for the cash flow: Mercado Pago pays out into
    its own wallet, the others into the main account, which pays the bills.
    Links already made stay."""
    for provider, account in accounts.items():
        if account.bank_account_id is None:
            wallet = provider == Provider.MERCADO_PAGO
            account.bank_account = banks["wallet" if wallet else "main"]
            account.save(update_fields=["bank_account", "updated_at"])
    Bill.objects.filter(bank_account=None).update(bank_account=banks["main"])


def _seed_payments(accounts, stdout) -> None:
    skus = _skus()
    if not skus:
        stdout.write("Financeiro de demonstração ignorado: não há catálogo.\n")
        return
    channels = ensure_channels()
    rng = random.Random(2027)  # noqa: S311  (demo data, not secrets)
    now = timezone.now()
    user = _demo_user()
    try:
        with demo_simulators(), transaction.atomic():
            for number, scenario in enumerate(SCENARIOS, start=1):
                order = _place(number, scenario, channels, skus, rng, now)
                _pay(order, scenario, accounts, user, now)
    except (SimulatorUnavailable, RetaguardaError) as error:
        stdout.write(f"Pagamentos de demonstração não criados: {error}\n")
        return
    payments = Payment.objects.filter(order__external_id__startswith=PREFIX)
    statuses = dict(payments.values_list("status").annotate(n=Count("pk")).order_by())
    receivables = Receivable.objects.filter(payment__in=payments)
    stdout.write(
        f"Financeiro de demonstração: {len(accounts)} contas (Mercado Pago e "
        f"PagBank nos simuladores, {MANUAL_ACCOUNT}), {payments.count()} "
        f"pagamentos ({statuses.get(PaymentStatus.APPROVED, 0)} aprovados, "
        f"{statuses.get(PaymentStatus.PENDING, 0)} aguardando, "
        f"{statuses.get(PaymentStatus.REFUNDED, 0)} estornado), "
        f"{receivables.count()} recebíveis ({receivables.overdue().count()} "
        "vencidos)\n"
    )
