"""URL patterns of the finance API, mounted at ``/api/v1/finance/``."""

from django.urls import path

from plugins.finance.api import views


def api_routes() -> list:
    return [
        path("payments/", views.CreatePaymentView.as_view(), name="payment-create"),
        path(
            "payments/<uuid:reference>/",
            views.PaymentStatusView.as_view(),
            name="payment-status",
        ),
        path(
            "payments/<uuid:reference>/qr.png",
            views.PaymentQRPngView.as_view(),
            name="payment-qr-png",
        ),
        path(
            "payments/<uuid:reference>/qr.svg",
            views.PaymentQRSvgView.as_view(),
            name="payment-qr-svg",
        ),
        path(
            "webhooks/<slug:token>/",
            views.ProviderWebhookView.as_view(),
            name="provider-webhook",
        ),
    ]
