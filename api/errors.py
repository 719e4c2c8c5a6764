"""RFC 9457 problem details for every API error.

DRF's exceptions, Django's ``Http404``/``PermissionDenied`` and the services'
:class:`~plugins.exceptions.RetaguardaError` all become
``application/problem+json`` bodies: ``type``, ``title``, ``status``,
``detail`` and, for validation errors, ``errors`` (field → messages).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from plugins.exceptions import RetaguardaError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://retaguarda.dev/problems/"


def problem_response(
    status_code: int, code: str, title: str, detail: str = "", **extra
) -> Response:
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status_code,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc, context):
    if isinstance(exc, RetaguardaError):
        return problem_response(
            exc.status, exc.code, str(exc.message) or exc.code, **exc.extra
        )
    if isinstance(exc, SuspiciousOperation):
        # Django's limits on what a request may carry (body size, number of
        # fields or files): the client's fault, never a 500 nor an HTML page.
        return problem_response(*bad_request_problem(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = (
            exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail}
        )
        problem = problem_response(
            status.HTTP_400_BAD_REQUEST,
            "validation-error",
            _("Invalid input."),
            _("One or more fields are invalid."),
            errors=errors,
        )
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        problem = problem_response(
            response.status_code,
            code.replace("_", "-"),
            str(getattr(exc, "default_detail", detail)),
            str(detail),
        )
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            problem[header] = response[header]
    return problem


def bad_request_problem(exc: Exception | None) -> tuple[int, str, str, str]:
    """Status, code, title and detail of the problem for a request Django
    refused as malformed (``SuspiciousOperation``) before any view ran."""
    if isinstance(exc, RequestDataTooBig):
        return (
            413,
            "request-too-large",
            _("Request body too large."),
            _("The request body may have at most %(bytes)d bytes.")
            % {"bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )
    return 400, "bad-request", _("Bad request."), ""


def _problem_json(request, status_code: int, code: str, title: str, detail=""):
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    return HttpResponse(
        json.dumps(body), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )


def problem_http_response(status_code: int, code: str, title: str, detail=""):
    """A problem document as a plain Django response, for code that runs
    outside DRF's views (middleware, error handlers, the login lock-out)."""
    return _problem_json(None, status_code, code, title, detail)


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request, exception=None):
    """handler404 for /api/: a problem document instead of an HTML page."""
    if is_api_request(request):
        return _problem_json(request, 404, "not-found", _("Not found."))
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


@csrf_exempt
def unknown_api_route(request, *args, **kwargs):
    """Every other path under /api/, whatever the method: a 404 problem (not
    Wagtail's page serving, whose CSRF check would answer a POST with an HTML
    403)."""
    return _problem_json(request, 404, "not-found", _("Not found."))


def api_bad_request(request, exception=None):
    """handler400 for /api/: a problem document (413 for a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``) instead of an HTML page."""
    if is_api_request(request):
        return _problem_json(request, *bad_request_problem(exception))
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def api_server_error(request):
    """handler500 for /api/: a problem document instead of an HTML page."""
    if is_api_request(request):
        return _problem_json(request, 500, "server-error", _("Server error."))
    from django.views.defaults import server_error

    return server_error(request)
