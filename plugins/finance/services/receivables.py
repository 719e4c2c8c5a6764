"""Receivables: written when a payment is approved, from the provider
account's schedule (:mod:`plugins.finance.schedule`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from plugins.finance.models import Payment, Receivable
from plugins.finance.schedule import schedule_for

KIND_BY_METHOD = {
    "card": Receivable.Kind.CARD,
    "debit_card": Receivable.Kind.CARD,
    "pix": Receivable.Kind.PIX,
    "boleto": Receivable.Kind.BOLETO,
}


def receivables_for(payment: Payment) -> list[Receivable]:
    """The receivables of an approved ``payment`` (written once: a second
    call returns those written first)."""
    existing = list(payment.receivables.order_by("installment"))
    if existing:
        return existing
    paid_on = timezone.localdate(payment.paid_at or timezone.now())
    account = payment.account
    kind = (
        Receivable.Kind.MANUAL
        if account.provider == "manual"
        else KIND_BY_METHOD.get(payment.method, Receivable.Kind.MANUAL)
    )
    reference = payment.provider_id or payment.pix_txid or payment.nosso_numero
    rows = [
        Receivable(
            kind=kind,
            order_id=payment.order_id,
            payment=payment,
            channel_id=payment.order.channel_id,
            account=account,
            installment=item.number,
            installments=item.of,
            gross=item.gross,
            fee=item.fee,
            net=item.net,
            due_date=item.due_date,
            reference=reference or str(payment.reference),
        )
        for item in schedule_for(
            account, payment.method, payment.amount, payment.installments, paid_on
        )
    ]
    with transaction.atomic():
        return Receivable.objects.bulk_create(rows)


def write_off_open(payment: Payment) -> int:
    """A refunded or charged-back payment's open receivables will not come."""
    return payment.receivables.open().update(status=Receivable.Status.WRITTEN_OFF)
