"""Marketplace order import: one row per order line, rows grouped into orders
by ``(channel, external_id)``, on the import framework (``plugins.importing``):
the sheet's columns and cells in :mod:`.sheet`, the importer in
:mod:`.importer`."""

#: The audit action of imports before the framework (one entry per channel);
#: kept registered so that those entries still read well.
IMPORT_LOG_ACTION = "orders.import"
