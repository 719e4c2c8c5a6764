"""URL patterns of the logistics API, mounted at ``/api/v1/logistics/``."""

from django.urls import path

from plugins.logistics.api import webhooks


def api_routes() -> list:
    return [
        path(
            "webhooks/<slug:token>/",
            webhooks.CarrierWebhookView.as_view(),
            name="carrier-webhook",
        ),
    ]
