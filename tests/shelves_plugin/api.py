from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from api.openapi import problems
from plugins.permissions import PolicyQuerysetMixin
from tests.shelves_plugin.models import Shelf
from tests.shelves_plugin.services import restock_shelf


class ShelfSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shelf
        fields = ["id", "code", "name", "capacity", "units"]
        read_only_fields = fields


class RestockSerializer(serializers.Serializer):
    units = serializers.IntegerField(min_value=1, max_value=10_000)


class ShelfList(PolicyQuerysetMixin, generics.ListAPIView):
    """Shelves the user may see."""

    queryset = Shelf.objects.all()
    serializer_class = ShelfSerializer


class ShelfDetail(PolicyQuerysetMixin, generics.RetrieveAPIView):
    queryset = Shelf.objects.all()
    serializer_class = ShelfSerializer


class ShelfRestock(PolicyQuerysetMixin, generics.GenericAPIView):
    """Add units to a shelf."""

    queryset = Shelf.objects.all()
    serializer_class = RestockSerializer
    policy_actions = {"POST": "restock"}

    @extend_schema(
        request=RestockSerializer,
        responses={200: ShelfSerializer, **problems(409)},
    )
    def post(self, request, pk):
        shelf = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            shelf = restock_shelf(
                shelf, units=serializer.validated_data["units"], user=request.user
            )
        except PermissionDenied:
            raise
        return Response(ShelfSerializer(shelf).data)
