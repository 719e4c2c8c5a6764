from plugins.finance.services.payments import (
    RANK,
    Applied,
    Outcome,
    apply_status,
    register_manual_payment,
)
from plugins.finance.services.receivables import receivables_for, write_off_open

__all__ = [
    "RANK",
    "Applied",
    "Outcome",
    "apply_status",
    "receivables_for",
    "register_manual_payment",
    "write_off_open",
]
