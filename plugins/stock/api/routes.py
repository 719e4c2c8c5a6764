"""URL patterns of the stock API, mounted at ``/api/v1/stock/`` through
``plugins.hooks.API_ROUTES`` (see ``wagtail_hooks.py``)."""

from django.urls import path

from plugins.stock.api import staff as v
from plugins.stock.api import storefront as shop


def api_routes() -> list:
    return [
        path("availability/", shop.AvailabilityView.as_view(), name="availability"),
        path("holds/", shop.HoldCreateView.as_view(), name="hold-create"),
        path("holds/<slug:token>/", shop.HoldDetailView.as_view(), name="hold-detail"),
        path(
            "holds/<slug:token>/extend/",
            shop.HoldExtendView.as_view(),
            name="hold-extend",
        ),
        path("warehouses/", v.WarehouseListView.as_view(), name="warehouse-list"),
        path("levels/", v.LevelListView.as_view(), name="level-list"),
        path("movements/", v.MovementListView.as_view(), name="movement-list"),
        path("receipts/", v.ReceiptView.as_view(), name="receipt"),
        path("adjustments/", v.AdjustmentView.as_view(), name="adjustment"),
        path("transfers/", v.TransferListView.as_view(), name="transfer-list"),
        path(
            "transfers/<int:pk>/",
            v.TransferDetailView.as_view(),
            name="transfer-detail",
        ),
        path(
            "transfers/<int:pk>/receive/",
            v.TransferReceiveView.as_view(),
            name="transfer-receive",
        ),
        path("counts/", v.CountListView.as_view(), name="count-list"),
        path("counts/<int:pk>/", v.CountDetailView.as_view(), name="count-detail"),
        path("counts/<int:pk>/lines/", v.CountLinesView.as_view(), name="count-lines"),
        path("counts/<int:pk>/post/", v.CountPostView.as_view(), name="count-post"),
        path(
            "counts/<int:pk>/cancel/",
            v.CountCancelView.as_view(),
            name="count-cancel",
        ),
    ]
