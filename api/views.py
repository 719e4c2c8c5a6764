"""Core API views."""

from __future__ import annotations

import datetime

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api.authentication import ApiKeyAuthentication, StaffTokenAuthentication
from api.lockout import client_address
from api.models import ApiKey, StaffToken
from api.permissions import ANY_SCOPE, HasApiKeyScope, StaffTokenEndpoint
from api.services import issue_staff_token, revoke_staff_token
from api.throttling import ApiKeyRateThrottle

JSON_RENDERER = JSONRenderer()


class ApiKeyView(APIView):
    """Base of the endpoints frontends call with an API key: authenticated by
    the key, allowed by ``required_scope``, throttled per key. They answer
    JSON only."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]

    def perform_content_negotiation(self, request, force=False):
        # JSON (and problem+json) is all these endpoints speak, so DRF's
        # negotiation is skipped: it was a fifth of a cached catalog hit.
        return JSON_RENDERER, JSON_RENDERER.media_type


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


class StaffTokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100, help_text="What the token is for, e.g. “ERP integration”."
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=StaffToken.MAX_VALIDITY.days,
        default=StaffToken.DEFAULT_VALIDITY.days,
        help_text="Days until the token expires.",
    )


class StaffTokenSerializer(serializers.Serializer):
    name = serializers.CharField()
    username = serializers.CharField(source="user.get_username")
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class IssuedStaffTokenSerializer(StaffTokenSerializer):
    token = serializers.CharField(help_text="Shown only this once.")


class StaffLoginThrottle(AnonRateThrottle):
    """Password guesses: a few a minute per client address (the address of
    :func:`api.lockout.client_address`, not one the client wrote in
    ``X-Forwarded-For``). Failed logins also count towards the lock-out of
    the address and of the user name (:mod:`api.lockout`)."""

    scope = "staff_login"
    rate = "10/min"

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class StaffTokenView(APIView):
    """Personal tokens of back-office staff, for the staff endpoints: send
    them as ``Authorization: Bearer rtgs_…``. Tokens can also be issued and
    revoked in the admin (account › API tokens)."""

    authentication_classes = [StaffTokenAuthentication]
    permission_classes = [StaffTokenEndpoint]

    def get_throttles(self):
        return [StaffLoginThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        request=StaffTokenRequestSerializer,
        responses={201: IssuedStaffTokenSerializer},
        auth=[],
    )
    def post(self, request):
        """Issue a token for a user of the back office (user name and password)."""
        data = StaffTokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.has_perm("wagtailadmin.access_admin"):
            raise exceptions.AuthenticationFailed(
                _("Wrong user name or password, or no access to the back office.")
            )
        token, secret = issue_staff_token(
            user=user,
            name=data.validated_data["name"],
            valid_for=datetime.timedelta(days=data.validated_data["days"]),
        )
        body = IssuedStaffTokenSerializer({**_token_data(token), "token": secret}).data
        return Response(body, status=201, headers={"Cache-Control": "no-store"})

    @extend_schema(responses=StaffTokenSerializer)
    def get(self, request):
        """The token of the request: whose it is and when it expires."""
        return Response(StaffTokenSerializer(_token_data(request.auth)).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        """Revoke the token of the request."""
        revoke_staff_token(request.auth, user=request.user)
        return Response(status=204)


def _token_data(token: StaffToken) -> dict:
    return {
        "name": token.name,
        "user": token.user,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
    }
