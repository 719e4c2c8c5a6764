"""The storefront's order endpoints (API keys): place an order, the customer's
status page by token, cancel while payment is pending, answer the survey."""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.openapi import problems
from api.views import ApiKeyView
from plugins.exceptions import RetaguardaError
from plugins.orders import services, surveys
from plugins.orders.api import payloads as p
from plugins.orders.api import serializers as s
from plugins.orders.api.views import NO_STORE, TAG, OrdersViewMixin
from plugins.orders.exceptions import InvalidOrder
from plugins.orders.models import (
    Order,
    OrderEvent,
    SalesChannel,
    storefront_channels,
)

IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,80}$"
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyRequired(RetaguardaError):
    status = 400
    code = "idempotency-key-required"


def _valid(serializer_class: type[serializers.Serializer], data) -> dict:
    """The validated data, or InvalidOrder with the errors spelt as the
    services spell them (``lines[0].sku``)."""
    try:
        return s.validated(serializer_class, data)
    except ValidationError as error:
        raise InvalidOrder(
            _("The order is not valid."), s.flatten_errors(error.detail)
        ) from None


def _customer_queryset():
    return Order.objects.select_related("channel", "survey").prefetch_related(
        Prefetch("lines", to_attr="fetched_lines"),
        Prefetch(
            "events",
            queryset=OrderEvent.objects.filter(
                kind__in=(OrderEvent.Kind.PLACED, OrderEvent.Kind.TRANSITION)
            ),
            to_attr="fetched_events",
        ),
    )


def _customer_response(order: Order, request, *, status: int = 200, headers=None):
    # An order just placed carries what it was written with (``place_order``).
    if getattr(order, "fetched_lines", None) is None:
        order = _customer_queryset().get(pk=order.pk)
    payload = p.order_payload(
        order,
        p.CustomerOrderSerializer,
        context={"request": request},
        audience="customer",
    )
    return Response(payload, status=status, headers=headers)


def storefront_channel(code: str | None) -> SalesChannel:
    """The storefront channel an API key places an order on: the one named, or
    the active storefront channel when there is exactly one."""
    channels = storefront_channels.get()
    if code:
        channel = next((c for c in channels if c.code == code), None)
        if channel is None:
            raise InvalidOrder(
                _("The order is not valid."),
                {"channel": [_("“%s” is not a storefront channel.") % code]},
            )
        return channel
    active = [channel for channel in channels if channel.active]
    if len(active) != 1:
        raise InvalidOrder(
            _("The order is not valid."),
            {"channel": [_("Name the storefront channel (its code).")]},
        )
    return active[0]


class PlaceOrderView(OrdersViewMixin, ApiKeyView):
    """Place an order from a storefront (``orders:write``)."""

    required_scope = "orders:write"

    @extend_schema(
        tags=[TAG],
        operation_id="orders_place",
        summary="Place an order",
        description=(
            "Places an order on a storefront channel, at the catalog's live "
            "prices. Send a unique `Idempotency-Key` per order: sending the "
            "same request again (after a timeout, say) returns the first "
            "order with `200` and `Idempotent-Replayed: true`; the same key "
            "with other contents is a `409`. Invalid orders get a `400` "
            "problem whose `errors` maps each field (`lines[0].sku`, "
            "`customer.document`, `shipping_address.cep` …) to its messages; "
            "a plugin refusing the order (e.g. not enough stock) is a `409` "
            "with the plugin's details.\n\n"
            "**The server decides amounts.** A storefront chooses products and "
            "quantities; the server prices them. `unit_price`, if sent, must be "
            "the catalog's; a line `discount`, `discount_total` or "
            "`shipping_total` other than 0 is a `400` naming the field, and "
            "nothing is written (no order, no stock reservation, no customer). "
            "Channels that sell at their own prices (marketplaces, B2B) send "
            "their amounts through marketplace intake, with staff credentials "
            "of the channel.\n\n"
            "**Customers.** An order joins an existing customer record only by "
            "`customer.reference`, the storefront's own id of a customer it "
            "authenticated (unique per channel). Without it the order gets a "
            "customer record of its own: an e-mail or a CPF/CNPJ never attaches "
            "an order to someone else's record."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_KEY,
                {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                location=OpenApiParameter.HEADER,
                required=True,
                description="A key unique to this order, e.g. a UUID (1–80 "
                "printable ASCII characters).",
            ),
            OpenApiParameter(
                REPLAYED_HEADER,
                {"type": "string", "enum": ["true"]},
                location=OpenApiParameter.HEADER,
                response=[200],
                description="The order was placed before, with this key.",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[200, 201],
                description="The order's status URL.",
            ),
            NO_STORE,
        ],
        request=s.PlaceOrderSerializer,
        responses={
            201: OpenApiResponse(p.CustomerOrderSerializer, description="Placed."),
            200: OpenApiResponse(
                p.CustomerOrderSerializer,
                description="A replay: the order placed first with this key.",
            ),
            **problems(409),
        },
        examples=[
            OpenApiExample(
                "Pix order",
                request_only=True,
                value={
                    "customer": {
                        "name": "Maria da Silva",
                        "email": "maria@example.com",
                        "phone": "+55 11 91234-5678",
                        "document": "529.982.247-25",
                        "reference": "conta-81723",
                    },
                    "shipping_address": {
                        "recipient": "Maria da Silva",
                        "cep": "01310-100",
                        "street": "Avenida Paulista",
                        "number": "1000",
                        "complement": "ap. 12",
                        "district": "Bela Vista",
                        "city": "São Paulo",
                        "uf": "SP",
                    },
                    "lines": [{"sku": "CAM-AZ-M", "quantity": 2}],
                    "payment_method": "pix",
                },
            )
        ],
    )
    def post(self, request):
        key = request.headers.get(IDEMPOTENCY_KEY, "").strip()
        if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
            raise IdempotencyKeyRequired(
                _("Send an Idempotency-Key header: a key unique to this order."),
                errors={
                    IDEMPOTENCY_KEY: [
                        _("Required: 1 to 80 printable ASCII characters.")
                    ]
                },
            )
        data = _valid(s.PlaceOrderSerializer, request.data)
        channel = storefront_channel(data.pop("channel", None))
        placement = services.place_order(
            channel=channel,
            idempotency_key=key,
            user=None,
            api_key=request.auth,
            **data,
        )
        headers = {}
        if not placement.created:
            headers[REPLAYED_HEADER] = "true"
        response = _customer_response(
            placement.order,
            request,
            status=201 if placement.created else 200,
            headers=headers,
        )
        response["Location"] = response.data["status_url"]
        return response


class CustomerOrderMixin(OrdersViewMixin):
    def get_order(self, token: str) -> Order:
        order = Order.objects.filter(customer_token=token).first()
        if order is None:
            raise Http404
        return order


class OrderStatusView(CustomerOrderMixin, ApiKeyView):
    """The customer's status page (``orders:read``)."""

    required_scope = "orders:read"

    @extend_schema(
        tags=[TAG],
        operation_id="orders_status",
        summary="An order's status page, by the customer's token",
        description=(
            "What the customer sees: status, timestamps, lines, totals, "
            "payment, shipping address, the status changes and, once "
            "delivered, the survey link. Never cached."
        ),
        parameters=[NO_STORE],
        responses=p.CustomerOrderSerializer,
    )
    def get(self, request, token):
        return _customer_response(self.get_order(token), request)


class CustomerCancelView(CustomerOrderMixin, ApiKeyView):
    """The customer cancels their order (``orders:write``)."""

    required_scope = "orders:write"

    @extend_schema(
        tags=[TAG],
        operation_id="orders_status_cancel",
        summary="Cancel an order pending payment",
        description=(
            "Only while payment is pending; after that, a `409` (the customer "
            "talks to the store)."
        ),
        request=s.CustomerCancelSerializer,
        responses={200: p.CustomerOrderSerializer, **problems(409)},
    )
    def post(self, request, token):
        order = self.get_order(token)
        data = s.CustomerCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cancel_order_by_customer(order, reason=data.validated_data["reason"])
        return _customer_response(order, request)


class SurveyAnswerView(OrdersViewMixin, ApiKeyView):
    """The customer answers the post-sale survey (``orders:write``)."""

    required_scope = "orders:write"

    @extend_schema(
        tags=[TAG],
        operation_id="orders_survey_answer",
        summary="Answer the post-sale survey",
        description="Once per token: a second answer is a `409`.",
        request=s.SurveyAnswerSerializer,
        responses={200: p.SurveyAnsweredSerializer, **problems(409)},
    )
    def post(self, request, token):
        data = s.SurveyAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = surveys.submit_survey(token, **data.validated_data)
        return Response(p.SurveyAnsweredSerializer(survey).data)
