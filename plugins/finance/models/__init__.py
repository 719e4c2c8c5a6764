from plugins.finance.models.payments import (
    OPEN_STATUSES,
    PAID_STATUSES,
    Payment,
    PaymentStatus,
    ProviderEvent,
)
from plugins.finance.models.providers import (
    DEFAULT_API_URLS,
    Provider,
    ProviderAccount,
)
from plugins.finance.models.receivables import Receivable

__all__ = [
    "DEFAULT_API_URLS",
    "OPEN_STATUSES",
    "PAID_STATUSES",
    "Payment",
    "PaymentStatus",
    "Provider",
    "ProviderAccount",
    "ProviderEvent",
    "Receivable",
]
