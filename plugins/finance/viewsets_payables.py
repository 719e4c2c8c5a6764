"""The payables screens in the "Finance" menu: Bills to pay, Installments
(with Overdue and Due this week), Suppliers and the Chart of accounts.

Bills and installments change only through the services: their viewsets
have no generic create, edit, copy or delete view, but screens of their own
(:mod:`plugins.finance.views_payables`). Suppliers and categories are
deactivated, not deleted (bills point at them).
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from plugins.finance import views_payables as views
from plugins.finance.forms import admin_form
from plugins.finance.forms_payables import BillCategoryForm, SupplierForm
from plugins.finance.models import Bill, BillCategory, BillInstallment, Supplier
from plugins.finance.permissions import PayablesPerm, user_may
from plugins.finance.viewsets import FINANCE_MENU
from plugins.tables import BooleanColumn

NO_GENERIC_VIEWS = {
    "edit_url_name": None,
    "delete_url_name": None,
    "copy_url_name": None,
    "usage_url_name": None,
    "history_url_name": None,
    "inspect_url_name": None,
}


class BillURLFinder(ModelAdminURLFinder):
    """Links to a bill (from the audit log) open its page."""

    def construct_edit_url(self, instance):
        return views.bill_url(instance)

    def get_edit_url(self, instance):
        return self.construct_edit_url(instance)


class BillViewSet(ModelViewSet):
    model = Bill
    name = views.BILLS
    url_prefix = "finance/bills"
    icon = "doc-full"
    menu_label = _("Bills to pay")
    menu_name = "finance-bills"
    menu_order = 40
    menu_hook = FINANCE_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = views.BillIndexView
    filterset_class = views.BillFilterSet
    url_finder_class = BillURLFinder
    list_per_page = 50
    list_export = [
        "supplier",
        "category",
        "description",
        "document_number",
        "issue_date",
        "total",
        "status",
        "created_at",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**NO_GENERIC_VIEWS, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", views.BillCreateView.as_view(), name="add"),
            path("<int:pk>/", views.BillDetailView.as_view(), name="detail"),
            path("<int:pk>/approve/", views.BillApproveView.as_view(), name="approve"),
            path("<int:pk>/cancel/", views.BillCancelView.as_view(), name="cancel"),
            path(
                "<int:pk>/attachments/", views.BillAttachView.as_view(), name="attach"
            ),
            path(
                "attachments/<int:pk>/",
                views.AttachmentDownloadView.as_view(),
                name="attachment",
            ),
            path(
                "installments/<int:pk>/pay/",
                views.InstallmentPayView.as_view(),
                name="pay",
            ),
            path(
                "installments/<int:pk>/boleto/",
                views.InstallmentBoletoView.as_view(),
                name="boleto",
            ),
        ]


class InstallmentViewSet(ModelViewSet):
    model = BillInstallment
    name = views.INSTALLMENTS
    url_prefix = "finance/bill-installments"
    icon = "date"
    menu_label = _("Installments to pay")
    menu_name = "finance-bill-installments"
    menu_order = 41
    menu_hook = FINANCE_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = views.InstallmentIndexView
    filterset_class = views.InstallmentFilterSet
    list_per_page = 50
    list_export = [
        "bill",
        "number",
        "due_date",
        "amount",
        "status",
        "boleto_line",
        "paid_on",
        "amount_paid",
        "paid_from",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **NO_GENERIC_VIEWS, add_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class SupplierViewSet(ModelViewSet):
    model = Supplier
    name = "finance_suppliers"
    url_prefix = "finance/suppliers"
    icon = "group"
    menu_label = _("Suppliers")
    menu_name = "finance-suppliers"
    menu_order = 80
    menu_hook = FINANCE_MENU
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        "document_display",
        "email",
        "phone",
        BooleanColumn.for_field(Supplier, "active"),
    ]
    list_filter = ["active"]
    list_export = [
        "name",
        "document",
        "email",
        "phone",
        "pix_key",
        "bank_code",
        "bank_branch",
        "bank_account",
        "active",
    ]
    search_fields = ["name", "document", "email"]

    def get_form_class(self, for_update=False):
        return admin_form(SupplierForm)

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)


class BillCategoryViewSet(ModelViewSet):
    model = BillCategory
    name = "finance_bill_categories"
    url_prefix = "finance/chart-of-accounts"
    icon = "list-ul"
    menu_label = _("Chart of accounts")
    menu_name = "finance-chart-of-accounts"
    menu_order = 85
    menu_hook = FINANCE_MENU
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "code",
        "name",
        "parent",
        BooleanColumn.for_field(BillCategory, "active"),
    ]
    list_filter = ["active"]
    list_export = ["code", "name", "parent", "active"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    # the whole chart on one page
    list_per_page = 200

    def get_form_class(self, for_update=False):
        return admin_form(BillCategoryForm)

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)


def _due_item(label, due: str, name: str, icon: str, order: int):
    class DueMenuItem(MenuItem):
        def is_shown(self, request):
            return user_may(request.user, PayablesPerm.VIEW_BILL)

    return lambda: DueMenuItem(
        label,
        reverse(f"{views.INSTALLMENTS}:index") + f"?due={due}",
        name=name,
        icon_name=icon,
        order=order,
    )


#: Menu items of the two lists a clerk opens every day, for FINANCE_MENU.
MENU_ITEMS = (
    _due_item(_("Overdue bills"), "overdue", "finance-overdue", "warning", 42),
    _due_item(_("Due this week"), "this_week", "finance-due-week", "time", 43),
)
