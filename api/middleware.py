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

import re
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _

from api.authentication import cached_key_and, presented_key
from api.cache import VERSION_KEY, hit_response, response_key
from api.errors import bad_request_problem, problem_http_response
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


#: The deepest nesting of arrays and objects an API request body may have. The
#: payloads the API accepts nest a few levels; JSON parsers and serializers
#: recurse per level, and a thousand levels exhaust Python's stack.
MAX_JSON_DEPTH = 32
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A string (with its escapes) or a bracket; brackets inside strings do not count.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects more than
    ``limit`` levels deep (counted without parsing it)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKEN.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


class ApiRequestBodyMiddleware:
    """Request bodies under /api/ that no endpoint can take are answered at
    once with a problem document, before sessions, authentication and the
    view: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413) and a JSON body
    nested deeper than :data:`MAX_JSON_DEPTH` (400). Nothing is read or
    written for them. Place it early, after ``CorsMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in WRITE_METHODS and request.path.startswith(API_PREFIX):
            refused = refused_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)


def refused_body(request):
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        return None  # Django limits the fields itself; files may be larger
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        if limit is not None and length > limit:
            raise RequestDataTooBig
        if not (content_type == "application/json" or content_type.endswith("+json")):
            return None
        body = request.body
    except RequestDataTooBig as exc:
        return problem_http_response(*bad_request_problem(exc))
    if json_too_deep(body):
        return problem_http_response(
            400,
            "parse-error",
            _("Malformed request."),
            _("JSON nested more than %(depth)d levels deep.")
            % {"depth": MAX_JSON_DEPTH},
        )
    return None
