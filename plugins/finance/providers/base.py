"""What every payment provider's adapter takes and gives back.

:class:`PaymentProvider` is the protocol: create a charge, capture an
authorised card payment, refund, cancel, read a webhook, fetch a charge's
status. Adapters speak to one vendor each (:mod:`.mercadopago`,
:mod:`.pagbank`, :mod:`.manual`) and translate its shapes into the plain
dataclasses below. The lists they use are the ones defined where the data
lives: statuses are the finance app's
:class:`~plugins.finance.models.payments.PaymentStatus`, methods the orders'
:class:`~plugins.orders.models.PaymentMethod`, provider kinds the finance
app's :class:`~plugins.finance.models.providers.Provider`.

The amount of a :class:`ChargeRequest` is the server's figure for the order
(its total, or what is left to pay): adapters send it as it is and never take
an amount from anywhere else — not from the storefront, not from a webhook.
The request's ``reference`` is our payment's id: it goes to the provider as
its external reference and as the idempotency key of the creation, so a
retry after a timeout returns the charge already made instead of making a
second one. A new attempt (another card) is a new payment with a new id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from django.utils.translation import gettext as _
from stdnum.br import cnpj, cpf

from plugins.finance.models.payments import PaymentStatus
from plugins.finance.models.providers import Provider
from plugins.orders.models import MAX_INSTALLMENTS, PaymentMethod

from .errors import InvalidChargeRequest, InvalidWebhook

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Credentials:
    """How to reach one provider account. ``base_url`` is the vendor's API
    (or its local simulator); the secrets never appear in ``repr``."""

    base_url: str
    access_token: str = field(repr=False)
    #: Mercado Pago: the application's webhook secret. PagBank: the token
    #: its notifications are signed with (empty: the access token, which is
    #: what PagBank uses).
    webhook_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Timeout:
    """Seconds allowed to connect and to wait for each read."""

    connect: float = 5.0
    read: float = 20.0


@dataclass(frozen=True)
class Address:
    street: str
    number: str
    neighborhood: str
    city: str
    state: str  # the two-letter code: "SP"
    postal_code: str  # CEP, digits
    complement: str = ""


@dataclass(frozen=True)
class Payer:
    name: str
    email: str
    document: str  # CPF or CNPJ, punctuation allowed
    address: Address | None = None

    @property
    def document_digits(self) -> str:
        return re.sub(r"[\s./-]", "", self.document).upper()

    @property
    def document_type(self) -> str:
        """``"CPF"`` or ``"CNPJ"``."""
        return "CPF" if len(self.document_digits) == 11 else "CNPJ"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""

    @property
    def last_name(self) -> str:
        return " ".join(self.name.split()[1:])


@dataclass(frozen=True)
class ChargeRequest:
    """A charge to create. Checked on creation; raises
    :class:`~.errors.InvalidChargeRequest` saying what is wrong."""

    method: PaymentMethod
    amount: Decimal
    reference: str
    payer: Payer
    description: str
    currency: str = "BRL"
    installments: int = 1
    #: The card token the storefront's card form made (never the card).
    card_token: str | None = None
    #: The card brand the card form reported (Mercado Pago's
    #: ``payment_method_id``: "visa", "master" …).
    card_brand: str | None = None
    #: False: only authorise the card now and capture later.
    capture: bool = True
    due_date: date | None = None  # boleto
    expires_at: datetime | None = None  # Pix
    notification_url: str | None = None

    def __post_init__(self) -> None:
        amount = self.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise InvalidChargeRequest(_("The amount must be a decimal number."))
        if amount <= 0:
            raise InvalidChargeRequest(_("The amount must be greater than zero."))
        if amount != amount.quantize(CENT):
            raise InvalidChargeRequest(
                _("The amount has more than two decimal places.")
            )
        if self.currency != "BRL":
            raise InvalidChargeRequest(_("Payments are charged in reais (BRL) only."))
        if not self.reference:
            raise InvalidChargeRequest(_("A charge needs our payment's reference."))
        if not 1 <= self.installments <= MAX_INSTALLMENTS:
            raise InvalidChargeRequest(
                _("Installments go from 1 to %(max)s.") % {"max": MAX_INSTALLMENTS}
            )
        if self.installments > 1 and self.method != PaymentMethod.CARD:
            raise InvalidChargeRequest(_("Only card payments have installments."))
        if self.method == PaymentMethod.CARD and not self.card_token:
            raise InvalidChargeRequest(_("A card payment needs the card token."))
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise InvalidChargeRequest(_("The expiry must be an aware datetime."))
        document = self.payer.document_digits
        if not (
            (len(document) == 11 and cpf.is_valid(document))
            or (len(document) == 14 and cnpj.is_valid(document))
        ):
            raise InvalidChargeRequest(
                _("“%(document)s” is not a valid CPF or CNPJ.")
                % {"document": self.payer.document}
            )

    @property
    def cents(self) -> int:
        return int(self.amount * 100)


@dataclass(frozen=True)
class ChargeResult:
    """A charge as the provider reports it."""

    provider: str
    provider_id: str
    status: PaymentStatus
    method: PaymentMethod
    amount: Decimal
    #: The provider's own status words ("approved/accredited", "PAID" …),
    #: for staff and the log.
    status_detail: str = ""
    reference: str | None = None
    #: PagBank: the charge inside the order (capture and refunds act on it).
    provider_charge_id: str | None = None
    refunded_amount: Decimal = Decimal("0.00")
    paid_at: datetime | None = None
    captured: bool | None = None
    pix_payload: str | None = None  # "Pix copia e cola"
    pix_txid: str | None = None  # when the code carries ours (static codes)
    pix_expires_at: datetime | None = None
    boleto_line: str | None = None  # the 47 digits of the typed line
    boleto_barcode: str | None = None  # the 44 digits of the barcode
    boleto_pdf_url: str | None = None
    boleto_due_date: date | None = None
    installments: int | None = None
    installment_amount: Decimal | None = None
    #: What the provider keeps, when it says.
    fee_amount: Decimal | None = None
    card_brand: str | None = None
    card_last_digits: str | None = None
    #: Text for the payer (manual methods: where to transfer, what to bring).
    instructions: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RefundResult:
    """A refund made, and the payment as it stands after it."""

    provider_refund_id: str | None
    amount: Decimal
    payment: ChargeResult
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class WebhookEvent:
    """A webhook whose signature checked out.

    ``event_id`` identifies the notification: a redelivery or a duplicate
    carries the same one, so the app applies each event once. ``payment``
    is the charge as the notification reports it when the signature covers
    it (PagBank signs the whole body); ``None`` when it does not (Mercado
    Pago signs only the resource id: fetch the payment). ``occurred_at`` is
    the time the notification states, ``None`` when it states none.
    Deliveries can arrive out of order: the current status is the one
    :meth:`PaymentProvider.fetch_status` answers.
    """

    provider: str
    event_id: str
    type: str
    provider_payment_id: str | None
    occurred_at: datetime | None
    reference: str | None = None
    payment: ChargeResult | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment provider's adapter.

    Every method that calls out has a connect and read timeout and raises
    :class:`~.errors.ProviderError` (``retryable`` set) on failure.
    ``idempotency_key`` arguments make a retry of the same operation return
    its first result. An operation the provider does not have (a manual
    payment has no capture, no webhooks and no status outside the back
    office) raises :class:`~.errors.OperationNotSupported`, whose message
    says what staff do instead. ``parse_webhook`` raises
    :class:`~plugins.finance.signatures.SignatureError` (401) for a webhook
    whose origin is not proven and :class:`~.errors.InvalidWebhook` (400)
    for one it cannot read.
    """

    kind: str
    methods: frozenset[PaymentMethod]

    def create_charge(self, request: ChargeRequest) -> ChargeResult: ...

    def capture(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> ChargeResult: ...

    def refund(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> RefundResult: ...

    def cancel(self, provider_id: str, *, idempotency_key: str) -> ChargeResult: ...

    def fetch_status(self, provider_id: str) -> ChargeResult: ...

    def parse_webhook(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        query: Mapping[str, str],
    ) -> WebhookEvent: ...


def check_method(provider: PaymentProvider, request: ChargeRequest) -> None:
    """Refuse a method the provider does not offer, before calling it."""
    if request.method not in provider.methods:
        raise InvalidChargeRequest(
            _("%(provider)s: %(method)s is not offered.")
            % {
                "provider": Provider(provider.kind).label,
                "method": PaymentMethod(request.method).label,
            }
        )


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with lower-case names (HTTP header names ignore case)."""
    return {name.lower(): value for name, value in headers.items()}


def money_from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def json_object(body: bytes) -> dict[str, Any]:
    """A webhook's body read as a JSON object, or :class:`InvalidWebhook`."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidWebhook(_("The webhook's body is not JSON.")) from None
    if not isinstance(value, dict):
        raise InvalidWebhook(_("The webhook's body is not a JSON object."))
    return value
