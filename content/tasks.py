"""Background work of the catalog: index refreshes after imports."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def refresh_product_indexes(product_ids: list[int]) -> None:
    """Search index and reference index entries for imported products."""
    from wagtail.models import ReferenceIndex
    from wagtail.search.backends import get_search_backend

    from content.models import Product

    backend = get_search_backend()
    for start in range(0, len(product_ids), 500):
        chunk = list(
            Product.objects.filter(
                pk__in=product_ids[start : start + 500]
            ).prefetch_related("variants", "brand")
        )
        backend.add_bulk(Product, chunk)
        for product in chunk:
            ReferenceIndex.create_or_update_for_object(product)
