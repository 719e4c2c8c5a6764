"""The storefront's returns (logística reversa), by the order's customer
token (the token of the customer's status page,
``/api/v1/orders/status/<token>/``):

- ``POST /api/v1/logistics/returns/<token>/request/`` (``orders:write``) asks to
  return items of a delivered order: a reason, the items (SKU and units)
  and an optional comment → the return request, ``201``;
- ``GET /api/v1/logistics/returns/<token>/`` (``orders:read``) lists the
  order's returns with their status and, once authorised, the carrier's
  authorisation code and the tracking code the customer posts the parcel
  with.

An unknown token is a ``404``; a request the order does not take is a
problem document: ``400`` naming the field in ``errors`` for items that are
not the order's or more units than may come back (``items[0].sku``,
``items``), ``409`` for an order not delivered."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.openapi import problems
from api.views import ApiKeyView
from plugins.logistics.models import ReturnReason, ReturnRequest
from plugins.logistics.services import returns as service
from plugins.orders.models import Order

TAG = "logistics"


class ReturnItemSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=60)
    quantity = serializers.IntegerField(min_value=1, max_value=9999)


class ReturnRequestInSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    comment = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    items = serializers.ListField(
        child=ReturnItemSerializer(), min_length=1, max_length=100
    )


class ReturnOutItemSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()


class ReturnSerializer(serializers.ModelSerializer):
    """What the customer sees of a return: never the staff's names."""

    id = serializers.IntegerField(source="pk")
    status_display = serializers.CharField(source="get_status_display")
    reason_display = serializers.CharField(source="get_reason_display")
    carrier = serializers.CharField(source="carrier.name")
    items = ReturnOutItemSerializer(many=True)

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "status",
            "status_display",
            "reason",
            "reason_display",
            "comment",
            "items",
            "carrier",
            "authorisation_code",
            "tracking_code",
            "refusal_reason",
            "created_at",
            "authorised_at",
            "received_at",
        ]


class CustomerOrderMixin:
    parser_classes = [JSONParser]

    def get_order(self, token: str) -> Order:
        order = Order.objects.filter(customer_token=token).first()
        if order is None:
            raise Http404
        return order

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


class CustomerReturnsView(CustomerOrderMixin, ApiKeyView):
    """The order's returns (``orders:read``, as the status page)."""

    required_scope = "orders:read"

    @extend_schema(
        tags=[TAG],
        operation_id="logistics_returns_list",
        summary="An order's returns, by the customer's token",
        description=(
            "Each return's status and, once the carrier authorised it, the "
            "authorisation code and the tracking code to post the parcel "
            "with (`orders:read`)."
        ),
        responses=ReturnSerializer(many=True),
    )
    def get(self, request, token):
        order = self.get_order(token)
        returns = order.return_requests.select_related("carrier").order_by(
            "created_at", "pk"
        )
        return Response(ReturnSerializer(returns, many=True).data)


class CustomerReturnRequestView(CustomerOrderMixin, ApiKeyView):
    """The customer asks for a return (``orders:write``)."""

    required_scope = "orders:write"

    @extend_schema(
        tags=[TAG],
        operation_id="logistics_returns_request",
        summary="Ask to return items of a delivered order",
        description=(
            "The items (SKU and units) of the order to send back and why "
            "(`orders:write`). Each SKU at most its units delivered less "
            "those other returns take back; the store authorises the return "
            "and the carrier's codes appear in the list."
        ),
        request=ReturnRequestInSerializer,
        responses={201: ReturnSerializer, **problems(409)},
    )
    def post(self, request, token):
        order = self.get_order(token)
        data = ReturnRequestInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            ret = service.request_return(
                order,
                items=[dict(item) for item in values["items"]],
                reason=values["reason"],
                comment=values["comment"],
                via=ReturnRequest.Channel.STOREFRONT,
                user=None,
            )
        except service.InvalidReturn as error:
            # a 400 naming the field, as the schema's own checks do
            field = error.extra.get("field") or "items"
            raise ValidationError({field: [error.message]}) from None
        return Response(ReturnSerializer(ret).data, status=201)


def api_routes() -> list:
    from django.urls import path

    return [
        path(
            "returns/<slug:token>/",
            CustomerReturnsView.as_view(),
            name="customer-returns",
        ),
        path(
            "returns/<slug:token>/request/",
            CustomerReturnRequestView.as_view(),
            name="customer-return-request",
        ),
    ]
