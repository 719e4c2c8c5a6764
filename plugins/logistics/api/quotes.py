"""The storefront's freight quote (API key, ``logistics:quote``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.openapi import problems
from api.views import ApiKeyView
from plugins.logistics.services import quoting
from plugins.orders.models import storefront_channels

TAG = "logistics"


class QuoteLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=60)
    quantity = serializers.IntegerField(min_value=1, max_value=quoting.MAX_QUANTITY)

    class Meta:
        ref_name = "FreightQuoteLine"


class QuoteRequestSerializer(serializers.Serializer):
    destination_cep = serializers.RegexField(
        r"^[0-9]{5}-?[0-9]{3}$",
        max_length=9,
        help_text="The delivery address's CEP, e.g. 01310-100.",
    )
    channel = serializers.SlugField(
        max_length=30,
        required=False,
        help_text="Code of a storefront channel; by default the active one.",
    )
    lines = QuoteLineSerializer(many=True, help_text="The cart: SKU and quantity.")

    class Meta:
        ref_name = "FreightQuoteRequest"


class QuoteOptionSerializer(serializers.Serializer):
    quote_id = serializers.CharField(
        help_text="Send it as the order's `shipping_quote` to ship this way; "
        "it expires (RETAGUARDA_FREIGHT_QUOTE_TTL, 30 minutes by default)."
    )
    carrier = serializers.CharField(source="carrier_name")
    carrier_code = serializers.CharField()
    service = serializers.CharField(source="service_name")
    service_code = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    delivery_days = serializers.IntegerField(
        help_text="Business days: the handling time plus the carrier's."
    )
    delivery_date_from = serializers.DateField()
    delivery_date_to = serializers.DateField()
    free = serializers.BooleanField()

    class Meta:
        ref_name = "FreightQuoteOption"


class QuoteResponseSerializer(serializers.Serializer):
    options = QuoteOptionSerializer(many=True)

    class Meta:
        ref_name = "FreightQuote"


def quote_channel(code: str | None):
    """The storefront channel named, or the only active one."""
    channels = storefront_channels.get()
    if code:
        channel = next((c for c in channels if c.code == code), None)
        if channel is None or not channel.active:
            raise quoting.InvalidQuoteRequest(
                _("The cart cannot be quoted."),
                errors={"channel": [_("“%s” is not a storefront channel.") % code]},
            )
        return channel
    active = [channel for channel in channels if channel.active]
    if len(active) != 1:
        raise quoting.InvalidQuoteRequest(
            _("The cart cannot be quoted."),
            errors={"channel": [_("Name the storefront channel (its code).")]},
        )
    return active[0]


class QuoteView(ApiKeyView):
    """Freight options for a cart (``logistics:quote``)."""

    required_scope = "logistics:quote"
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="logistics_quote",
        summary="Quote freight for a cart",
        description=(
            "The ways to ship the cart to the CEP, cheapest first: every active "
            "carrier's services that take it from the warehouse that would "
            "ship it, with the free-shipping rules applied and the "
            "warehouse's handling time in the delivery days and dates. Each "
            "option has a signed `quote_id`: the order names it as "
            "`shipping_quote`, and the server prices that service again — a "
            "storefront never states the shipping price. A `quote_id` is "
            "valid for that channel, CEP and cart only (the same SKUs and "
            "quantities), and expires. A bad CEP, an empty or too long cart "
            "or an unknown SKU is a `400` problem whose `errors` name the "
            "field (`destination_cep`, `lines`, `lines[0].sku`)."
        ),
        request=QuoteRequestSerializer,
        responses={200: QuoteResponseSerializer, **problems(400)},
        examples=[
            OpenApiExample(
                "Cart",
                request_only=True,
                value={
                    "destination_cep": "01310-100",
                    "lines": [{"sku": "CAM-AZ-M", "quantity": 2}],
                },
            )
        ],
    )
    def post(self, request):
        serializer = QuoteRequestSerializer(data=request.data)
        if not serializer.is_valid():
            errors = _flatten(serializer.errors)
            raise quoting.InvalidQuoteRequest(
                _("The cart cannot be quoted."), errors=errors
            )
        data = serializer.validated_data
        channel = quote_channel(data.get("channel"))
        options = quoting.quote_cart(channel, data["destination_cep"], data["lines"])
        return Response(
            {"options": QuoteOptionSerializer(options, many=True).data},
            headers={"Cache-Control": "private, no-store"},
        )


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as ``lines[0].sku`` keys."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int) or str(key).isdigit():
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
    elif isinstance(errors, list) and errors and not isinstance(errors[0], str):
        for i, value in enumerate(errors):
            if value:
                flat.update(_flatten(value, f"{prefix}[{i}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(e) for e in errors]
    return flat
