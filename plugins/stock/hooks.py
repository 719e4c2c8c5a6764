"""Extension points the stock plugin offers."""

from plugins.hooks import Hook

STOCK_MOVED = Hook(
    "stock_moved",
    kwargs=("movements",),
    in_transaction=True,
    doc="After movements are written and their levels updated, inside the "
    "service's transaction (a list of StockMovement). Raise a "
    "plugins.exceptions.Refused subclass to refuse them. Work outside the "
    "database goes through transaction.on_commit.",
)

STOCK_LOW = Hook(
    "stock_low",
    kwargs=("levels",),
    doc="After commit, with the stock levels whose available units fell to "
    "their reorder point (once per fall; a level alerts again after it rose "
    "above). The stock plugin e-mails RETAGUARDA_STOCK_ALERT_EMAILS.",
)
