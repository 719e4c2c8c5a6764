"""Extension points the shelves plugin offers."""

from plugins.hooks import Hook

SHELF_RESTOCKED = Hook(
    "shelf_restocked",
    kwargs=("shelf", "units", "user"),
    in_transaction=True,
    doc="After a shelf's units grew, inside restock_shelf's transaction. "
    "Raise a plugins.exceptions.Refused subclass to refuse the restock.",
)
