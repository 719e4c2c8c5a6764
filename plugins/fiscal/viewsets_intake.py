"""The supplier NF-e viewset, in the Fiscal menu: the listing (filters,
search, export) and the screens of :mod:`plugins.fiscal.views_intake`.
Supplier NF-e change only through the intake service: no generic create,
edit, copy or delete view."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.fiscal import views_intake as views
from plugins.fiscal.menu import FISCAL_MENU
from plugins.fiscal.models import SupplierInvoice

NO_GENERIC_VIEWS = {
    "edit_url_name": None,
    "delete_url_name": None,
    "copy_url_name": None,
    "usage_url_name": None,
    "history_url_name": None,
    "inspect_url_name": None,
}


class InvoiceURLFinder(ModelAdminURLFinder):
    """Links to a supplier NF-e (from the audit log) open its page."""

    def construct_edit_url(self, instance):
        return views.invoice_url(instance)

    def get_edit_url(self, instance):
        return self.construct_edit_url(instance)


class SupplierInvoiceViewSet(ModelViewSet):
    model = SupplierInvoice
    name = views.INVOICES
    url_prefix = "fiscal/supplier-nfe"
    icon = "download"
    menu_label = _("Supplier NF-e")
    menu_name = "fiscal-supplier-nfe"
    menu_order = 60
    menu_hook = FISCAL_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = views.InvoiceIndexView
    filterset_class = views.InvoiceFilterSet
    url_finder_class = InvoiceURLFinder
    list_per_page = 50
    list_export = [
        "emitter",
        "supplier_name",
        "supplier_cnpj",
        "number",
        "series",
        "issued_at",
        "total",
        "status",
        "access_key",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**NO_GENERIC_VIEWS, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", views.UploadView.as_view(), name="add"),
            path("<int:pk>/", views.DetailView.as_view(), name="detail"),
            path("<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
            path("<int:pk>/discard/", views.DiscardView.as_view(), name="discard"),
            path("<int:pk>/xml/", views.XmlView.as_view(), name="xml"),
        ]
