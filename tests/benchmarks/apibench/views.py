"""The competitors of ``/api/v1/catalog/products/``.

(d) Wagtail's ``PagesAPIViewSet`` over :class:`~.models.BenchProductPage`;
(e) a DRF ``ListAPIView`` with ``ModelSerializer``s and ``prefetch_related``;
(f) the ceiling: a plain Django view returning the response bytes from the
cache. (d) and (e) authenticate, authorise and throttle with the same API key
classes as the public endpoint, so only the way the payload is made differs.
"""

from __future__ import annotations

import base64
import json

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from api.authentication import ApiKeyAuthentication
from api.cache import render
from api.catalog.payloads import build_product_payloads
from api.catalog.views import filter_products, paginate
from api.permissions import HasApiKeyScope
from api.throttling import ApiKeyRateThrottle
from content.models import Category, Product, ProductImage, Variant
from content.models.catalog import ProductTag
from tests.benchmarks.apibench.serializers import ProductSerializer


class ApiKeyAccess:
    """What ``api.views.ApiKeyView`` does, for other DRF views."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]
    required_scope = "catalog:read"


class BenchPagesAPIViewSet(ApiKeyAccess, PagesAPIViewSet):
    pass


wagtail_api = WagtailAPIRouter("benchwagtailapi")
wagtail_api.register_endpoint("pages", BenchPagesAPIViewSet)


class KeysetPagination(BasePagination):
    """The public endpoint's pagination: ``page_size`` items by (name, id),
    ``next_cursor`` the base64 JSON of ["name", the last item's name, its id]."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            size = int(request.GET.get("page_size", 24))
        except ValueError:
            raise ValidationError({"page_size": ["A whole number."]}) from None
        if not 1 <= size <= 100:
            raise ValidationError({"page_size": ["Between 1 and 100."]})
        if cursor := request.GET.get("cursor"):
            padded = cursor + "=" * (-len(cursor) % 4)
            _ordering, name, last_id = json.loads(base64.urlsafe_b64decode(padded))
            queryset = queryset.filter(Q(name__gt=name) | Q(name=name, id__gt=last_id))
        products = list(queryset[: size + 1])
        self.next_cursor = None
        if len(products) > size:
            products = products[:size]
            last = json.dumps(
                ["name", products[-1].name, products[-1].pk],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            self.next_cursor = (
                base64.urlsafe_b64encode(last.encode()).decode().rstrip("=")
            )
        return products

    def get_paginated_response(self, data):
        return Response({"results": data, "next_cursor": self.next_cursor})


class DrfProductListView(ApiKeyAccess, ListAPIView):
    serializer_class = ProductSerializer
    pagination_class = KeysetPagination
    queryset = (
        Product.objects.filter(live=True)
        .select_related("brand", "primary_category")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("sort_order", "pk")),
            Prefetch("categories", queryset=Category.objects.order_by("path")),
            Prefetch(
                "images",
                queryset=ProductImage.objects.select_related("image").order_by(
                    "sort_order", "pk"
                ),
            ),
            Prefetch(
                "tagged_items",
                queryset=ProductTag.objects.select_related("tag").order_by("tag__name"),
            ),
        )
        .order_by("name", "id")
    )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["categories_by_path"] = {
            category.path: category
            for category in Category.objects.only("slug", "name", "path")
        }
        return context


def ceiling_product_list(request):
    """The same bytes as the public product list, from the cache: no API key,
    no DRF, no ETag; just the cache look-up and the response."""
    key = f"apibench:ceiling:{request.get_full_path()}"
    body = cache.get(key)
    if body is None:
        # ProductListView's build(), rendered once.
        rows, next_cursor = paginate(
            request, filter_products(request, Product.objects.filter(live=True))
        )
        body = render(
            {"results": build_product_payloads(rows), "next_cursor": next_cursor}
        )
        cache.set(key, body, None)
    return HttpResponse(body, content_type="application/json")
