from plugins.fiscal.models.bulk import (
    BulkIssue,
    BulkIssueItem,
    BulkIssueStatus,
    SkipReason,
)
from plugins.fiscal.models.documents import (
    ArchivedXml,
    DocumentStatus,
    EventKind,
    FiscalDocument,
    FiscalEvent,
    NumberGap,
    Operation,
    ReturnedItem,
)
from plugins.fiscal.models.emitters import (
    Emitter,
    Environment,
    NumberSequence,
    TaxRegime,
)
from plugins.fiscal.models.intake import (
    MatchedBy,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
    SupplierProductCode,
)
from plugins.fiscal.models.rules import TaxRule, UFRate

__all__ = [
    "BulkIssue",
    "BulkIssueItem",
    "BulkIssueStatus",
    "SkipReason",
    "ArchivedXml",
    "DocumentStatus",
    "Emitter",
    "Environment",
    "EventKind",
    "FiscalDocument",
    "FiscalEvent",
    "NumberGap",
    "NumberSequence",
    "Operation",
    "ReturnedItem",
    "TaxRegime",
    "TaxRule",
    "UFRate",
    "MatchedBy",
    "SupplierInvoice",
    "SupplierInvoiceLine",
    "SupplierInvoiceStatus",
    "SupplierProductCode",
]
