"""Business operations on stock. Admin screens, the API, imports, commands and
tasks all go through these functions; none of them saves a stock model
itself.

``user=None`` means the system acting on its own behalf (an order placed by a
storefront, the hold-expiry task); with a user, the warehouse must be one they
may operate (``permissions.py``).
"""

from plugins.stock.services.counts import (
    add_count_line,
    cancel_count,
    differences,
    open_count,
    post_count,
    record_counts,
)
from plugins.stock.services.holds import (
    create_hold,
    extend_hold,
    release_expired_holds,
    release_hold,
)
from plugins.stock.services.ledger import (
    AVAILABLE,
    ON_HAND,
    Drift,
    Entry,
    adjust_stock,
    find_drift,
    post_entries,
    receive_stock,
    repair_drift,
    set_reorder_point,
)
from plugins.stock.services.orders import (
    release_order_stock,
    reserve_for_order,
    return_order_stock,
    returns_to,
    ship_order_stock,
)
from plugins.stock.services.transfers import receive_transfer, send_transfer

__all__ = [
    "AVAILABLE",
    "ON_HAND",
    "Drift",
    "Entry",
    "add_count_line",
    "adjust_stock",
    "cancel_count",
    "create_hold",
    "differences",
    "extend_hold",
    "find_drift",
    "open_count",
    "post_count",
    "post_entries",
    "receive_stock",
    "receive_transfer",
    "record_counts",
    "release_expired_holds",
    "release_hold",
    "release_order_stock",
    "repair_drift",
    "reserve_for_order",
    "return_order_stock",
    "returns_to",
    "send_transfer",
    "set_reorder_point",
    "ship_order_stock",
]
