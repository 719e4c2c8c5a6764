"""What the finance plugin adds to the order desk's order screen: the
order's payments through the providers, its receivables and, for staff with
the permission, registering a manual payment."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from plugins.finance.models import Payment, Provider, ProviderAccount, Receivable
from plugins.finance.services.refunds import refundable
from plugins.money import format_brl
from plugins.orders.models import PaymentMethod
from plugins.orders.status import OrderStatus

MANUAL_METHODS = (
    PaymentMethod.TRANSFER,
    PaymentMethod.CASH_ON_DELIVERY,
    PaymentMethod.TERMS,
    PaymentMethod.PIX,
    PaymentMethod.BOLETO,
)


class ManualPaymentForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=ProviderAccount.objects.filter(provider=Provider.MANUAL, active=True),
        empty_label=None,
    )
    method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[(m.value, m.label) for m in MANUAL_METHODS],
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("E.g. the transfer's id, who received the cash."),
    )


class OrderPaymentsPanel(Component):
    template_name = "finance/order_panel.html"

    def __init__(self, order, request):
        self.order = order
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        order = self.order
        payments = list(
            Payment.objects.filter(order=order).select_related("account").order_by("pk")
        )
        receivables = list(Receivable.objects.filter(order=order).order_by("due_date"))
        may_register = (
            user.has_perm("finance.register_manual_payment")
            and order.status == OrderStatus.PENDING_PAYMENT
            and ManualPaymentForm.base_fields["account"].queryset.exists()
        )
        may_refund = user.has_perm("finance.refund_payment")
        return {
            # the form posts: the page's CSRF token
            "csrf_token": (parent_context or {}).get("csrf_token"),
            "order": order,
            "payments": [
                {
                    "payment": p,
                    "amount": format_brl(p.amount),
                    "refunded": format_brl(p.refunded_amount)
                    if p.refunded_amount
                    else "",
                    "refund_url": reverse("finance_refund", args=[p.pk])
                    if may_refund and refundable(p) > 0
                    else "",
                }
                for p in payments
            ],
            "receivables": [
                {
                    "receivable": r,
                    "gross": format_brl(r.gross),
                    "fee": format_brl(r.fee),
                    "net": format_brl(r.net),
                }
                for r in receivables
            ],
            "form": ManualPaymentForm() if may_register else None,
            "action": reverse("finance_manual_payment", args=[order.pk]),
            "total": format_brl(order.total),
        }


def order_payments_panel(order, request):
    user = request.user
    if not user.has_perm("finance.view_payment"):
        return None
    return OrderPaymentsPanel(order, request)
