"""Reactions to libraries' events."""

from __future__ import annotations

from django.core.cache import cache

ORIGINS_CACHE_KEY = "api:key-origins"


def allowed_origins() -> set[str]:
    """Origins of all active API keys (cached for a minute)."""
    origins = cache.get(ORIGINS_CACHE_KEY)
    if origins is None:
        from api.models import ApiKey

        origins = {
            origin.rstrip("/")
            for key_origins in ApiKey.objects.active().values_list(
                "allowed_origins", flat=True
            )
            for origin in key_origins or []
        }
        cache.set(ORIGINS_CACHE_KEY, origins, 60)
    return origins


def cors_allow_api_key_origins(sender, request, **kwargs):
    """django-cors-headers asks whether a request's origin may call the API.

    A browser's preflight carries no API key, so any active key's origin passes
    here; the request itself is then checked against its own key's origins
    (``HasApiKeyScope``).
    """
    origin = request.headers.get("Origin", "").rstrip("/")
    return (
        bool(origin)
        and request.path.startswith("/api/")
        and origin in allowed_origins()
    )


def forget_api_key(instance=None, **kwargs):
    """A key was saved, revoked or deleted: forget the cached origins and the
    cached key, so that the change applies to the next request."""
    from api.authentication import forget_api_key as forget_cached_key

    cache.delete(ORIGINS_CACHE_KEY)
    if instance is not None:
        forget_cached_key(instance.prefix)


def snippet_event(sender, instance, **kwargs):
    """Wagtail published/unpublished a catalog object: tell the webhooks."""
    from wagtail.signals import published

    from api.webhooks import emit

    noun = sender._meta.model_name
    if kwargs.get("signal") is published:
        first = instance.first_published_at == instance.last_published_at
        verb = "published" if first else "updated"
    else:
        verb = "unpublished"
    emit(f"{noun}.{verb}", {"id": instance.pk, "slug": getattr(instance, "slug", "")})


def page_event(sender, instance, **kwargs):
    from wagtail.signals import page_published

    from api.webhooks import emit

    verb = "published" if kwargs.get("signal") is page_published else "unpublished"
    emit(
        f"page.{verb}",
        {"id": instance.pk, "slug": instance.slug, "url_path": instance.url_path},
    )
