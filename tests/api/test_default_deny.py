"""Default deny: every API endpoint declares who may call it."""

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

from api.permissions import HasApiKeyScope, SignedRequest, StaffTokenEndpoint
from plugins.permissions import HasPermission, PolicyPermission

# Documentation of the API is public on purpose; so is the 404 of unknown routes.
PUBLIC = {"api:schema", "api:docs", "api:redoc", "api:not-found"}


def api_views(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            yield from api_views(pattern, route, ns)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield route, name, getattr(pattern.callback, "cls", None)


def test_every_api_endpoint_declares_its_permission_policy():
    undeclared = []
    for route, name, view in api_views():
        if name in PUBLIC:
            continue
        assert view is not None, f"{route} is not a DRF view"
        classes = list(view.permission_classes)
        if not classes or any(c is AllowAny for c in classes):
            undeclared.append(route)
            continue
        if HasApiKeyScope in classes and getattr(view, "required_scope", None) is None:
            undeclared.append(route)
            continue
        if not any(
            issubclass(
                c,
                (
                    HasApiKeyScope,
                    PolicyPermission,
                    HasPermission,
                    StaffTokenEndpoint,
                    SignedRequest,
                ),  # noqa: UP038,E501
            )
            for c in classes
            if isinstance(c, type)
        ):
            undeclared.append(route)
    assert undeclared == []


def test_the_walk_sees_the_endpoints():
    routes = {route for route, _name, _view in api_views()}
    assert "api/v1/catalog/products/" in routes
    assert "api/v1/shelves/" in routes
