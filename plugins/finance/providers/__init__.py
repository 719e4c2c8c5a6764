"""Payment providers: one protocol, one adapter per vendor.

:class:`PaymentProvider` (in :mod:`.base`) is what the finance app calls;
:class:`MercadoPagoProvider`, :class:`PagBankProvider` and
:class:`ManualProvider` implement it. Each vendor has a local simulator in
:mod:`plugins.finance.simulators` that tests and the demo run against.
``PaymentStatus``, ``PaymentMethod`` and ``Provider`` are re-exported from
the models that define them.
"""

from plugins.finance.models.payments import PaymentStatus
from plugins.finance.models.providers import Provider
from plugins.orders.models import PaymentMethod

from .base import (
    Address,
    ChargeRequest,
    ChargeResult,
    Credentials,
    Payer,
    PaymentProvider,
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
    Provider.MERCADO_PAGO: MercadoPagoProvider,
    Provider.PAGBANK: PagBankProvider,
}

__all__ = [
    "HTTP_PROVIDERS",
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
    "Provider",
    "ProviderRejected",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RefundResult",
    "Timeout",
    "UnexpectedResponse",
    "WebhookEvent",
]
