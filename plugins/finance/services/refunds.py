"""Refunds staff make from the back office (*Estornar*).

The provider returns the money (``refund`` of the account's adapter; a
manual payment's money is returned by hand, and only recorded here), then
the refund follows the path of a provider's refund notification
(:func:`~plugins.finance.services.payments.apply_status`): the payment's
refunded amount and status, its audit entry and timeline entry, and — once
the whole payment is refunded — its open receivables written off and the
order cancelled where its status allows, otherwise the review message.
A partial refund leaves the receivables open: the provider deducts it from
what it pays, and reconciliation books the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.finance.exceptions import RefundNotAllowed
from plugins.finance.gateway import provider_for
from plugins.finance.models import PAID_STATUSES, Payment, PaymentStatus, Provider
from plugins.finance.services.payments import Applied, apply_status
from plugins.money import format_brl
from plugins.orders.services import record_event

REFUND_PERMISSION = "finance.refund_payment"


def refundable(payment: Payment) -> Decimal:
    """What is left to refund of ``payment`` (zero unless it was paid)."""
    if payment.status not in PAID_STATUSES:
        return Decimal("0.00")
    return payment.amount - payment.refunded_amount


@dataclass
class Refunded:
    payment: Payment
    amount: Decimal
    applied: Applied


def refund_payment(
    payment: Payment,
    *,
    user,
    amount: Decimal | None = None,
    reason: str = "",
) -> Refunded:
    """Refund ``amount`` of ``payment`` (all that is left when ``None``).

    Raises PermissionDenied without ``finance.refund_payment``,
    RefundNotAllowed for a payment not paid or an amount above what is
    left, and the provider's ProviderError when it refuses or cannot be
    reached (nothing is recorded then).
    """
    if user is not None and not user.has_perm(REFUND_PERMISSION):
        raise PermissionDenied
    reason = (reason or "").strip()[:300]
    with transaction.atomic():
        # the row lock keeps a second click from refunding twice
        payment = (
            Payment.objects.select_for_update()
            .select_related("order", "account")
            .get(pk=payment.pk)
        )
        left = refundable(payment)
        if left <= 0:
            raise RefundNotAllowed(
                _("This payment is “%(status)s”: there is nothing to refund.")
                % {"status": payment.get_status_display()}
            )
        if amount is None:
            amount = left
        if amount <= 0:
            raise RefundNotAllowed(_("Refund more than zero."), field="amount")
        if amount > left:
            raise RefundNotAllowed(
                _("At most %(left)s is left to refund.") % {"left": format_brl(left)},
                field="amount",
            )
        before = payment.refunded_amount
        refund_id = ""
        if payment.account.provider != Provider.MANUAL:
            result = provider_for(payment.account).refund(
                payment.provider_id,
                # the same refund asked twice is made once
                idempotency_key=f"{payment.reference}-refund-{before}-{amount}",
                amount=None if amount == left else amount,
            )
            refund_id = result.provider_refund_id or ""
        total = min(payment.amount, before + amount)
        status = (
            PaymentStatus.REFUNDED
            if total >= payment.amount
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        log_change(
            payment,
            "finance.refund",
            user=user,
            amount=str(amount),
            reason=reason,
            provider_refund_id=refund_id,
        )
        record_event(
            payment.order,
            source="finance",
            message=_("Refund of %(amount)s (%(method)s): %(reason)s")
            % {
                "amount": format_brl(amount),
                "method": payment.get_method_display(),
                "reason": reason or _("no reason given"),
            },
            data={
                "payment": payment.pk,
                "refund": str(amount),
                "provider_refund_id": refund_id,
            },
            user=user,
        )
        applied = apply_status(
            payment,
            status,
            refunded_amount=total,
            source="refund",
            user=user,
        )
        payment.refresh_from_db()
        return Refunded(payment=payment, amount=amount, applied=applied)
