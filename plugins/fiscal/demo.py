"""Demo fiscal data for ``manage.py seed_demo``: the store's emitter and the
NF-e of a few dozen orders, authorised by the local SEFAZ.

**The emitter**: the demo store (*Loja Retaguarda*, the catalog's store
CNPJ, regime normal) in São Paulo, in homologação (environment 2), série 1,
with an A1 certificate made here for its CNPJ
(:func:`plugins.fiscal.certificates.generate`: self-signed, which the
simulator accepts and a real SEFAZ does not; made again when the one stored
expires within the warning window). The demo users of the *Fiscal /
Faturamento* role are granted it (view and issue).

**The NF-e**, each for an order of its own (``DEMO-NFE-…``, placed in the
last three days through ``place_order`` and paid), issued by the demo fiscal
user through the same services as the *Emitir NF-e* button
(:func:`~plugins.fiscal.services.issuing.issue_for_order`, then
:func:`~plugins.fiscal.services.authorisation.send_documents`, one batch):
one is rejected by the authoriser (cStat 778, asked of the simulator through
its ``/_control``: its order stays paid, to be issued again), the others
are authorised and their orders invoiced; one of them is then cancelled
(:func:`~plugins.fiscal.services.events.cancel`) and one gets a carta de
correção (:func:`~plugins.fiscal.services.events.correct`); some orders move
on to ready to ship, shipped and delivered. The paid orders of the other
demos are left for the clerk to invoice.

**The local SEFAZ**: ``RETAGUARDA_FISCAL_AUTHORISER_URL`` must point at it on
loopback (``make run`` sets ``http://127.0.0.1:8703``); the demo never sends
to another address. ``make run`` seeds before it starts the simulator: one
already answering there (another ``make run``) is used as it is; otherwise
it is started here for the seeding, on that port and with the state file
(``RETAGUARDA_DEMO_SIMULATORS_DIR``/``sefaz.json``) that ``make run``'s
simulator reads when it starts, so that it knows these NF-e (to cancel or
correct them later). A database without any NF-e makes the simulator forget
those of an earlier one (their numbers would be duplicates, 539).

Runs after the orders' and the finance's demo data (``order=2``).
Idempotent (the emitter by CNPJ, the orders by external id) and
deterministic (a seeded random generator); if the simulator cannot be
reached or started, no order or NF-e is written and a line says why.
"""

from __future__ import annotations

import base64
import datetime
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.fiscal import certificates
from plugins.fiscal.apps import EMITTER_PERMISSIONS
from plugins.fiscal.emitters import CERTIFICATE_WARNING_DAYS
from plugins.fiscal.models import (
    DocumentStatus,
    Emitter,
    Environment,
    EventKind,
    FiscalDocument,
    TaxRegime,
)
from plugins.fiscal.services import events
from plugins.fiscal.services.authorisation import send_documents
from plugins.fiscal.services.issuing import issue_for_order
from plugins.fiscal.simulator import SefazSimulator
from plugins.orders.demo import cpf, ensure_channels
from plugins.orders.models import Order
from plugins.orders.services import place_order, transition_order
from plugins.orders.status import OrderStatus
from plugins.roles import role_group

PREFIX = "DEMO-NFE-"
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
#: The store's head office: the catalog's store settings (content.demo).
EMITTER = {
    "legal_name": "Loja Retaguarda Comércio Varejista Ltda",
    "trade_name": "Loja Retaguarda",
    # a valid São Paulo IE (check digits), fictional
    "ie": "147258361108",
    "tax_regime": TaxRegime.NORMAL,
    "street": "Rua Augusta",
    "number": "1500",
    "complement": "Sala 12",
    "district": "Consolação",
    "city": "São Paulo",
    "city_code": "3550308",
    "uf": "SP",
    "cep": "01304-001",
    "phone": "(11) 4002-8922",
    "environment": Environment.HOMOLOGATION,
    "series": 1,
}
#: What the authoriser answers the rejected NF-e (the simulator's control).
REJECTION = {"cStat": "778", "xMotivo": "Rejeição: Informado NCM inexistente"}
CANCEL_REASON = "Pedido cancelado a pedido do cliente antes da expedição"
CORRECTION = (
    "Complemento do endereço de entrega: bloco B, apartamento 52. Entregar na "
    "portaria do condomínio."
)


@dataclass(frozen=True)
class Scenario:
    """What becomes of one demo order: ``rejected`` (the authoriser refuses
    its NF-e), or authorised and then ``invoiced`` (left there),
    ``cancelled`` (its NF-e), ``corrected`` (a CC-e), ``ready`` (to ship),
    ``shipped`` or ``delivered``."""

    outcome: str
    channel: str = "loja"


#: The rejected one first: it is sent alone, right after the control.
SCENARIOS = [
    Scenario("rejected"),
    Scenario("cancelled"),
    Scenario("corrected", channel="mercado-livre"),
    *(Scenario("delivered") for _ in range(2)),
    *(Scenario("shipped", channel=c) for c in ["loja", "mercado-livre"] * 5),
    *(Scenario("ready", channel=c) for c in ["loja", "mercado-livre", "b2b"] * 3),
    *(Scenario("invoiced", channel=c) for c in ["loja", "mercado-livre"] * 5),
]

CUSTOMERS = [
    # name, e-mail, document (None: a CPF from the generator)
    ("Juliana Araújo", "juliana.araujo@exemplo.com.br", None),
    ("Fernando Lopes", "fernando.lopes@exemplo.com.br", None),
    ("Camila Ribeiro", "camila.ribeiro@exemplo.com.br", None),
    ("Thiago Martins", "thiago.martins@exemplo.com.br", None),
    ("Gabriela Freitas", "gabriela.freitas@exemplo.com.br", None),
    ("Lucas Monteiro", "lucas.monteiro@exemplo.com.br", None),
    ("Patrícia Campos", "patricia.campos@exemplo.com.br", None),
    ("Ricardo Azevedo", "ricardo.azevedo@exemplo.com.br", None),
    ("Mariana Duarte", "mariana.duarte@exemplo.com.br", None),
    ("Eduardo Pacheco", "eduardo.pacheco@exemplo.com.br", None),
]
#: B2B buyers (a CNPJ without IE: non-contributors, buying for their use).
COMPANIES = [
    ("Escritório Contábil Ipiranga Ltda", "compras@contabilipiranga.com.br"),
    ("Clínica Bem-Estar Ltda", "administrativo@clinicabemestar.com.br"),
    ("Academia Movimento Ltda", "financeiro@academiamovimento.com.br"),
]
ADDRESSES = [
    # street, number, district, city, uf, cep
    ("Rua Augusta", "2690", "Jardins", "São Paulo", "SP", "01412-100"),
    ("Avenida Paulista", "1578", "Bela Vista", "São Paulo", "SP", "01310-200"),
    ("Rua Barão de Jaguara", "1025", "Centro", "Campinas", "SP", "13015-002"),
    ("Rua da Assembleia", "10", "Centro", "Rio de Janeiro", "RJ", "20011-000"),
    ("Avenida Afonso Pena", "1212", "Centro", "Belo Horizonte", "MG", "30130-003"),
    ("Rua XV de Novembro", "700", "Centro", "Curitiba", "PR", "80020-310"),
    (
        "Av. Borges de Medeiros",
        "1501",
        "Praia de Belas",
        "Porto Alegre",
        "RS",
        "90110-150",
    ),
    ("Avenida Sete de Setembro", "1600", "Vitória", "Salvador", "BA", "40080-001"),
    ("Rua do Bom Jesus", "125", "Recife", "Recife", "PE", "50030-170"),
    ("SQS 308 Bloco C", "12", "Asa Sul", "Brasília", "DF", "70355-030"),
    ("Rua Felipe Schmidt", "515", "Centro", "Florianópolis", "SC", "88010-001"),
]
#: Same-day deliveries: only in the city of São Paulo.
LOCAL_ADDRESSES = ADDRESSES[:2]


class SefazUnavailable(Exception):
    """The local SEFAZ the demo needs neither answers nor can be started, or
    the authoriser address is not the simulator's."""


def demo_cnpj() -> str:
    """The store's CNPJ (the demo catalog's store settings)."""
    from content.demo import demo_cnpj as store_cnpj

    return store_cnpj()


# -- The emitter -----------------------------------------------------------------


def ensure_emitter() -> Emitter:
    """The demo emitter, with a valid certificate, granted to the demo users
    of the fiscal role."""
    cnpj = demo_cnpj()
    emitter = Emitter.objects.filter(cnpj=cnpj).first()
    if emitter is None:
        emitter = Emitter(cnpj=cnpj, **EMITTER)
        _give_certificate(emitter)
        emitter.full_clean()
        emitter.save()
        log_change(emitter, "wagtail.create")
    elif _certificate_ends_soon(emitter):
        _give_certificate(emitter)
        emitter.save()
        log_change(emitter, "wagtail.edit", changes={"certificate": ["…", "…"]})
    group = role_group("fiscal")
    if group is not None:
        for user in get_user_model().objects.filter(groups=group):
            for permission in EMITTER_PERMISSIONS:
                assign_perm(permission, user, emitter)
    return emitter


def _certificate_ends_soon(emitter: Emitter) -> bool:
    limit = timezone.now() + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS)
    return (
        not emitter.certificate
        or emitter.certificate_not_after is None
        or emitter.certificate_not_after <= limit
    )


def _give_certificate(emitter: Emitter) -> None:
    """A fresh A1 for the emitter's CNPJ, stored as the emitter form stores
    an uploaded one."""
    password = secrets.token_urlsafe(12)
    pkcs12 = certificates.generate(emitter.cnpj, emitter.legal_name, password=password)
    certificate = certificates.load(pkcs12, password)
    emitter.certificate = base64.b64encode(pkcs12).decode("ascii")
    emitter.certificate_password = password
    emitter.certificate_subject = certificate.subject[:200]
    emitter.certificate_not_after = certificate.not_after


# -- The local SEFAZ -------------------------------------------------------------


def simulator_address() -> tuple[str, int]:
    """The simulator's URL and port, from ``RETAGUARDA_FISCAL_AUTHORISER_URL``
    (which must name a loopback address with a port)."""
    url = (settings.RETAGUARDA_FISCAL_AUTHORISER_URL or "").rstrip("/")
    parts = urlsplit(url)
    if (
        parts.scheme != "http"
        or parts.hostname not in ("127.0.0.1", "localhost")
        or not parts.port
        or parts.path
    ):
        raise SefazUnavailable(
            "RETAGUARDA_FISCAL_AUTHORISER_URL não aponta para o SEFAZ local "
            f"({url or 'vazio'}; make run usa http://127.0.0.1:8703)"
        )
    return url, parts.port


def _answers(url: str) -> bool:
    """Whether the simulator answers at ``url`` (False: nothing listens)."""
    try:
        answer = requests.get(f"{url}/_control", timeout=5)
    except requests.ConnectionError:
        return False
    except requests.RequestException as error:
        raise SefazUnavailable(f"{url} não responde ({error})") from error
    if answer.status_code != 200 or "controls" not in _json(answer):
        raise SefazUnavailable(
            f"{url} responde, mas não é o SEFAZ local (HTTP {answer.status_code})"
        )
    return True


def _json(answer: requests.Response) -> dict:
    try:
        payload = answer.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def control(url: str, payload: dict) -> None:
    """Tell the simulator something (its ``/_control``)."""
    try:
        answer = requests.post(f"{url}/_control", json=payload, timeout=10)
    except requests.RequestException as error:
        raise SefazUnavailable(f"{url}/_control não responde ({error})") from error
    if answer.status_code != 200:
        raise SefazUnavailable(f"{url}/_control: HTTP {answer.status_code}")


@contextmanager
def demo_sefaz() -> Iterator[str]:
    """The simulator at the demo's address (its URL): the one running there,
    or one started here for as long as the seeding lasts, with the state
    file ``make run``'s simulator reads next."""
    url, port = simulator_address()
    if _answers(url):
        yield url
        return
    simulator = SefazSimulator(
        port=port,
        state_file=settings.RETAGUARDA_DEMO_SIMULATORS_DIR / "sefaz.json",
    )
    try:
        simulator.start()
    except OSError as error:
        raise SefazUnavailable(
            f"o SEFAZ local não abriu a porta {port} ({error.strerror or error})"
        ) from error
    try:
        yield url
    finally:
        simulator.stop()


# -- The orders and their NF-e ------------------------------------------------------


def _fiscal_user():
    group = role_group("fiscal")
    if group is None:
        return None
    return (
        get_user_model()
        .objects.filter(groups=group, is_active=True)
        .order_by("pk")
        .first()
    )


def _skus() -> list[str]:
    from content.models import Variant

    return list(
        Variant.objects.filter(active=True, product__live=True)
        .exclude(ncm="")
        .order_by("sku")
        .values_list("sku", flat=True)
    )


def _customer(number: int, scenario: Scenario, rng: random.Random) -> dict:
    if scenario.channel == "b2b":
        name, email = COMPANIES[number % len(COMPANIES)]
        document = _cnpj(rng)
    else:
        name, email, document = CUSTOMERS[number % len(CUSTOMERS)]
        document = document or cpf(rng)
    return {
        "name": name,
        "email": email,
        "phone": f"+55 11 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        "document": document,
    }


def _cnpj(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(8)] + [0, 0, 0, 1]
    for first in (5, 6):
        weights = [*range(first, 1, -1), *range(9, 1, -1)]
        total = sum(d * w for d, w in zip(digits, weights, strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def _place(number: int, scenario: Scenario, channels, skus, rng, now) -> Order:
    customer = _customer(number, scenario, rng)
    addresses = LOCAL_ADDRESSES if scenario.outcome == "delivered" else ADDRESSES
    street, street_number, district, city, uf, cep = rng.choice(addresses)
    placed_at = now - datetime.timedelta(hours=rng.uniform(3, 72))
    refused = None
    # The stock plugin refuses a SKU without units left: take others.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = place_order(
                    channel=channels[scenario.channel],
                    external_id=f"{PREFIX}{number:02d}",
                    placed_at=placed_at,
                    promised_delivery_date=(placed_at + 10 * DAY).date(),
                    customer=customer,
                    shipping_address={
                        "recipient": customer["name"],
                        "cep": cep,
                        "street": street,
                        "number": street_number,
                        "district": district,
                        "city": city,
                        "uf": uf,
                    },
                    lines=[
                        {"sku": sku, "quantity": rng.choice((1, 1, 2))}
                        for sku in rng.sample(
                            skus, k=min(len(skus), rng.choice((1, 2, 3)))
                        )
                    ],
                    payment_method=rng.choice(("pix", "card")),
                    shipping_total=rng.choice(("0.00", "14.90", "19.90", "24.50")),
                ).order
                paid_at = placed_at + datetime.timedelta(minutes=rng.uniform(2, 90))
                transition_order(order, "pay", user=None, at=paid_at)
                return order
        except RetaguardaError as error:
            refused = error
    raise refused


def _advance(order: Order, outcome: str) -> None:
    """The authorised NF-e's order, on to where the scenario leaves it."""
    steps = {"ready": 1, "shipped": 2, "delivered": 3}.get(outcome, 0)
    for name in ("prepare", "ship", "deliver")[:steps]:
        transition_order(order, name, user=None)


def _seed_documents(emitter: Emitter, url: str, user, stdout) -> None:
    skus = _skus()
    if not skus:
        stdout.write("NF-e de demonstração não emitidas: não há catálogo com NCM.\n")
        return
    channels = ensure_channels()
    rng = random.Random(2028)  # noqa: S311  (demo data, not secrets)
    now = timezone.now()
    orders = [
        _place(number, scenario, channels, skus, rng, now)
        for number, scenario in enumerate(SCENARIOS, start=1)
    ]
    # the rejected one, sent alone right after the control asked for it
    rejected = issue_for_order(orders[0], emitter=emitter, user=user)
    control(url, {"reject_next": {**REJECTION, "times": 1}})
    if send_documents([rejected], user=user).rejected != [rejected.pk]:
        raise SefazUnavailable("o SEFAZ local não rejeitou a NF-e pedida")
    # the others in one batch (a receipt, fetched at once)
    documents = [
        issue_for_order(order, emitter=emitter, user=user) for order in orders[1:]
    ]
    sent = send_documents(documents, user=user)
    if len(sent.authorised) != len(documents):
        raise SefazUnavailable(
            f"o SEFAZ local autorizou {len(sent.authorised)} de {len(documents)} NF-e"
        )
    for scenario, document in zip(SCENARIOS[1:], documents, strict=True):
        document.refresh_from_db()  # as the authoriser left it
        if scenario.outcome == "cancelled":
            events.cancel(document, justification=CANCEL_REASON, user=user)
        elif scenario.outcome == "corrected":
            events.correct(document, text=CORRECTION, user=user)
        else:
            _advance(document.order, scenario.outcome)


def seed_demo_fiscal(*, stdout) -> None:
    emitter = ensure_emitter()
    user = _fiscal_user()
    if not Order.objects.filter(external_id__startswith=PREFIX).exists():
        try:
            with demo_sefaz() as url, transaction.atomic():
                if not FiscalDocument.objects.exists():
                    # what it remembers is of another database
                    control(url, {"reset": True})
                _seed_documents(emitter, url, user, stdout)
        except (SefazUnavailable, RetaguardaError) as error:
            stdout.write(f"NF-e de demonstração não emitidas: {error}\n")
            return
        _summary(emitter, stdout)


def _summary(emitter: Emitter, stdout) -> None:
    documents = FiscalDocument.objects.filter(
        emitter=emitter, order__external_id__startswith=PREFIX
    )
    if not documents.exists():
        return
    statuses = dict(documents.values_list("status").annotate(n=Count("pk")).order_by())
    corrected = documents.filter(events__kind=EventKind.CORRECTION).distinct().count()
    waiting = Order.objects.filter(status=OrderStatus.PAID).count()
    stdout.write(
        f"NF-e de demonstração de {emitter}, em homologação, no SEFAZ local "
        f"({settings.RETAGUARDA_FISCAL_AUTHORISER_URL}): "
        f"{statuses.get(DocumentStatus.AUTHORISED, 0)} autorizadas "
        f"({corrected} com carta de correção), "
        f"{statuses.get(DocumentStatus.CANCELLED, 0)} cancelada, "
        f"{statuses.get(DocumentStatus.REJECTED, 0)} rejeitada; {waiting} pedidos "
        "pagos aguardam a emissão\n"
    )
