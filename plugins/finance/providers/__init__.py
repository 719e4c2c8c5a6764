"""Payment providers: one protocol, one adapter per vendor.

:class:`PaymentProvider` (in :mod:`.base`) is what the finance app calls;
:class:`MercadoPagoProvider`, :class:`PagBankProvider` and
:class:`ManualProvider` implement it. Each vendor has a local simulator in
:mod:`plugins.finance.simulators` that tests and the demo run against.
"""

from .base import (
    CLOSED_STATUSES,
    PAID_STATUSES,
    Address,
    ChargeRequest,
    ChargeResult,
    Credentials,
    Payer,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    ProviderKind,
    RefundResult,
    Timeout,
    WebhookEvent,
)
from .errors import (
    ChargeNotFound,
    InvalidChargeRequest,
    InvalidWebhook,
    OperationNotSupported,
    ProviderAuthenticationFailed,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    UnexpectedResponse,
)
from .manual import ManualProvider
from .mercadopago import MercadoPagoProvider
from .pagbank import PagBankProvider

#: The adapter of each provider kind that reaches a vendor over HTTP.
HTTP_PROVIDERS = {
    ProviderKind.MERCADOPAGO: MercadoPagoProvider,
    ProviderKind.PAGBANK: PagBankProvider,
}

__all__ = [
    "CLOSED_STATUSES",
    "HTTP_PROVIDERS",
    "PAID_STATUSES",
    "Address",
    "ChargeNotFound",
    "ChargeRequest",
    "ChargeResult",
    "Credentials",
    "InvalidChargeRequest",
    "InvalidWebhook",
    "ManualProvider",
    "MercadoPagoProvider",
    "OperationNotSupported",
    "PagBankProvider",
    "Payer",
    "PaymentMethod",
    "PaymentProvider",
    "PaymentStatus",
    "ProviderAuthenticationFailed",
    "ProviderError",
    "ProviderKind",
    "ProviderRejected",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RefundResult",
    "Timeout",
    "UnexpectedResponse",
    "WebhookEvent",
]
