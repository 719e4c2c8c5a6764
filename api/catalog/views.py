"""Public catalog endpoints (``catalog:read``): published content only."""

from __future__ import annotations

import base64
import re
from decimal import Decimal, InvalidOperation

import orjson
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, F, Min, OuterRef, Q
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import AuthenticationFailed, ValidationError

from api.cache import cached_json
from api.catalog import schema
from api.catalog.payloads import (
    build_product_payloads,
    payloads_for_objects,
    product_values,
)
from api.preview import preview_response, previewed_object
from api.views import ApiKeyView
from content.models import (
    Brand,
    Category,
    Collection,
    CollectionProduct,
    Product,
    Variant,
)
from content.models.catalog import ProductTag

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
ORDERINGS = {
    "name": ("name",),
    "-name": ("-name",),
    "newest": ("-first_published_at",),
    "price": ("min_price",),
    "-price": ("-min_price",),
}
# Sort columns that may be null (sorted last either way).
NULLABLE = {"first_published_at", "min_price"}


class CatalogView(ApiKeyView):
    required_scope = "catalog:read"
    # Responses come from ``cached_json``: ETag, If-None-Match, 304 (documented
    # by ``api.openapi.AutoSchema``).
    conditional_get = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_null_characters(request, kwargs)


def reject_null_characters(request, kwargs) -> None:
    """A query or path value with a NUL character is a 400, as in Django's
    forms: PostgreSQL text cannot hold one, so it never reaches a query."""
    message = ProhibitNullCharactersValidator.message
    errors = {
        name: [message]
        for name, values in request.GET.lists()
        if any("\x00" in value for value in values)
    }
    errors.update(
        {
            name: [message]
            for name, value in kwargs.items()
            if isinstance(value, str) and "\x00" in value
        }
    )
    if errors:
        raise ValidationError(errors)


# A price as a storefront writes it: 49.90 or 49,90 (no exponent, NaN or sign);
# empty is no filter, as a form sends it.
PRICE_PATTERN = r"^([0-9]{1,10}([.,][0-9]{1,2})?)?$"
OPTION_PATTERN = r"^[^:]+:[\s\S]+$"


def _decimal(request, name: str) -> Decimal | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    if not re.fullmatch(PRICE_PATTERN, raw):
        raise ValidationError({name: [_("A number, e.g. 49.90.")]})
    return Decimal(raw.replace(",", "."))


def _category(path: str) -> Category:
    category = (
        Category.objects.live()
        .filter(Q(path=path) | Q(slug=path))
        .order_by("path")
        .first()
    )
    if category is None:
        raise ValidationError({"category": [_("Unknown category.")]})
    return category


def filter_products(request, queryset):
    """Filters of the product list. Every one is an EXISTS, never a join that
    would repeat products."""
    params = request.GET
    if path := params.get("category"):
        category = _category(path)
        tree = Category.objects.filter(
            Q(pk=category.pk) | Q(path__startswith=f"{category.path}/")
        ).values("pk")
        queryset = queryset.filter(
            Q(primary_category__in=tree)
            | Exists(
                Product.categories.through.objects.filter(
                    product_id=OuterRef("pk"), category_id__in=tree
                )
            )
        )
    if brand := params.get("brand"):
        queryset = queryset.filter(brand__slug=brand)
    low, high = _decimal(request, "price_min"), _decimal(request, "price_max")
    if low is not None or high is not None:
        variants = Variant.objects.filter(product_id=OuterRef("pk"), active=True)
        if low is not None:
            variants = variants.filter(price__gte=low)
        if high is not None:
            variants = variants.filter(price__lte=high)
        queryset = queryset.filter(Exists(variants))
    for option in params.getlist("option"):
        name, _sep, value = option.partition(":")
        if not re.fullmatch(OPTION_PATTERN, option):
            raise ValidationError({"option": [_("Use name:value, e.g. cor:azul.")]})
        by_position = Q()
        for i in (1, 2, 3):
            by_position |= Q(**{f"option{i}_name__iexact": name}) & Exists(
                Variant.objects.filter(
                    product_id=OuterRef("pk"),
                    active=True,
                    **{f"option{i}__iexact": value},
                )
            )
        queryset = queryset.filter(by_position)
    if tag := params.get("tag"):
        queryset = queryset.filter(
            Exists(
                ProductTag.objects.filter(
                    Q(tag__slug=tag) | Q(tag__name__iexact=tag),
                    content_object_id=OuterRef("pk"),
                )
            )
        )
    if text := params.get("q", "").strip():
        queryset = queryset.filter(
            Q(name__icontains=text)
            | Q(short_description__icontains=text)
            | Exists(
                Variant.objects.filter(product_id=OuterRef("pk"), sku__iexact=text)
            )
        )
    return queryset


def _page_size(request) -> int:
    raw = request.GET.get("page_size", DEFAULT_PAGE_SIZE)
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"page_size": [_("A whole number.")]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}]}
        )
    return size


def _encode_cursor(ordering: str, value, last_id: int) -> str:
    if isinstance(value, Decimal):
        value = str(value)
    raw = orjson.dumps([ordering, value, last_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_value(column: str, value):
    """The sort value of a cursor as the column's type; ValueError if it is
    not one (a cursor is opaque, but it comes from the client)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError
    if column == "min_price":
        if not re.fullmatch(r"[0-9]{1,10}(\.[0-9]{1,2})?", value):
            raise ValueError
        return Decimal(value)
    if column == "first_published_at":
        parsed = parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            raise ValueError
        return parsed
    return value


def _decode_cursor(cursor: str, ordering: str, column: str) -> tuple:
    """(sort value, last id) of a cursor issued for this ordering."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(values, list) or len(values) != 3:
            raise ValueError
        issued_for, value, last_id = values
        if issued_for != ordering or type(last_id) is not int:
            raise ValueError
        if not -(2**63) <= last_id < 2**63:
            raise ValueError
        return _cursor_value(column, value), last_id
    except (ValueError, TypeError, InvalidOperation, orjson.JSONDecodeError):
        raise ValidationError({"cursor": [_("Invalid cursor.")]}) from None


def paginate(request, queryset):
    """Cursor (keyset) pagination over (sort value, id): stable and fast at
    any depth. Returns (rows, next_cursor)."""
    ordering = request.GET.get("ordering", "name")
    if ordering not in ORDERINGS:
        raise ValidationError({"ordering": [", ".join(ORDERINGS)]})
    (field,) = ORDERINGS[ordering]
    descending = field.startswith("-")
    column = field.lstrip("-")
    if column == "min_price":
        queryset = queryset.annotate(
            min_price=Min("variants__price", filter=Q(variants__active=True))
        )
    size = _page_size(request)
    if cursor := request.GET.get("cursor"):
        value, last_id = _decode_cursor(cursor, ordering, column)
        after = "lt" if descending else "gt"
        if value is None:
            queryset = queryset.filter(
                **{f"{column}__isnull": True, f"id__{after}": last_id}
            )
        else:
            keyset = Q(**{f"{column}__{after}": value}) | Q(
                **{column: value, f"id__{after}": last_id}
            )
            if column in NULLABLE:
                keyset |= Q(**{f"{column}__isnull": True})
            queryset = queryset.filter(keyset)
    if column in NULLABLE:
        first = (
            F(column).desc(nulls_last=True)
            if descending
            else F(column).asc(nulls_last=True)
        )
    else:
        # No NULLS LAST where there is no null: the index on (live, name, id)
        # then gives the page without sorting the catalog.
        first = f"-{column}" if descending else column
    order = [first, "-id" if descending else "id"]
    extra = [column] if column == "min_price" else []
    rows = list(product_values(queryset.order_by(*order), *extra)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = _encode_cursor(ordering, rows[-1][column], rows[-1]["id"])
    return rows, next_cursor


LIST_PARAMETERS = [
    OpenApiParameter(
        "category",
        str,
        description="Path or slug of a published category (includes "
        "subcategories); an unknown one is a 400",
    ),
    OpenApiParameter("brand", str, description="Brand slug"),
    OpenApiParameter(
        "price_min", str, pattern=PRICE_PATTERN, description="e.g. 49.90 or 49,90"
    ),
    OpenApiParameter(
        "price_max", str, pattern=PRICE_PATTERN, description="e.g. 49.90 or 49,90"
    ),
    OpenApiParameter(
        "option",
        str,
        many=True,
        pattern=OPTION_PATTERN,
        description="name:value, e.g. cor:azul",
    ),
    OpenApiParameter("tag", str),
    OpenApiParameter(
        "q", str, description="Text in the name or description, or an exact SKU"
    ),
    OpenApiParameter("ordering", str, enum=list(ORDERINGS), default="name"),
    OpenApiParameter(
        "cursor",
        str,
        description="`next_cursor` of the previous page, with the same ordering",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        default=DEFAULT_PAGE_SIZE,
    ),
]


class ProductListView(CatalogView):
    """Published products, filtered, ordered, with cursor pagination."""

    @extend_schema(
        operation_id="catalog_products_list",
        parameters=LIST_PARAMETERS,
        responses=schema.ProductPageSerializer,
    )
    def get(self, request):
        def build():
            queryset = filter_products(request, Product.objects.filter(live=True))
            rows, next_cursor = paginate(request, queryset)
            for row in rows:
                row.pop("min_price", None)
            return {"results": build_product_payloads(rows), "next_cursor": next_cursor}

        return cached_json(request, build)


class ProductDetailView(CatalogView):
    """One published product by slug; with ``preview_token``, the draft the
    token was issued for."""

    @extend_schema(
        parameters=[OpenApiParameter("preview_token", str)],
        responses=schema.ProductSerializer,
    )
    def get(self, request, slug):
        token = request.GET.get("preview_token")
        if token:
            return self.preview(request, slug, token)

        def build():
            rows = list(product_values(Product.objects.filter(live=True, slug=slug)))
            if not rows:
                raise Http404
            return build_product_payloads(rows)[0]

        return cached_json(request, build)

    def preview(self, request, slug, token):
        product = previewed_object(token, Product.objects.all())
        draft = product.get_latest_revision_as_object()
        if slug not in (draft.slug, product.slug):
            raise AuthenticationFailed(_("This preview token is for another product."))
        return preview_response(request, lambda: payloads_for_objects([draft])[0])


def _category_payload(category: dict) -> dict:
    return {
        "slug": category["slug"],
        "name": category["name"],
        "path": category["path"],
        "position": category["position"],
        "seo": {
            "title": category["seo_title"],
            "description": category["search_description"],
        },
    }


CATEGORY_COLUMNS = (
    "id",
    "parent_id",
    "slug",
    "name",
    "path",
    "position",
    "seo_title",
    "search_description",
)


class CategoryTreeView(CatalogView):
    """Every published category as a tree, siblings by position."""

    @extend_schema(
        operation_id="catalog_categories_tree",
        responses=schema.CategoryNodeSerializer(many=True),
    )
    def get(self, request):
        def build():
            rows = list(
                Category.objects.live()
                .order_by("position", "name")
                .values(*CATEGORY_COLUMNS)
            )
            nodes = {
                row["id"]: {**_category_payload(row), "children": []} for row in rows
            }
            roots = []
            for row in rows:
                node = nodes[row["id"]]
                parent = nodes.get(row["parent_id"])
                (parent["children"] if parent else roots).append(node)
            return roots

        return cached_json(request, build)


class CategoryDetailView(CatalogView):
    @extend_schema(responses=schema.CategorySerializer)
    def get(self, request, path):
        def build():
            category = (
                Category.objects.live()
                .filter(path=path)
                .values(*CATEGORY_COLUMNS)
                .first()
            )
            if category is None:
                raise Http404
            ancestors = [
                {"slug": c["slug"], "name": c["name"], "path": c["path"]}
                for c in Category.objects.filter(
                    path__in=[
                        "/".join(path.split("/")[: i + 1])
                        for i in range(path.count("/"))
                    ]
                )
                .order_by("path")
                .values("slug", "name", "path")
            ]
            children = [
                _category_payload(c)
                for c in Category.objects.live()
                .filter(parent_id=category["id"])
                .order_by("position", "name")
                .values(*CATEGORY_COLUMNS)
            ]
            return {
                **_category_payload(category),
                "breadcrumbs": ancestors,
                "children": children,
            }

        return cached_json(request, build)


class BrandListView(CatalogView):
    @extend_schema(responses=schema.BrandSerializer(many=True))
    def get(self, request):
        return cached_json(
            request,
            lambda: list(
                Brand.objects.live().order_by("name").values("slug", "name", "website")
            ),
        )


class CollectionDetailView(CatalogView):
    """A collection ("vitrine") with its published products, in order."""

    @extend_schema(responses=schema.CollectionSerializer)
    def get(self, request, slug):
        def build():
            collection = (
                Collection.objects.live()
                .filter(slug=slug)
                .values("id", "slug", "name")
                .first()
            )
            if collection is None:
                raise Http404
            ordered = list(
                CollectionProduct.objects.filter(
                    collection_id=collection["id"], product__live=True
                )
                .order_by("sort_order", "pk")
                .values_list("product_id", flat=True)[:MAX_PAGE_SIZE]
            )
            rows = {
                row["id"]: row
                for row in product_values(Product.objects.filter(pk__in=ordered))
            }
            products = build_product_payloads(
                [rows[pk] for pk in ordered if pk in rows]
            )
            return {
                "slug": collection["slug"],
                "name": collection["name"],
                "products": products,
            }

        return cached_json(request, build)
