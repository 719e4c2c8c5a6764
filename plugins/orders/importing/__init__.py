"""Marketplace order import: CSV (UTF-8 or Windows-1252, comma or semicolon)
or XLSX, one row per order line, rows grouped into orders by
``(channel, external_id)``.

:func:`run_order_import` reads and checks a file and places every order in it
through :func:`plugins.orders.services.place_order`, inside one transaction
for the whole file:

* ``dry_run=True`` places the orders and rolls everything back: the report
  says exactly what an import would do (new orders, orders already imported,
  every error with its row, column and reason), with the service's own rules
  (catalog prices, check digits, stock hooks ...) and nothing written;
* ``dry_run=False`` commits only when every order is valid (all or nothing),
  and writes one audit entry (``orders.import``) per channel touched.

Re-importing a file creates nothing new: ``place_order`` is idempotent by
``(channel, external_id)``, and the report counts those orders as already
imported. The admin's import screen and the API use this module alike.
"""

from plugins.importing.errors import FileProblem, RowError
from plugins.orders.importing.run import (
    IMPORT_LOG_ACTION,
    OrderImportReport,
    run_order_import,
)
from plugins.orders.importing.sheet import (
    COLUMNS,
    LINE_COLUMNS,
    MAX_ROWS,
    ORDER_COLUMNS,
    REQUIRED_COLUMNS,
    OrderGroup,
    ParsedRow,
    read_orders,
)

__all__ = [
    "COLUMNS",
    "IMPORT_LOG_ACTION",
    "LINE_COLUMNS",
    "MAX_ROWS",
    "ORDER_COLUMNS",
    "REQUIRED_COLUMNS",
    "FileProblem",
    "OrderGroup",
    "OrderImportReport",
    "ParsedRow",
    "RowError",
    "read_orders",
    "run_order_import",
]
