"""Server-side cache of public API responses, with ETags.

Every cached response is keyed by the catalog's current version; any change to
what the public endpoints show (publish, unpublish, delete, import, scheduled
publishing, plugin data in payloads) bumps the version, so no stale response is
ever served. Responses carry a strong ETag and honour ``If-None-Match``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import orjson
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

from plugins.cached import Generation

VERSION_KEY = "api:catalog-version"
CATALOG = Generation(VERSION_KEY)
TTL = 60 * 60
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"


def catalog_version() -> str:
    return CATALOG.current()


def catalog_changed(**kwargs) -> None:
    """Invalidate every cached public response."""
    CATALOG.renew()


def render(data) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _response(request, body: bytes, etag: str) -> HttpResponse:
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Authorization, X-Api-Key, Origin"
    return response


def response_key(request) -> str:
    """Where the response to ``request`` is cached: by path and query string
    (hashed: they come from clients, of any length and characters, and cache
    backends limit keys — memcached: 250 printable characters). The entry
    holds the catalog version it was built for: one read finds both."""
    url = f"{request.path}?{request.META.get('QUERY_STRING', '')}".encode()
    return "api:resp:" + hashlib.blake2b(url, digest_size=16).hexdigest()


def hit_response(request, entry, version: str) -> HttpResponse | None:
    """The response from a cache ``entry`` (a 304 when its ETag matches), if
    it was built for the catalog's current ``version``."""
    if entry is None or entry[0] != version:
        return None
    return _response(request, entry[2], entry[1])


def cached_json(
    request, build: Callable[[], object], *, use_cache: bool = True
) -> HttpResponse:
    """The JSON response for ``request``: from the cache when possible,
    otherwise built, rendered and cached with its ETag."""
    if not use_cache:
        body = render(build())
        return _response(request, body, etag_for(body))
    key = response_key(request)
    version = catalog_version()
    response = hit_response(request, cache.get(key), version)
    if response is None:
        body = render(build())
        etag = etag_for(body)
        # The scope the endpoint requires, for the cache middleware's check.
        view = getattr(request, "parser_context", {}).get("view")
        scope = getattr(view, "required_scope", None)
        cache.set(key, (version, etag, body, scope), TTL)
        response = _response(request, body, etag)
    return response
