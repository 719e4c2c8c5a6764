"""Logística › Returns: the listing (the returns of the carriers the user
sees), a return's page with its actions — authorise (the carrier's reverse
code), refuse, receive at a warehouse — each a form with a confirmation,
and "New return" from the order (:mod:`plugins.logistics.services.returns`).
A return the user may not see does not exist (404); one they see but whose
carrier they do not ship with is denied."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.display import absolute_date
from plugins.exceptions import RetaguardaError
from plugins.logistics.forms_setup import warehouse_choices
from plugins.logistics.menu import LOGISTICS_MENU
from plugins.logistics.models import (
    Carrier,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    Shipment,
)
from plugins.logistics.permissions import (
    carrier_policy,
    return_policy,
    shipment_policy,
    user_can_ship,
)
from plugins.logistics.services import returns as service
from plugins.orders.models import Order
from plugins.orders.status import OrderStatus
from plugins.permissions import is_active_user
from plugins.viewsets import ScopedIndexView, ScopedInspectView, ScopedModelViewSet

RETURNS = "logistics_returns"
AUTHORISE = "logistics_return_authorise"
REFUSE = "logistics_return_refuse"
RECEIVE = "logistics_return_receive"
NEW_RETURN = "logistics_order_return"


def return_url(ret) -> str:
    return reverse(f"{RETURNS}:inspect", args=[ret.pk])


def items_text(ret) -> str:
    return ", ".join(f"{item['quantity']} × {item['sku']}" for item in ret.items)


class ReturnFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=ReturnStatus.choices
    )
    carrier = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Carrier"), queryset=Carrier.objects.none()
    )

    class Meta:
        model = ReturnRequest
        fields = ["status", "carrier"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        self.filters["carrier"].queryset = carrier_policy().scope_objects(user, "view")


class ReturnIndexView(ScopedIndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("order", "carrier")

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "order",
                label=_("Order"),
                accessor=lambda r: r.order.number,
                get_url=return_url,
                sort_key="order__number",
            ),
            Column("carrier", label=_("Carrier"), accessor=lambda r: r.carrier.name),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("reason", label=_("Reason"), accessor="get_reason_display"),
            Column("items", label=_("Items"), accessor=items_text),
            Column("tracking_code", label=_("Tracking code")),
            Column(
                "created_at",
                label=_("Requested at"),
                accessor=lambda r: absolute_date(r.created_at),
                sort_key="created_at",
            ),
        ]


class ReturnInspectView(ScopedInspectView):
    template_name = "logistics/returns/inspect.html"

    def get_context_data(self, **kwargs):
        ret = self.object
        user = self.request.user
        may_act = user_can_ship(user, ret.carrier)
        return super().get_context_data(
            ret=ret,
            items=ret.items,
            may_authorise=may_act and ret.status == ReturnStatus.REQUESTED,
            may_refuse=may_act
            and ret.status in (ReturnStatus.REQUESTED, ReturnStatus.AUTHORISED),
            may_receive=may_act
            and ret.status in (ReturnStatus.AUTHORISED, ReturnStatus.IN_TRANSIT),
            authorise_url=reverse(AUTHORISE, args=[ret.pk]),
            refuse_url=reverse(REFUSE, args=[ret.pk]),
            receive_url=reverse(RECEIVE, args=[ret.pk]),
            **kwargs,
        )


class ReturnViewSet(ScopedModelViewSet):
    model = ReturnRequest
    name = RETURNS
    url_prefix = "logistics/returns"
    icon = "resubmit"
    menu_label = gettext_lazy("Returns")
    menu_name = "logistics-returns"
    menu_order = 30
    menu_hook = LOGISTICS_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ReturnIndexView
    inspect_view_class = ReturnInspectView
    filterset_class = ReturnFilterSet
    search_fields = ["order__number", "tracking_code", "authorisation_code"]
    # no add or edit views: returns change through the services only
    form_fields = ["comment"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            copy_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            p
            for p in super().get_urlpatterns()
            if p.name
            in ("index", "index_results", "inspect", "history", "history_results")
        ]


# -- actions ---------------------------------------------------------------------


class ConfirmForm(forms.Form):
    pass


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The customer reads it."),
    )


class ReceiveForm(forms.Form):
    warehouse_code = forms.CharField(
        label=gettext_lazy("Warehouse"), max_length=20, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = warehouse_choices()
        if choices:
            self.fields["warehouse_code"] = forms.ChoiceField(
                label=gettext_lazy("Warehouse"),
                choices=choices,
                help_text=gettext_lazy("Where the items came back to."),
            )


class ReturnActionView(WagtailAdminTemplateMixin, FormView):
    """A form about one return, with a confirmation button."""

    template_name = "logistics/returns/action.html"
    form_class = ConfirmForm
    header_icon = "resubmit"
    button = ""
    explanation = ""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not is_active_user(user) or not return_policy().user_has_any_permission(
            user, ["view"]
        ):
            raise PermissionDenied
        self.ret = get_object_or_404(
            return_policy()
            .filter_queryset(ReturnRequest.objects.all(), user, ["view"])
            .select_related("order", "carrier"),
            pk=kwargs["pk"],
        )
        if not user_can_ship(user, self.ret.carrier):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{RETURNS}:index"), "label": _("Returns")},
            {"url": return_url(self.ret), "label": str(self.ret)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return str(self.ret)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            ret=self.ret,
            return_url=return_url(self.ret),
            button=self.button,
            explanation=self.explanation,
            **kwargs,
        )

    def act(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.act(form)
        except RetaguardaError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(return_url(self.ret))


class AuthoriseView(ReturnActionView):
    page_title = gettext_lazy("Authorise the return")
    button = gettext_lazy("Ask the carrier for the return code")
    explanation = gettext_lazy(
        "The carrier gives an authorisation code and the tracking code the "
        "customer posts the parcel with."
    )

    def act(self, form):
        ret = service.authorise_return(self.ret, self.request.user)
        return _("Return authorised: code %(code)s, tracking code %(tracking)s.") % {
            "code": ret.authorisation_code,
            "tracking": ret.tracking_code or "—",
        }


class RefuseView(ReturnActionView):
    page_title = gettext_lazy("Refuse the return")
    form_class = RefuseForm
    button = gettext_lazy("Refuse the return")

    def act(self, form):
        service.refuse_return(self.ret, form.cleaned_data["reason"], self.request.user)
        return _("Return refused.")


class ReceiveView(ReturnActionView):
    page_title = gettext_lazy("Receive the return")
    form_class = ReceiveForm
    button = gettext_lazy("Items received")
    explanation = gettext_lazy(
        "The items go back into stock at the warehouse chosen; the return "
        "NF-e is issued when the order has an authorised NF-e; an order "
        "whose every item came back in this return is marked returned."
    )

    def act(self, form):
        service.receive_return(
            self.ret,
            warehouse_code=form.cleaned_data.get("warehouse_code", ""),
            user=self.request.user,
        )
        return _("Return received.")


# -- a new return from the order ---------------------------------------------------


class NewReturnForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=ReturnReason.choices
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        left = service.returnable_units(order)
        self.lines = list(order.lines.all())
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=_("Units of %(sku)s") % {"sku": line.sku},
                min_value=0,
                max_value=left.get(line.pk, 0),
                initial=0,
                required=False,
            )

    def items(self) -> list[dict]:
        return [
            {"line": line.pk, "quantity": self.cleaned_data.get(f"line_{line.pk}")}
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}")
        ]

    def rows(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]


class NewReturnView(WagtailAdminTemplateMixin, FormView):
    """Staff record a customer's return request for a delivered order of a
    carrier they ship with."""

    template_name = "logistics/returns/new.html"
    form_class = NewReturnForm
    page_title = gettext_lazy("New return")
    header_icon = "resubmit"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not is_active_user(user) or not shipment_policy().user_has_any_permission(
            user, ["view"]
        ):
            raise PermissionDenied
        shipments = shipment_policy().filter_queryset(
            Shipment.objects.filter(order=kwargs["pk"]), user, ["view"]
        )
        if not shipments.exists():
            raise Http404
        self.order = get_object_or_404(Order, pk=kwargs["pk"])
        shipment = service.delivered_shipment(self.order)
        if shipment is None or not user_can_ship(user, shipment.carrier):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "order": self.order}

    def get_page_subtitle(self):
        return _("Order %(number)s") % {"number": self.order.number}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{RETURNS}:index"), "label": _("Returns")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            order=self.order,
            delivered=self.order.status == OrderStatus.DELIVERED,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            ret = service.request_return(
                self.order,
                items=form.items(),
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
                via=ReturnRequest.Channel.STAFF,
                user=self.request.user,
            )
        except RetaguardaError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Return requested."))
        return redirect(return_url(ret))
