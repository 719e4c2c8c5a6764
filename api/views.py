"""Core API views."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import ApiKeyAuthentication
from api.models import ApiKey
from api.permissions import ANY_SCOPE, HasApiKeyScope
from api.throttling import ApiKeyRateThrottle


class ApiKeyView(APIView):
    """Base of the endpoints frontends call with an API key: authenticated by
    the key, allowed by ``required_scope``, throttled per key."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]


class CurrentKeyView(ApiKeyView):
    """The API key of the request: name, scopes and rate limit. Frontend
    developers use it to check their key."""

    required_scope = ANY_SCOPE

    @extend_schema(
        responses=inline_serializer(
            "CurrentApiKey",
            {
                "name": serializers.CharField(),
                "scopes": serializers.ListField(child=serializers.CharField()),
                "rate_limit": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        key: ApiKey = request.auth
        return Response(
            {"name": key.name, "scopes": key.scopes, "rate_limit": key.rate_limit}
        )
