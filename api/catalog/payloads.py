"""The public product payload, built for the hot path.

A page of products is read in a constant number of queries that select only the
columns the payload needs (``.values()``, one query per related table),
assembled into plain dicts. Plugins add keys through ``PRODUCT_PAYLOADS``.
Image sizes are signed URLs of Wagtail's image serve view (no rendition is
generated or queried while building the payload).
"""

from __future__ import annotations

import base64
import functools
import hmac
from collections import defaultdict
from decimal import Decimal
from urllib.parse import quote

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from api.cache import TTL, catalog_version
from api.hooks import PRODUCT_PAYLOADS
from content.models import Category, Product, ProductImage, Variant
from content.models.catalog import ProductTag
from plugins import hooks
from plugins.sql import column, columns, table

IMAGE_SIZES = {
    "thumb": "fill-160x160",
    "card": "fill-480x480",
    "large": "max-1200x1200",
}

PRODUCT_COLUMNS = (
    "id",
    "slug",
    "name",
    "short_description",
    "seo_title",
    "search_description",
    "option1_name",
    "option2_name",
    "option3_name",
    "brand__slug",
    "brand__name",
    "primary_category__slug",
    "primary_category__name",
    "primary_category__path",
    "first_published_at",
    "last_published_at",
)
# The description as its JSON text: decoded by orjson into the blocks the
# payload shows, instead of each row becoming a StreamValue (with a JSONField
# built for it) only to be turned back into those blocks.
PRODUCT_EXPRESSIONS = {"description_json": Cast("description", TextField())}


def product_values(queryset, *extra: str):
    """``queryset.values()`` of what a product payload needs (rows for
    :func:`build_product_payloads`)."""
    return queryset.values(*PRODUCT_COLUMNS, *extra, **PRODUCT_EXPRESSIONS)


VARIANT_COLUMNS = (
    "product_id",
    "sku",
    "option1",
    "option2",
    "option3",
    "price",
    "compare_at_price",
    "active",
    "gtin",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
)


def money(value: Decimal | float | int | str | None) -> str | None:
    """An amount as "49.90". Written-out queries on SQLite read decimals as the
    floating point numbers it stores (exact to 15 digits: their cents are)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = Decimal(value)
    return f"{value:.2f}"


def image_url(image_id: int, file_name: str, spec: str, prefix: str = "") -> str:
    """The signed URL of an image rendition (Wagtail's serve view).

    ``prefix`` (from :func:`image_url_prefix`) spares a ``reverse()`` per
    image: a product page has a hundred and more of them."""
    signature = _signature(image_id, spec)
    if not prefix:
        url = reverse("wagtailimages_serve", args=(signature, image_id, spec))
    else:
        # The signature is URL-safe base64 and the id digits: only the spec
        # may need quoting, as reverse() quotes it.
        url = f"{prefix}{signature}/{image_id}/{_quoted(spec)}/"
    return url + file_name.rsplit("/", 1)[-1]


@functools.cache
def _quoted(spec: str) -> str:
    return quote(spec, safe=URL_SAFE)


def _signature(image_id: int, spec: str) -> str:
    """Wagtail's ``generate_signature``: HMAC-SHA1 of "id/spec/" with the
    secret key, URL-safe base64 (with the one-shot ``hmac.digest``)."""
    digest = hmac.digest(
        settings.SECRET_KEY.encode(), f"{image_id}/{spec}/".encode(), "sha1"
    )
    return base64.urlsafe_b64encode(digest).decode()


# What reverse() leaves unquoted in URL arguments.
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


def image_url_prefix() -> str:
    """The serve view's URL before its arguments, as reverse() spells it now."""
    probe = reverse("wagtailimages_serve", args=("s", 1, "f"))
    # Another URL shape: "" (every URL reversed).
    return probe.removesuffix("s/1/f/") if probe.endswith("/s/1/f/") else ""


def _ancestor_paths(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def category_crumbs() -> dict[str, dict]:
    """Every category's slug, name and path, by path (what breadcrumbs show).

    The category tree is small and read on every product page, so it is cached
    for the catalog's current version (any published change renews it)."""
    key = f"api:crumbs:{catalog_version()}"
    crumbs = cache.get(key)
    if crumbs is None:
        crumbs = {
            category["path"]: category
            for category in Category.objects.values("slug", "name", "path")
        }
        cache.set(key, crumbs, TTL)
    return crumbs


def _select(sql: str, ids: list[int]) -> list[tuple]:
    """Rows of a written-out query over the products ``ids`` (``{ids}`` in
    ``sql`` becomes their placeholders)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), ids)
        return cursor.fetchall()


@functools.cache
def _page_queries(vendor: str) -> dict[str, str]:
    """The queries of a page of products, written out once from the models'
    table and column names: every uncached product list runs them, and the
    ORM would compile each of them per request."""
    link = Product.categories.through
    image = ProductImage._meta.get_field("image").related_model
    tag = ProductTag._meta.get_field("tag").related_model
    return {
        "variants": f"""
            SELECT {columns(Variant, *VARIANT_COLUMNS)} FROM {table(Variant)}
            WHERE {column(Variant, "product")} IN ({{ids}})
            ORDER BY {columns(Variant, "product", "sort_order", "pk")}
        """,  # noqa: S608  (names from the models; values are parameters)
        "categories": f"""
            SELECT l.{column(link, "product")}, c.{column(Category, "slug")},
                   c.{column(Category, "name")}, c.{column(Category, "path")}
            FROM {table(link)} l
            JOIN {table(Category)} c
              ON c.{column(Category, "pk")} = l.{column(link, "category")}
            WHERE l.{column(link, "product")} IN ({{ids}})
            ORDER BY c.{column(Category, "path")}
        """,  # noqa: S608
        "images": f"""
            SELECT p.{column(ProductImage, "product")}, p.{column(ProductImage, "alt")},
                   p.{column(ProductImage, "image")}, i.{column(image, "file")},
                   i.{column(image, "width")}, i.{column(image, "height")}
            FROM {table(ProductImage)} p
            JOIN {table(image)} i
              ON i.{column(image, "pk")} = p.{column(ProductImage, "image")}
            WHERE p.{column(ProductImage, "product")} IN ({{ids}})
            ORDER BY p.{column(ProductImage, "product")},
                     p.{column(ProductImage, "sort_order")},
                     p.{column(ProductImage, "pk")}
        """,  # noqa: S608
        "tags": f"""
            SELECT p.{column(ProductTag, "content_object")}, t.{column(tag, "name")}
            FROM {table(ProductTag)} p
            JOIN {table(tag)} t ON t.{column(tag, "pk")} = p.{column(ProductTag, "tag")}
            WHERE p.{column(ProductTag, "content_object")} IN ({{ids}})
            ORDER BY t.{column(tag, "name")}
        """,  # noqa: S608
    }


def build_product_payloads(rows: list[dict]) -> list[dict]:
    """Payloads for product rows read by :func:`product_values`, in their
    order."""
    if not rows:
        return []
    for row in rows:
        row["description"] = orjson.loads(row.pop("description_json") or "[]")
    ids = [row["id"] for row in rows]
    queries = _page_queries(connection.vendor)

    variants = defaultdict(list)
    active = VARIANT_COLUMNS.index("active")
    for values in _select(queries["variants"], ids):
        variant = dict(zip(VARIANT_COLUMNS, values, strict=True))
        variant["active"] = bool(values[active])  # SQLite: 0 or 1
        variants[variant["product_id"]].append(variant)

    extra_categories = defaultdict(list)
    for product_id, slug, name, path in _select(queries["categories"], ids):
        extra_categories[product_id].append({"slug": slug, "name": name, "path": path})

    crumbs = category_crumbs()

    prefix = image_url_prefix()
    images = defaultdict(list)
    for product_id, alt, image_id, file, width, height in _select(
        queries["images"], ids
    ):
        images[product_id].append(
            {
                "alt": alt,
                "width": width,
                "height": height,
                "sizes": {
                    name: image_url(image_id, file, spec, prefix)
                    for name, spec in IMAGE_SIZES.items()
                },
            }
        )

    tags = defaultdict(list)
    for product_id, name in _select(queries["tags"], ids):
        tags[product_id].append(name)

    payloads = [
        product_payload(
            row,
            variants[row["id"]],
            extra_categories[row["id"]],
            crumbs,
            images[row["id"]],
            tags[row["id"]],
        )
        for row in rows
    ]
    hooks.call(PRODUCT_PAYLOADS, payloads=payloads)
    return payloads


def product_payload(row, variants, categories, crumbs, images, tags) -> dict:
    option_names = [row[f"option{i}_name"] for i in (1, 2, 3)]
    variant_payloads = []
    for variant in variants:
        variant_payloads.append(
            {
                "sku": variant["sku"],
                "options": {
                    name: variant[f"option{i}"]
                    for i, name in enumerate(option_names, start=1)
                    if name
                },
                "price": money(variant["price"]),
                "compare_at_price": money(variant["compare_at_price"]),
                "active": variant["active"],
                "gtin": variant["gtin"] or None,
                "weight_grams": variant["weight_grams"],
                "dimensions_cm": {
                    "length": money(variant["length_cm"]),
                    "width": money(variant["width_cm"]),
                    "height": money(variant["height_cm"]),
                },
            }
        )
    prices = [v["price"] for v in variants if v["active"]]
    path = row["primary_category__path"]
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "short_description": row["short_description"],
        "description": row["description"],
        "seo": {"title": row["seo_title"], "description": row["search_description"]},
        "brand": (
            {"slug": row["brand__slug"], "name": row["brand__name"]}
            if row["brand__slug"]
            else None
        ),
        "category": (
            {
                "slug": row["primary_category__slug"],
                "name": row["primary_category__name"],
                "path": path,
                "breadcrumbs": [
                    {"slug": c["slug"], "name": c["name"], "path": c["path"]}
                    for p in _ancestor_paths(path)
                    if (c := crumbs.get(p))
                ],
            }
            if path
            else None
        ),
        "categories": categories,
        "tags": tags,
        "options": [name for name in option_names if name],
        "images": images,
        "variants": variant_payloads,
        "price_range": (
            {"min": money(min(prices)), "max": money(max(prices))} if prices else None
        ),
        "published_at": row["first_published_at"],
        "updated_at": row["last_published_at"],
    }


def payloads_for_objects(products: list[Product]) -> list[dict]:
    """Payloads for in-memory products (draft previews): the same shape,
    built from the objects instead of the tables."""
    payloads = []
    for product in products:
        row = dict.fromkeys(PRODUCT_COLUMNS)
        row.update(
            {
                "id": product.pk,
                "slug": product.slug,
                "name": product.name,
                "short_description": product.short_description,
                "description": list(product.description.raw_data)
                if product.description is not None
                else [],
                "seo_title": product.seo_title,
                "search_description": product.search_description,
                "option1_name": product.option1_name,
                "option2_name": product.option2_name,
                "option3_name": product.option3_name,
                "first_published_at": product.first_published_at,
                "last_published_at": product.last_published_at,
            }
        )
        if product.brand_id:
            row["brand__slug"], row["brand__name"] = (
                product.brand.slug,
                product.brand.name,
            )
        category = product.primary_category
        if category is not None:
            row["primary_category__slug"] = category.slug
            row["primary_category__name"] = category.name
            row["primary_category__path"] = category.path
        crumbs = (
            {c["path"]: c for c in category.breadcrumbs()}
            if category is not None
            else {}
        )
        variants = [
            {column: getattr(v, column, None) for column in VARIANT_COLUMNS}
            for v in product.variants.all()
        ]
        categories = [
            {"slug": c.slug, "name": c.name, "path": c.path}
            for c in Category.objects.filter(
                pk__in=[c.pk for c in product.categories.all()]
            )
        ]
        images = [
            {
                "alt": item.alt,
                "width": item.image.width,
                "height": item.image.height,
                "sizes": {
                    name: image_url(item.image_id, item.image.file.name, spec)
                    for name, spec in IMAGE_SIZES.items()
                },
            }
            for item in product.images.all()
        ]
        tags = sorted(item.tag.name for item in product.tagged_items.all())
        payloads.append(
            product_payload(row, variants, categories, crumbs, images, tags)
        )
    hooks.call(PRODUCT_PAYLOADS, payloads=payloads)
    return payloads
