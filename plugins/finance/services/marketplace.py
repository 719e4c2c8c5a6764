"""Marketplace payouts: what a marketplace owes the store for each of its
orders, one receivable per order.

The payout is what the buyer paid as the marketplace reports it (the order's
total, ``gross``) less what the marketplace keeps, as imported with the order
(``fee``): its fee or commission (``Order.marketplace_fee``) and the freight
it charged the store (``Order.marketplace_freight``), which marketplaces
deduct from the payout. It is due the channel's payout terms
(:class:`~plugins.finance.models.MarketplacePayoutTerms`, 30 days after
delivery by default) after the order's delivery, or after its payment while
the delivery is not known (dated again when the order is delivered).

Written once, when the order is paid or delivered (the orders plugin's
hooks) or imported with its history; a cancelled or returned order writes
off its payout while it is still open.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from plugins.finance.models import (
    DEFAULT_PAYOUT_DAYS,
    MarketplacePayoutTerms,
    Receivable,
)
from plugins.orders.models import Order, SalesChannel
from plugins.orders.status import SALE_STATUSES

CountedFrom = MarketplacePayoutTerms.CountedFrom


def is_marketplace(order: Order) -> bool:
    return order.channel.kind == SalesChannel.Kind.MARKETPLACE


def payout_terms(channel: SalesChannel) -> tuple[int, str]:
    """(days, counted from) of ``channel``, or the default."""
    terms = MarketplacePayoutTerms.objects.filter(channel=channel).first()
    if terms is None:
        return DEFAULT_PAYOUT_DAYS, CountedFrom.DELIVERY
    return terms.days, terms.counted_from


def payout_due_date(order: Order) -> datetime.date:
    """When the marketplace pays ``order``'s payout, by its channel's terms."""
    days, counted_from = payout_terms(order.channel)
    start = None
    if counted_from == CountedFrom.DELIVERY:
        start = order.delivered_at
    start = start or order.paid_at or order.placed_at or timezone.now()
    return timezone.localdate(start) + datetime.timedelta(days=days)


def write_payout(order: Order) -> Receivable | None:
    """The payout receivable of a paid marketplace order: written once; an
    open one with nothing settled yet is dated again (its delivery became
    known). ``None`` for an order of another channel, or not sold."""
    if not is_marketplace(order) or order.status not in SALE_STATUSES:
        return None
    due_date = payout_due_date(order)
    existing = Receivable.objects.filter(
        order=order, kind=Receivable.Kind.MARKETPLACE
    ).first()
    if existing is not None:
        if (
            existing.status == Receivable.Status.OPEN
            and not existing.settled_amount
            and existing.due_date != due_date
        ):
            existing.due_date = due_date
            existing.save(update_fields=["due_date"])
        return existing
    fee = order.marketplace_fee + order.marketplace_freight
    try:
        with transaction.atomic():
            return Receivable.objects.create(
                kind=Receivable.Kind.MARKETPLACE,
                order=order,
                channel_id=order.channel_id,
                gross=order.total,
                fee=fee,
                net=order.total - fee,
                due_date=due_date,
                reference=order.external_id or order.number,
            )
    except IntegrityError:  # written meanwhile
        return Receivable.objects.get(order=order, kind=Receivable.Kind.MARKETPLACE)


def write_off_payout(order: Order) -> int:
    """A cancelled or returned marketplace order's open payout will not come."""
    return (
        Receivable.objects.filter(order=order, kind=Receivable.Kind.MARKETPLACE)
        .open()
        .update(status=Receivable.Status.WRITTEN_OFF)
    )
