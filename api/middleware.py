"""Cached public API responses served at the front of the middleware stack.

Most storefront reads of the catalog are cache hits. Like Django's
``FetchFromCacheMiddleware``, this serves them before the rest of the stack
(sessions, locale, CSRF, authentication, messages, URL resolution, DRF): a
hit needs only the API key and one cache read. It checks what the full path
would check — the key (valid, not revoked), its origin, the scope the
endpoint that cached the response requires, the key's rate limit — and adds
the headers the skipped middleware would add, so that a hit and the miss
before it answer alike. Anything else (no key, no hit, a check that fails,
bookkeeping due on the key) goes down the full stack, which answers it.

Place it after ``SecurityMiddleware`` and ``CorsMiddleware`` (their headers
apply to hits too).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request

from api.authentication import cached_key_and, presented_key
from api.cache import VERSION_KEY, hit_response, response_key
from api.models import ApiKey
from api.throttling import ApiKeyRateThrottle

API_PREFIX = "/api/"


class CachedApiResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path.startswith(API_PREFIX):
            response = cached_api_response(request)
            if response is not None:
                return response
        return self.get_response(request)


def cached_api_response(request):
    secret = presented_key(request)
    if not secret:
        return None
    key, (version, entry) = cached_key_and(secret, VERSION_KEY, response_key(request))
    if key is None or version is None or entry is None:
        return None
    scope = entry[3]  # what the endpoint that cached it requires
    if not scope or not key.has_scope(scope):
        return None
    if not key.allows_origin(request.headers.get("Origin")):
        return None
    if key.rate_limit and not _throttle_allows(key):
        return None
    response = hit_response(request, entry, version)
    if response is None:
        return None
    # What DRF, CommonMiddleware, LocaleMiddleware and
    # XFrameOptionsMiddleware add on the full path.
    response["Allow"] = "GET, HEAD, OPTIONS"
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ("Accept-Language",))
    response["Content-Language"] = get_language_from_request(request)
    return response


def _throttle_allows(key: ApiKey) -> bool:
    return ApiKeyRateThrottle().allow_request(SimpleNamespace(auth=key), None)
