"""The order payloads of the API: what the customer sees of their order and
what the order desk sees. Other plugins add keys to them through
``ORDER_PAYLOAD`` (see :func:`order_payloads`).

The serializers declare the payloads (the OpenAPI schema is made from them);
their ``to_representation`` builds the dictionaries directly rather than
through a tree of bound fields, which costs more than the rest of placing an
order. The schemathesis run checks every response against the schema.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.urls import get_script_prefix, get_urlconf, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plugins import hooks
from plugins.orders import hooks as order_hooks
from plugins.orders.api.serializers import MONEY, AddressSerializer, ChoiceField
from plugins.orders.models import (
    STEP_TIMESTAMPS,
    OrderEvent,
    OrderPayment,
    OrderStatus,
    PaymentMethod,
    SurveyResponse,
)
from plugins.orders.money import installment_amounts
from plugins.orders.services import TRANSITIONS


class ChannelRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class OrderLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    discount = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)


class TotalsSerializer(serializers.Serializer):
    subtotal = serializers.DecimalField(**MONEY, help_text="Lines before discounts.")
    discount_total = serializers.DecimalField(**MONEY)
    shipping_total = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)


class PaymentSerializer(serializers.Serializer):
    method = ChoiceField(choices=PaymentMethod.choices)
    method_label = serializers.CharField()
    installments = serializers.IntegerField()
    installment_amounts = serializers.ListField(
        child=serializers.DecimalField(**MONEY),
        help_text="The first installment takes the centavos left over.",
    )


class TimestampsSerializer(serializers.Serializer):
    placed_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    invoiced_at = serializers.DateTimeField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    promised_delivery_date = serializers.DateField(allow_null=True)


class PublicEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    status = ChoiceField(choices=OrderStatus.choices, source="to_status")
    status_label = serializers.SerializerMethodField()

    def get_status_label(self, event) -> str:
        return str(OrderStatus(event.to_status).label)


class SurveyLinkSerializer(serializers.Serializer):
    token = serializers.CharField()
    url = serializers.URLField()


# Shared, unbound fields: their to_representation needs no parent.
_DATETIME = serializers.DateTimeField()
_CENT = Decimal("0.01")
_ADDRESS_FIELDS = tuple(AddressSerializer().fields)
_TIMESTAMPS = ("placed_at", *STEP_TIMESTAMPS)


def _money(value) -> str:
    return f"{Decimal(value).quantize(_CENT):f}"


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _related(order, name: str):
    """The order's ``name`` rows: those it carries as ``fetched_<name>`` (as
    ``Prefetch(name, to_attr=f"fetched_{name}")`` leaves them, and as
    ``place_order`` leaves the order it wrote), else ``order.<name>.all()``."""
    fetched = getattr(order, f"fetched_{name}", None)
    if fetched is not None:
        return fetched
    return getattr(order, name).all()


@functools.lru_cache(maxsize=16)
def _status_path_prefix(script_prefix: str, urlconf) -> str:
    """The status page's path up to its token (``status/<slug:token>/``):
    reversed once per script prefix and URLconf, not for every order."""
    marker = "0"
    path = reverse("api:orders:order-status", kwargs={"token": marker})
    return path.removesuffix(f"{marker}/")


def _label(choices, value) -> str:
    """What ``get_FOO_display()`` shows, without the dict of every choice
    that Django builds (hashing each lazy label) on each call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _base_payload(order) -> dict:
    channel = order.channel
    timestamps = {name: _datetime(getattr(order, name)) for name in _TIMESTAMPS}
    promised = order.promised_delivery_date
    timestamps["promised_delivery_date"] = promised.isoformat() if promised else None
    return {
        "number": order.number,
        "channel": {
            "code": channel.code,
            "name": channel.name,
            "kind": str(channel.kind),
        },
        "status": str(order.status),
        "status_label": _label(OrderStatus, order.status),
        "timestamps": timestamps,
        "lines": [
            {
                "sku": line.sku,
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "discount": _money(line.discount),
                "total": _money(line.total),
            }
            for line in _related(order, "lines")
        ],
        "totals": {
            "subtotal": _money(order.subtotal),
            "discount_total": _money(order.discount_total),
            "shipping_total": _money(order.shipping_total),
            "total": _money(order.total),
        },
        "payment": {
            "method": str(order.payment_method),
            "method_label": _label(PaymentMethod, order.payment_method),
            "installments": order.installments,
            "installment_amounts": [
                _money(amount)
                for amount in installment_amounts(order.total, order.installments)
            ],
        },
        "shipping_address": _address(order.shipping_address),
    }


class BaseOrderSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="ABCD-EFGH")
    channel = ChannelRefSerializer()
    status = ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    timestamps = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True)
    totals = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    shipping_address = serializers.SerializerMethodField()

    # The getters only carry the schema: to_representation builds it all.
    @extend_schema_field(TimestampsSerializer)
    def get_timestamps(self, order): ...

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, order): ...

    @extend_schema_field(PaymentSerializer)
    def get_payment(self, order): ...

    @extend_schema_field(
        AddressSerializer(allow_null=True, help_text="null once anonymised")
    )
    def get_shipping_address(self, order): ...

    def to_representation(self, order):
        return _base_payload(order)


def _address(snapshot: dict) -> dict | None:
    if not snapshot:
        return None
    return {name: str(snapshot.get(name, "")) for name in _ADDRESS_FIELDS}


class CustomerOrderSerializer(BaseOrderSerializer):
    """What the customer sees of their order, by its token."""

    token = serializers.CharField(
        source="customer_token",
        help_text="The customer's token: keep it to show the status page.",
    )
    status_url = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField(
        help_text="Status changes, oldest first."
    )
    can_cancel = serializers.SerializerMethodField()
    survey = serializers.SerializerMethodField()

    class Meta:
        ref_name = "CustomerOrder"

    @extend_schema_field(OpenApiTypes.URI)
    def get_status_url(self, order) -> str:
        path = _status_path_prefix(get_script_prefix(), get_urlconf())
        path = f"{path}{order.customer_token}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_timeline(self, order):
        public = (OrderEvent.Kind.PLACED, OrderEvent.Kind.TRANSITION)
        return [
            {
                "at": _datetime(event.created_at),
                "status": event.to_status,
                "status_label": str(OrderStatus(event.to_status).label),
            }
            for event in _related(order, "events")
            if event.kind in public and event.to_status
        ]

    def get_can_cancel(self, order) -> bool:
        return order.status == OrderStatus.PENDING_PAYMENT

    def to_representation(self, order):
        payload = _base_payload(order)
        payload.update(
            token=order.customer_token,
            status_url=self.get_status_url(order),
            timeline=self.get_timeline(order),
            can_cancel=self.get_can_cancel(order),
            survey=self.get_survey(order),
        )
        return payload

    @extend_schema_field(
        SurveyLinkSerializer(
            allow_null=True, help_text="Once delivered, until answered."
        )
    )
    def get_survey(self, order):
        from plugins.orders.surveys import survey_url

        survey = _survey_of(order)
        if survey is None or survey.answered_at is not None:
            return None
        return {"token": survey.token, "url": survey_url(survey)}


def _survey_of(order):
    """The order's survey, or None: the one it carries as ``fetched_survey``
    (``Prefetch("survey", to_attr=...)``, or ``place_order``: none yet)."""
    if hasattr(order, "fetched_survey"):
        return order.fetched_survey
    try:
        return order.survey
    except order._meta.get_field("survey").related_model.DoesNotExist:
        return None


class StaffCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, source="customer_id")
    name = serializers.CharField(source="customer_name")
    email = serializers.CharField(source="customer_email", allow_blank=True)
    phone = serializers.CharField(source="customer_phone", allow_blank=True)
    document = serializers.CharField(source="customer_document", allow_blank=True)


class StaffOrderSerializer(BaseOrderSerializer):
    """An order as the order desk sees it."""

    external_id = serializers.CharField(allow_blank=True)
    customer = serializers.SerializerMethodField()
    billing_address = serializers.SerializerMethodField()
    is_late = serializers.SerializerMethodField()
    cancel_reason = serializers.CharField(allow_blank=True)
    return_reason = serializers.CharField(allow_blank=True)
    marketplace_fee = serializers.CharField(
        help_text='The marketplace\'s fee or commission, e.g. "16.32".'
    )
    marketplace_freight = serializers.CharField(
        help_text="What the marketplace charged the store for shipping."
    )

    class Meta:
        ref_name = "StaffOrder"

    @extend_schema_field(StaffCustomerSerializer)
    def get_customer(self, order): ...

    @extend_schema_field(
        AddressSerializer(allow_null=True, help_text="null once anonymised")
    )
    def get_billing_address(self, order): ...

    def get_is_late(self, order) -> bool:
        return order.is_late()

    def to_representation(self, order):
        payload = _base_payload(order)
        payload.update(
            external_id=order.external_id,
            customer={
                "id": order.customer_id,
                "name": order.customer_name,
                "email": order.customer_email,
                "phone": order.customer_phone,
                "document": order.customer_document,
            },
            billing_address=_address(order.billing_address),
            is_late=self.get_is_late(order),
            cancel_reason=order.cancel_reason,
            return_reason=order.return_reason,
            marketplace_fee=_money(order.marketplace_fee),
            marketplace_freight=_money(order.marketplace_freight),
        )
        return payload


class StaffEventSerializer(serializers.Serializer):
    kind = ChoiceField(choices=OrderEvent.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    source = serializers.CharField(help_text="The app that wrote it.")
    at = serializers.DateTimeField(source="created_at")
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    data = serializers.DictField()
    imported = serializers.BooleanField(
        help_text="A step the order took in the marketplace before it came "
        "in, at the marketplace's time."
    )
    user = serializers.SerializerMethodField()

    def get_user(self, event) -> str | None:
        if event.user is None:
            return None
        return event.user.get_full_name() or event.user.get_username()


class AllowedTransitionSerializer(serializers.Serializer):
    name = ChoiceField(choices=list(TRANSITIONS))
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


class StaffSurveySerializer(serializers.Serializer):
    source = ChoiceField(choices=SurveyResponse.Source.choices)
    issued_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    score = serializers.IntegerField(
        allow_null=True, help_text="0 to 10 (a rating's stars on this scale)."
    )
    rating = serializers.IntegerField(
        allow_null=True, help_text="The marketplace's rating, 1 to 5 stars."
    )
    comment = serializers.CharField(allow_blank=True)


class StaffPaymentSerializer(serializers.Serializer):
    method = ChoiceField(choices=PaymentMethod.choices)
    method_label = serializers.CharField(source="get_method_display")
    value = serializers.DecimalField(**MONEY)
    installments = serializers.IntegerField()
    status = ChoiceField(choices=OrderPayment.Status.choices)
    provider_id = serializers.CharField(allow_blank=True)
    paid_at = serializers.DateTimeField(allow_null=True)


class StaffOrderDetailSerializer(StaffOrderSerializer):
    """An order with its whole timeline (notes included) and what the caller
    may do with it now."""

    timeline = StaffEventSerializer(many=True, source="events.all")
    payments = StaffPaymentSerializer(
        many=True,
        source="payments.all",
        help_text="The payments as the provider or marketplace reported them.",
    )
    allowed_transitions = serializers.SerializerMethodField()
    survey = serializers.SerializerMethodField()

    class Meta:
        ref_name = "StaffOrderDetail"

    @extend_schema_field(AllowedTransitionSerializer(many=True))
    def get_allowed_transitions(self, order):
        from plugins.orders.services import allowed_transitions

        user = self.context["request"].user
        return AllowedTransitionSerializer(
            [
                {"name": t.name, "label": str(t.label), "needs_reason": t.needs_reason}
                for t in allowed_transitions(order, user)
            ],
            many=True,
        ).data

    @extend_schema_field(StaffSurveySerializer(allow_null=True))
    def get_survey(self, order):
        survey = _survey_of(order)
        return StaffSurveySerializer(survey).data if survey else None

    def to_representation(self, order):
        payload = super().to_representation(order)
        payload.update(
            timeline=StaffEventSerializer(order.events.all(), many=True).data,
            payments=StaffPaymentSerializer(order.payments.all(), many=True).data,
            allowed_transitions=self.get_allowed_transitions(order),
            survey=self.get_survey(order),
        )
        return payload


class NoteCreatedSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    message = serializers.CharField()
    user = serializers.CharField(source="user.get_username")


class SurveyAnsweredSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField()


class IntakeResultSerializer(serializers.Serializer):
    external_id = serializers.CharField(allow_blank=True)
    channel = serializers.CharField(allow_blank=True)
    status = ChoiceField(choices=["created", "replayed", "error"])
    number = serializers.CharField(allow_null=True, source="order.number", default=None)
    code = serializers.CharField(
        allow_null=True,
        help_text="On error, the problem code: order-invalid, "
        "idempotency-conflict, permission-denied, refused or a plugin's own.",
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="On error: field (e.g. `lines[0].sku`) → messages.",
    )
    extra = serializers.DictField(
        required=False, help_text="On error, more about it (e.g. from a plugin)."
    )

    def to_representation(self, result):
        data = super().to_representation(result)
        data["code"] = result.code or None
        if not result.extra:
            data.pop("extra", None)
        return data


class IntakeResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    replayed = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = IntakeResultSerializer(
        many=True, help_text="One per order sent, in the same order."
    )

    class Meta:
        ref_name = "OrderBatchResult"


# -- Payloads with the plugins' keys ---------------------------------------------


def order_payloads(orders, serializer_class, *, context, audience: str) -> list[dict]:
    """Serialise ``orders`` and let other plugins add keys (``ORDER_PAYLOAD``)
    for ``audience``: ``"customer"`` or ``"staff"``."""
    serializer = serializer_class(context=context)
    payloads = []
    for order in orders:
        payload = serializer.to_representation(order)
        hooks.call(
            order_hooks.ORDER_PAYLOAD, order=order, payload=payload, audience=audience
        )
        payloads.append(payload)
    return payloads


def order_payload(order, serializer_class, *, context, audience: str) -> dict:
    return order_payloads(
        [order], serializer_class, context=context, audience=audience
    )[0]
