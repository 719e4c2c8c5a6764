"""The order desk's customer endpoints (staff tokens and sessions), under the
customers' permission policy: an attendant sees and edits the customers with
an order in their channels; any other customer answers 404. The LGPD actions
need their own permissions (the privacy officer, the manager)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from wagtail.models import ModelLogEntry

from api.pagination import StrictPageSizeMixin
from plugins.orders.api.views import NO_STORE, TAG, OrdersViewMixin
from plugins.orders.customers import (
    EDITABLE_FIELDS,
    anonymise_customer,
    export_customer_data,
    update_customer,
)
from plugins.orders.models import Address, Customer
from plugins.orders.permissions import customer_policy
from plugins.permissions import PolicyPermission, PolicyQuerysetMixin


class CustomerRecordAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "label",
            "recipient",
            "cep",
            "street",
            "number",
            "complement",
            "district",
            "city",
            "uf",
            "is_default",
        ]


class CustomerRecordSerializer(serializers.ModelSerializer):
    addresses = CustomerRecordAddressSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = ["id", *EDITABLE_FIELDS, "created_at", "anonymised_at", "addresses"]
        read_only_fields = ["id", "created_at", "anonymised_at", "addresses"]


class CustomerRecordUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = list(EDITABLE_FIELDS)


class CustomerHistoryEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    action = serializers.CharField()
    data = serializers.JSONField()


class CustomerCursorPagination(StrictPageSizeMixin, CursorPagination):
    page_size = 24
    max_page_size = 100
    ordering = ("name", "pk")


class StaffCustomerView(OrdersViewMixin, PolicyQuerysetMixin, generics.GenericAPIView):
    permission_classes = [PolicyPermission]
    permission_policy = customer_policy()
    queryset = Customer.objects.all()
    serializer_class = CustomerRecordSerializer
    pagination_class = None


class StaffCustomerListView(StaffCustomerView):
    """Customers with an order in a channel the user may see (all of them
    for a model-level ``view_customer``)."""

    pagination_class = CustomerCursorPagination

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_customer_list",
        summary="Customers (order desk)",
        parameters=[NO_STORE],
        responses=CustomerRecordSerializer(many=True),
    )
    def get(self, request):
        queryset = self.get_queryset().prefetch_related("addresses")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class StaffCustomerDetailView(StaffCustomerView):
    """One customer; ``PATCH`` edits them (``change`` on one of their
    orders' channels)."""

    @extend_schema(
        tags=[TAG], operation_id="orders_staff_customer_detail", parameters=[NO_STORE]
    )
    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_customer_update",
        request=CustomerRecordUpdateSerializer,
        responses=CustomerRecordSerializer,
    )
    def patch(self, request, pk):
        customer = self.get_object()
        data = CustomerRecordUpdateSerializer(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            customer = update_customer(
                customer, user=request.user, **data.validated_data
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(self.get_serializer(customer).data)


class StaffCustomerHistoryView(StaffCustomerView):
    """The audit entries about the customer, newest first."""

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_customer_history",
        parameters=[NO_STORE],
        responses=CustomerHistoryEntrySerializer(many=True),
    )
    def get(self, request, pk):
        customer = self.get_object()
        entries = ModelLogEntry.objects.for_instance(customer).order_by(
            "-timestamp", "-pk"
        )
        return Response(CustomerHistoryEntrySerializer(entries, many=True).data)


class StaffCustomerExportView(StaffCustomerView):
    """The LGPD access right: everything stored about the customer
    (``orders.export_customer_data``)."""

    policy_actions = {"POST": "view"}

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_customer_export",
        request=None,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk):
        customer = self.get_object()
        return Response(export_customer_data(customer, user=request.user))


class StaffCustomerAnonymiseView(StaffCustomerView):
    """The LGPD erasure right (``orders.anonymise_customer``): irreversible."""

    policy_actions = {"POST": "view"}

    @extend_schema(
        tags=[TAG],
        operation_id="orders_staff_customer_anonymise",
        request=None,
        responses=CustomerRecordSerializer,
    )
    def post(self, request, pk):
        customer = anonymise_customer(self.get_object(), user=request.user)
        return Response(self.get_serializer(customer).data)
