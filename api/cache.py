"""Server-side cache of public API responses, with ETags.

Every cached response is keyed by the catalog's current version; any change to
what the public endpoints show (publish, unpublish, delete, import, scheduled
publishing, plugin data in payloads) bumps the version, so no stale response is
ever served. Responses carry a strong ETag and honour ``If-None-Match``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

import orjson
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

VERSION_KEY = "api:catalog-version"
TTL = 60 * 60
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def catalog_changed(**kwargs) -> None:
    """Invalidate every cached public response."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


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


def response_key(request, version: str) -> str:
    # Hashed: query strings come from clients, of any length and characters,
    # and cache backends limit keys (memcached: 250 printable characters).
    url = f"{request.path}?{request.GET.urlencode()}".encode()
    digest = hashlib.blake2b(url, digest_size=16).hexdigest()
    return f"api:resp:{version}:{digest}"


def cached_hit(request, version: str) -> HttpResponse | None:
    """The cached response to ``request`` (a 304 when its ETag matches), if
    there is one."""
    hit = cache.get(response_key(request, version))
    if hit is None:
        return None
    etag, body = hit
    return _response(request, body, etag)


def cached_json(
    request, build: Callable[[], object], *, use_cache: bool = True
) -> HttpResponse:
    """The JSON response for ``request``: from the cache when possible,
    otherwise built, rendered and cached with its ETag."""
    if not use_cache:
        body = render(build())
        return _response(request, body, etag_for(body))
    key = response_key(request, catalog_version())
    hit = cache.get(key)
    if hit is None:
        body = render(build())
        hit = (etag_for(body), body)
        cache.set(key, hit, TTL)
    etag, body = hit
    return _response(request, body, etag)
