"""Warehouses, stock levels, the movement ledger, reservations, cart holds,
transfers, inventory counts and stock imports.

The ledger is the truth: every change of on-hand stock is one immutable
:class:`StockMovement`, and each :class:`StockLevel` (one per variant and
warehouse) keeps ``on_hand`` equal to the sum of its movements, updated in the
same transaction as the movement (``services.py``). ``reserved`` is the sum of
the level's active :class:`Reservation` rows; ``available = on_hand -
reserved``. Database constraints keep the numbers sane whatever writes them.
"""

from plugins.stock.models.ledger import (
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    ImmutableMovement,
    MovementKind,
    ReferenceType,
    StockLevel,
    StockMovement,
    Warehouse,
)
from plugins.stock.models.operations import (
    CountLine,
    InventoryCount,
    Transfer,
    TransferLine,
)
from plugins.stock.models.reservations import (
    CartHold,
    ChannelWarehouse,
    Reservation,
    new_hold_token,
)

__all__ = [
    "INBOUND_KINDS",
    "OUTBOUND_KINDS",
    "CartHold",
    "ChannelWarehouse",
    "CountLine",
    "ImmutableMovement",
    "InventoryCount",
    "MovementKind",
    "ReferenceType",
    "Reservation",
    "StockLevel",
    "StockMovement",
    "Transfer",
    "TransferLine",
    "Warehouse",
    "new_hold_token",
]
