"""Template tags and filters of the storefront-like templates (Wagtail previews
of catalog snippets and the storefront pages)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django import template
from django.db.models import Prefetch
from wagtail.images import get_image_model

from content.models import Category, Product, ProductImage, Variant
from plugins.money import format_brl

register = template.Library()

CARD_IMAGE_SPEC = "fill-400x400"
MAX_GRID_PRODUCTS = 48


@register.filter
def brl(value) -> str:
    """Brazilian money: ``Decimal("1234.56")`` → ``"R$ 1.234,56"``; empty for
    None or anything that is not a number."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except (InvalidOperation, TypeError, ValueError):
            return ""
    if not value.is_finite():
        return ""
    return format_brl(value)


def card_queryset():
    """Live products with what a product card shows: brand, variants (prices)
    and images with their card renditions, in a fixed number of queries."""
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec=CARD_IMAGE_SPEC)
    )
    images = ProductImage.objects.select_related("image").prefetch_related(
        Prefetch("image__renditions", queryset=renditions)
    )
    return (
        Product.objects.live()
        .select_related("brand")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.filter(active=True)),
            Prefetch("images", queryset=images),
        )
    )


def live_products_in_order(ids, limit: int | None = None) -> list[Product]:
    """The live products among ``ids``, in the order of ``ids``, without repeats."""
    ids = list(dict.fromkeys(pk for pk in ids if pk is not None))
    if not ids:
        return []
    by_pk = card_queryset().in_bulk(ids)
    products = [by_pk[pk] for pk in ids if pk in by_pk]
    return products[:limit] if limit is not None else products


def live_products_in_category(category, limit: int) -> list[Product]:
    if category is None or category.pk is None:
        return []
    # A draft may hold a stale path: the tree is read from the saved category.
    saved = Category.objects.filter(pk=category.pk).first()
    if saved is None:
        return []
    return list(card_queryset().in_category(saved)[:limit])


def _limit(value, default: int = 12) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(limit, MAX_GRID_PRODUCTS))


def resolve_grid_products(value) -> list[Product]:
    """The products of a product grid block (a ``StructValue`` of
    ``ProductGridBlock``): live ones only, up to its limit."""
    limit = _limit(value.get("limit"))
    source = value.get("source")
    if source == "category":
        return live_products_in_category(value.get("category"), limit)
    if source == "collection":
        collection = value.get("collection")
        if collection is None:
            return []
        ids = [item.product_id for item in collection.items.all()]
        return live_products_in_order(ids, limit)
    if source == "products":
        ids = [p.pk for p in value.get("products") or () if p is not None]
        return live_products_in_order(ids, limit)
    return []


@register.simple_tag
def grid_products(value):
    """``{% grid_products value as products %}`` in a product grid block."""
    return resolve_grid_products(value)


@register.simple_tag
def category_products(category, limit=24):
    """Live products in a category and its subcategories."""
    return live_products_in_category(category, _limit(limit, 24))


@register.simple_tag
def brand_products(brand, limit=24):
    if brand is None or brand.pk is None:
        return []
    return list(card_queryset().filter(brand_id=brand.pk)[: _limit(limit, 24)])


@register.simple_tag
def collection_products(collection):
    """The collection's items (possibly an unsaved draft's) as
    ``{"products": live products in order, "hidden": count of the others}``."""
    ids = [item.product_id for item in collection.items.all()]
    ids = list(dict.fromkeys(pk for pk in ids if pk is not None))
    products = live_products_in_order(ids)
    return {"products": products, "hidden": len(ids) - len(products)}


@register.simple_tag
def category_breadcrumbs(category):
    """Breadcrumbs of a category, also right for a draft whose parent or slug
    changed since it was saved (its stored ``path`` is then stale)."""
    if category is None:
        return []
    parent = None
    if category.parent_id:
        parent = Category.objects.filter(pk=category.parent_id).first()
    slug = category.slug or category.path.rpartition("/")[2]
    own = {
        "name": category.name,
        "slug": slug,
        "path": f"{parent.path}/{slug}" if parent else slug,
    }
    return [*parent.breadcrumbs(), own] if parent else [own]


@register.simple_tag
def active_variants(product):
    """The product's active variants (works on unsaved drafts too)."""
    return [v for v in product.variants.all() if v.active]


@register.simple_tag
def price_summary(variants):
    """What a storefront shows as the price of some variants: the lowest
    active price, the compare-at price of that variant when higher, and
    whether prices vary. None when nothing has a price."""
    priced = [v for v in variants if v.active and v.price is not None]
    if not priced:
        return None
    cheapest = min(priced, key=lambda v: v.price)
    compare_at = cheapest.compare_at_price
    return {
        "price": cheapest.price,
        "compare_at": compare_at
        if compare_at is not None and compare_at > cheapest.price
        else None,
        "varies": any(v.price != cheapest.price for v in priced),
    }


@register.simple_tag
def card_price(product):
    """``price_summary`` of a product's variants."""
    return price_summary(product.variants.all())


@register.filter
def first_image(product):
    """The first image of a product (``ProductImage``) or None."""
    images = list(product.images.all()[:1])
    return images[0] if images else None


@register.filter
def http_url(value) -> str:
    """The URL when it is an http(s) one, else empty (keeps ``javascript:``
    and similar out of ``href``)."""
    url = str(value or "").strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""
