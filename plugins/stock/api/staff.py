"""Staff endpoints (staff tokens and sessions), within the user's warehouses:
others answer 404, moving stock without ``operate`` answers 403."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.openapi import problems
from api.pagination import StrictPageSizeMixin
from plugins.permissions import (
    PolicyPermission,
    PolicyQuerysetMixin,
    is_active_user,
)
from plugins.stock import services
from plugins.stock.api import serializers as s
from plugins.stock.api.storefront import NoStoreMixin, _variant
from plugins.stock.models import (
    CountLine,
    InventoryCount,
    StockLevel,
    StockMovement,
    Transfer,
    TransferLine,
    Warehouse,
)
from plugins.stock.permissions import (
    user_can_see_expected_quantities,
    user_can_see_stock,
    visible_warehouses,
)

TAG = "stock"


# -- staff ------------------------------------------------------------------------


class SeesStock(PolicyPermission):
    """An active user who may see the stock of at least one warehouse (the
    warehouse policy). Rows are then narrowed to the user's warehouses, and
    moving stock is checked per warehouse by the services."""

    def has_permission(self, request, view):
        return is_active_user(request.user) and user_can_see_stock(request.user)

    def has_object_permission(self, request, view, obj):
        return True  # querysets hold only the user's warehouses


class StaffView(NoStoreMixin):
    permission_classes = [SeesStock]
    parser_classes = [JSONParser]

    def visible_warehouse(self, code: str) -> Warehouse:
        warehouse = visible_warehouses(self.request.user).filter(code=code).first()
        if warehouse is None:
            raise NotFound(f"Unknown warehouse “{code}”.")
        return warehouse


class StockPagination(StrictPageSizeMixin, PageNumberPagination):
    page_size = 50


class MovementPagination(StrictPageSizeMixin, CursorPagination):
    page_size = 50
    ordering = ("-created_at", "-id")

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            from django.utils.dateparse import parse_datetime

            try:
                valid = parse_datetime(cursor.position) is not None
            except ValueError:
                valid = False
            if not valid:
                raise NotFound(self.invalid_cursor_message)
        return cursor


def query_data(request, *, lists=()) -> dict:
    """Query parameters as plain values (an empty one is a value, so that it
    is validated, not taken as left out)."""
    params = request.query_params
    return {
        key: params.getlist(key) if key in lists else params.get(key) for key in params
    }


@extend_schema(tags=[TAG])
class WarehouseListView(StaffView, generics.ListAPIView):
    """Warehouses whose stock the user may see."""

    serializer_class = s.WarehouseSerializer
    pagination_class = None

    def get_queryset(self):
        return visible_warehouses(self.request.user).order_by("priority", "code")


@extend_schema(tags=[TAG], parameters=[s.LevelQuerySerializer])
class LevelListView(StaffView, PolicyQuerysetMixin, generics.ListAPIView):
    """Stock per SKU and warehouse, in the user's warehouses."""

    permission_classes = [SeesStock]
    serializer_class = s.LevelSerializer
    pagination_class = StockPagination
    queryset = StockLevel.objects.select_related("variant", "warehouse").order_by(
        "variant__sku", "warehouse__priority", "warehouse__code"
    )

    def get_queryset(self):
        queryset = super().get_queryset()
        query = s.LevelQuerySerializer(
            data=query_data(self.request), context={"view": self}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if "warehouse" in data:
            queryset = queryset.filter(warehouse__code=data["warehouse"])
        if "sku" in data:
            queryset = queryset.filter(variant__sku=data["sku"])
        if data.get("category"):
            from content.models import Category

            category = Category.objects.filter(path=data["category"]).first()
            queryset = (
                queryset.in_category(category)
                if category is not None
                else queryset.none()
            )
        if data["below_reorder_point"]:
            queryset = queryset.below_reorder_point()
        if data["out_of_stock"]:
            queryset = queryset.out_of_stock()
        return queryset


@extend_schema(tags=[TAG], parameters=[s.MovementQuerySerializer])
class MovementListView(StaffView, PolicyQuerysetMixin, generics.ListAPIView):
    """The ledger, newest first, in the user's warehouses."""

    permission_classes = [SeesStock]
    serializer_class = s.MovementSerializer
    pagination_class = MovementPagination
    queryset = StockMovement.objects.select_related("warehouse", "user")

    def get_queryset(self):
        queryset = super().get_queryset()
        query = s.MovementQuerySerializer(
            data=query_data(self.request), context={"view": self}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if "warehouse" in data:
            queryset = queryset.filter(warehouse__code=data["warehouse"])
        for name in ("sku", "kind", "reference"):
            if name in data:
                queryset = queryset.filter(**{name: data[name]})
        return queryset


def movement_response(movement) -> Response:
    movement = StockMovement.objects.select_related("warehouse", "user").get(
        pk=movement.pk
    )
    return Response(s.MovementSerializer(movement).data, status=201)


@extend_schema(tags=[TAG])
class ReceiptView(StaffView, APIView):
    @extend_schema(
        request=s.ReceiptRequestSerializer,
        responses={201: s.MovementSerializer, **problems(404, 409)},
    )
    def post(self, request):
        """Units arrived in a warehouse: a receipt movement."""
        data = s.ReceiptRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        movement = services.receive_stock(
            self.visible_warehouse(d["warehouse"]),
            variant=_variant(d["sku"]),
            quantity=d["quantity"],
            user=request.user,
            reason=d["reason"],
            reference=d["reference"],
        )
        return movement_response(movement)


@extend_schema(tags=[TAG])
class AdjustmentView(StaffView, APIView):
    @extend_schema(
        request=s.AdjustmentRequestSerializer,
        responses={201: s.MovementSerializer, **problems(404, 409)},
    )
    def post(self, request):
        """Correct the units on hand (with a reason): an adjustment movement.
        409 when it would leave fewer than zero units."""
        data = s.AdjustmentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        movement = services.adjust_stock(
            self.visible_warehouse(d["warehouse"]),
            variant=_variant(d["sku"]),
            quantity=d["quantity"],
            reason=d["reason"],
            user=request.user,
        )
        return movement_response(movement)


def _transfers_for(user):
    ids = list(visible_warehouses(user).values_list("pk", flat=True))
    return (
        Transfer.objects.involving(ids)
        .select_related("source", "destination")
        .prefetch_related(
            Prefetch("lines", queryset=TransferLine.objects.order_by("sku"))
        )
    )


@extend_schema(tags=[TAG])
class TransferListView(StaffView, generics.ListAPIView):
    serializer_class = s.TransferSerializer
    pagination_class = StockPagination

    def get_queryset(self):
        return _transfers_for(self.request.user)

    @extend_schema(responses={200: s.TransferSerializer(many=True), **problems(400)})
    def get(self, request, *args, **kwargs):
        """Transfers from or to the user's warehouses, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.TransferRequestSerializer,
        responses={201: s.TransferSerializer, **problems(404, 409)},
    )
    def post(self, request):
        """Send units from a warehouse to another (first step of a transfer)."""
        data = s.TransferRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        source = self.visible_warehouse(d["source"])
        destination = Warehouse.objects.filter(code=d["destination"]).first()
        if destination is None:
            raise NotFound(f"Unknown warehouse “{d['destination']}”.")
        lines = [(_variant(line["sku"]), line["quantity"]) for line in d["lines"]]
        transfer = services.send_transfer(
            source=source,
            destination=destination,
            lines=lines,
            user=request.user,
            note=d["note"],
        )
        transfer = _transfers_for(request.user).get(pk=transfer.pk)
        return Response(s.TransferSerializer(transfer).data, status=201)


@extend_schema(tags=[TAG])
class TransferDetailView(StaffView, generics.RetrieveAPIView):
    """A transfer from or to one of the user's warehouses."""

    serializer_class = s.TransferSerializer

    def get_queryset(self):
        return _transfers_for(self.request.user)


@extend_schema(tags=[TAG])
class TransferReceiveView(StaffView, APIView):
    @extend_schema(
        request=s.ReceiveTransferSerializer,
        responses={200: s.TransferSerializer, **problems(409)},
    )
    def post(self, request, pk):
        """Receive a transfer at its destination (second step)."""
        transfer = get_object_or_404(_transfers_for(request.user), pk=pk)
        data = s.ReceiveTransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        by_sku = {line.sku: line.pk for line in transfer.lines.all()}
        received = {}
        for line in data.validated_data.get("lines", []):
            if line["sku"] not in by_sku:
                raise NotFound(f"{line['sku']} is not in {transfer.number}.")
            received[by_sku[line["sku"]]] = line["received"]
        services.receive_transfer(transfer, user=request.user, received=received)
        transfer = _transfers_for(request.user).get(pk=transfer.pk)
        return Response(s.TransferSerializer(transfer).data)


class CountMixin(StaffView):
    def get_queryset(self):
        from plugins.stock.permissions import scoped_policy

        return (
            scoped_policy(InventoryCount)
            .filter_queryset(
                InventoryCount.objects.all(), self.request.user, ["view", "operate"]
            )
            .select_related("warehouse", "category")
        )

    def get_count(self, pk) -> InventoryCount:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def detail(self, count: InventoryCount, status: int = 200) -> Response:
        count = (
            self.get_queryset()
            .prefetch_related(
                Prefetch("lines", queryset=CountLine.objects.order_by("sku"))
            )
            .get(pk=count.pk)
        )
        context = {"show_expected": user_can_see_expected_quantities(self.request.user)}
        return Response(
            s.CountDetailSerializer(count, context=context).data, status=status
        )


@extend_schema(tags=[TAG])
class CountListView(CountMixin, generics.ListAPIView):
    serializer_class = s.CountSerializer
    pagination_class = StockPagination

    @extend_schema(responses={200: s.CountSerializer(many=True), **problems(400)})
    def get(self, request, *args, **kwargs):
        """Inventory counts of the user's warehouses, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.CountRequestSerializer,
        responses={201: s.CountDetailSerializer, **problems(404, 409)},
    )
    def post(self, request):
        """Open a count for a warehouse, or for one category in it."""
        from content.models import Category

        data = s.CountRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        warehouse = self.visible_warehouse(d["warehouse"])
        category = None
        if d["category"]:
            category = Category.objects.filter(path=d["category"]).first()
            if category is None:
                raise NotFound(f"Unknown category “{d['category']}”.")
        count = services.open_count(
            warehouse, user=request.user, category=category, note=d["note"]
        )
        return self.detail(count, status=201)


@extend_schema(tags=[TAG])
class CountDetailView(CountMixin, APIView):
    @extend_schema(responses=s.CountDetailSerializer)
    def get(self, request, pk):
        """A count with its lines."""
        return self.detail(self.get_count(pk))


@extend_schema(tags=[TAG])
class CountLinesView(CountMixin, APIView):
    @extend_schema(
        request=s.CountLinesRequestSerializer,
        responses={200: s.CountDetailSerializer, **problems(409)},
    )
    def post(self, request, pk):
        """Enter counted units by SKU (null: not counted)."""
        count = self.get_count(pk)
        data = s.CountLinesRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        by_sku = dict(count.lines.values_list("sku", "pk"))
        counted = {}
        for line in data.validated_data["lines"]:
            if line["sku"] not in by_sku:
                raise NotFound(f"{line['sku']} is not in {count.number}.")
            counted[by_sku[line["sku"]]] = line["counted"]
        services.record_counts(count, counted=counted, user=request.user)
        return self.detail(count)


@extend_schema(tags=[TAG])
class CountPostView(CountMixin, APIView):
    @extend_schema(
        request=None, responses={200: s.CountDetailSerializer, **problems(409)}
    )
    def post(self, request, pk):
        """Post the differences of the counted lines as count adjustments (409
        while the count is not open or no line has been counted)."""
        count = self.get_count(pk)
        services.post_count(count, user=request.user)
        return self.detail(count)


@extend_schema(tags=[TAG])
class CountCancelView(CountMixin, APIView):
    @extend_schema(
        request=None, responses={200: s.CountDetailSerializer, **problems(409)}
    )
    def post(self, request, pk):
        """Drop an open count without posting anything."""
        count = self.get_count(pk)
        services.cancel_count(count, user=request.user)
        return self.detail(count)
