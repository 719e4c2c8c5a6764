"""Writing a catalog import: the valid rows of a batch of products, with the
editor's semantics at bulk speed. Each product gets a revision (with its
variants, as the editor saves it), the audit log gets one entry per product
with the changed fields, and ``publish`` decides whether the revision goes
live or stays a draft (a live product then keeps showing its published
version). Search index and reference index updates run afterwards as a
background task.

Reading, checking and the job are the import framework's
(:mod:`plugins.importing`); the importer is :mod:`content.importing.importer`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import ModelLogEntry, Revision

from content.importing.serialize import revision_content
from content.importing.validation import ProductPlan, Validated
from content.models import Product, Variant
from content.models.catalog import ProductTag
from content.resources import PRODUCT_FIELD, VARIANT_FIELDS
from plugins.audit import audit_value
from plugins.copying import copy_insert, copy_rows

IMPORT_LOG_ACTION = "content.import"
BATCH = 400  # products per batch (keeps IN lists under SQLite's limits)
#: Product text columns an import may change (the slug finds the product).
PRODUCT_TEXT = {c: f for c, f in PRODUCT_FIELD.items() if c != "product_slug"}
TEXT_DEFAULTS = {"option1": "", "option2": "", "option3": "", "gtin": "", "ncm": ""}


# -- comparing and applying values -------------------------------------------


def _normalise(column: str, value):
    if value is None and column in TEXT_DEFAULTS:
        return TEXT_DEFAULTS[column]
    if column == "origin" and not value:
        return Variant.Origin.NATIONAL
    if column == "active" and value is None:
        return True
    return value


def _variant_changes(variant: Variant, values: dict) -> dict:
    changes = {}
    for column in VARIANT_FIELDS:
        if column not in values:
            continue
        new = _normalise(column, values[column])
        old = getattr(variant, column)
        if old != new:  # Decimal("49.9") == Decimal("49.90")
            changes[column] = (old, new)
    return changes


def _product_changes(product: Product, plan: ProductPlan, validated: Validated) -> dict:
    values = plan.values
    changes = {}
    for column, attr in PRODUCT_TEXT.items():
        if column in values and getattr(product, attr) != values[column]:
            changes[attr] = (getattr(product, attr), values[column])
    if "brand" in values:
        brand_id = validated.brands[values["brand"].lower()]
        if product.brand_id != brand_id:
            changes["brand_id"] = (product.brand_id, brand_id)
    if "primary_category" in values:
        category_id = validated.categories[values["primary_category"]]
        if product.primary_category_id != category_id:
            changes["primary_category_id"] = (product.primary_category_id, category_id)
    if "categories" in values:
        wanted = {validated.categories[path] for path in values["categories"]}
        if wanted != plan.current_categories:
            changes["categories"] = (sorted(plan.current_categories), sorted(wanted))
    if "tags" in values and set(values["tags"]) != plan.current_tags:
        changes["tags"] = (sorted(plan.current_tags), sorted(values["tags"]))
    return changes


def classify(validated: Validated, counts: dict[str, int]) -> None:
    """Count new, updated and unchanged rows and products of a batch."""
    for plan in validated.plans.values():
        valid = [row for row in plan.rows if not row.errors]
        if not valid:
            continue
        product_changed = bool(
            plan.existing is None or _product_changes(plan.existing, plan, validated)
        )
        if plan.existing is None:
            counts["new_products"] += 1
        elif product_changed or any(
            row.sku not in validated.existing_variants
            or _variant_changes(validated.existing_variants[row.sku], row.variant)
            for row in valid
        ):
            counts["updated_products"] += 1
        for row in valid:
            existing = validated.existing_variants.get(row.sku)
            if existing is None:
                counts["new_rows"] += 1
            elif product_changed or _variant_changes(existing, row.variant):
                counts["updated_rows"] += 1
            else:
                counts["unchanged_rows"] += 1


# -- writing -------------------------------------------------------------------


@dataclass
class _Planned:
    plan: ProductPlan
    product: Product
    is_new: bool
    write_rows: bool  # whether the live rows change (publish, or not live yet)
    variants: list[Variant]
    new_variants: list[Variant]
    changed_variants: list[Variant]
    changes: dict
    categories: list[int] | None
    tags: list[str] | None
    via_revision: bool = False


def _ensure_tags(names: set[str]) -> dict[str, Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name, slug=_tag_slug(name)) for name in names - set(existing)]
    if missing:
        from django.utils.text import slugify

        taken = set(Tag.objects.values_list("slug", flat=True))
        for tag in missing:
            base = slugify(tag.name) or "tag"
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            tag.slug = slug
            taken.add(slug)
        Tag.objects.bulk_create(missing)
        existing.update({tag.name: tag for tag in Tag.objects.filter(name__in=names)})
    return existing


def _tag_slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name) or "tag"


def _load_existing(plans: list[ProductPlan]) -> dict[int, Product]:
    """Existing products with their children, as the editor would see them:
    the latest draft for products with unpublished changes."""
    ids = [plan.existing.pk for plan in plans if plan.existing is not None]
    if not ids:
        return {}
    products = {
        product.pk: product
        for product in Product.objects.filter(pk__in=ids).prefetch_related(
            "variants", "images", "categories", "tagged_items__tag"
        )
    }
    drafts = [
        p.latest_revision_id for p in products.values() if p.has_unpublished_changes
    ]
    if drafts:
        for revision in Revision.objects.filter(pk__in=drafts):
            draft = revision.as_object()
            products[int(revision.object_id)] = draft
    for product in products.values():
        # The children as the revision will hold them (no further queries).
        product.import_children = {
            "variants": list(product.variants.all()),
            "images": list(product.images.all()),
            "tagged_items": list(product.tagged_items.all()),
        }
        product.import_category_ids = [c.pk for c in product.categories.all()]
    return products


def _plan_product(plan, base, validated, publish) -> _Planned:
    is_new = base is None
    product = base or Product(slug=plan.slug)
    if is_new:
        product.import_children = {"variants": [], "images": [], "tagged_items": []}
        product.import_category_ids = []
    changes = {} if is_new else _product_changes(product, plan, validated)
    values = plan.values
    for column, attr in PRODUCT_TEXT.items():
        if column in values:
            setattr(product, attr, values[column])
    if "brand" in values:
        product.brand_id = validated.brands[values["brand"].lower()]
    if "primary_category" in values:
        product.primary_category_id = validated.categories[values["primary_category"]]

    variants = product.import_children["variants"]
    by_sku = {variant.sku: variant for variant in variants}
    new_variants, changed_variants = [], []
    for row in plan.rows:
        if row.errors:
            continue
        variant = by_sku.get(row.sku)
        if variant is None:
            variant = Variant(
                sku=row.sku,
                sort_order=len(variants),
                **{
                    column: _normalise(column, row.variant.get(column))
                    for column in VARIANT_FIELDS
                },
            )
            variants.append(variant)
            by_sku[row.sku] = variant
            new_variants.append(variant)
            changes.setdefault("variants", {})[row.sku] = "new"
        else:
            variant_changes = _variant_changes(variant, row.variant)
            if variant_changes:
                for column, (_old, new) in variant_changes.items():
                    setattr(variant, column, new)
                changed_variants.append(variant)
                changes.setdefault("variants", {})[row.sku] = {
                    column: [audit_value(old), audit_value(new)]
                    for column, (old, new) in variant_changes.items()
                    if column != "cost_price"
                } or {"cost_price": ["***", "***"]}

    categories = None
    if "categories" in values:
        categories = [validated.categories[path] for path in values["categories"]]
    tags = values.get("tags") if "tags" in validated.columns else None
    # A live product with a pending draft: the import is based on the draft, so
    # publishing must publish that whole revision (Wagtail writes the object
    # and its children), not only the imported columns.
    via_revision = (
        publish and not is_new and product.live and product.has_unpublished_changes
    )
    write_rows = (publish or is_new or not product.live) and not via_revision
    return _Planned(
        plan,
        product,
        is_new,
        write_rows,
        variants,
        new_variants,
        changed_variants,
        changes,
        categories,
        tags,
        via_revision,
    )


def _write_batch(planned: list[_Planned], *, user, publish: bool, job_id: str) -> None:
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Product)

    # 1. Live rows (new products, published imports, products not live yet).
    new_products = [p.product for p in planned if p.is_new]
    for product in new_products:
        product.live = False
        product.has_unpublished_changes = True
    copy_insert(new_products)
    product_fields = [
        "name",
        "short_description",
        "option1_name",
        "option2_name",
        "option3_name",
        "seo_title",
        "search_description",
        "brand",
        "primary_category",
        "updated_at",
    ]
    to_update = [p.product for p in planned if not p.is_new and p.write_rows]
    for product in to_update:
        product.updated_at = now
    if to_update:
        Product.objects.bulk_update(to_update, product_fields)
    new_variant_rows, changed_variant_rows = [], []
    for item in planned:
        if not item.write_rows:
            continue
        for variant in item.new_variants:
            variant.product_id = item.product.pk
            new_variant_rows.append(variant)
        changed_variant_rows.extend(v for v in item.changed_variants if v.pk)
    copy_insert(new_variant_rows)
    if changed_variant_rows:
        Variant.objects.bulk_update(changed_variant_rows, VARIANT_FIELDS)

    through = Product.categories.through
    with_categories = [p for p in planned if p.categories is not None and p.write_rows]
    if with_categories:
        through.objects.filter(
            product_id__in=[p.product.pk for p in with_categories]
        ).delete()
        through.objects.bulk_create(
            [
                through(product_id=item.product.pk, category_id=category_id)
                for item in with_categories
                for category_id in dict.fromkeys(item.categories)
            ]
        )
    with_tags = [p for p in planned if p.tags is not None]
    tag_objects = _ensure_tags({name for item in with_tags for name in item.tags})
    tag_rows = []
    for item in with_tags:
        rows = [
            ProductTag(tag=tag_objects[name], content_object=item.product)
            for name in dict.fromkeys(item.tags)
        ]
        item.product.import_children["tagged_items"] = rows
        if item.write_rows:
            tag_rows.extend(rows)
    if with_tags:
        ProductTag.objects.filter(
            content_object_id__in=[p.product.pk for p in with_tags if p.write_rows]
        ).delete()
        ProductTag.objects.bulk_create(
            [
                ProductTag(tag_id=row.tag_id, content_object_id=row.content_object.pk)
                for row in tag_rows
            ]
        )
    for item in planned:
        if item.categories is not None:
            item.product.import_category_ids = list(dict.fromkeys(item.categories))

    # 2. One revision per product, as the editor saves it.
    revision_ids = copy_rows(
        Revision,
        [
            {
                "content_type_id": content_type.pk,
                "base_content_type_id": content_type.pk,
                "object_id": str(item.product.pk),
                "content": revision_content(
                    item.product,
                    children=item.product.import_children,
                    m2m={"categories": item.product.import_category_ids},
                ),
                "user_id": user.pk if user else None,
                "object_str": str(item.product)[:255],
                "created_at": now,
            }
            for item in planned
        ],
    )

    # 3. Point the products at their revisions (one UPDATE with a subquery,
    # not a per-row CASE); publish when asked.
    latest = (
        Revision.objects.filter(
            base_content_type=content_type,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by("-pk")
        .values("pk")[:1]
    )
    pointers = {"latest_revision_id": Subquery(latest)}
    if publish:
        pointers.update(
            live=True,
            live_revision_id=Subquery(latest),
            has_unpublished_changes=False,
            last_published_at=now,
            first_published_at=Coalesce(F("first_published_at"), Value(now)),
        )
    else:
        pointers["has_unpublished_changes"] = True
    Product.objects.filter(
        pk__in=[item.product.pk for item in planned if not item.via_revision]
    ).update(**pointers)
    via_revision = [item.product.pk for item in planned if item.via_revision]
    if via_revision:  # published below, by the revision itself
        Product.objects.filter(pk__in=via_revision).update(
            latest_revision_id=Subquery(latest)
        )
    for item, revision_id in zip(planned, revision_ids, strict=True):
        item.product.latest_revision_id = revision_id
    if publish:
        _announce_published([item for item in planned if not item.via_revision])

    # 4. The audit log: one entry per product, with what the import changed.
    copy_rows(
        ModelLogEntry,
        [
            {
                "content_type_id": content_type.pk,
                "object_id": str(item.product.pk),
                "label": str(item.product)[:255],
                "action": IMPORT_LOG_ACTION,
                "data": (
                    # a new product's values are all in its revision
                    {"import": job_id, "created": True, "published": publish}
                    if item.is_new
                    else {
                        "import": job_id,
                        "created": False,
                        "published": publish,
                        "changes": _audit_changes(item.changes),
                    }
                ),
                "user_id": user.pk if user else None,
                "uuid": uuid.UUID(job_id) if job_id else None,
                "timestamp": now,
                "revision_id": revision_id,
                "content_changed": True,
            }
            for item, revision_id in zip(planned, revision_ids, strict=True)
        ],
    )

    via_revision_ids = [
        revision_id
        for item, revision_id in zip(planned, revision_ids, strict=True)
        if item.via_revision
    ]
    if via_revision_ids:
        for revision in Revision.objects.filter(pk__in=via_revision_ids).order_by("pk"):
            revision.publish(user=user, skip_permission_checks=True)


def _announce_published(planned: list[_Planned]) -> None:
    """Tell CATALOG_IMPORT_PUBLISHED which products the bulk UPDATE made live:
    first publication or a new version, decided as Wagtail's publish does
    (the first time, first and last publication are the same moment: the
    product had never been published before)."""
    from content.hooks import CATALOG_IMPORT_PUBLISHED
    from plugins import hooks

    if not planned:
        return
    published, updated = [], []
    for item in sorted(planned, key=lambda item: item.product.pk):
        before = item.plan.existing
        first = before is None or before.first_published_at is None
        (published if first else updated).append(
            {"id": item.product.pk, "slug": item.product.slug}
        )
    hooks.call(CATALOG_IMPORT_PUBLISHED, published=published, updated=updated)


def _audit_changes(changes: dict) -> dict:
    result = {}
    for key, value in changes.items():
        if key == "variants":
            result["variants"] = value
        else:
            old, new = value
            result[key.removesuffix("_id")] = [audit_value(old), audit_value(new)]
    return result


def apply_validated(
    validated: Validated, *, user, publish: bool, job_id: str = ""
) -> list[int]:
    """Write the valid rows; returns the primary keys of the products touched."""
    plans = [
        plan
        for plan in validated.plans.values()
        if any(not r.errors for r in plan.rows)
    ]
    touched: list[int] = []
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        existing = _load_existing(batch)
        planned = []
        for plan in batch:
            base = existing.get(plan.existing.pk) if plan.existing is not None else None
            item = _plan_product(plan, base, validated, publish)
            if item.is_new or item.changes or (publish and not item.product.live):
                planned.append(item)
        if planned:
            _write_batch(planned, user=user, publish=publish, job_id=job_id)
            touched.extend(item.product.pk for item in planned)
    return touched
