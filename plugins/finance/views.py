"""Finance actions on other plugins' screens."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.exceptions import RetaguardaError
from plugins.finance.models import Payment, Provider, ProviderEvent
from plugins.finance.panels import ManualPaymentForm
from plugins.finance.services import Outcome, register_manual_payment
from plugins.finance.services.events import (
    REPROCESS_PERMISSION,
    REPROCESSABLE,
    reprocess,
)
from plugins.finance.services.refunds import (
    REFUND_PERMISSION,
    refund_payment,
    refundable,
)
from plugins.money import MoneyField, format_brl
from plugins.orders.models import Order
from plugins.orders.permissions import order_policy
from plugins.permissions import is_active_user


class ManualPaymentView(View):
    """POST: register a manual payment of the order's total (the order's
    screen shows the form). An order the user may not see does not exist."""

    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        if not (
            is_active_user(user) and user.has_perm("finance.register_manual_payment")
        ):
            raise PermissionDenied
        visible = order_policy().filter_queryset(Order.objects.all(), user, ["view"])
        order = get_object_or_404(visible, pk=pk)
        detail = reverse("orders:detail", args=[order.pk])
        form = ManualPaymentForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("The payment was not registered: %s")
                % "; ".join(str(e) for errors in form.errors.values() for e in errors),
            )
            return redirect(detail)
        try:
            payment = register_manual_payment(
                order,
                account=form.cleaned_data["account"],
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
                user=user,
            )
        except RetaguardaError as error:
            messages.error(request, error.message)
            return redirect(detail)
        messages.success(
            request,
            _("Payment of %(amount)s registered: order %(number)s is paid.")
            % {"amount": format_brl(payment.amount), "number": order.number},
        )
        return redirect(detail)


class RefundForm(forms.Form):
    amount = MoneyField(
        label=gettext_lazy("Amount to refund"),
        required=False,
        help_text=gettext_lazy("Leave blank to refund everything that is left."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)

    def __init__(self, *args, left, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["placeholder"] = format_brl(left)


class RefundView(WagtailAdminTemplateMixin, FormView):
    """*Estornar*: GET asks for the confirmation (the amount, all that is
    left by default, and the reason), POST refunds through the provider
    (:func:`~plugins.finance.services.refunds.refund_payment`). Only holders
    of ``finance.refund_payment``; a payment of an order the user may not
    see does not exist."""

    template_name = "finance/refund_form.html"
    page_title = gettext_lazy("Refund a payment")
    header_icon = "undo"
    form_class = RefundForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (is_active_user(user) and user.has_perm(REFUND_PERMISSION)):
            raise PermissionDenied
        visible = order_policy().filter_queryset(Order.objects.all(), user, ["view"])
        self.payment = get_object_or_404(
            Payment.objects.select_related("order", "account").filter(
                order__in=visible
            ),
            pk=kwargs["pk"],
        )
        self.order_url = reverse("orders:detail", args=[self.payment.order_id])
        return super().dispatch(request, *args, **kwargs)

    def nothing_left(self) -> str:
        if refundable(self.payment) > 0:
            return ""
        return _("This payment is “%(status)s”: there is nothing to refund.") % {
            "status": self.payment.get_status_display()
        }

    def post(self, request, *args, **kwargs):
        if message := self.nothing_left():
            messages.error(request, message)
            return redirect(self.order_url)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "left": refundable(self.payment)}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("orders:index"), "label": _("Orders")},
            {"url": self.order_url, "label": str(self.payment.order)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return _("Order %(number)s · %(method)s %(amount)s") % {
            "number": self.payment.order.number,
            "method": self.payment.get_method_display(),
            "amount": format_brl(self.payment.amount),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.payment
        context.update(
            payment=payment,
            paid=format_brl(payment.amount),
            refunded=format_brl(payment.refunded_amount),
            left=format_brl(refundable(payment)),
            manual=payment.account.provider == Provider.MANUAL,
            nothing_left=self.nothing_left(),
            order_url=self.order_url,
        )
        return context

    def form_valid(self, form):
        try:
            done = refund_payment(
                self.payment,
                user=self.request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except RetaguardaError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(amount)s refunded to the customer.")
            % {"amount": format_brl(done.amount)},
        )
        if done.applied.outcome == Outcome.REVIEW:
            messages.warning(self.request, done.applied.message)
        return redirect(self.order_url)


class ReprocessEventView(WagtailAdminTemplateMixin, TemplateView):
    """*Processar novamente*: GET asks for the confirmation, POST processes a
    failed or unprocessed provider notification again, as the background task
    does (:func:`~plugins.finance.services.events.reprocess`). Only holders
    of ``finance.reprocess_providerevent``."""

    template_name = "finance/reprocess_event.html"
    page_title = gettext_lazy("Process the notification again")
    header_icon = "rotate"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (is_active_user(user) and user.has_perm(REPROCESS_PERMISSION)):
            raise PermissionDenied
        self.event = get_object_or_404(
            ProviderEvent.objects.select_related("account"), pk=kwargs["pk"]
        )
        self.inspect_url = reverse("finance_events:inspect", args=[self.event.pk])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.event)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("finance_events:index"),
                "label": _("Provider notifications"),
            },
            {"url": self.inspect_url, "label": self.event.event_id},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            event=self.event,
            reprocessable=self.event.outcome in REPROCESSABLE,
            inspect_url=self.inspect_url,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            event = reprocess(self.event, user=request.user)
        except RetaguardaError as error:
            messages.error(request, error.message)
            return redirect(self.inspect_url)
        messages.success(
            request,
            _("Notification %(event)s processed again: %(outcome)s.")
            % {"event": event.event_id, "outcome": event.get_outcome_display()},
        )
        return redirect(self.inspect_url)
