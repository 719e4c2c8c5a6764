"""Extension points the catalog offers."""

from plugins.hooks import Hook

CATALOG_IMPORTED = Hook(
    "catalog_imported",
    kwargs=("product_ids",),
    in_transaction=False,
    doc=(
        "After a catalog import committed (on commit), with the primary keys of "
        "the products it created or changed. Bulk imports bypass model signals: "
        "caches and indexes that follow products refresh here."
    ),
)
