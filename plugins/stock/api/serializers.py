"""Request and response shapes of the stock API."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plugins.stock.availability import (
    BACKORDER,
    IN_STOCK,
    LOW_STOCK,
    NOT_TRACKED,
    OUT_OF_STOCK,
)
from plugins.stock.models import MovementKind

MAX_UNITS = 1_000_000
MAX_LINES = 200
SKU = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", "Not a SKU.")
CODE = RegexValidator(r"^[-a-zA-Z0-9_]+$", "Not a warehouse code.")
# Text: no NUL characters (which text columns cannot hold); a reason must
# also say something (not only spaces).
TEXT = RegexValidator(r"^[^\x00]*$", "No NUL characters.")
NOT_BLANK = RegexValidator(r"^[^\x00]*\S[^\x00]*$", "Write something.")
STATUSES = [IN_STOCK, LOW_STOCK, OUT_OF_STOCK, BACKORDER, NOT_TRACKED, "unknown"]


class Text(serializers.CharField):
    """Text that must come as a JSON string, as the schema says (DRF's
    ``CharField`` also takes a number: ``0`` becomes ``"0"``)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def sku_field(**kwargs):
    return Text(max_length=64, validators=[SKU], **kwargs)


def code_field(**kwargs):
    return Text(max_length=20, validators=[CODE], **kwargs)


def text_field(max_length: int, **kwargs):
    """Optional free text (blank allowed, kept as given)."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("default", "")
    return Text(max_length=max_length, validators=[TEXT], **kwargs)


@extend_schema_field(
    {
        "type": "integer",
        "minimum": -MAX_UNITS,
        "maximum": MAX_UNITS,
        "not": {"enum": [0]},
        "description": "Units in (positive) or out (negative); not zero.",
    }
)
class NonZeroUnitsField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=-MAX_UNITS, max_value=MAX_UNITS, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == 0:
            raise serializers.ValidationError("Not zero.")
        return value


# -- storefront -------------------------------------------------------------------


class WarehouseAvailabilitySerializer(serializers.Serializer):
    code = serializers.CharField()
    available = serializers.IntegerField(min_value=0)


class AvailabilitySerializer(serializers.Serializer):
    sku = serializers.CharField()
    available = serializers.IntegerField(
        min_value=0, help_text="Units that can be sold now, in every warehouse."
    )
    status = serializers.CharField(
        help_text="One of " + ", ".join(STATUSES) + " (not_tracked: never "
        "stocked; unknown: no such SKU)."
    )
    orderable = serializers.BooleanField()
    warehouses = WarehouseAvailabilitySerializer(many=True)


class AvailabilityListSerializer(serializers.Serializer):
    results = AvailabilitySerializer(many=True)


class AvailabilityQuerySerializer(serializers.Serializer):
    sku = serializers.ListField(
        child=sku_field(), min_length=1, max_length=100, help_text="One or more SKUs."
    )


class HoldLineSerializer(serializers.Serializer):
    sku = sku_field()
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class HoldRequestSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=HoldLineSerializer(), min_length=1, max_length=MAX_LINES
    )
    minutes = serializers.IntegerField(min_value=1, max_value=60, default=15)
    reference = text_field(
        80,
        help_text="Your cart id. Placing an order with this Idempotency-Key takes "
        "the hold over; a new hold with the same reference replaces it.",
    )


class ExtendHoldSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=60, default=15)


class HoldSerializer(serializers.Serializer):
    token = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    lines = HoldLineSerializer(many=True)


# -- staff ------------------------------------------------------------------------


class WarehouseSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    active = serializers.BooleanField()
    priority = serializers.IntegerField()
    allow_backorders = serializers.BooleanField()


class LevelSerializer(serializers.Serializer):
    sku = serializers.CharField(source="variant.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    in_transit = serializers.IntegerField()
    reorder_point = serializers.IntegerField()
    below_reorder_point = serializers.BooleanField()


class LevelQuerySerializer(serializers.Serializer):
    warehouse = code_field(required=False)
    sku = sku_field(required=False)
    category = serializers.CharField(
        max_length=500,
        required=False,
        validators=[TEXT],
        help_text="Category path, e.g. moda/camisetas",
    )
    below_reorder_point = serializers.BooleanField(required=False, default=False)
    out_of_stock = serializers.BooleanField(required=False, default=False)


class MovementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    warehouse = serializers.CharField(source="warehouse.code")
    sku = serializers.CharField()
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    quantity = serializers.IntegerField()
    on_hand_after = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    reference_type = serializers.CharField(allow_blank=True)
    reference = serializers.CharField(allow_blank=True)
    user = serializers.CharField(source="user.get_username", allow_null=True)
    created_at = serializers.DateTimeField()


class MovementQuerySerializer(serializers.Serializer):
    warehouse = code_field(required=False)
    sku = sku_field(required=False)
    kind = serializers.ChoiceField(choices=MovementKind.choices, required=False)
    reference = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        validators=[TEXT],
    )


class ReceiptRequestSerializer(serializers.Serializer):
    warehouse = code_field()
    sku = sku_field()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_UNITS)
    reason = text_field(300)
    reference = text_field(80, help_text="e.g. the supplier's invoice (NF-e) number.")


class AdjustmentRequestSerializer(serializers.Serializer):
    warehouse = code_field()
    sku = sku_field()
    quantity = NonZeroUnitsField()
    reason = Text(max_length=300, validators=[NOT_BLANK])


class TransferLineRequestSerializer(serializers.Serializer):
    sku = sku_field()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_UNITS)


class TransferRequestSerializer(serializers.Serializer):
    source = code_field()
    destination = code_field()
    lines = serializers.ListField(
        child=TransferLineRequestSerializer(), min_length=1, max_length=MAX_LINES
    )
    note = text_field(300)


class TransferLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    received_quantity = serializers.IntegerField(allow_null=True)


class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    source = serializers.CharField(source="source.code")
    destination = serializers.CharField(source="destination.code")
    status = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    sent_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    lines = TransferLineSerializer(many=True)


class ReceivedLineSerializer(serializers.Serializer):
    sku = sku_field()
    received = serializers.IntegerField(min_value=0, max_value=MAX_UNITS)


class ReceiveTransferSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=ReceivedLineSerializer(),
        required=False,
        max_length=MAX_LINES,
        help_text="Units received per SKU; SKUs left out arrived complete.",
    )


class CountRequestSerializer(serializers.Serializer):
    warehouse = code_field()
    category = text_field(
        500, help_text="Category path, e.g. moda/camisetas; empty: the whole warehouse."
    )
    note = text_field(300)


#: What a blind count hides from users who may not see expected quantities.
BLIND_COUNT_FIELDS = ("expected", "posted_difference")


class CountLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    expected = serializers.IntegerField(
        required=False,
        help_text=(
            "Units on hand when the count was opened. Only for users who may "
            "see expected quantities (counts are blind for the others)."
        ),
    )
    counted = serializers.IntegerField(allow_null=True)
    posted_difference = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="Only for users who may see expected quantities.",
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_expected"):
            for name in BLIND_COUNT_FIELDS:
                data.pop(name, None)
        return data


class CountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    warehouse = serializers.CharField(source="warehouse.code")
    category = serializers.CharField(source="category.path", allow_null=True)
    status = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class CountDetailSerializer(CountSerializer):
    lines = CountLineSerializer(many=True)


class CountedLineSerializer(serializers.Serializer):
    sku = sku_field()
    counted = serializers.IntegerField(
        min_value=0, max_value=MAX_UNITS, allow_null=True
    )


class CountLinesRequestSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=CountedLineSerializer(), min_length=1, max_length=5000
    )
