"""Errors of the stock services. The admin shows them as form errors and
messages, the API as RFC 9457 problem details (status, code and the extra
keys given here)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plugins.exceptions import Refused, RetaguardaError


class StockError(RetaguardaError):
    code = "stock-invalid"


class InsufficientStock(Refused):
    """Not enough units: ``short`` lists each SKU with the quantity requested
    and the quantity available (409; also refuses an order being placed)."""

    code = "insufficient-stock"

    def __init__(self, short: list[dict]):
        self.short = short
        items = "; ".join(
            _("%(sku)s (requested %(requested)s, available %(available)s)") % item
            for item in short
        )
        super().__init__(
            _("Not enough stock: %(items)s.") % {"items": items}, short=short
        )


class CannotShip(Refused):
    """An order cannot leave: a warehouse has fewer units on hand than the
    order reserved there (stock was counted or adjusted down meanwhile)."""

    code = "cannot-ship"


class InvalidMovement(StockError):
    """A movement that cannot be posted (zero quantity, no reason, unknown SKU,
    a warehouse that is inactive ...)."""

    status = 400
    code = "invalid-movement"


class IllegalState(StockError):
    """A transfer or count is not in a state that allows the operation."""

    status = 409
    code = "illegal-state"


class HoldNotFound(StockError):
    status = 404
    code = "not-found"
