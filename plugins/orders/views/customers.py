"""Customer screens: the model viewset's views under the customers' policy
(an attendant sees the customers of the channels they work; others answer
404), and the LGPD actions (export the customer's data, anonymise the
customer), each with a confirmation step, a permission of its own and
audited by the services."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button

from content.validators import normalise_document, only_digits
from plugins.orders.customers import anonymise_customer, export_customer_data
from plugins.orders.models import Customer
from plugins.orders.permissions import (
    ANONYMISE_CUSTOMER,
    EXPORT_CUSTOMER_DATA,
    customer_policy,
    order_policy,
)
from plugins.permissions import is_active_user
from plugins.viewsets import (
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedInspectView,
    VisibleObjectMixin,
)

EXPORT_PERMISSION = EXPORT_CUSTOMER_DATA
ANONYMISE_PERMISSION = ANONYMISE_CUSTOMER


class CustomerButtonsMixin:
    """LGPD actions and “new order” in the header of the customer's pages."""

    export_data_url_name = None
    anonymise_url_name = None
    new_order_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        user, customer = self.request.user, self.object
        if customer.anonymised_at:
            return buttons
        if self.new_order_url_name and order_policy().user_has_permission(user, "add"):
            buttons.append(
                Button(
                    _("New order"),
                    url=reverse(self.new_order_url_name) + f"?customer={customer.pk}",
                    icon_name="plus",
                    priority=40,
                )
            )
        if self.export_data_url_name and user.has_perm(EXPORT_PERMISSION):
            buttons.append(
                Button(
                    _("Export data (LGPD)"),
                    url=reverse(self.export_data_url_name, args=[customer.pk]),
                    icon_name="download",
                    priority=50,
                )
            )
        if self.anonymise_url_name and user.has_perm(ANONYMISE_PERMISSION):
            buttons.append(
                Button(
                    _("Anonymise"),
                    url=reverse(self.anonymise_url_name, args=[customer.pk]),
                    icon_name="bin",
                    priority=60,
                )
            )
        from plugins.orders.services.merging import user_can_merge_customers

        if user_can_merge_customers(user):
            buttons.append(
                Button(
                    _("Merge into another customer"),
                    url=reverse("orders_customer_merge", args=[customer.pk]),
                    icon_name="resubmit",
                    priority=55,
                )
            )
        return buttons


class CustomerIndexView(ScopedIndexView):
    """Search by name, e-mail, or CPF/CNPJ with or without punctuation."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        condition = Q(name__icontains=query) | Q(email__icontains=query)
        if digits := only_digits(query):
            condition |= Q(document__contains=digits)
        document = normalise_document(query)
        if document != digits and document.isascii() and document.isalnum():
            # part of an alphanumeric CNPJ, with or without punctuation
            condition |= Q(document__contains=document)
        return queryset.filter(condition)


class CustomerEditView(CustomerButtonsMixin, VisibleObjectMixin, ScopedEditView):
    pass


class CustomerInspectView(CustomerButtonsMixin, VisibleObjectMixin, ScopedInspectView):
    def get_document_display_value(self):
        # "123.456.789-09", as the listing shows it
        return self.object.document_display or None


class CustomerHistoryView(VisibleObjectMixin, ScopedHistoryView):
    pass


class CustomerActionView(WagtailAdminTemplateMixin, TemplateView):
    """GET asks for confirmation; POST acts."""

    template_name = "orders/customer/confirm.html"
    permission = ""
    header_icon = "user"
    index_url_name = None
    inspect_url_name = None

    def dispatch(self, request, *args, **kwargs):
        user, policy = request.user, customer_policy()
        if not (is_active_user(user) and policy.user_has_permission(user, "view")):
            raise PermissionDenied
        # Out of the user's scope: 404, whatever they may do elsewhere.
        visible = policy.filter_queryset(Customer.objects.all(), user, ["view"])
        self.customer = get_object_or_404(visible, pk=kwargs["pk"])
        if not user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.customer)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Customers")},
            {
                "url": reverse(self.inspect_url_name, args=[self.customer.pk]),
                "label": str(self.customer),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            customer=self.customer,
            # The customer's page, which everyone who may act here may see
            # (the privacy officer and the manager may not edit customers).
            cancel_url=reverse(self.inspect_url_name, args=[self.customer.pk]),
        )
        return context


class CustomerExportView(CustomerActionView):
    """The LGPD access right: everything stored about the customer, as JSON."""

    permission = EXPORT_PERMISSION
    page_title = gettext_lazy("Export data (LGPD)")
    action = "export"

    def post(self, request, *args, **kwargs):
        data = export_customer_data(self.customer, user=request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = f"cliente-{self.customer.pk}-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class CustomerAnonymiseView(CustomerActionView):
    """The LGPD erasure right: personal data removed, orders kept."""

    permission = ANONYMISE_PERMISSION
    page_title = gettext_lazy("Anonymise customer")
    action = "anonymise"

    def post(self, request, *args, **kwargs):
        if self.customer.anonymised_at:
            messages.warning(request, _("This customer was anonymised already."))
        else:
            anonymise_customer(self.customer, user=request.user)
            messages.success(
                request,
                _("Customer anonymised: personal data removed, orders kept."),
            )
        return redirect(self.inspect_url_name, self.customer.pk)
