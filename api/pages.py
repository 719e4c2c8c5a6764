"""Storefront pages and store settings (``catalog:read``): published only.

A page's StreamField comes as JSON blocks; product grids are expanded with the
public payloads of their live products (the same payload as the catalog
endpoints)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from wagtail.models import Page, Site

from api.cache import cached_json
from api.catalog.payloads import build_product_payloads, product_values
from api.catalog.schema import SeoSerializer
from api.catalog.views import CatalogView
from api.openapi import problems
from api.preview import preview_response, previewed_object
from content.models import Product, StoreSettings
from content.templatetags.storefront import resolve_grid_products

PAGE_TYPES = {"content.homepage", "content.contentpage", "content.landingpage"}


class PageSummary(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    path = serializers.CharField()
    type = serializers.CharField(allow_blank=True)


class PageList(serializers.Serializer):
    results = PageSummary(many=True)


class PageDetail(PageSummary):
    seo = SeoSerializer()
    intro = serializers.CharField(allow_null=True, allow_blank=True)
    body = serializers.ListField(
        child=serializers.DictField(),
        help_text="StreamField blocks: type, id, value; product grids also "
        "carry their products' payloads",
    )
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class StoreSocialSerializer(serializers.Serializer):
    instagram = serializers.CharField(allow_blank=True)
    facebook = serializers.CharField(allow_blank=True)
    tiktok = serializers.CharField(allow_blank=True)
    youtube = serializers.CharField(allow_blank=True)


class StorePoliciesSerializer(serializers.Serializer):
    privacy = serializers.CharField(allow_null=True, help_text="Path of the page")
    returns = serializers.CharField(allow_null=True, help_text="Path of the page")
    terms = serializers.CharField(allow_null=True, help_text="Path of the page")


class StoreSettingsSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    cnpj = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    whatsapp = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    social = StoreSocialSerializer()
    policies = StorePoliciesSerializer()

    class Meta:
        ref_name = "StoreSettings"


SITE_PARAMETER = OpenApiParameter(
    "site",
    str,
    description="Hostname of a site (the default site if omitted); an unknown "
    "one is a 400",
)


def _site(request) -> Site:
    hostname = request.GET.get("site")
    site = (
        Site.objects.filter(hostname=hostname).first()
        if hostname
        else Site.objects.filter(is_default_site=True).first()
    )
    if site is None:
        raise ValidationError({"site": [_("Unknown site.")]})
    return site


def _path_in_site(page: Page, site: Site) -> str:
    root = site.root_page.url_path
    return (
        "/" + page.url_path[len(root) :]
        if page.url_path.startswith(root)
        else page.url_path
    )


def _normal_path(path: str) -> str:
    """A path in the site as Wagtail writes it: "sobre-nos" → "/sobre-nos/"."""
    inner = path.strip("/")
    return f"/{inner}/" if inner else "/"


def _summary(page: Page, site: Site) -> dict:
    return {
        "id": page.pk,
        "title": page.title,
        "slug": page.slug,
        "path": _path_in_site(page, site),
        "type": page.specific_class._meta.label_lower if page.specific_class else "",
    }


def _blocks(stream) -> list[dict]:
    """Blocks as JSON; product grids gain their live products' payloads."""
    blocks = []
    grid_ids = []
    for block in stream:
        data = {
            "type": block.block_type,
            "id": block.id,
            "value": block.block.get_api_representation(block.value),
        }
        if block.block_type == "product_grid":
            ids = [product.pk for product in resolve_grid_products(block.value)]
            data["products"] = ids
            grid_ids.extend(ids)
        blocks.append(data)
    if grid_ids:
        rows = {
            row["id"]: row
            for row in product_values(Product.objects.filter(pk__in=set(grid_ids)))
        }
        ordered = [rows[pk] for pk in dict.fromkeys(grid_ids) if pk in rows]
        payloads = {
            payload["id"]: payload for payload in build_product_payloads(ordered)
        }
        for data in blocks:
            if "products" in data:
                data["products"] = [
                    payloads[pk] for pk in data["products"] if pk in payloads
                ]
    return blocks


def page_payload(page: Page, site: Site) -> dict:
    specific = page.specific
    return {
        **_summary(page, site),
        "seo": {
            "title": page.seo_title or page.title,
            "description": page.search_description,
        },
        "intro": getattr(specific, "intro", None),
        "body": _blocks(specific.body) if hasattr(specific, "body") else [],
        "published_at": page.first_published_at,
        "updated_at": page.last_published_at,
    }


class PageView(CatalogView):
    """A page by path within a site (``?path=/sobre-nos/``), or the published
    pages of a type (``?type=content.contentpage``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "path",
                str,
                description="Path within the site, e.g. /sobre-nos/ (give a path "
                "or a type)",
            ),
            OpenApiParameter(
                "type",
                str,
                enum=sorted(PAGE_TYPES),
                description="The published pages of a type, as a list",
            ),
            SITE_PARAMETER,
            OpenApiParameter(
                "preview_token",
                str,
                description="Preview token of a page: its latest draft, not cached",
            ),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="PageOrPages",
                serializers=[PageDetail, PageList],
                resource_type_field_name=None,
            ),
            **problems(404),
        },
    )
    def get(self, request):
        site = _site(request)
        path = request.GET.get("path")
        page_type = request.GET.get("type")
        if token := request.GET.get("preview_token"):
            return self.preview(request, site, token, path)
        if not path and not page_type:
            raise ValidationError({"path": [_("Give a path or a type.")]})

        def build():
            pages = (
                Page.objects.live()
                .public()
                .descendant_of(site.root_page, inclusive=True)
            )
            if page_type:
                if page_type not in PAGE_TYPES:
                    raise ValidationError({"type": [", ".join(sorted(PAGE_TYPES))]})
                app_label, model = page_type.split(".")
                matches = pages.filter(
                    content_type__app_label=app_label, content_type__model=model
                ).order_by("path")
                return {"results": [_summary(p, site) for p in matches.specific()]}
            url_path = site.root_page.url_path + _normal_path(path).lstrip("/")
            page = pages.filter(url_path=url_path).first()
            if page is None:
                raise Http404
            return page_payload(page, site)

        return cached_json(request, build)

    def preview(self, request, site, token, path):
        """The latest draft of the page the token was issued for."""
        page = previewed_object(token, Page.objects.all())
        if path and _path_in_site(page, site) != _normal_path(path):
            raise AuthenticationFailed(_("This preview token is for another page."))
        draft = page.specific.get_latest_revision_as_object()
        return preview_response(request, lambda: page_payload(draft, site))


class PageChildrenView(CatalogView):
    """The published children of a page, in menu order."""

    @extend_schema(parameters=[SITE_PARAMETER], responses=PageList)
    def get(self, request, pk):
        site = _site(request)

        def build():
            parent = Page.objects.live().public().filter(pk=pk).first()
            if (
                parent is None
                or not parent.is_descendant_of(site.root_page)
                and parent.pk != site.root_page_id
            ):
                raise Http404
            children = parent.get_children().live().public().specific()
            return {"results": [_summary(child, site) for child in children]}

        return cached_json(request, build)


class StoreSettingsView(CatalogView):
    """The store's public settings: name, CNPJ, contact, social links and the
    paths of its policy pages."""

    @extend_schema(parameters=[SITE_PARAMETER], responses=StoreSettingsSerializer)
    def get(self, request):
        site = _site(request)

        def build():
            settings = StoreSettings.for_site(site)

            def page_path(page_id):
                page = (
                    Page.objects.live().filter(pk=page_id).first() if page_id else None
                )
                return _path_in_site(page, site) if page else None

            return {
                "name": settings.store_name,
                "cnpj": settings.cnpj,
                "email": settings.email,
                "phone": settings.phone,
                "whatsapp": settings.whatsapp,
                "address": settings.address,
                "social": {
                    "instagram": settings.instagram,
                    "facebook": settings.facebook,
                    "tiktok": settings.tiktok,
                    "youtube": settings.youtube,
                },
                "policies": {
                    "privacy": page_path(settings.privacy_policy_page_id),
                    "returns": page_path(settings.returns_policy_page_id),
                    "terms": page_path(settings.terms_page_id),
                },
            }

        return cached_json(request, build)
