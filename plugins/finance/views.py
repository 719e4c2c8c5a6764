"""Finance actions on other plugins' screens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View
from wagtail.admin import messages

from plugins.exceptions import RetaguardaError
from plugins.finance.panels import ManualPaymentForm
from plugins.finance.services import register_manual_payment
from plugins.money import format_brl
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
