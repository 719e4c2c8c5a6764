"""The benchmark's data set, built once and kept between runs.

N published products with 3 variants each, two photos, a description, a brand,
a primary category (and its root as an extra category) and tags, written by the
catalog import pipeline (one published revision per product) and completed with
bulk writes; the demo's category tree, brands and drawn images; the renditions
of every size the payload names, generated in advance; and one
:class:`~.models.BenchProductPage` per product, with the same values, for
Wagtail's API.
"""

from __future__ import annotations

import csv
import io
import itertools
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from api.catalog.payloads import IMAGE_SIZES
from api.services import create_api_key
from content import demo
from content.importing.importer import run_import
from content.models import Product, ProductImage
from content.validators import gtin_check_digit
from tests.benchmarks.apibench.models import (
    BenchProductImage,
    BenchProductPage,
    BenchProductPageTag,
    BenchVariant,
)

VARIANTS = 3
KEY_NAME = "API benchmark"
PAGES_PARENT_SLUG = "benchmark-produtos"
PACKAGING = demo.Option("Embalagem", ("Unidade", "Kit com 2", "Kit com 3"))
HEADER = [
    "product_slug",
    "product_name",
    "brand",
    "primary_category",
    "categories",
    "short_description",
    "tags",
    "option1_name",
    "option2_name",
    "option3_name",
    "seo_title",
    "search_description",
    "sku",
    "option1",
    "option2",
    "option3",
    "price",
    "compare_at_price",
    "gtin",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "ncm",
    "origin",
    "active",
]


def _kind(serial: int) -> tuple[demo.Leaf, demo.ProductType, str]:
    leaf = demo.LEAVES[serial % len(demo.LEAVES)]
    turn = serial // len(demo.LEAVES)
    kind = leaf.types[turn % len(leaf.types)]
    lines = kind.lines or leaf.lines
    return leaf, kind, lines[(turn // len(leaf.types)) % len(lines)]


def _options(kind: demo.ProductType) -> tuple[demo.Option, ...]:
    combinations = 1
    for option in kind.options:
        combinations *= len(option.values)
    if combinations >= VARIANTS:
        return kind.options
    return (*kind.options, PACKAGING)


def catalog_sheet(products: int) -> bytes:
    """The catalog as an import sheet: ``products`` × 3 variant rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for serial in range(products):
        leaf, kind, line = _kind(serial)
        options = _options(kind)
        names = [option.name for option in options] + ["", "", ""]
        name = f"{kind.name} {line} {serial:05d}"
        combos = itertools.islice(
            itertools.product(*(option.values for option in options)), VARIANTS
        )
        for index, combo in enumerate(combos):
            values = [v if isinstance(v, str) else v[0] for v in combo] + ["", ""]
            number = serial * VARIANTS + index
            body = f"789{number:09d}"
            price = Decimal(kind.low + serial % max(1, kind.high - kind.low)) + (
                Decimal("0.90")
            )
            compare = (
                (price * Decimal("1.25")).quantize(Decimal("1")) - Decimal("0.10")
                if serial % 4 == 0
                else None
            )
            length, width, height = kind.size
            writer.writerow(
                [
                    slugify(name),
                    name,
                    leaf.brands[serial % len(leaf.brands)],
                    leaf.path,
                    leaf.path.split("/")[0],
                    kind.blurb,
                    "|".join(leaf.tags[:2]),
                    *names[:3],
                    f"{name} | Loja Retaguarda"[:70],
                    kind.blurb[:160],
                    f"BENCH-{serial:05d}-{index}",
                    *values[:3],
                    str(price + 10 * index),
                    "" if compare is None else str(compare + 10 * index),
                    body + str(gtin_check_digit(body)),
                    str(kind.weight),
                    str(length),
                    str(width),
                    str(height),
                    kind.ncm,
                    "0",
                    "sim",
                ]
            )
    return buffer.getvalue().encode()


def _description(kind: demo.ProductType, line: str) -> list[dict]:
    label, value = kind.spec
    return [
        {"type": "rich_text", "value": f"<p>{kind.blurb}</p><p>Linha {line}.</p>"},
        {
            "type": "specifications",
            "value": [
                {"label": label, "value": value},
                {"label": "Origem", "value": "Nacional"},
            ],
        },
    ]


def _photos(leaf: demo.Leaf, kind: demo.ProductType, images) -> list:
    other = leaf.types[(leaf.types.index(kind) + 1) % len(leaf.types)]
    return [
        images[f"{kind.name} – foto de demonstração"],
        images[f"{other.name} – foto de demonstração"],
    ]


def build_products(products: int, *, user, images, log) -> None:
    """Import the catalog (published), then add descriptions and photos."""
    started = time.perf_counter()
    report = run_import(catalog_sheet(products), user=user, dry_run=False, publish=True)
    if not report.committed or report.error_count:
        raise RuntimeError(f"Import failed: {report.errors[:3] or report.file_error}")
    log(f"imported {products} products in {time.perf_counter() - started:.0f} s")
    by_slug = dict(Product.objects.values_list("slug", "pk"))
    described, photos = [], []
    for serial in range(products):
        leaf, kind, line = _kind(serial)
        name = f"{kind.name} {line} {serial:05d}"
        pk = by_slug[slugify(name)]
        described.append(Product(pk=pk, description=_description(kind, line)))
        photos.extend(
            ProductImage(product_id=pk, image=image, alt=name, sort_order=order)
            for order, image in enumerate(_photos(leaf, kind, images))
        )
    with transaction.atomic():
        Product.objects.bulk_update(described, ["description"], batch_size=500)
        ProductImage.objects.bulk_create(photos, batch_size=1000)


def build_renditions() -> int:
    """Every size of every product photo, so no request generates one."""
    Image = get_image_model()
    ids = ProductImage.objects.values_list("image_id", flat=True).distinct()
    count = 0
    for image in Image.objects.filter(pk__in=ids):
        image.get_renditions(*IMAGE_SIZES.values())
        count += 1
    return count


def build_pages(*, user, log, batch: int = 250) -> None:
    """One live BenchProductPage per product, with a published revision."""
    site = Site.objects.get(is_default_site=True)
    parent = Page.objects.filter(slug=PAGES_PARENT_SLUG).first()
    if parent is None:
        parent = site.root_page.add_child(
            instance=Page(title="Produtos (benchmark)", slug=PAGES_PARENT_SLUG)
        )
    done = set(BenchProductPage.objects.values_list("slug", flat=True))
    queryset = (
        Product.objects.filter(live=True)
        .exclude(slug__in=done)
        .order_by("pk")
        .prefetch_related("variants", "images", "categories", "tagged_items__tag")
    )
    base_type = ContentType.objects.get_for_model(Page)
    page_type = ContentType.objects.get_for_model(BenchProductPage)
    started, count = time.perf_counter(), 0
    products = list(queryset)
    for start in range(0, len(products), batch):
        with transaction.atomic():
            pages = []
            for product in products[start : start + batch]:
                page = BenchProductPage(
                    title=product.name,
                    slug=product.slug,
                    seo_title=product.seo_title,
                    search_description=product.search_description,
                    short_description=product.short_description,
                    description=list(product.description.raw_data),
                    brand_id=product.brand_id,
                    primary_category_id=product.primary_category_id,
                    option1_name=product.option1_name,
                    option2_name=product.option2_name,
                    option3_name=product.option3_name,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=product.first_published_at,
                    last_published_at=product.last_published_at,
                )
                page.variants = [
                    BenchVariant(
                        sort_order=order,
                        **{
                            field: getattr(variant, field)
                            for field in (
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
                        },
                    )
                    for order, variant in enumerate(product.variants.all())
                ]
                page.images = [
                    BenchProductImage(
                        image_id=item.image_id, alt=item.alt, sort_order=order
                    )
                    for order, item in enumerate(product.images.all())
                ]
                page.categories = list(product.categories.all())
                page.tagged = [
                    BenchProductPageTag(tag=item.tag)
                    for item in product.tagged_items.all()
                ]
                parent.add_child(instance=page)
                pages.append(page)
            now = timezone.now()
            revisions = Revision.objects.bulk_create(
                [
                    Revision(
                        content_type=page_type,
                        base_content_type=base_type,
                        object_id=str(page.pk),
                        content=page.serializable_data(),
                        object_str=page.title,
                        user=user,
                        created_at=now,
                    )
                    for page in pages
                ]
            )
            for page, revision in zip(pages, revisions, strict=True):
                page.latest_revision = page.live_revision = revision
            BenchProductPage.objects.bulk_update(
                pages, ["latest_revision", "live_revision"]
            )
        count += len(pages)
        log(f"{count} pages in {time.perf_counter() - started:.0f} s")


def build(products: int, *, log=print) -> dict:
    """Build what is missing; returns counts and whether anything was built."""
    present = Product.objects.count()
    if present not in (0, products):
        raise RuntimeError(
            f"The benchmark database holds {present} products, not {products}: "
            "run with --rebuild."
        )
    started = time.perf_counter()
    user, _created = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    images = demo.ensure_images()
    demo.ensure_categories(user, images)
    demo.ensure_brands(user, images)
    built = False
    if not present:
        build_products(products, user=user, images=images, log=log)
        built = True
    renditions = build_renditions()
    if BenchProductPage.objects.count() != products:
        build_pages(user=user, log=log)
        built = True
    # Planner statistics for the data as it is now, as a database in service
    # has them (autovacuum, or SQLite's optimize): without them, PostgreSQL
    # estimates hundreds of variants per product and scans the table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "built": built,
        "seconds": round(time.perf_counter() - started, 1),
        "products": Product.objects.filter(live=True).count(),
        "pages": BenchProductPage.objects.live().count(),
        "images": renditions,
    }


def fresh_api_key() -> str:
    """A new ``catalog:read`` key without rate limit, for one run (earlier
    runs' keys stay valid: runs may overlap)."""
    _key, secret = create_api_key(
        name=f"{KEY_NAME} {timezone.now():%Y-%m-%d %H:%M:%S}",
        scopes=["catalog:read"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    return secret
