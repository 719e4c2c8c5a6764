"""Serializers of the orders API requests: their shapes are checked here, then
the services check what needs the catalog and the database. Errors are
spelt as the services spell them (``lines[0].sku``): see :func:`flatten_errors`."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from plugins.orders.intake import MAX_BATCH
from plugins.orders.models import UF_CHOICES, Order, PaymentMethod
from plugins.orders.services import MAX_LINES, MAX_QUANTITY

MONEY = {"max_digits": 12, "decimal_places": 2}
# CPF (11 digits) or CNPJ (14), with or without punctuation; the check digits
# are the service's to check.
DOCUMENT_PATTERN = (
    r"^(\d{3}\.?\d{3}\.?\d{3}-?\d{2}|\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2})?$"
)
CEP_PATTERN = r"^\d{5}-?\d{3}$"


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as the services spell them: ``{"lines[0].sku":
    [...], "customer.document": [...]}``; a list's own errors under its name."""
    flat: dict[str, list[str]] = {}

    def walk(node, key):
        if isinstance(node, dict):
            for name, child in node.items():
                if name == api_settings.NON_FIELD_ERRORS_KEY and key:
                    walk(child, key)
                elif isinstance(name, int):  # a list's items, by index
                    walk(child, f"{key}[{name}]")
                else:
                    walk(child, f"{key}.{name}" if key else str(name))
        elif isinstance(node, list):
            if all(isinstance(item, str) for item in node):
                flat.setdefault(key, []).extend(str(item) for item in node)
            else:
                for i, item in enumerate(node):
                    if item:
                        walk(item, f"{key}[{i}]")
        else:
            flat.setdefault(key, []).append(str(node))

    walk(detail, prefix)
    return flat


# -- Requests ------------------------------------------------------------------


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    document = serializers.RegexField(
        DOCUMENT_PATTERN,
        max_length=18,
        required=False,
        allow_blank=True,
        default="",
        help_text="CPF or CNPJ, with or without punctuation (check digits are "
        "validated).",
    )
    accepts_marketing = serializers.BooleanField(required=False, default=False)


class AddressSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=150)
    cep = serializers.RegexField(CEP_PATTERN, max_length=9, help_text="01310-100")
    street = serializers.CharField(max_length=200)
    number = serializers.CharField(max_length=20)
    complement = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    district = serializers.CharField(max_length=100)
    city = serializers.CharField(max_length=100)
    uf = serializers.ChoiceField(choices=UF_CHOICES)

    class Meta:
        ref_name = "OrderAddress"


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=60)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price = serializers.DecimalField(
        **MONEY,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Storefront: if given, must be the catalog's price. Channels "
        "that sell at their own prices (marketplaces) use it.",
    )
    discount = serializers.DecimalField(**MONEY, min_value=0, required=False, default=0)

    class Meta:
        ref_name = "OrderLineInput"


class OrderRequestSerializer(serializers.Serializer):
    """What every way of placing an order sends."""

    customer = CustomerSerializer()
    shipping_address = AddressSerializer()
    billing_address = AddressSerializer(
        required=False,
        allow_null=True,
        help_text="Defaults to the shipping address.",
    )
    lines = LineSerializer(many=True, min_length=1, max_length=MAX_LINES)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    installments = serializers.IntegerField(
        min_value=1,
        max_value=24,
        required=False,
        default=1,
        help_text="Card: 1 to 24; Pix and boleto: 1.",
    )
    shipping_total = serializers.DecimalField(
        **MONEY, min_value=0, required=False, default=0
    )
    discount_total = serializers.DecimalField(
        **MONEY,
        min_value=0,
        required=False,
        default=0,
        help_text="An order-level discount, spread over the lines.",
    )
    note = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note for the order desk (never shown on the status page).",
    )


class PlaceOrderSerializer(OrderRequestSerializer):
    channel = serializers.SlugField(
        max_length=30,
        required=False,
        help_text="Code of a storefront channel; by default the active one.",
    )

    class Meta:
        ref_name = "PlaceOrder"


class MarketplaceOrderSerializer(OrderRequestSerializer):
    channel = serializers.SlugField(max_length=30, help_text="The channel's code.")
    external_id = serializers.CharField(
        max_length=80,
        help_text="The order's id in the marketplace: with the channel, it "
        "identifies the order (sending it again replays it).",
    )
    placed_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When it was placed in the marketplace (default: now).",
    )
    promised_delivery_date = serializers.DateField(required=False, allow_null=True)

    class Meta:
        ref_name = "MarketplaceOrder"


class IntakeItemField(serializers.DictField):
    """An order of a batch: any JSON object. Each one is checked on its own
    (as a MarketplaceOrder), so that one bad order does not reject the batch."""


class IntakeItemFieldExtension(OpenApiSerializerFieldExtension):
    """Documents a batch item as "a MarketplaceOrder, or any other object (which
    gets an error result)" — what the endpoint really accepts."""

    target_class = "plugins.orders.api.serializers.IntakeItemField"

    def map_serializer_field(self, auto_schema, direction):
        ref = auto_schema.resolve_serializer(MarketplaceOrderSerializer, direction).ref
        return {
            "anyOf": [ref, {"type": "object", "additionalProperties": {}}],
            "description": "A MarketplaceOrder. An object that is not a valid "
            "one gets an `error` result with its `errors`.",
        }


class OrderBatchSerializer(serializers.Serializer):
    orders = serializers.ListField(
        child=IntakeItemField(), min_length=1, max_length=MAX_BATCH
    )

    class Meta:
        ref_name = "OrderBatch"


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to cancel and to mark returned.",
    )


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class CustomerCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's reason (default: “Cancelled by the customer”).",
    )


class SurveyAnswerSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=10)
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


# -- Filters of the staff list -------------------------------------------------

ORDERINGS = {
    "-placed_at": ("-placed_at", "-pk"),
    "placed_at": ("placed_at", "pk"),
    "-total": ("-total", "-pk"),
    "total": ("total", "pk"),
}


class DateOrDateTimeField(serializers.DateTimeField):
    """A date-time, or a date meaning the start of that day (local time)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD")
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        return super().to_internal_value(value)


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Order._meta.get_field("status").choices),
        required=False,
        help_text="Repeat for several.",
    )
    channel = serializers.ListField(
        child=serializers.SlugField(max_length=30),
        required=False,
        help_text="Channel codes; repeat for several.",
    )
    placed_after = DateOrDateTimeField(
        required=False,
        help_text="Placed at or after this (a date: from the start of that day).",
    )
    placed_before = DateOrDateTimeField(
        required=False,
        help_text="Placed before this (a date: before that day starts).",
    )
    payment_method = serializers.ChoiceField(
        choices=Order._meta.get_field("payment_method").choices, required=False
    )
    late = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only open orders past their promised delivery date.",
    )
    q = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Number, external id, customer name, e-mail or CPF/CNPJ.",
    )
    ordering = serializers.ChoiceField(
        choices=list(ORDERINGS), required=False, default="-placed_at"
    )
