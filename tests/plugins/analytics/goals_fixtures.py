"""Orders, people and goals for the goals and digest tests.

March 2026 has 31 days; on ``TODAY`` (10/03/2026) 10 of them are gone
(today counts) and 21 remain. The paid orders of March up to today total
R$ 12.000,00: 7.000,00 in the storefront channel (placed by the attendant
``atendente`` at the order desk) and 5.000,00 in Mercado Livre.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from plugins.analytics.models import Goal
from plugins.orders.models import Order, OrderEvent

TODAY = datetime.date(2026, 3, 10)
MARCH = datetime.date(2026, 3, 1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """An instant of the store's local ``day``."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour)),
        timezone.get_default_timezone(),
    )


def order(
    channel,
    total,
    day: datetime.date,
    *,
    status: str = "paid",
    paid: bool = True,
    seller=None,
    number: str = "",
):
    """An order placed on ``day`` (paid that day unless ``paid=False``);
    ``seller`` placed it at the order desk."""
    total = Decimal(total)
    number = number or f"T{Order.objects.count() + 1:05d}"
    placed = at(day, 10)
    created = Order.objects.create(
        number=number,
        channel=channel,
        customer_name=f"Cliente {number}",
        subtotal=total,
        total=total,
        payment_method="pix",
        status=status,
        placed_at=placed,
        paid_at=at(day, 11) if paid else None,
    )
    if seller is not None:
        OrderEvent.objects.create(
            order=created,
            kind=OrderEvent.Kind.PLACED,
            user=seller,
            created_at=placed,
            to_status=status,
        )
    return created


def march_orders(loja, mercado_livre, seller=None) -> None:
    """R$ 12.000,00 of paid March orders, plus what must not count: an unpaid
    order and February's sales."""
    order(loja, "4000.00", datetime.date(2026, 3, 2), seller=seller)
    order(loja, "3000.00", datetime.date(2026, 3, 9), seller=seller)
    order(mercado_livre, "5000.00", TODAY)
    order(
        loja, "3000.00", datetime.date(2026, 3, 5), status="pending_payment", paid=False
    )
    order(loja, "900.00", datetime.date(2026, 2, 28))


def goal(kpi: str, target, *, kind: str = "month", start=MARCH, **extra) -> Goal:
    return Goal.objects.create(
        kpi=kpi,
        period_kind=kind,
        period_start=start,
        target=Decimal(target),
        **extra,
    )
