"""“Novo pedido”: orders taken by phone and B2B sales, placed through
``services.place_order`` like every other order.

The screen is one form (channel, payment, customer, address, any number of
lines in a formset, amounts). Two JSON endpoints help the attendant fill it:
the product search (name, SKU, price, units available) and the customer
lookup (CPF/CNPJ, name or e-mail, among the customers the user may see). The
running total the browser shows is a preview: on submit the service prices
the lines from the catalog and refuses the amounts the channel does not let
staff state."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.validators import normalise_document, only_digits
from plugins import hooks
from plugins.exceptions import RetaguardaError
from plugins.money import format_br_decimal
from plugins.orders import hooks as order_hooks
from plugins.orders import services
from plugins.orders.exceptions import InvalidOrder
from plugins.orders.forms import (
    AddressForm,
    CustomerDataForm,
    LineFormSet,
    NewOrderForm,
)
from plugins.orders.models import Customer, PaymentMethod
from plugins.orders.permissions import customer_policy, order_policy
from plugins.orders.services.validation import parse_line_key
from plugins.permissions import is_active_user

#: Results of a search: enough to pick from, few enough to read.
SEARCH_LIMIT = 20
#: Characters typed before a search runs.
MIN_QUERY = 2


def user_may_place_orders(user) -> bool:
    """Whether ``user`` may add orders on at least one channel."""
    return is_active_user(user) and order_policy().user_has_permission(user, "add")


class OrderDeskMixin:
    """The new-order screen and its endpoints: for who may add orders."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_place_orders(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# -- the product search -------------------------------------------------------------


def sellable_variants():
    """Variants the order desk may sell: active, of a live product."""
    from content.models import Variant

    return (
        Variant.objects.filter(active=True, product__live=True)
        .select_related("product")
        .only(
            "sku",
            "price",
            "option1",
            "option2",
            "option3",
            "product__name",
            "product__live",
        )
    )


def available_units(skus: list[str]) -> dict[str, int | None]:
    """Units available per SKU, from the plugins that track stock
    (``AVAILABLE_UNITS``); empty without one."""
    found: dict[str, int | None] = {}
    if skus:
        for result in hooks.collect(order_hooks.AVAILABLE_UNITS, skus=skus):
            found.update(result)
    return found


def product_payloads(variants) -> list[dict]:
    """What the line of an order shows of a product: name, SKU, price (the
    catalog's, in reais and as typed in Brazil), units available."""
    variants = list(variants)
    units = available_units([v.sku for v in variants])
    return [
        {
            "sku": v.sku,
            "name": v.product.name,
            "variant": " / ".join(o for o in (v.option1, v.option2, v.option3) if o),
            "price": str(v.price),
            "price_cents": int(v.price * 100),
            "price_display": format_br_decimal(v.price),
            "available": units.get(v.sku),
        }
        for v in variants
    ]


def search_products(query: str, *, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Sellable variants whose SKU or product name contains ``query``: the
    exact SKU first, then SKUs starting with it, then by name. Two queries
    whatever the number of results (the variants, the stock)."""
    query = query.strip()
    if len(query) < MIN_QUERY:
        return []
    variants = (
        sellable_variants()
        .filter(Q(sku__icontains=query) | Q(product__name__icontains=query))
        .annotate(
            rank=Case(
                When(sku__iexact=query, then=Value(0)),
                When(sku__istartswith=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "product__name", "sort_order", "pk")[:limit]
    )
    return product_payloads(variants)


class ProductSearchView(OrderDeskMixin, View):
    """``GET ?q=`` → ``{"results": [{sku, name, variant, price, price_display,
    available}]}``. The catalog's live products only; prices are the
    catalog's, the same on every channel (a channel at its own prices states
    them per line)."""

    def get(self, request):
        return JsonResponse({"results": search_products(request.GET.get("q", ""))})


# -- the customer lookup ---------------------------------------------------------------


def visible_customers(user):
    """Customers ``user`` may see (an order in one of their channels; every
    customer with a model-level permission), not anonymised."""
    return customer_policy().filter_queryset(
        Customer.objects.filter(anonymised_at__isnull=True), user, ["view"]
    )


def search_customers(user, query: str, *, limit: int = 10) -> list[dict]:
    """Customers ``user`` may see whose CPF/CNPJ (typed with or without
    punctuation), name or e-mail match ``query``. Nobody else: a customer out
    of the user's scope is found by the service on submit, by document,
    without the screen learning of them."""
    query = query.strip()
    if len(query) < MIN_QUERY:
        return []
    document = normalise_document(query)
    condition = Q(name__icontains=query) | Q(email__icontains=query)
    if len(only_digits(query)) >= 3 and re.fullmatch(r"[0-9A-Z]+", document):
        condition |= Q(document__startswith=document)
    # The scope filter may join orders: match the ids, then read the rows.
    ids = visible_customers(user).filter(condition).values("pk")
    customers = (
        Customer.objects.filter(pk__in=ids)
        .order_by("name", "pk")
        .prefetch_related("addresses")[:limit]
    )
    results = []
    for customer in customers:
        address = next(iter(customer.addresses.all()), None)
        results.append(
            {
                "id": customer.pk,
                "name": customer.name,
                "document": customer.document_display,
                "email": customer.email,
                "phone": customer.phone,
                "address": address.snapshot() if address else None,
            }
        )
    return results


class CustomerSearchView(OrderDeskMixin, View):
    """``GET ?q=`` → ``{"results": [{id, name, document, email, phone,
    address}]}``, among the customers the user may see."""

    def get(self, request):
        return JsonResponse(
            {"results": search_customers(request.user, request.GET.get("q", ""))}
        )


# -- the screen ---------------------------------------------------------------------


#: The texts the screen's script shows (``#new-order-strings``).
SCREEN_STRINGS = {
    "nothing_found": gettext_lazy("Nothing found."),
    "available": gettext_lazy("%(count)s available"),
    "not_tracked": gettext_lazy("stock not tracked"),
    "short": gettext_lazy("Only %(count)s available"),
    "duplicate": gettext_lazy(
        "Already in item %(number)s: add the quantity there instead."
    ),
    "customer_chosen": gettext_lazy(
        "Registered customer: %(name)s. Check the data and the address below."
    ),
    "new_customer": gettext_lazy(
        "New customer: fill in the name, CPF/CNPJ, e-mail and phone below."
    ),
    "installments": gettext_lazy("%(count)s× of %(value)s"),
    "installments_first": gettext_lazy(
        "%(count)s× of %(value)s (the first of %(first)s)"
    ),
}


class NewOrderView(OrderDeskMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "orders/order/new.html"
    page_title = gettext_lazy("New order")
    header_icon = "plus"
    index_url_name = None
    detail_url_name = None
    product_search_url_name = "orders:add_products"
    customer_search_url_name = "orders:add_customers"

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
        customer = visible_customers(self.request.user).filter(pk=pk).first()
        if customer is None:
            return {}, {}
        address = customer.addresses.first()
        return (
            {
                "id": customer.pk,
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
                "document": customer.document_display,
            },
            address.snapshot() if address else {"recipient": customer.name},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = kwargs["line_formset"]
        skus = [
            sku
            for form in formset.forms
            if (sku := (form["sku"].value() or "").strip())
        ]
        products = {
            p["sku"]: p
            for p in product_payloads(sellable_variants().filter(sku__in=skus))
        }
        context.update(
            line_rows=[
                (form, products.get((form["sku"].value() or "").strip()))
                for form in formset.forms
            ],
            error_summary=error_summary(**kwargs),
            product_search_url=reverse(self.product_search_url_name),
            customer_search_url=reverse(self.customer_search_url_name),
            card_method=PaymentMethod.CARD,
            strings=SCREEN_STRINGS,
        )
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**self.get_forms()))

    def post(self, request, *args, **kwargs):
        forms = self.get_forms(request.POST)
        # Every form is validated (no short circuit): all errors show at once.
        valid = [
            form.is_valid()
            for form in (
                forms["order_form"],
                forms["customer_form"],
                forms["address_form"],
                forms["line_formset"],
            )
        ]
        if all(valid):
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
                customer_id=customer_form.cleaned_data.get("id"),
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
        if line := parse_line_key(key):
            index, field = line
            form = lines[index] if index < len(lines) else order_form
        elif key == "lines":
            line_formset.non_form_errors().extend(messages_)
            continue
        elif key == "customer":
            form, field = customer_form, None
        elif key.startswith("customer."):
            form, field = customer_form, key.split(".", 1)[1]
        elif key.startswith(("shipping_address.", "billing_address.")):
            form, field = address_form, key.split(".", 1)[1]
        if field is not None and field not in form.fields:
            field = None
        for message in messages_:
            form.add_error(field, message)


def error_summary(
    *, order_form, customer_form, address_form, line_formset
) -> list[dict]:
    """Every error of the screen, in the order of the form, for the summary
    at its top: ``{"label", "message", "id"}`` (``id``: the field to go to)."""
    if not order_form.is_bound:
        return []
    summary = []

    def add(form, heading=""):
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = str(form[name].label) if field is not None else ""
            if heading:
                label = f"{heading} — {label}" if label else heading
            element_id = form[name].auto_id if field is not None else ""
            for message in errors:
                summary.append({"label": label, "message": message, "id": element_id})

    add(order_form)
    add(customer_form, _("Customer"))
    add(address_form, _("Shipping address"))
    for message in line_formset.non_form_errors():
        summary.append({"label": _("Items"), "message": message, "id": ""})
    number = 0
    for form in line_formset.forms:
        if form["DELETE"].value():
            continue
        number += 1
        add(form, _("Item %(number)s") % {"number": number})
    return summary
