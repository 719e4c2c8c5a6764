"""What the NF-e builder reads: the neutral description of a document
(:class:`NFeData`: emitter, recipient, lines with their taxes, freight,
payments …) and the codes of the layout its fields take. A sale, a return
or any other operation is described the same way; see
:mod:`plugins.fiscal.nfe`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.fiscal.models import Emitter
from plugins.fiscal.taxation import CustomerType, LineTaxes, TaxInput


class Purpose:
    """finNFe."""

    NORMAL = "1"
    COMPLEMENT = "2"
    ADJUSTMENT = "3"
    RETURN = "4"


class IEIndicator:
    """indIEDest."""

    CONTRIBUTOR = "1"
    EXEMPT = "2"
    NON_CONTRIBUTOR = "9"

    @classmethod
    def of(cls, customer_type: str) -> str:
        return {
            CustomerType.CONTRIBUTOR: cls.CONTRIBUTOR,
            CustomerType.EXEMPT: cls.EXEMPT,
        }.get(customer_type, cls.NON_CONTRIBUTOR)


class PaymentKind:
    """tPag."""

    CASH = "01"
    CREDIT_CARD = "03"
    DEBIT_CARD = "04"
    STORE_CREDIT = "05"
    GIFT_CARD = "12"
    BOLETO = "15"
    DEPOSIT = "16"
    PIX = "17"
    TRANSFER = "18"
    NONE = "90"
    OTHER = "99"

    CARDS = (CREDIT_CARD, DEBIT_CARD)


class FreightMode:
    """modFrete."""

    SENDER = "0"  # contracted by the sender (CIF)
    RECIPIENT = "1"  # by the recipient (FOB)
    THIRD_PARTY = "2"
    OWN_SENDER = "3"
    OWN_RECIPIENT = "4"
    NONE = "9"


class Presence:
    """indPres."""

    NOT_APPLICABLE = "0"
    IN_PERSON = "1"
    INTERNET = "2"
    PHONE = "3"
    OTHER = "9"


@dataclass(frozen=True)
class Address:
    street: str
    number: str
    district: str
    city: str
    uf: str
    cep: str = ""
    complement: str = ""
    #: the IBGE code; found from the UF and the city's name when empty
    city_code: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Recipient:
    name: str
    document: str  # CPF or CNPJ
    address: Address
    ie_indicator: str = IEIndicator.NON_CONTRIBUTOR
    ie: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    item: TaxInput
    taxes: LineTaxes
    additional_info: str = ""  # infAdProd


@dataclass(frozen=True)
class Carrier:
    name: str
    document: str = ""  # CPF or CNPJ
    ie: str = ""
    address: str = ""
    city: str = ""
    uf: str = ""


@dataclass(frozen=True)
class Volume:
    quantity: int | None = None
    kind: str = ""  # esp: "CAIXA"
    brand: str = ""
    numbering: str = ""
    net_weight: Decimal | None = None  # kg
    gross_weight: Decimal | None = None


@dataclass(frozen=True)
class Transport:
    mode: str = FreightMode.NONE
    carrier: Carrier | None = None
    volumes: Sequence[Volume] = ()


@dataclass(frozen=True)
class Card:
    integrated: bool = False  # tpIntegra 1: the POS/TEF is integrated
    acquirer_cnpj: str = ""
    brand: str = ""  # tBand: "01" Visa, "02" Mastercard …
    authorization: str = ""  # cAut


@dataclass(frozen=True)
class Payment:
    kind: str  # PaymentKind
    amount: Decimal
    description: str = ""  # xPag, required for "99"
    card: Card | None = None
    deferred: bool = False  # indPag 1: paid in installments
    paid_on: dt.date | None = None


@dataclass(frozen=True)
class Intermediary:
    """The marketplace the sale went through (infIntermed)."""

    cnpj: str
    identifier: str  # the buyer's id at the marketplace (idCadIntTran)


@dataclass
class NFeData:
    emitter: Emitter
    recipient: Recipient
    lines: Sequence[Line]
    number: int
    series: int
    issued_at: dt.datetime
    nature: str = "Venda de mercadoria"  # natOp
    purpose: str = Purpose.NORMAL
    #: tpNF 0: the goods come in (a return received from a consumer)
    entry: bool = False
    #: indFinal; from the recipient's IE indicator when None
    final_consumer: bool | None = None
    presence: str = Presence.INTERNET
    intermediary: Intermediary | None = None
    #: access keys of the NF-e referred to (refNFe): a return's original
    references: Sequence[str] = ()
    transport: Transport = field(default_factory=Transport)
    payments: Sequence[Payment] = ()
    #: where the goods go, when not the recipient's address (entrega)
    delivery: Address | None = None
    additional_info: str = ""  # infCpl
    fisco_info: str = ""  # infAdFisco
    #: cNF; random when empty
    numeric_code: str = ""
    emission_type: str = "1"  # tpEmis: 6 SVC-AN, 7 SVC-RS
    contingency_since: dt.datetime | None = None
    contingency_reason: str = ""
    #: tpAmb; the emitter's when empty
    environment: str = ""
