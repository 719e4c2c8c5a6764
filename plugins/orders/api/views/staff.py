"""The order desk's endpoints (staff tokens and sessions, the orders
permission policy: orders of channels out of the user's scope answer 404),
and marketplace intake."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from api.openapi import problems
from api.pagination import StrictPageSizeMixin
from plugins.orders import intake, services
from plugins.orders.api import payloads as p
from plugins.orders.api import serializers as s
from plugins.orders.api.views import NO_STORE, TAG, OrdersViewMixin
from plugins.orders.models import Order, OrderEvent
from plugins.orders.permissions import order_policy
from plugins.permissions import PolicyPermission, PolicyQuerysetMixin


def _staff_detail_queryset():
    return Order.objects.select_related("channel", "survey").prefetch_related(
        "lines", Prefetch("events", queryset=OrderEvent.objects.select_related("user"))
    )


class OrderCursorPagination(StrictPageSizeMixin, CursorPagination):
    page_size = 24
    max_page_size = 100
    ordering = "-placed_at"

    def get_ordering(self, request, queryset, view):
        return view.ordering_fields_for(request)


class StaffOrderView(OrdersViewMixin, PolicyQuerysetMixin, generics.GenericAPIView):
    """Base of the staff endpoints: orders of the channels the user may see;
    others answer 404."""

    permission_classes = [PolicyPermission]
    permission_policy = order_policy()
    queryset = Order.objects.all()
    lookup_field = "number"
    pagination_class = None

    def get_object(self):
        self.kwargs["number"] = self.kwargs["number"].upper()
        return super().get_object()

    def detail_response(self, order: Order, status: int = 200) -> Response:
        order = _staff_detail_queryset().get(pk=order.pk)
        payload = p.order_payload(
            order,
            p.StaffOrderDetailSerializer,
            context=self.get_serializer_context(),
            audience="staff",
        )
        return Response(payload, status=status)


class StaffOrderListView(StaffOrderView):
    """Orders of the channels the user may see."""

    pagination_class = OrderCursorPagination

    def filters(self) -> dict:
        if not hasattr(self, "_filters"):
            # A plain dict, not the QueryDict: DRF would take an empty value
            # of a form field for "not given" (``?ordering=`` is an error).
            params = self.request.query_params
            data = s.OrderFilterSerializer(
                data={
                    key: params.getlist(key) if key in s.LIST_FILTERS else params[key]
                    for key in params
                }
            )
            data.is_valid(raise_exception=True)
            self._filters = data.validated_data
        return self._filters

    def ordering_fields_for(self, request):
        return s.ORDERINGS[self.filters()["ordering"]]

    def get_queryset(self):
        queryset = super().get_queryset()
        f = self.filters()
        if f.get("status"):
            queryset = queryset.filter(status__in=f["status"])
        if f.get("channel"):
            queryset = queryset.filter(channel__code__in=f["channel"])
        if f.get("placed_after"):
            queryset = queryset.filter(placed_at__gte=f["placed_after"])
        if f.get("placed_before"):
            queryset = queryset.filter(placed_at__lt=f["placed_before"])
        if f.get("payment_method"):
            queryset = queryset.filter(payment_method=f["payment_method"])
        if f.get("late"):
            queryset = queryset.late()
        if f.get("q"):
            queryset = queryset.search(f["q"])
        return queryset.select_related("channel").prefetch_related("lines")

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_list",
        summary="Orders (order desk)",
        description=(
            "Orders of the channels the user may see, newest first, with "
            "their lines; cursor pagination (follow `next`)."
        ),
        parameters=[s.OrderFilterSerializer, NO_STORE],
        responses=p.StaffOrderSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        payloads = p.order_payloads(
            page,
            p.StaffOrderSerializer,
            context=self.get_serializer_context(),
            audience="staff",
        )
        return self.get_paginated_response(payloads)


class StaffOrderDetailView(StaffOrderView):
    """One order, with its timeline and the transitions the user may apply."""

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_detail",
        summary="An order (order desk)",
        description="With its whole timeline (notes included) and the "
        "transitions the user may apply now.",
        parameters=[NO_STORE],
        responses=p.StaffOrderDetailSerializer,
    )
    def get(self, request, number):
        return self.detail_response(self.get_object())


class StaffTransitionView(StaffOrderView):
    """Apply a transition: ``pay``, ``invoice``, ``prepare``, ``ship``,
    ``deliver``, ``cancel``, ``return``."""

    serializer_class = s.TransitionSerializer

    @property
    def policy_actions(self):
        transition = services.TRANSITIONS.get(self.kwargs.get("name", ""))
        return {"POST": transition.action if transition else "change"}

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_transition",
        summary="Move an order along its lifecycle",
        description=(
            "`403` when the user may see the order but not apply this "
            "transition on its channel; `409` when the order's status does "
            "not allow it now (the problem's `status_now` says the status), "
            "or a reason is missing (`field`: `reason`), or a plugin refuses."
        ),
        parameters=[
            OpenApiParameter(
                "name",
                str,
                location=OpenApiParameter.PATH,
                enum=list(services.TRANSITIONS),
            )
        ],
        request=s.TransitionSerializer,
        responses={200: p.StaffOrderDetailSerializer, **problems(409)},
    )
    def post(self, request, number, name):
        order = self.get_object()
        data = s.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.transition_order(
            order, name, user=request.user, reason=data.validated_data["reason"]
        )
        return self.detail_response(order)


class StaffNoteView(StaffOrderView):
    """Add an internal note to an order's timeline."""

    policy_actions = {"POST": "change"}
    serializer_class = s.NoteSerializer

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_note",
        summary="Add a note to an order",
        request=s.NoteSerializer,
        responses={201: p.NoteCreatedSerializer},
    )
    def post(self, request, number):
        order = self.get_object()
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.add_note(order, data.validated_data["text"], user=request.user)
        return Response(p.NoteCreatedSerializer(event).data, status=201)


class OrderIntakeView(OrdersViewMixin, generics.GenericAPIView):
    """Marketplace intake: a batch of orders, each placed on its own."""

    permission_classes = [PolicyPermission]
    permission_policy = order_policy()
    policy_actions = {"POST": "add"}
    queryset = Order.objects.none()
    serializer_class = s.OrderBatchSerializer
    pagination_class = None

    @extend_schema(
        tags=[TAG],
        operation_id="orders_import",
        summary="Marketplace intake: a batch of orders",
        description=(
            f"Up to {intake.MAX_BATCH} orders, each with its channel's code and "
            "its `external_id` there. Each order is placed on its own, in its "
            "own transaction: one failing never blocks the others. Placing an "
            "order again (same channel and `external_id`, same contents) "
            "replays it. The user must be allowed to add orders on each "
            "order's channel.\n\n"
            "An order may arrive already paid, shipped, delivered or "
            "cancelled: `status` with the steps' timestamps, its `payments`, "
            "the marketplace's fee and freight, the buyer's id "
            "(`customer.reference`) and `rating` are recorded as they were, "
            "without today's side effects; `stock` chooses which orders "
            "reserve stock.\n\n"
            "Always `200` when the batch itself is well formed, with one "
            "result per order, in the order sent: `created`, `replayed` or "
            "`error` (with `code` and `errors` by field). A malformed batch "
            "(not a list of 1 to 500 objects) is a `400`."
        ),
        request=s.OrderBatchSerializer,
        responses={200: p.IntakeResponseSerializer},
    )
    def post(self, request):
        batch = s.OrderBatchSerializer(data=request.data)
        if not batch.is_valid():
            raise ValidationError(s.flatten_errors(batch.errors))
        items = batch.validated_data["orders"]
        results: list = [None] * len(items)
        valid = []
        # One list serializer for the batch: its child checks each order
        # (DRF's ListSerializer.run_child_validation), its fields built once
        # per request rather than once per order.
        checker = s.MarketplaceOrderSerializer(many=True)
        for i, item in enumerate(items):
            try:
                valid.append((i, dict(checker.run_child_validation(item))))
            except ValidationError as error:
                results[i] = intake.IntakeResult.failed(
                    item, "order-invalid", s.flatten_errors(error.detail)
                )
        placed = intake.place_order_batch(
            [data for _i, data in valid],
            user=request.user,
            stock=batch.validated_data["stock"],
        )
        for (i, _data), result in zip(valid, placed, strict=True):
            results[i] = result
        counts = {
            status: sum(1 for r in results if r.status == status)
            for status in (intake.CREATED, intake.REPLAYED, intake.ERROR)
        }
        body = p.IntakeResponseSerializer(
            {
                "created": counts[intake.CREATED],
                "replayed": counts[intake.REPLAYED],
                "errors": counts[intake.ERROR],
                "results": results,
            }
        ).data
        return Response(body)
