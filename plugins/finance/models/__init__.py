from plugins.finance.models.banking import (
    BankAccount,
    LineSource,
    LineStatus,
    Match,
    MatchRule,
    StatementLine,
)
from plugins.finance.models.marketplace import (
    DEFAULT_PAYOUT_DAYS,
    MarketplacePayoutTerms,
)
from plugins.finance.models.payables import (
    CLOSED_BILL_STATUSES,
    UNPAID_STATUSES,
    Bill,
    BillAttachment,
    BillCategory,
    BillInstallment,
    BillStatus,
    InstallmentStatus,
    Supplier,
)
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
    "BankAccount",
    "LineSource",
    "LineStatus",
    "Match",
    "MatchRule",
    "StatementLine",
    "CLOSED_BILL_STATUSES",
    "DEFAULT_API_URLS",
    "DEFAULT_PAYOUT_DAYS",
    "MarketplacePayoutTerms",
    "UNPAID_STATUSES",
    "Bill",
    "BillAttachment",
    "BillCategory",
    "BillInstallment",
    "BillStatus",
    "InstallmentStatus",
    "Supplier",
    "OPEN_STATUSES",
    "PAID_STATUSES",
    "Payment",
    "PaymentStatus",
    "Provider",
    "ProviderAccount",
    "ProviderEvent",
    "Receivable",
]
