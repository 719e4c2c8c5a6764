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
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
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
