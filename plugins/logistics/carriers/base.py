"""What every carrier's adapter takes and gives back.

:class:`Carrier` is the protocol: ``quote``, ``create_shipment``
(pré-postagem), ``label``, ``track``, ``cancel``, ``reverse`` and, for the
carriers that push tracking, ``parse_webhook``. Adapters speak to one kind of
carrier each (:mod:`.table` from our freight tables, :mod:`.correios` and
:mod:`.aggregator` over HTTP, each with its local simulator in
:mod:`plugins.logistics.simulator`) and translate its shapes into the plain
dataclasses below. Statuses are the app's
:class:`~plugins.logistics.models.TrackingStatus`.

Prices a carrier answers are what the carrier charges the store; what the
customer pays is decided by :mod:`plugins.logistics.services.quoting` (free
shipping rules, handling time) and never taken from a storefront.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from plugins.logistics.models import TrackingStatus


@dataclass(frozen=True)
class Timeout:
    connect: float = 5.0
    read: float = 15.0


@dataclass(frozen=True)
class Credentials:
    """How to reach one carrier account; secrets never appear in ``repr``."""

    base_url: str
    username: str = ""
    access_token: str = field(default="", repr=False)
    contract: str = ""
    webhook_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Volume:
    """One box: weight in grams, sides in centimetres."""

    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int


@dataclass(frozen=True)
class QuoteRequest:
    origin_cep: str  # 8 digits
    destination_cep: str  # 8 digits
    volumes: tuple[Volume, ...]
    declared_value: Decimal
    #: Service codes to quote; empty: every active service of the carrier.
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuoteOption:
    service_code: str
    service_name: str
    price: Decimal
    days: int
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Party:
    """A sender or a recipient, as labels and carriers need them."""

    name: str
    street: str
    number: str
    district: str
    city: str
    uf: str
    cep: str  # 8 digits
    complement: str = ""
    document: str = ""  # CPF or CNPJ, digits
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ShipmentRequest:
    #: Our shipment's id: the carrier's idempotency key, so a retry after a
    #: timeout returns the pre-posting already made.
    reference: str
    service_code: str
    sender: Party
    recipient: Party
    volumes: tuple[Volume, ...]
    declared_value: Decimal
    nfe_key: str = ""
    #: ``[{"sku", "name", "quantity", "unit_value"}]`` (declaração de conteúdo)
    items: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class ShipmentResult:
    carrier_reference: str
    #: One tracking code per volume, in the volumes' order.
    tracking_codes: tuple[str, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TrackEvent:
    """A tracking event, normalised. ``event_id`` is the carrier's id of the
    event (or a stable hash of what identifies it): a repeat carries the same
    one, so the app applies each event once."""

    event_id: str
    tracking_code: str
    status: TrackingStatus
    occurred_at: datetime
    carrier_status: str = ""
    description: str = ""
    place: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ReverseRequest:
    """A reverse shipment (logística reversa): the customer posts it back."""

    reference: str
    service_code: str
    sender: Party  # the customer
    recipient: Party  # our origin
    volumes: tuple[Volume, ...]
    declared_value: Decimal


@dataclass(frozen=True)
class ReverseResult:
    authorisation_code: str
    tracking_code: str
    expires_on: date | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@runtime_checkable
class Carrier(Protocol):
    """A carrier's adapter.

    Every method that calls out has a connect and read timeout and raises
    :class:`~.errors.CarrierError` (``retryable`` set) on failure. An
    operation the carrier does not have raises
    :class:`~.errors.OperationNotSupported`. ``parse_webhook`` raises
    :class:`~.errors.InvalidWebhook` for a body it cannot read and
    :class:`plugins.finance.signatures.SignatureError`-like
    :class:`~.errors.CarrierAuthenticationFailed` for one whose signature does
    not check out.
    """

    kind: str

    def quote(self, request: QuoteRequest) -> list[QuoteOption]: ...

    def create_shipment(self, request: ShipmentRequest) -> ShipmentResult: ...

    def label(self, result: ShipmentResult) -> bytes | None:
        """The carrier's own label (PDF), or ``None``: we print ours."""
        ...

    def track(self, tracking_codes: list[str]) -> list[TrackEvent]: ...

    def cancel(self, carrier_reference: str) -> None: ...

    def reverse(self, request: ReverseRequest) -> ReverseResult: ...

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str]
    ) -> list[TrackEvent]: ...
