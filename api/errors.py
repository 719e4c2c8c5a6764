"""RFC 9457 problem details for every API error.

DRF's exceptions, Django's ``Http404``/``PermissionDenied`` and the services'
:class:`~plugins.exceptions.RetaguardaError` all become
``application/problem+json`` bodies: ``type``, ``title``, ``status``,
``detail`` and, for validation errors, ``errors`` (field → messages).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
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


def _problem_json(request, status_code: int, code: str, title: str):
    import json

    from django.http import HttpResponse

    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status_code}
    return HttpResponse(
        json.dumps(body), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )


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


def api_server_error(request):
    """handler500 for /api/: a problem document instead of an HTML page."""
    if is_api_request(request):
        return _problem_json(request, 500, "server-error", _("Server error."))
    from django.views.defaults import server_error

    return server_error(request)
