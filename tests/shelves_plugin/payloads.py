"""What the test plugin adds to the public catalog's product payloads: the
shelves a product is on, and each variant's facings (proving the
payload-extension hooks, their schema and cache invalidation)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum


def add_shelves(*, payloads: list[dict]) -> None:
    """``api.hooks.PRODUCT_PAYLOADS``: one query for the whole response."""
    from tests.shelves_plugin.models import ShelfItem

    skus = [v["sku"] for p in payloads for v in p.get("variants", ())]
    facings: dict[str, int] = {}
    shelves: dict[str, set[str]] = defaultdict(set)
    rows = (
        ShelfItem.objects.filter(sku__in=skus)
        .values("sku", "shelf__code")
        .annotate(facings=Sum("facings"))
    )
    for row in rows:
        facings[row["sku"]] = facings.get(row["sku"], 0) + row["facings"]
        shelves[row["sku"]].add(row["shelf__code"])
    for product in payloads:
        codes: set[str] = set()
        for variant in product.get("variants", ()):
            variant["facings"] = facings.get(variant["sku"], 0)
            codes |= shelves[variant["sku"]]
        product["shelves"] = sorted(codes)


def payload_schema() -> dict:
    """``api.hooks.PRODUCT_PAYLOAD_SCHEMA``."""
    return {
        "product": {
            "shelves": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Codes of the shelves the product is on.",
            }
        },
        "variant": {"facings": {"type": "integer", "minimum": 0}},
    }


def shelf_items_changed(**kwargs) -> None:
    """What the catalog shows changed: forget its cached responses."""
    from api.cache import catalog_changed

    catalog_changed()
