"""Payments: what happens when one changes status, wherever the change comes
from (a provider's signed notification, a status fetched from the provider,
a payment registered by hand).

A payment's status only moves forward (:data:`RANK`): a notification that
arrives late, after a later one was applied, changes nothing. Approval pays
the order (``transition_order(order, "pay")``) and writes its receivables; a
refund or chargeback records it, writes off the receivables still open, and
cancels the order where its status allows — otherwise (shipped, delivered, or
a payment for an order already cancelled) it goes to the review queue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.finance.exceptions import PaymentNotAllowed
from plugins.finance.models import Payment, PaymentStatus, Provider, ProviderAccount
from plugins.finance.services.receivables import receivables_for, write_off_open
from plugins.money import format_brl
from plugins.orders.models import Order
from plugins.orders.services import record_event, transition_order
from plugins.orders.status import OrderStatus

S = PaymentStatus

#: How far along each status is: a payment never moves back.
RANK = {
    S.PENDING: 0,
    S.AUTHORIZED: 1,
    S.APPROVED: 2,
    S.REJECTED: 2,
    S.CANCELLED: 2,
    S.EXPIRED: 2,
    S.PARTIALLY_REFUNDED: 3,
    S.REFUNDED: 4,
    S.CHARGED_BACK: 4,
}
REVERSED = (S.REFUNDED, S.CHARGED_BACK)


class Outcome(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    REVIEW = "review"


@dataclass
class Applied:
    outcome: Outcome
    message: str = ""


def _timeline(payment: Payment, message: str, *, user=None, **data) -> None:
    record_event(
        payment.order,
        source="finance",
        message=message,
        data={"payment": payment.pk, "status": payment.status, **data},
        user=user,
    )


def apply_status(
    payment: Payment,
    status: str,
    *,
    paid_at: datetime.datetime | None = None,
    refunded_amount: Decimal | None = None,
    fee: Decimal | None = None,
    source: str = "",
    user=None,
) -> Applied:
    """Move ``payment`` to ``status`` (as its provider reports it) with its
    effects, once. Runs in one transaction, under the payment's row lock."""
    status = S(status)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("order", "account")
            .get(pk=payment.pk)
        )
        before = S(payment.status)
        more_refunded = (
            status == S.PARTIALLY_REFUNDED
            and before == S.PARTIALLY_REFUNDED
            and refunded_amount is not None
            and refunded_amount > payment.refunded_amount
        )
        if RANK[status] <= RANK[before] and not more_refunded:
            return Applied(Outcome.UNCHANGED)
        payment.status = status
        if fee is not None:
            payment.fee = fee
        if status == S.APPROVED:
            payment.paid_at = paid_at or payment.paid_at or timezone.now()
        if status in REVERSED:
            payment.refunded_amount = payment.amount
        elif refunded_amount is not None:
            payment.refunded_amount = min(refunded_amount, payment.amount)
        payment.save()
        log_change(
            payment,
            "finance.payment_status",
            user=user,
            changes={"status": [before, status]},
            source=source,
        )
        label = payment.get_status_display()
        _timeline(
            payment,
            _("Payment %(method)s %(amount)s: %(status)s")
            % {
                "method": payment.get_method_display(),
                "amount": format_brl(payment.amount),
                "status": label,
            },
            user=user,
        )
        if status == S.APPROVED:
            return _approved(payment)
        if status in REVERSED:
            return _reversed(payment, status)
        return Applied(Outcome.APPLIED)


def _approved(payment: Payment) -> Applied:
    receivables_for(payment)
    order = payment.order
    if order.status == OrderStatus.PENDING_PAYMENT:
        transition_order(order, "pay", user=None)
        return Applied(Outcome.APPLIED)
    if order.status == OrderStatus.CANCELLED:
        return Applied(
            Outcome.REVIEW,
            _("Order %(number)s was cancelled: refund this payment.")
            % {"number": order.number},
        )
    return Applied(Outcome.APPLIED)


def _reversed(payment: Payment, status: PaymentStatus) -> Applied:
    write_off_open(payment)
    order = payment.order
    reason = (
        _("Payment charged back by the card holder.")
        if status == S.CHARGED_BACK
        else _("Payment refunded.")
    )
    if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID):
        transition_order(order, "cancel", user=None, reason=reason)
        return Applied(Outcome.APPLIED)
    if order.status == OrderStatus.CANCELLED:
        return Applied(Outcome.APPLIED)
    return Applied(
        Outcome.REVIEW,
        _("Order %(number)s is “%(status)s”: %(reason)s Decide what to do with it.")
        % {
            "number": order.number,
            "status": order.get_status_display(),
            "reason": reason,
        },
    )


def check_takes_payment(order: Order) -> None:
    """An order takes a payment only while it awaits one (PaymentNotAllowed)."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentNotAllowed(
            _("Order %(number)s is “%(status)s”: it takes no payment now.")
            % {"number": order.number, "status": order.get_status_display()}
        )


def register_manual_payment(
    order: Order,
    *,
    account: ProviderAccount,
    method: str,
    user,
    paid_at: datetime.datetime | None = None,
    note: str = "",
) -> Payment:
    """Staff record a payment that came outside the providers (a transfer, cash
    on delivery, B2B terms) for the order's total, which pays the order."""
    if user is not None and not user.has_perm("finance.register_manual_payment"):
        raise PermissionDenied
    if account.provider != Provider.MANUAL or not account.active:
        raise PaymentNotAllowed(
            _("Choose an active manual payment account."), field="account"
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        check_takes_payment(order)
        payment = Payment.objects.create(
            order=order,
            account=account,
            method=method,
            amount=order.total,
            installments=1,
            created_by=user,
            note=note[:500],
        )
        log_change(
            payment, "finance.manual_payment", user=user, amount=str(order.total)
        )
        apply_status(payment, S.APPROVED, paid_at=paid_at, source="manual", user=user)
        payment.refresh_from_db()
        return payment
