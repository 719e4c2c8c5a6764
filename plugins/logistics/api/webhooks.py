"""Carriers' tracking pushes: ``POST /api/v1/logistics/webhooks/<token>/``,
the address of one carrier (its unguessable ``webhook_token``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import problem_response
from api.openapi import problems
from api.permissions import SignedRequest
from plugins.logistics.models import Carrier
from plugins.logistics.services.tracking import receive_push

TAG = "Logistics"


class TrackingAcknowledgementSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Events in the push.")
    new = serializers.IntegerField(help_text="Events recorded now.")
    repeated = serializers.IntegerField(help_text="Events recorded before.")
    unmatched = serializers.IntegerField(
        help_text="Events of tracking codes the store does not know."
    )

    class Meta:
        ref_name = "TrackingAcknowledgement"


class CarrierWebhookView(APIView):
    """A carrier's tracking push. The signature is checked on the raw body
    by the carrier's adapter before anything is read: without a valid one
    the answer is 401 and nothing is applied. A repeat answers 200 and
    changes nothing."""

    authentication_classes: list = []
    permission_classes = [SignedRequest]
    throttle_classes: list = []

    @extend_schema(
        tags=[TAG],
        operation_id="logistics_carrier_webhook",
        summary="A carrier's tracking push (webhook)",
        description=(
            "At the address of one carrier. The aggregator signs with "
            "`X-ME-Signature` (base64 HMAC-SHA256 of the body); other carriers "
            "send a JSON list of events with `X-Retaguarda-Timestamp` and "
            "`X-Retaguarda-Signature: sha256=<hex HMAC-SHA256 of "
            '"<timestamp>.<body>">`. Events are applied once each, in any order.'
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: TrackingAcknowledgementSerializer, **problems(400, 401, 404)},
    )
    def post(self, request, token):
        carrier = Carrier.objects.filter(webhook_token=token, active=True).first()
        if carrier is None:
            raise Http404
        outcome = receive_push(carrier, body=request.body, headers=request.headers)
        if outcome.status == 401:
            return _problem(401, "webhook-signature-invalid", outcome.error)
        if outcome.status == 400:
            return _problem(400, "webhook-invalid", outcome.error)
        recorded = outcome.recorded
        return Response(
            {
                "received": recorded.received,
                "new": recorded.new,
                "repeated": recorded.repeated,
                "unmatched": len(recorded.unmatched),
            }
        )


def _problem(status: int, code: str, detail: str):
    return problem_response(status, code, str(detail))
