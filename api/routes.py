"""Collects API routes contributed through the ``register_api_routes`` hook."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

from plugins.hooks import API_ROUTES


def plugin_route_prefixes() -> list[tuple[str, list]]:
    """``[(label, urlpatterns)]`` for every implementation of API_ROUTES.

    The label is that of the app defining the hook function, so a plugin's
    routes always live at ``/api/v1/<its label>/``.
    """
    found: dict[str, list] = {}
    for fn in hooks.get_hooks(API_ROUTES):
        app_config = apps.get_containing_app_config(fn.__module__)
        if app_config is None:
            raise ImproperlyConfigured(
                f"API routes from {fn.__module__} do not belong to an installed app."
            )
        found.setdefault(app_config.label, []).extend(fn())
    return sorted(found.items())
