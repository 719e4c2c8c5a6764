"""Serializers of the orders API requests: their shapes are checked here, then
the services check what needs the catalog and the database. Errors are
spelt as the services spell them (``lines[0].sku``): see :func:`flatten_errors`."""

from __future__ import annotations

import datetime
import re
import threading

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from plugins.money import MONEY
from plugins.orders.intake import MAX_BATCH
from plugins.orders.models import (
    MAX_INSTALLMENTS,
    UF_CHOICES,
    Order,
    OrderPayment,
    OrderStatus,
    PaymentMethod,
)
from plugins.orders.services import MAX_LINES, MAX_QUANTITY
from plugins.orders.services.history import StockChoice

# Whitespace as Python's str.strip() sees it, spelt so that Python's and
# ECMAScript's regular expressions (the schema's) read it alike.
BLANK = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
    r"\u3000"
)
# Text has no NUL (PostgreSQL cannot store it), as DRF's CharField checks, and
# required text has a character that is not whitespace. The patterns match no
# empty string: blank values, where allowed, are the schema's other branch.
TEXT = r"^[^\x00]+$"
NON_BLANK_TEXT = r"^[^\x00]*" f"[^\\x00{BLANK}]" r"[^\x00]*$"
# CPF (11 digits) or CNPJ (14: letters or digits, then two check digits; the
# alphanumeric CNPJ of July 2026 in either case), with or without punctuation;
# the check digits are the service's to check. [0-9], not \d: Python's \d
# takes any digit.
DOCUMENT_PATTERN = (
    r"^([0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}"
    r"|[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}/?[0-9A-Za-z]{4}-?[0-9]{2})$"
)
CEP_PATTERN = r"^[0-9]{5}-?[0-9]{3}$"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


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


_checkers = threading.local()


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """``data`` checked by ``serializer_class``: its validated data, or DRF's
    ValidationError, as ``serializer_class(data=data).is_valid()`` gives them.

    The checks of the order path, which runs it for every order: one
    instance of the serializer per thread checks every request, through
    ``run_validation`` (what ``is_valid`` calls). DRF has no public way to
    check data against fields built once, and a new instance builds its
    fields anew (deep copies of every declared field, for each nested
    serializer): 0.7 ms of the order path's CPU, more than checking the order.
    ``run_validation`` keeps nothing on the instance (no ``initial_data``, no
    errors, no context), so the next request finds it as new; one per
    thread, because its fields are bound to it. Tested in
    tests/plugins/orders/test_request_checks.py."""
    by_class = getattr(_checkers, "by_class", None)
    if by_class is None:
        by_class = _checkers.by_class = {}
    checker = by_class.get(serializer_class)
    if checker is None:
        checker = by_class[serializer_class] = serializer_class()
    return dict(checker.run_validation(data))


class FullMatch(RegexValidator):
    """The whole value matches the pattern (``re.search`` with ``$`` lets a final
    newline through); drf-spectacular documents it as the field's pattern."""

    def __call__(self, value):
        if not self.regex.fullmatch(str(value)):
            raise ValidationError(self.message, code=self.code)


# Request fields that accept exactly what the schema says: JSON strings, not
# numbers made into strings; text as sent (the services trim it), so that
# maxLength and patterns mean what they say; numbers as JSON numbers; money
# as a string of digits.


class Text(serializers.CharField):
    """A JSON string. Required text has a character other than whitespace."""

    def __init__(self, *, pattern: str = "", **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        if pattern:
            self.validators.append(FullMatch(pattern))
        elif not self.allow_blank:
            self.validators.append(
                FullMatch(NON_BLANK_TEXT, message=_("This field may not be blank."))
            )
        else:
            self.validators.append(FullMatch(TEXT))

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Email(serializers.EmailField):
    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Integer(serializers.IntegerField):
    def to_internal_value(self, data):
        whole = isinstance(data, int) or (isinstance(data, float) and data.is_integer())
        if isinstance(data, bool) or not whole:
            self.fail("invalid")
        return super().to_internal_value(data)


class Boolean(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class Money(serializers.DecimalField):
    """An amount in reais as a string, e.g. "49.90" (not a float)."""

    def __init__(self, **kwargs):
        super().__init__(**MONEY, **kwargs)
        self.validators.append(FullMatch(MONEY_PATTERN))

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MONEY_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class MoneyExtension(OpenApiSerializerFieldExtension):
    target_class = "plugins.orders.api.serializers.Money"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": MONEY_PATTERN, "example": "49.90"}


ZERO_PATTERN = r"^0{1,10}(\.0{1,2})?$"


class ServerAmount(Money):
    """An amount the server decides, in a storefront's request: documented as
    zero, the only value a storefront may state. The rule is the service's
    (``plugins.orders.services.placing.stated_amounts``): any other amount is
    a 400 naming the field, with nothing written."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # to_internal_value checks the money pattern; the schema's is zero.
        self.validators = [v for v in self.validators if not isinstance(v, FullMatch)]


class ServerAmountExtension(OpenApiSerializerFieldExtension):
    target_class = "plugins.orders.api.serializers.ServerAmount"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": ZERO_PATTERN, "example": "0.00"}


STATED_AMOUNTS = (
    "Only on channels that sell at their own prices (marketplaces, B2B), with "
    "staff credentials of the channel; elsewhere the server decides it and "
    "any other amount than 0 is a 400 naming this field."
)
SERVER_AMOUNTS = (
    "The server decides it: a storefront sends 0 or nothing. Any other amount "
    "is a 400 naming this field, with nothing written (shipping comes from "
    "the freight quote named in `shipping_quote`)."
)


# RFC 3339, as the schema's formats mean them.
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATE_TIME_PATTERN = (
    DATE_PATTERN
    + r"[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class Date(serializers.DateField):
    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(DATE_PATTERN, data):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(data)


class DateTime(serializers.DateTimeField):
    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(DATE_TIME_PATTERN, data):
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ss±hh:mm")
        return super().to_internal_value(data)

    def enforce_timezone(self, value):
        """In UTC; at the ends of the calendar, clamped to what a datetime holds
        (0001-01-01T00:00-03:00 is before year 1 in UTC)."""
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            if value.year == 1:
                return datetime.datetime.min.replace(tzinfo=datetime.UTC)
            return datetime.datetime.max.replace(tzinfo=datetime.UTC)


class ChoiceField(serializers.ChoiceField):
    """A choice, documented as a pattern rather than an enum component: drf-
    spectacular names enum components after the field ("status", "kind"), and
    other plugins' fields of those names have other choices."""


class ChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "plugins.orders.api.serializers.ChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        values = "|".join(
            re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", str(value))
            for value in self.target.choices
        )
        choices = ", ".join(f"`{value}`" for value in self.target.choices)
        return {"type": "string", "pattern": f"^({values})$", "description": choices}


# -- Requests ------------------------------------------------------------------


class CustomerSerializer(serializers.Serializer):
    name = Text(max_length=150)
    email = Email(required=False, allow_blank=True, default="")
    phone = Text(max_length=30, required=False, allow_blank=True, default="")
    document = Text(
        pattern=DOCUMENT_PATTERN,
        max_length=18,
        required=False,
        allow_blank=True,
        default="",
        help_text="CPF or CNPJ (numeric or alphanumeric, e.g. 12.ABC.345/01DE-35), "
        "with or without punctuation, in any case (check digits are validated).",
    )
    accepts_marketing = Boolean(required=False, default=False)
    reference = Text(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's id in the channel's own system: the "
        "storefront's account id of a customer it authenticated, or the "
        "marketplace's buyer id. Orders of the channel with the same reference "
        "join one customer record. Without one, an order placed with an API key "
        "gets a customer record of its own: an e-mail or a CPF/CNPJ never joins "
        "an existing customer (staff merge records that turn out to be the same "
        "person). Staff and marketplace orders without a reference join the "
        "customer with the same CPF/CNPJ.",
    )


class AddressSerializer(serializers.Serializer):
    recipient = Text(max_length=150)
    cep = Text(pattern=CEP_PATTERN, max_length=9, help_text="01310-100")
    street = Text(max_length=200)
    number = Text(max_length=20)
    complement = Text(max_length=100, required=False, allow_blank=True, default="")
    district = Text(max_length=100)
    city = Text(max_length=100)
    uf = ChoiceField(choices=UF_CHOICES)

    class Meta:
        ref_name = "OrderAddress"


class LineSerializer(serializers.Serializer):
    sku = Text(max_length=60)
    quantity = Integer(min_value=1, max_value=MAX_QUANTITY)
    unit_price = Money(
        required=False,
        allow_null=True,
        help_text="If given, the catalog's price. A price of the channel's own: "
        + STATED_AMOUNTS,
    )
    discount = Money(required=False, default="0", help_text=STATED_AMOUNTS)

    class Meta:
        ref_name = "OrderLineInput"


class StorefrontLineSerializer(LineSerializer):
    unit_price = Money(
        required=False,
        allow_null=True,
        help_text="If given, must be the catalog's price (else a 400 naming "
        "this field): the server prices the lines.",
    )
    discount = ServerAmount(required=False, default="0", help_text=SERVER_AMOUNTS)

    class Meta:
        ref_name = "StorefrontOrderLine"


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
    payment_method = ChoiceField(choices=PaymentMethod.choices)
    installments = Integer(
        min_value=1,
        max_value=MAX_INSTALLMENTS,
        required=False,
        default=1,
        help_text=f"Card: 1 to {MAX_INSTALLMENTS}; Pix and boleto: 1.",
    )
    shipping_total = Money(required=False, default="0", help_text=STATED_AMOUNTS)
    discount_total = Money(
        required=False,
        default="0",
        help_text="An order-level discount, spread over the lines. " + STATED_AMOUNTS,
    )
    note = Text(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note for the order desk (never shown on the status page).",
    )


class PlaceOrderSerializer(OrderRequestSerializer):
    lines = StorefrontLineSerializer(many=True, min_length=1, max_length=MAX_LINES)
    shipping_total = ServerAmount(required=False, default="0", help_text=SERVER_AMOUNTS)
    discount_total = ServerAmount(required=False, default="0", help_text=SERVER_AMOUNTS)
    channel = Text(
        pattern=SLUG_PATTERN,
        max_length=30,
        required=False,
        help_text="Code of a storefront channel; by default the active one.",
    )
    shipping_quote = Text(
        pattern=r"[A-Za-z0-9_.:\-]{1,2000}",
        max_length=2000,
        required=False,
        help_text="The `quote_id` of the freight option the customer chose "
        "(`POST /api/v1/logistics/quote/`): the server prices that option "
        "again and it becomes the order's shipping total and promised date. "
        "Required when the store ships with freight quotes; it must be of "
        "this channel, this CEP and these lines, and not expired.",
    )

    class Meta:
        ref_name = "PlaceOrder"


class IntakePaymentSerializer(serializers.Serializer):
    method = ChoiceField(choices=PaymentMethod.choices)
    value = Money()
    installments = Integer(
        min_value=1,
        max_value=MAX_INSTALLMENTS,
        required=False,
        default=1,
        help_text=f"Credit card: 1 to {MAX_INSTALLMENTS}; other methods: 1.",
    )
    status = ChoiceField(
        choices=OrderPayment.Status.choices,
        required=False,
        default=OrderPayment.Status.APPROVED,
    )
    provider_id = Text(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="The payment's id at the provider or marketplace.",
    )
    paid_at = DateTime(required=False, allow_null=True)

    class Meta:
        ref_name = "IntakePayment"


class IntakeRatingSerializer(serializers.Serializer):
    stars = Integer(min_value=1, max_value=5)
    comment = Text(max_length=2000, required=False, allow_blank=True, default="")
    rated_at = DateTime(
        required=False,
        allow_null=True,
        help_text="Default: the order's last step.",
    )

    class Meta:
        ref_name = "IntakeRating"


STEP_HELP = (
    "When the order took this step in the marketplace; not in the future, and "
    "only for steps up to its status (a cancelled order may have taken any)."
)


class MarketplaceOrderSerializer(OrderRequestSerializer):
    channel = Text(pattern=SLUG_PATTERN, max_length=30, help_text="Its code.")
    external_id = Text(
        max_length=80,
        help_text="The order's id in the marketplace: with the channel, it "
        "identifies the order (sending it again replays it).",
    )
    placed_at = DateTime(
        required=False,
        allow_null=True,
        help_text="When it was placed in the marketplace (default: now).",
    )
    promised_delivery_date = Date(
        required=False,
        allow_null=True,
        help_text="The delivery date the marketplace estimated.",
    )
    payment_method = ChoiceField(
        choices=PaymentMethod.choices,
        required=False,
        help_text="Default: the method of the largest of `payments`.",
    )
    installments = Integer(
        min_value=1,
        max_value=MAX_INSTALLMENTS,
        required=False,
        help_text="Default: those of the largest of `payments`, else 1.",
    )
    status = ChoiceField(
        choices=OrderStatus.choices,
        required=False,
        help_text="The order's status in the marketplace (default: pending "
        "payment). Recorded with its timestamps on the timeline, marked as "
        "imported; today's side effects of those steps (webhooks, the survey "
        "e-mail) do not run. Not part of the replay: the same order sent again "
        "with a later status is a replay.",
    )
    paid_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    invoiced_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    ready_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    shipped_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    delivered_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    cancelled_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    returned_at = DateTime(required=False, allow_null=True, help_text=STEP_HELP)
    payments = IntakePaymentSerializer(
        many=True,
        required=False,
        max_length=50,
        help_text="The order's payments as the marketplace reported them (a "
        "card and a voucher, several Pix …), for the finance plugin.",
    )
    marketplace_fee = Money(
        required=False, help_text="The marketplace's fee or commission."
    )
    marketplace_freight = Money(
        required=False,
        help_text="What the marketplace charged the store for shipping.",
    )
    rating = IntakeRatingSerializer(
        required=False,
        allow_null=True,
        help_text="The buyer's rating: stored as the order's satisfaction "
        "answer, on the NPS scale (5 stars a promoter, 4 a passive, 1 to 3 a "
        "detractor).",
    )

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
    stock = ChoiceField(
        choices=StockChoice.choices,
        required=False,
        default=StockChoice.TO_SHIP,
        help_text="`to_ship` (default): orders still to be shipped (pending "
        "payment, paid, invoiced, ready to ship) reserve stock; shipped, "
        "delivered, cancelled and returned ones never move it. `none`: no order "
        "of the batch moves stock.",
    )

    class Meta:
        ref_name = "OrderBatch"


class TransitionSerializer(serializers.Serializer):
    reason = Text(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to cancel and to mark returned.",
    )


class NoteSerializer(serializers.Serializer):
    text = Text(max_length=5000)


class CustomerCancelSerializer(serializers.Serializer):
    reason = Text(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's reason (default: “Cancelled by the customer”).",
    )


class SurveyAnswerSerializer(serializers.Serializer):
    score = Integer(min_value=0, max_value=10)
    comment = Text(max_length=2000, required=False, allow_blank=True, default="")


# -- Filters of the staff list -------------------------------------------------

ORDERINGS = {
    "-placed_at": ("-placed_at", "-pk"),
    "placed_at": ("placed_at", "pk"),
    "-total": ("-total", "-pk"),
    "total": ("total", "pk"),
}


class DateOrDateTime(DateTime):
    """An RFC 3339 date-time, or a date meaning the start of that day (local
    time)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and re.fullmatch(DATE_PATTERN, data):
            try:
                day = datetime.date.fromisoformat(data)
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD")
            start = datetime.datetime.combine(day, datetime.time())
            return self.enforce_timezone(timezone.make_aware(start))
        return super().to_internal_value(data)


class DateOrDateTimeExtension(OpenApiSerializerFieldExtension):
    target_class = "plugins.orders.api.serializers.DateOrDateTime"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
            ]
        }


class QueryBoolean(serializers.BooleanField):
    """``true`` or ``false``, as the schema spells a boolean query parameter."""

    def to_internal_value(self, data):
        if data not in ("true", "false"):
            self.fail("invalid")
        return data == "true"


LIST_FILTERS = ("status", "channel")


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.ListField(
        child=ChoiceField(choices=Order._meta.get_field("status").choices),
        required=False,
        help_text="Repeat for several.",
    )
    channel = serializers.ListField(
        child=Text(pattern=SLUG_PATTERN, max_length=30),
        required=False,
        help_text="Channel codes; repeat for several.",
    )
    placed_after = DateOrDateTime(
        required=False,
        help_text="Placed at or after this (a date: from the start of that day).",
    )
    placed_before = DateOrDateTime(
        required=False,
        help_text="Placed before this (a date: before that day starts).",
    )
    payment_method = ChoiceField(
        choices=Order._meta.get_field("payment_method").choices, required=False
    )
    late = QueryBoolean(
        required=False,
        default=False,
        help_text="true: only open orders past their promised delivery date.",
    )
    q = Text(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Number, external id, customer name, e-mail or CPF/CNPJ.",
    )
    ordering = ChoiceField(
        choices=list(ORDERINGS), required=False, default="-placed_at"
    )
