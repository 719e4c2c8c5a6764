"""Orders API views: thin, over the services and the orders permission policy.

- :mod:`.storefront`: API keys (place, status page, cancel, survey);
- :mod:`.staff`: staff tokens and sessions (the order desk, marketplace intake).

Request bodies are JSON only. Every response here carries personal data:
``Cache-Control: private, no-store`` on all of them, errors included.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.parsers import JSONParser

TAG = "orders"

NO_STORE = OpenApiParameter(
    "Cache-Control",
    str,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="`private, no-store`: personal data.",
)


class OrdersViewMixin:
    """JSON in (request bodies are typed as the schema says: no forms), and
    personal data out: never kept by a browser or a shared cache."""

    parser_classes = [JSONParser]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response
