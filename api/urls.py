"""``/api/v1/``: core endpoints, the OpenAPI schema and docs, and every enabled
plugin's routes (``plugins.hooks.API_ROUTES``), each at ``/api/v1/<label>/``."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from api import pages, search
from api.catalog import views as catalog
from api.errors import unknown_api_route
from api.routes import plugin_route_prefixes
from api.views import CurrentKeyView, StaffTokenView

app_name = "api"

v1_patterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        # without the web fonts and the logo drf-spectacular's page loads from
        # the internet
        SpectacularRedocView.as_view(
            url_name="api:schema", template_name="api/redoc.html"
        ),
        name="redoc",
    ),
    path("auth/key/", CurrentKeyView.as_view(), name="current-key"),
    path("auth/token/", StaffTokenView.as_view(), name="staff-token"),
    path("catalog/products/", catalog.ProductListView.as_view(), name="product-list"),
    path(
        "catalog/products/<slug:slug>/",
        catalog.ProductDetailView.as_view(),
        name="product-detail",
    ),
    path(
        "catalog/categories/", catalog.CategoryTreeView.as_view(), name="category-tree"
    ),
    path(
        "catalog/categories/<path:path>/",
        catalog.CategoryDetailView.as_view(),
        name="category-detail",
    ),
    path("catalog/brands/", catalog.BrandListView.as_view(), name="brand-list"),
    path("pages/", pages.PageView.as_view(), name="pages"),
    path(
        "pages/<int:pk>/children/",
        pages.PageChildrenView.as_view(),
        name="page-children",
    ),
    path("settings/store/", pages.StoreSettingsView.as_view(), name="store-settings"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("redirects/", search.RedirectView.as_view(), name="redirects"),
    path(
        "catalog/collections/<slug:slug>/",
        catalog.CollectionDetailView.as_view(),
        name="collection-detail",
    ),
]

for label, patterns in plugin_route_prefixes():
    v1_patterns.append(path(f"{label}/", include((patterns, label))))

urlpatterns = [
    path("v1/", include(v1_patterns)),
    # Any other path under /api/ ending in a slash (without one, CommonMiddleware
    # may still redirect to it).
    re_path(r"^(.*/)?$", unknown_api_route, name="not-found"),
]
