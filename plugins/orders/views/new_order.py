"""“Novo pedido”: orders taken by phone and B2B sales, placed through
``services.place_order`` like every other order."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.exceptions import RetaguardaError
from plugins.orders import services
from plugins.orders.exceptions import InvalidOrder
from plugins.orders.forms import (
    AddressForm,
    CustomerDataForm,
    LineFormSet,
    NewOrderForm,
)
from plugins.orders.models import Customer
from plugins.orders.permissions import customer_policy, order_policy
from plugins.permissions import is_active_user

LINE_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


class NewOrderView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "orders/order/new.html"
    page_title = gettext_lazy("New order")
    header_icon = "plus"
    index_url_name = None
    detail_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not (
            is_active_user(request.user)
            and order_policy().user_has_permission(request.user, "add")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Orders")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_forms(self, data=None):
        user = self.request.user
        initial_customer, initial_address = self._customer_initial()
        return {
            "order_form": NewOrderForm(data, user=user, prefix="order"),
            "customer_form": CustomerDataForm(
                data, prefix="customer", initial=initial_customer
            ),
            "address_form": AddressForm(
                data, prefix="shipping_address", initial=initial_address
            ),
            "line_formset": LineFormSet(data, prefix="lines"),
        }

    def _customer_initial(self) -> tuple[dict, dict]:
        """Prefill from ``?customer=<pk>`` (the customer's page links here):
        only a customer the user may see (one with an order in their
        channels); any other is ignored."""
        pk = self.request.GET.get("customer", "")
        if not pk.isdigit():
            return {}, {}
        visible = customer_policy().filter_queryset(
            Customer.objects.all(), self.request.user, ["view"]
        )
        customer = visible.filter(pk=pk, anonymised_at__isnull=True).first()
        if customer is None:
            return {}, {}
        address = customer.addresses.first()
        return (
            {
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
                "document": customer.document_display,
            },
            address.snapshot() if address else {"recipient": customer.name},
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**self.get_forms()))

    def post(self, request, *args, **kwargs):
        forms = self.get_forms(request.POST)
        if all(
            form.is_valid()
            for form in (
                forms["order_form"],
                forms["customer_form"],
                forms["address_form"],
                forms["line_formset"],
            )
        ):
            order = self.place(**forms)
            if order is not None:
                messages.success(
                    request,
                    _("Order %(number)s placed.") % {"number": order.number},
                )
                return redirect(self.detail_url_name, order.pk)
        messages.error(request, _("The order could not be placed. See the errors."))
        return self.render_to_response(self.get_context_data(**forms))

    def place(self, *, order_form, customer_form, address_form, line_formset):
        data = order_form.cleaned_data
        lines = [
            form
            for form in line_formset.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]
        try:
            placement = services.place_order(
                channel=data["channel"],
                user=self.request.user,
                customer=customer_form.cleaned_data,
                shipping_address=address_form.cleaned_data,
                lines=[
                    {
                        "sku": form.cleaned_data["sku"],
                        "quantity": form.cleaned_data["quantity"],
                        "unit_price": form.cleaned_data.get("unit_price"),
                        "discount": form.cleaned_data.get("discount"),
                    }
                    for form in lines
                ],
                payment_method=data["payment_method"],
                installments=data["installments"],
                shipping_total=data.get("shipping_total"),
                discount_total=data.get("discount_total"),
                promised_delivery_date=data.get("promised_delivery_date"),
                note=data.get("note", ""),
            )
        except InvalidOrder as exc:
            show_errors(
                exc.errors,
                order_form=order_form,
                customer_form=customer_form,
                address_form=address_form,
                line_formset=line_formset,
                lines=lines,
            )
            if not exc.errors:
                order_form.add_error(None, exc.message)
            return None
        except PermissionDenied:
            order_form.add_error(
                "channel", _("You may not add orders to this sales channel.")
            )
            return None
        except RetaguardaError as exc:  # a hook refused (e.g. not enough stock)
            order_form.add_error(None, exc.message)
            return None
        return placement.order


def show_errors(
    errors, *, order_form, customer_form, address_form, line_formset, lines
):
    """Put the service's errors (``lines[0].sku``, ``customer.document``,
    ``shipping_address.cep`` ...) on the fields they are about."""
    for key, messages_ in errors.items():
        form, field = order_form, key
        if match := LINE_KEY.match(key):
            index, field = int(match.group(1)), match.group(2)
            form = lines[index] if index < len(lines) else order_form
        elif key == "lines":
            line_formset.non_form_errors().extend(messages_)
            continue
        elif key.startswith("customer."):
            form, field = customer_form, key.split(".", 1)[1]
        elif key.startswith(("shipping_address.", "billing_address.")):
            form, field = address_form, key.split(".", 1)[1]
        if field not in form.fields:
            field = None
        for message in messages_:
            form.add_error(field, message)
