"""Search across products and pages, and redirect lookups (``catalog:read``)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from api.cache import cached_json
from api.catalog.payloads import build_product_payloads, product_values
from api.catalog.schema import ProductSerializer
from api.catalog.views import CatalogView
from api.openapi import problems
from api.pages import SITE_PARAMETER, PageSummary, _site, _summary
from content.models import Product

MAX_PRODUCTS = 24
MAX_PAGES = 10


class SearchView(CatalogView):
    """Published products and pages matching ``q`` (Wagtail's search backend:
    the database by default, OpenSearch/Elasticsearch at scale), best first."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                pattern=r'[^\s"]',
                description="Search words (double quotes are ignored)",
            ),
            SITE_PARAMETER,
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "products": ProductSerializer(
                    many=True, help_text=f"At most {MAX_PRODUCTS}, best first"
                ),
                "pages": PageSummary(
                    many=True, help_text=f"At most {MAX_PAGES}, best first"
                ),
            },
        ),
    )
    def get(self, request):
        # Double quotes mean nothing in these plain-text searches, and one
        # breaks the SQLite full-text query of the database backend (a 500).
        query = request.GET.get("q", "").replace('"', " ").strip()
        if not query:
            raise ValidationError({"q": [_("Type something to search for.")]})
        site = _site(request)

        def build():
            backend = get_search_backend()
            found = list(backend.search(query, Product.objects.live())[:MAX_PRODUCTS])
            rows = {
                row["id"]: row
                for row in product_values(
                    Product.objects.filter(pk__in=[p.pk for p in found])
                )
            }
            products = build_product_payloads(
                [rows[p.pk] for p in found if p.pk in rows]
            )
            pages = (
                Page.objects.live()
                .public()
                .descendant_of(site.root_page, inclusive=True)
                .search(query)[:MAX_PAGES]
            )
            return {
                "products": products,
                "pages": [_summary(page, site) for page in pages],
            }

        return cached_json(request, build)


class RedirectView(CatalogView):
    """Where an old path now lives (the redirects editors keep in the admin)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "path",
                str,
                required=True,
                allow_blank=False,
                description="The old path, e.g. /quem-somos/",
            ),
            SITE_PARAMETER,
        ],
        responses={
            200: inline_serializer(
                "RedirectTarget",
                {
                    "location": serializers.CharField(),
                    "permanent": serializers.BooleanField(),
                },
            ),
            **problems(404),
        },
    )
    def get(self, request):
        path = request.GET.get("path", "")
        if not path:
            raise ValidationError({"path": [_("Give the path to look up.")]})
        site = _site(request)

        def build():
            redirect = (
                Redirect.get_for_site(site)
                .filter(old_path=Redirect.normalise_path(path))
                .select_related("redirect_page")
                .first()
            )
            if redirect is None:
                raise Http404
            return {"location": redirect.link, "permanent": redirect.is_permanent}

        return cached_json(request, build)
