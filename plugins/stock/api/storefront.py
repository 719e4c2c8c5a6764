"""Storefront endpoints (API keys): availability and cart holds."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.models import Scope
from api.openapi import problems
from api.views import ApiKeyView
from plugins.stock import availability, services
from plugins.stock.api import serializers as s
from plugins.stock.models import (
    CartHold,
)

TAG = "stock"


class NoStoreMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


def _variant(sku: str):
    from content.models import Variant

    variant = Variant.objects.filter(sku=sku).first()
    if variant is None:
        raise NotFound(f"Unknown SKU “{sku}”.")
    return variant


# -- storefront -------------------------------------------------------------------


@extend_schema(tags=[TAG])
class AvailabilityView(ApiKeyView):
    """Units available now per SKU (and per warehouse), for product pages and
    carts. Cached; every change of a SKU's stock renews its entry."""

    required_scope = Scope.CATALOG_READ

    @extend_schema(
        parameters=[s.AvailabilityQuerySerializer],
        responses=s.AvailabilityListSerializer,
    )
    def get(self, request):
        query = s.AvailabilityQuerySerializer(
            data={"sku": request.query_params.getlist("sku")}
        )
        query.is_valid(raise_exception=True)
        skus = list(dict.fromkeys(query.validated_data["sku"]))
        return Response({"results": availability.cached(skus)})


class HoldMixin:
    required_scope = Scope.ORDERS_WRITE
    parser_classes = [JSONParser]

    def get_hold(self, token: str) -> CartHold:
        hold = CartHold.objects.filter(token=token, api_key=self.request.auth).first()
        if hold is None:
            raise NotFound("No such hold.")
        return hold


def hold_payload(hold: CartHold) -> dict:
    lines: dict[str, int] = {}
    for sku, quantity in hold.reservations.filter(status="active").values_list(
        "level__variant__sku", "quantity"
    ):
        lines[sku] = lines.get(sku, 0) + quantity
    return s.HoldSerializer(
        {
            "token": hold.token,
            "reference": hold.reference,
            "status": hold.status,
            "expires_at": hold.expires_at,
            "lines": [{"sku": k, "quantity": v} for k, v in sorted(lines.items())],
        }
    ).data


@extend_schema(tags=[TAG])
class HoldCreateView(NoStoreMixin, HoldMixin, ApiKeyView):
    """Hold units for a shopping cart for a few minutes (released when the
    hold expires, is released, or an order takes it over)."""

    @extend_schema(
        request=s.HoldRequestSerializer,
        responses={201: s.HoldSerializer, **problems(404, 409)},
    )
    def post(self, request):
        data = s.HoldRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data["lines"]
        from content.models import Variant

        known = set(
            Variant.objects.filter(sku__in=[line["sku"] for line in lines]).values_list(
                "sku", flat=True
            )
        )
        unknown = sorted({line["sku"] for line in lines} - known)
        if unknown:
            raise NotFound(f"Unknown SKU: {', '.join(unknown)}.")
        hold = services.create_hold(
            lines=lines,
            minutes=data.validated_data["minutes"],
            reference=data.validated_data["reference"],
            api_key=request.auth,
        )
        return Response(hold_payload(hold), status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class HoldDetailView(NoStoreMixin, HoldMixin, ApiKeyView):
    @extend_schema(responses=s.HoldSerializer)
    def get(self, request, token):
        """A hold of this API key."""
        return Response(hold_payload(self.get_hold(token)))

    @extend_schema(responses={204: None, **problems(409)})
    def delete(self, request, token):
        """Release a hold (the cart was emptied)."""
        services.release_hold(self.get_hold(token))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=[TAG])
class HoldExtendView(NoStoreMixin, HoldMixin, ApiKeyView):
    @extend_schema(
        request=s.ExtendHoldSerializer,
        responses={200: s.HoldSerializer, **problems(409)},
    )
    def post(self, request, token):
        """Keep a live hold for more minutes, from now."""
        hold = self.get_hold(token)
        data = s.ExtendHoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = services.extend_hold(hold, minutes=data.validated_data["minutes"])
        return Response(hold_payload(hold))
