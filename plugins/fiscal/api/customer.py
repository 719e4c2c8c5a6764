"""What the customer gets of their NF-e through the order's status token:
the ``nfe`` key of the status page (``ORDER_PAYLOAD``, audience "customer")
and the DANFE and XML downloads it links to.

The downloads are API-key endpoints (``orders:read``, like the status page)
found by the order's customer token — 40 random characters, never listed —
and answer 404 for an unknown token or an order without an authorised NF-e.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from api.openapi import problems
from api.views import ApiKeyView
from plugins.fiscal.danfe import (
    PDF_CONTENT_TYPE,
    WITH_DANFE,
    XML_CONTENT_TYPE,
    danfe_filename,
    document_xml,
    render_danfe,
    xml_filename,
)
from plugins.fiscal.models import FiscalDocument, Operation

TAG = "fiscal"
DANFE_ROUTE = "api:fiscal:nfe-danfe"
XML_ROUTE = "api:fiscal:nfe-xml"


def customer_nfe(order) -> FiscalDocument | None:
    """The order's NF-e the customer sees: its latest sale NF-e that was
    authorised (cancelled afterwards or not)."""
    return (
        FiscalDocument.objects.filter(
            order=order, operation=Operation.SALE, status__in=WITH_DANFE
        )
        .exclude(proc_xml="")
        .order_by("-issued_at", "-pk")
        .first()
    )


def nfe_payload(document: FiscalDocument, token: str, base: str = "") -> dict:
    """The ``nfe`` key of the customer's status page; URLs absolute when
    ``base`` is (the status page's own URL)."""
    return {
        "key": document.access_key,
        "number": document.number,
        "series": document.series,
        "status": str(document.status),
        "danfe_url": urljoin(base, reverse(DANFE_ROUTE, kwargs={"token": token})),
        "xml_url": urljoin(base, reverse(XML_ROUTE, kwargs={"token": token})),
    }


def add_nfe(*, order, payload: dict, audience: str) -> None:
    """``orders.hooks.ORDER_PAYLOAD``: ``nfe`` on the customer's status page
    (``null`` until the order has an authorised NF-e)."""
    if audience != "customer":
        return
    document = customer_nfe(order)
    payload["nfe"] = (
        None
        if document is None
        else nfe_payload(document, order.customer_token, payload.get("status_url", ""))
    )


def payload_schema() -> dict:
    """``api.hooks.PAYLOAD_SCHEMA``: what ``nfe`` looks like."""
    return {
        "CustomerOrder": {
            "nfe": {
                "type": "object",
                "nullable": True,
                "description": "The order's NF-e once authorised (null before): "
                "its access key, number, série and status, and where to "
                "download its DANFE (PDF) and XML with the same API key.",
                "properties": {
                    "key": {
                        "type": "string",
                        "description": "The 44-character access key.",
                    },
                    "number": {"type": "integer"},
                    "series": {"type": "integer"},
                    "status": {
                        "type": "string",
                        "enum": [str(s) for s in WITH_DANFE],
                        "description": "`authorised`, or `cancelled` after "
                        "its cancellation.",
                    },
                    "danfe_url": {"type": "string", "format": "uri"},
                    "xml_url": {"type": "string", "format": "uri"},
                },
                "required": [
                    "key",
                    "number",
                    "series",
                    "status",
                    "danfe_url",
                    "xml_url",
                ],
            }
        }
    }


class CustomerNFeMixin:
    required_scope = "orders:read"

    def get_document(self, token: str) -> FiscalDocument:
        from plugins.orders.models import Order

        order = Order.objects.filter(customer_token=token).first()
        document = customer_nfe(order) if order is not None else None
        if document is None:
            raise Http404
        return document


def _file(content: bytes, *, filename: str, content_type: str, inline: bool):
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class CustomerDanfeView(CustomerNFeMixin, ApiKeyView):
    """The DANFE of the order's NF-e (``orders:read``)."""

    @extend_schema(
        tags=[TAG],
        operation_id="fiscal_nfe_danfe",
        summary="The DANFE (PDF) of an order's NF-e, by the customer's token",
        description="404 while the order has no authorised NF-e.",
        responses={
            (200, PDF_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
            **problems(404),
        },
    )
    def get(self, request, token):
        document = self.get_document(token)
        return _file(
            render_danfe(document),
            filename=danfe_filename(document),
            content_type=PDF_CONTENT_TYPE,
            inline=True,
        )


class CustomerXmlView(CustomerNFeMixin, ApiKeyView):
    """The XML (``nfeProc``) of the order's NF-e (``orders:read``)."""

    @extend_schema(
        tags=[TAG],
        operation_id="fiscal_nfe_xml",
        summary="The XML of an order's NF-e, by the customer's token",
        description="The authorised NF-e with its protocol (`nfeProc`), as "
        "stored. 404 while the order has no authorised NF-e.",
        responses={
            (200, XML_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.STR),
            **problems(404),
        },
    )
    def get(self, request, token):
        document = self.get_document(token)
        return _file(
            document_xml(document).encode("utf-8"),
            filename=xml_filename(document),
            content_type=XML_CONTENT_TYPE,
            inline=False,
        )
