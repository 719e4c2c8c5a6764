"""URL patterns of the fiscal API, mounted at ``/api/v1/fiscal/``."""

from django.urls import path

from plugins.fiscal.api import customer


def api_routes() -> list:
    return [
        path(
            "nfe/<slug:token>/danfe/",
            customer.CustomerDanfeView.as_view(),
            name="nfe-danfe",
        ),
        path(
            "nfe/<slug:token>/xml/",
            customer.CustomerXmlView.as_view(),
            name="nfe-xml",
        ),
    ]
