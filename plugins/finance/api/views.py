"""The finance API: a storefront takes the payment of an order it placed
(by the order's customer token) and reads its status; the providers send
their notifications."""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import problem_response
from api.openapi import problems
from api.permissions import SignedRequest
from api.views import ApiKeyView
from plugins.finance.models import Payment, ProviderAccount
from plugins.finance.pix import br_code_png, br_code_svg
from plugins.finance.providers import InvalidWebhook, OperationNotSupported
from plugins.finance.services.charges import account_for, create_payment
from plugins.finance.services.events import receive
from plugins.finance.signatures import SignatureError
from plugins.orders.models import MAX_INSTALLMENTS, Order, PaymentMethod

logger = logging.getLogger(__name__)

TAG = "Payments"
METHODS = (PaymentMethod.PIX, PaymentMethod.BOLETO, PaymentMethod.CARD)


class PaymentRequestSerializer(serializers.Serializer):
    order = serializers.CharField(
        max_length=64, help_text="The order's customer token (from its status URL)."
    )
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in METHODS])
    installments = serializers.IntegerField(
        min_value=1, max_value=MAX_INSTALLMENTS, default=1
    )
    card_token = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The token of the provider's card form (cards only; never "
        "the card's number).",
    )
    card_brand = serializers.CharField(max_length=30, required=False)


class PaymentPixSerializer(serializers.Serializer):
    copy_and_paste = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    qr_png_url = serializers.URLField()
    qr_svg_url = serializers.URLField()


class PaymentBoletoSerializer(serializers.Serializer):
    digitable_line = serializers.CharField()
    barcode = serializers.CharField()
    pdf_url = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField(allow_null=True)


class ProviderPaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="reference")
    order = serializers.CharField(source="order.number")
    method = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    installments = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    pix = PaymentPixSerializer(allow_null=True)
    boleto = PaymentBoletoSerializer(allow_null=True)


def payment_payload(payment: Payment, request) -> dict:
    def url(name):
        return request.build_absolute_uri(
            reverse(f"api:finance:{name}", args=[payment.reference])
        )

    pix = boleto = None
    if payment.pix_payload:
        pix = {
            "copy_and_paste": payment.pix_payload,
            "expires_at": payment.expires_at,
            "qr_png_url": url("payment-qr-png"),
            "qr_svg_url": url("payment-qr-svg"),
        }
    if payment.boleto_line:
        boleto = {
            "digitable_line": payment.boleto_line,
            "barcode": payment.boleto_barcode,
            "pdf_url": payment.boleto_url,
            "due_date": payment.due_date,
        }
    return ProviderPaymentSerializer(
        {
            "reference": payment.reference,
            "order": payment.order,
            "method": payment.method,
            "amount": payment.amount,
            "installments": payment.installments,
            "status": payment.status,
            "get_status_display": payment.get_status_display(),
            "pix": pix,
            "boleto": boleto,
        }
    ).data


class CreatePaymentView(ApiKeyView):
    """Take the payment of an order (``orders:write``)."""

    required_scope = "orders:write"

    @extend_schema(
        tags=[TAG],
        operation_id="payments_create",
        summary="Take the payment of an order",
        description=(
            "Creates the payment of an order placed by this storefront, for the "
            "order's total as the server has it (a request never states an "
            "amount): Pix gives its copy-and-paste code, QR images and expiry; "
            "boleto its digitable line, barcode and PDF; card takes the token "
            "of the provider's card form and the installments. Asking again for "
            "Pix or boleto while one is open returns it. The order becomes paid "
            "when the provider confirms."
        ),
        request=PaymentRequestSerializer,
        responses={
            201: OpenApiResponse(ProviderPaymentSerializer, description="Created."),
            **problems(404, 409, 503),
        },
    )
    def post(self, request):
        data = PaymentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = Order.objects.filter(customer_token=values["order"]).first()
        if order is None:
            raise Http404
        account = account_for(values["method"])
        payment = create_payment(
            order,
            account=account,
            method=values["method"],
            installments=values["installments"],
            card_token=values.get("card_token"),
            card_brand=values.get("card_brand"),
            notification_url=request.build_absolute_uri(
                reverse("api:finance:provider-webhook", args=[account.webhook_token])
            )
            if account is not None
            else None,
        )
        return Response(payment_payload(payment, request), status=201)


class PaymentMixin:
    def get_payment(self, reference) -> Payment:
        payment = (
            Payment.objects.select_related("order").filter(reference=reference).first()
        )
        if payment is None:
            raise Http404
        return payment


class PaymentStatusView(PaymentMixin, ApiKeyView):
    """A payment's status (``orders:read``)."""

    required_scope = "orders:read"

    @extend_schema(
        tags=[TAG],
        operation_id="payments_status",
        summary="A payment's status",
        responses={200: ProviderPaymentSerializer, **problems(404)},
    )
    def get(self, request, reference):
        return Response(payment_payload(self.get_payment(reference), request))


class PaymentQRPngView(PaymentMixin, ApiKeyView):
    """The Pix QR code of a payment as a PNG image (``orders:read``)."""

    required_scope = "orders:read"

    @extend_schema(
        tags=[TAG],
        operation_id="payments_qr_png",
        summary="A Pix payment's QR code (PNG)",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            **problems(404),
        },
    )
    def get(self, request, reference):
        payment = self.get_payment(reference)
        if not payment.pix_payload:
            raise Http404
        return HttpResponse(br_code_png(payment.pix_payload), "image/png")


class PaymentQRSvgView(PaymentMixin, ApiKeyView):
    """The Pix QR code of a payment as an SVG image (``orders:read``)."""

    required_scope = "orders:read"

    @extend_schema(
        tags=[TAG],
        operation_id="payments_qr_svg",
        summary="A Pix payment's QR code (SVG)",
        responses={
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR),
            **problems(404),
        },
    )
    def get(self, request, reference):
        payment = self.get_payment(reference)
        if not payment.pix_payload:
            raise Http404
        return HttpResponse(br_code_svg(payment.pix_payload), "image/svg+xml")


class WebhookAcknowledgementSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()


class ProviderWebhookView(APIView):
    """A provider's notification, at the address of one provider account
    (its unguessable token). The signature is checked on the raw body before
    anything else: without a valid one the answer is 401 and nothing is
    stored. A redelivery answers 200 and changes nothing."""

    authentication_classes: list = []
    permission_classes = [SignedRequest]
    throttle_classes: list = []

    @extend_schema(
        tags=[TAG],
        operation_id="payments_provider_notification",
        summary="A payment provider's notification (webhook)",
        description=(
            "For Mercado Pago and PagBank, at the address of a provider "
            "account: `x-signature` (Mercado Pago) or `x-authenticity-token` "
            "(PagBank) is verified on the raw body; an invalid or missing "
            "signature is a `401` and nothing is stored."
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: WebhookAcknowledgementSerializer, **problems(400, 401, 404)},
    )
    def post(self, request, token):
        account = ProviderAccount.objects.filter(
            webhook_token=token, active=True
        ).first()
        if account is None:
            raise Http404
        try:
            _event, created = receive(
                account,
                body=request.body,
                headers=dict(request.headers),
                query=request.query_params.dict(),
            )
        except SignatureError as error:
            return _problem(401, error.code, error.message)
        except ImproperlyConfigured:
            # an account without its webhook secret cannot prove anything
            logger.error("provider account %s has no webhook secret", account.pk)
            return _problem(
                401, "webhook-signature-invalid", _("The signature cannot be checked.")
            )
        except (InvalidWebhook, OperationNotSupported) as error:
            return _problem(400, "webhook-invalid", error.message)
        return Response({"received": True, "duplicate": not created})


def _problem(status: int, code: str, detail: str):
    return problem_response(status, code, str(detail))
