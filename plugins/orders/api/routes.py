"""URL patterns of the orders API, mounted at ``/api/v1/orders/`` through
``plugins.hooks.API_ROUTES`` (see ``wagtail_hooks.py``)."""

from django.urls import path

from plugins.orders.api.views import customers, staff, storefront


def api_routes() -> list:
    return [
        path("", storefront.PlaceOrderView.as_view(), name="order-place"),
        path(
            "status/<slug:token>/",
            storefront.OrderStatusView.as_view(),
            name="order-status",
        ),
        path(
            "status/<slug:token>/cancel/",
            storefront.CustomerCancelView.as_view(),
            name="order-cancel",
        ),
        path(
            "survey/<slug:token>/",
            storefront.SurveyAnswerView.as_view(),
            name="survey-answer",
        ),
        path("staff/", staff.StaffOrderListView.as_view(), name="staff-order-list"),
        # Before staff/<number>/: "customers" is not an order number.
        path(
            "staff/customers/",
            customers.StaffCustomerListView.as_view(),
            name="staff-customer-list",
        ),
        path(
            "staff/customers/<int:pk>/",
            customers.StaffCustomerDetailView.as_view(),
            name="staff-customer-detail",
        ),
        path(
            "staff/customers/<int:pk>/history/",
            customers.StaffCustomerHistoryView.as_view(),
            name="staff-customer-history",
        ),
        path(
            "staff/customers/<int:pk>/export/",
            customers.StaffCustomerExportView.as_view(),
            name="staff-customer-export",
        ),
        path(
            "staff/customers/<int:pk>/anonymise/",
            customers.StaffCustomerAnonymiseView.as_view(),
            name="staff-customer-anonymise",
        ),
        path(
            "staff/<slug:number>/",
            staff.StaffOrderDetailView.as_view(),
            name="staff-order-detail",
        ),
        path(
            "staff/<slug:number>/transitions/<slug:name>/",
            staff.StaffTransitionView.as_view(),
            name="staff-order-transition",
        ),
        path(
            "staff/<slug:number>/notes/",
            staff.StaffNoteView.as_view(),
            name="staff-order-note",
        ),
        path("import/", staff.OrderIntakeView.as_view(), name="order-import"),
    ]
