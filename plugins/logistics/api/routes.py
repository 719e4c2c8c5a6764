"""URL patterns of the logistics API, mounted at ``/api/v1/logistics/``
through ``plugins.hooks.API_ROUTES`` (see ``wagtail_hooks.py``)."""

from django.urls import path

from plugins.logistics.api import webhooks
from plugins.logistics.api.quotes import QuoteView


def api_routes() -> list:
    return [
        path("quote/", QuoteView.as_view(), name="logistics-quote"),
        path(
            "webhooks/<slug:token>/",
            webhooks.CarrierWebhookView.as_view(),
            name="carrier-webhook",
        ),
    ]
