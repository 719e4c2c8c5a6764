"""Admin screens of the order desk, in the shared “Retaguarda” menu:
Pedidos (listing, detail, new order, import), Clientes, Canais de venda and
the post-sale survey report.

Orders change only through the services: their viewset has no generic edit,
copy or delete view. Customers are anonymised (LGPD), never deleted; channels
are deactivated, never deleted (their orders keep pointing at them).
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from content.forms import with_clean_text
from plugins.hooks import BACKOFFICE_MENU
from plugins.orders.forms import CustomerForm
from plugins.orders.models import Customer, Order, SalesChannel
from plugins.orders.views import customers as customer_views
from plugins.orders.views.detail import (
    OrderDetailView,
    OrderNoteView,
    OrderTransitionView,
)
from plugins.orders.views.listing import OrderFilterSet, OrderIndexView
from plugins.orders.views.new_order import (
    CustomerSearchView,
    NewOrderView,
    ProductSearchView,
)
from plugins.orders.views.survey import SurveyReportView, user_may_see_surveys
from plugins.tables import AbsoluteDateColumn, BooleanColumn
from plugins.viewsets import ScopedModelViewSet

#: Generic views a viewset below does not offer (their URL names are unset).
NO_VIEW = {
    "edit_url_name": None,
    "delete_url_name": None,
    "copy_url_name": None,
    "usage_url_name": None,
    "history_url_name": None,
    "inspect_url_name": None,
}


class OrderViewSet(ModelViewSet):
    model = Order
    name = "orders"
    icon = "form"
    menu_label = _("Orders")
    menu_name = "orders"
    menu_order = 100
    menu_hook = BACKOFFICE_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = OrderIndexView
    add_view_class = NewOrderView
    filterset_class = OrderFilterSet
    search_fields = ["number"]  # searched with OrderQuerySet.search
    search_backend_name = None
    ordering = ["-placed_at", "-pk"]
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **NO_VIEW,
            detail_url_name=self.get_url_name("detail"),
            transition_url_name=self.get_url_name("transition"),
            note_url_name=self.get_url_name("note"),
            customers_namespace="customers",
            **kwargs,
        )

    def get_add_view_kwargs(self, **kwargs):
        # Not the generic create view's (panel, form_class ...): NewOrderView
        # has forms of its own.
        return {
            "product_search_url_name": self.get_url_name("add_products"),
            "customer_search_url_name": self.get_url_name("add_customers"),
            **kwargs,
        }

    @property
    def detail_view(self):
        return self.construct_view(OrderDetailView)

    @property
    def survey_view(self):
        return self.construct_view(SurveyReportView)

    def get_urlpatterns(self):
        view = self.construct_view
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("new/products/", view(ProductSearchView), name="add_products"),
            path("new/customers/", view(CustomerSearchView), name="add_customers"),
            path("survey/", self.survey_view, name="survey"),
            path("<int:pk>/", self.detail_view, name="detail"),
            path(
                "<int:pk>/transition/<slug:transition>/",
                view(OrderTransitionView),
                name="transition",
            ),
            path("<int:pk>/note/", view(OrderNoteView), name="note"),
        ]

    def get_permissions_to_register(self):
        # "view" too: the order desk has a detail page instead of an inspect
        # view, and read-only roles are given view_order.
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Order)
        )

    @property
    def url_finder_class(self):
        # Links to an order (e.g. from the audit log) open its detail page.
        return type(
            "OrderURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("detail")},
        )


class SurveyMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_see_surveys(request.user)


def survey_menu_item():
    return SurveyMenuItem(
        _("Post-sale survey"),
        reverse("orders:survey"),
        name="order-survey",
        icon_name="tasks",
        order=130,
    )


class CustomerViewSet(ScopedModelViewSet):
    """Customers under :func:`plugins.orders.permissions.customer_policy`:
    listing, inspect, edit and history show an attendant the customers of
    their channels; any other customer answers 404."""

    model = Customer
    name = "customers"
    icon = "user"
    menu_label = _("Customers")
    menu_name = "customers"
    menu_order = 110
    menu_hook = BACKOFFICE_MENU
    add_to_reference_index = False
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = customer_views.CustomerIndexView
    edit_view_class = customer_views.CustomerEditView
    inspect_view_class = customer_views.CustomerInspectView
    history_view_class = customer_views.CustomerHistoryView
    list_display = [
        "name",
        Column("document", label=_("CPF or CNPJ"), accessor="document_display"),
        "email",
        "phone",
        AbsoluteDateColumn(
            "created_at", label=_("Customer since"), sort_key="created_at"
        ),
    ]
    list_export = ["name", "document", "email", "phone", "created_at"]
    search_fields = ["name", "email", "document"]
    search_backend_name = None
    ordering = ["name"]
    list_per_page = 50
    inspect_view_fields = [
        "name",
        "email",
        "phone",
        "document",
        "accepts_marketing",
        "accepts_data_sharing",
        "consent_updated_at",
        "created_at",
        "anonymised_at",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
            FieldPanel("document"),
            FieldRowPanel(
                [FieldPanel("accepts_marketing"), FieldPanel("accepts_data_sharing")]
            ),
            InlinePanel(
                "addresses",
                heading=_("Addresses"),
                label=_("Address"),
                panels=[
                    FieldRowPanel(
                        [FieldPanel("label"), FieldPanel("recipient")],
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("cep"),
                            FieldPanel("street"),
                            FieldPanel("number"),
                        ]
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("complement"),
                            FieldPanel("district"),
                            FieldPanel("city"),
                            FieldPanel("uf"),
                        ]
                    ),
                    FieldPanel("is_default"),
                ],
            ),
        ],
        base_form_class=CustomerForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None,
            usage_url_name=None,
            copy_url_name=None,
            export_data_url_name=self.get_url_name("export_data"),
            anonymise_url_name=self.get_url_name("anonymise"),
            new_order_url_name="orders:add",
            **kwargs,
        )

    def get_urlpatterns(self):
        view = self.construct_view
        dropped = {"delete", "usage", "copy"}
        return [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in dropped
        ] + [
            path(
                "export-data/<int:pk>/",
                view(customer_views.CustomerExportView),
                name="export_data",
            ),
            path(
                "anonymise/<int:pk>/",
                view(customer_views.CustomerAnonymiseView),
                name="anonymise",
            ),
        ]


class SalesChannelViewSet(ScopedModelViewSet):
    """Managers add and change channels; attendants see their own."""

    model = SalesChannel
    name = "sales-channels"
    icon = "site"
    menu_label = _("Sales channels")
    menu_name = "sales-channels"
    menu_order = 120
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = [
        "name",
        "code",
        Column("kind", label=_("kind"), accessor="get_kind_display"),
        "marketplace",
        BooleanColumn("accepts_custom_prices", label=_("Own prices")),
        BooleanColumn.for_field(SalesChannel, "active"),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code", "marketplace"]
    search_backend_name = None
    form_fields = [
        "code",
        "name",
        "kind",
        "marketplace",
        "accepts_custom_prices",
        "active",
    ]

    def get_form_class(self, for_update=False):
        return with_clean_text(super().get_form_class(for_update))

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in {"delete", "usage"}
        ]
