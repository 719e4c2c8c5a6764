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

CATALOG_IMPORT_PUBLISHED = Hook(
    "catalog_import_published",
    kwargs=("published", "updated"),
    in_transaction=True,
    doc=(
        "Inside a catalog import's transaction, once per batch, with the "
        "products the import made live without going through Wagtail's publish "
        "(which sends its `published` signal): `published` lists those live for "
        "the first time, `updated` those published again, each as "
        "{'id': pk, 'slug': slug}. Products whose pending draft the import "
        "published go through Wagtail's publish and its signal instead."
    ),
)

PRODUCT_STOCK = Hook(
    "catalog_product_stock",
    doc=(
        "A function taking no arguments that returns a query expression: the "
        "units of a product (the outer query's row, a Product) available for "
        "sale now, across its active variants; NULL when the product's stock "
        "is not tracked. The catalog annotates product querysets with it (one "
        "subquery, whatever the number of products): the product listing's "
        "stock column and export, and the editor's warning on a live product "
        "with nothing to sell. The stock plugin implements it; without an "
        "implementation the catalog shows no stock."
    ),
)
