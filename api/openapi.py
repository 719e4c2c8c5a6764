"""The OpenAPI schema tells the whole truth about every operation: besides its
success response, the RFC 9457 problem documents (``api.errors``) it can answer
with, and, for the cached public reads, ETags and conditional requests.

:class:`AutoSchema` is DRF's ``DEFAULT_SCHEMA_CLASS``, so plugin endpoints get
the same treatment. It derives the error responses from what the view does:

* **400** when the operation takes query parameters (other than the
  paginator's, unless it validates its page size:
  :class:`api.pagination.StrictPageSizeMixin`) or a request body: they are
  validated;
* **401** (with ``WWW-Authenticate``) when the view authenticates and its first
  authenticator names a scheme, otherwise **403**: missing or invalid
  credentials (DRF's rule);
* **403** when its permission classes can refuse;
* **404** for operations with path parameters and paginated lists (an invalid
  page is a 404 in DRF); views that look something up by a query parameter
  declare it with ``responses={…, **problems(404)}``;
* **429** (with ``Retry-After``) when it is throttled.

Views with ``conditional_get = True`` (responses built by
:func:`api.cache.cached_json`) also document ``If-None-Match``, ``304 Not
Modified`` and the ``ETag`` and ``Cache-Control`` headers.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from api.errors import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE
from api.pagination import StrictPageSizeMixin

DESCRIPTIONS = {
    400: "Invalid input: `errors` maps each parameter or field to its messages.",
    401: "Missing, invalid, revoked or expired credentials.",
    403: "The credentials do not allow this operation.",
    404: "Not found.",
    409: "Conflicts with the current state of the resource.",
    429: "Too many requests: try again after `Retry-After` seconds.",
}


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem document. Problems of some types add members of
    their own, e.g. `order`, `status_now` or `short` (conflicts)."""

    type = serializers.URLField(help_text=f"{PROBLEM_TYPE_BASE}<code>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        required=False,
        help_text="Validation errors (400 only): parameter or field → messages.",
    )

    class Meta:
        ref_name = "Problem"


def problems(*codes: int) -> dict:
    """``responses`` entries of ``extend_schema`` for problem documents that
    the generic rules cannot see, e.g. a 404 for a lookup by query parameter."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=DESCRIPTIONS.get(code, "")
        )
        for code in codes
    }


def _header(description: str, *, required: bool = True) -> dict:
    return {
        "schema": {"type": "string"},
        "description": description,
        "required": required,
    }


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        responses = operation["responses"]
        for code in sorted(self._problem_codes(operation)):
            if str(code) in responses:
                continue
            response = self._get_response_for_code(
                OpenApiResponse(ProblemSerializer, description=DESCRIPTIONS[code]),
                str(code),
                media_types=[PROBLEM_CONTENT_TYPE],
            )
            if code == 401:
                response["headers"] = {
                    "WWW-Authenticate": _header("The authentication scheme.")
                }
            elif code == 429:
                response["headers"] = {
                    "Retry-After": _header("Seconds to wait.", required=False)
                }
            responses[str(code)] = response
        if getattr(self.view, "conditional_get", False) and self.method == "GET":
            self._document_conditional_get(operation)
        operation["responses"] = dict(
            sorted(responses.items(), key=lambda item: item[0])
        )
        return operation

    def _problem_codes(self, operation) -> set[int]:
        view, request = self.view, self.view.request
        codes = set()
        paginated = self._is_list_view() and self._get_paginator() is not None
        pagination_params = (
            {p["name"] for p in self._get_pagination_parameters()}
            if paginated
            else set()
        )
        parameters = operation.get("parameters", [])
        if (
            "requestBody" in operation
            or any(
                p["in"] == "query" and p["name"] not in pagination_params
                for p in parameters
            )
            or (paginated and isinstance(self._get_paginator(), StrictPageSizeMixin))
        ):
            codes.add(400)
        authenticators = view.get_authenticators()
        if authenticators:
            first = authenticators[0].authenticate_header(request)
            codes.add(401 if first else 403)
        if any(not isinstance(p, AllowAny) for p in view.get_permissions()):
            codes.add(403)
        if paginated or any(p["in"] == "path" for p in parameters):
            codes.add(404)
        if view.get_throttles():
            codes.add(429)
        return codes

    def _document_conditional_get(self, operation) -> None:
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": "If-None-Match",
                "schema": {"type": "string"},
                "description": "ETags of responses the client has: 304 if one "
                "still matches.",
            }
        )
        cache_headers = {
            "ETag": _header("Strong validator of the body."),
            "Cache-Control": _header("How long shared caches may keep it."),
        }
        ok = operation["responses"].get("200")
        if ok is not None:
            ok.setdefault("headers", {}).update(cache_headers)
        operation["responses"]["304"] = {
            "description": "Not modified: the ETag still matches.",
            "headers": cache_headers,
        }
