"""An order's history before it came in: a marketplace order usually arrives
already paid, often shipped or delivered, with its own payments, fees and
rating. Intake and the order import state it; :func:`clean_history` checks it
and :func:`write_history` records it when ``place_order`` writes the order:

- the status with the marketplace's timestamps, and a timeline entry for each
  step, marked as imported, at the marketplace's time. Today's side effects
  of those steps (webhooks per step, the survey e-mail, stock hooks) do not
  run: they happened in the marketplace;
- the payments (:class:`~plugins.orders.models.OrderPayment`), the
  marketplace's fee and the freight it charged, for the finance plugin to
  reconcile;
- the rating (1–5 stars), stored as the order's satisfaction answer on the
  NPS scale (:data:`~plugins.orders.models.RATING_SCORES`).

Stock: by default an imported order still to be shipped reserves its units
like any order; one shipped, delivered, cancelled or returned never moves
stock (its units left, or never left, long ago). ``stock="none"`` keeps every
imported order out of stock.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from content.validators import strip_invisible_characters
from plugins.orders.models import (
    MAX_INSTALLMENTS,
    RATING_SCORES,
    STEP_TIMESTAMPS,
    Order,
    OrderEvent,
    OrderPayment,
    OrderStatus,
    PaymentMethod,
    SurveyResponse,
)
from plugins.orders.money import ZERO

S = OrderStatus

#: The steps of the lifecycle in their order, each with its timestamp field.
STEPS = (
    (S.PAID, "paid_at"),
    (S.INVOICED, "invoiced_at"),
    (S.READY_TO_SHIP, "ready_at"),
    (S.SHIPPED, "shipped_at"),
    (S.DELIVERED, "delivered_at"),
    (S.RETURNED, "returned_at"),
)
#: Statuses of an order whose units have yet to leave: these reserve stock.
TO_SHIP = (S.PENDING_PAYMENT, S.PAID, S.INVOICED, S.READY_TO_SHIP)


class StockChoice:
    """Whether imported orders move stock."""

    TO_SHIP = "to_ship"  # only orders still to be shipped reserve stock
    NONE = "none"  # no imported order moves stock

    choices = (TO_SHIP, NONE)


MAX_PAYMENTS = 50
MAX_COMMENT = 2000
MAX_PROVIDER_ID = 80
# A timestamp a few minutes ahead of this server's clock is the other's clock.
CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass
class History:
    """A checked history (see :func:`clean_history`)."""

    status: str
    timestamps: dict[str, datetime.datetime]
    payments: list[dict] = field(default_factory=list)
    marketplace_fee: Decimal = ZERO
    marketplace_freight: Decimal = ZERO
    rating: dict | None = None
    stock: str = StockChoice.TO_SHIP

    @property
    def moves_stock(self) -> bool:
        """Whether the order reserves stock when it is placed."""
        return self.stock == StockChoice.TO_SHIP and self.status in TO_SHIP

    @property
    def sold_before(self) -> bool:
        """Whether the order was sold long ago: its products may have left the
        catalog since (no longer for sale), and it is imported all the same."""
        return self.status not in TO_SHIP


def _money(value, errors, key) -> Decimal:
    from plugins.orders.services.validation import _money as money

    return money(value, errors, key)


def _moment(value, errors, key) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            errors.setdefault(key, []).append(
                _("Not a date and time (YYYY-MM-DDThh:mm:ss±hh:mm): “%s”.") % value
            )
            return None
    if not isinstance(value, datetime.datetime):
        errors.setdefault(key, []).append(_("Not a date and time."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + CLOCK_SKEW:
        errors.setdefault(key, []).append(_("Cannot be in the future."))
        return None
    return value


def _text(value, limit: int) -> str:
    return strip_invisible_characters(str(value or "")).strip()[:limit]


def _clean_payment(data: dict, errors: dict, key: str) -> dict:
    method = str(data.get("method") or "")
    if method not in PaymentMethod.values:
        errors.setdefault(f"{key}.method", []).append(
            _("Choose one of: %s.") % ", ".join(PaymentMethod.values)
        )
    if data.get("value") in (None, ""):
        errors.setdefault(f"{key}.value", []).append(_("Required."))
    value = _money(data.get("value"), errors, f"{key}.value")
    try:
        installments = int(data.get("installments") or 1)
    except (TypeError, ValueError):
        installments = 0
    most = MAX_INSTALLMENTS if method == PaymentMethod.CARD else 1
    if not 1 <= installments <= most:
        errors.setdefault(f"{key}.installments", []).append(
            _("Installments: 1 to %(max)d for this payment method.") % {"max": most}
        )
    status = str(data.get("status") or OrderPayment.Status.APPROVED)
    if status not in OrderPayment.Status.values:
        errors.setdefault(f"{key}.status", []).append(
            _("Choose one of: %s.") % ", ".join(OrderPayment.Status.values)
        )
    provider_id = _text(data.get("provider_id"), MAX_PROVIDER_ID + 1)
    if len(provider_id) > MAX_PROVIDER_ID:
        errors.setdefault(f"{key}.provider_id", []).append(
            _("At most %(max)d characters.") % {"max": MAX_PROVIDER_ID}
        )
    return {
        "method": method,
        "value": value,
        "installments": installments,
        "status": status,
        "provider_id": provider_id[:MAX_PROVIDER_ID],
        "paid_at": _moment(data.get("paid_at"), errors, f"{key}.paid_at"),
    }


def _clean_rating(data: dict, errors: dict) -> dict | None:
    stars = data.get("stars")
    if stars in (None, ""):
        if data.get("comment"):
            errors.setdefault("rating.stars", []).append(_("Required."))
        return None
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if stars not in RATING_SCORES:
        errors.setdefault("rating.stars", []).append(
            _("A rating is a whole number of stars from 1 to 5.")
        )
        return None
    return {
        "stars": stars,
        "comment": _text(data.get("comment"), MAX_COMMENT),
        "rated_at": _moment(data.get("rated_at"), errors, "rating.rated_at"),
    }


def clean_history(
    data: dict, errors: dict, *, stock: str = StockChoice.TO_SHIP
) -> History:
    """Check a stated history: ``status`` (any of the order's statuses), the
    steps' timestamps (``paid_at``, ``invoiced_at``, ``ready_at``,
    ``shipped_at``, ``delivered_at``, ``cancelled_at``, ``returned_at``; not in
    the future, none of a step after the status but for a cancelled order,
    which may have been cancelled at any point), ``payments``,
    ``marketplace_fee``, ``marketplace_freight`` and ``rating``
    (``stars``, ``comment``, ``rated_at``). Errors are added to ``errors``
    by field, as ``place_order`` spells them (``history.payments[0].value``
    is ``payments[0].value``)."""
    status = str(data.get("status") or S.PENDING_PAYMENT)
    if status not in S.values:
        errors.setdefault("status", []).append(
            _("Choose one of: %s.") % ", ".join(S.values)
        )
        status = S.PENDING_PAYMENT
    timestamps = {}
    for name in STEP_TIMESTAMPS:
        moment = _moment(data.get(name), errors, name)
        if moment is not None:
            timestamps[name] = moment
    reached = {name for step, name in _path(status)}
    if status != S.CANCELLED:
        for name in sorted(set(timestamps) - reached, key=STEP_TIMESTAMPS.index):
            errors.setdefault(name, []).append(
                _("The order is “%(status)s”: it has not taken this step.")
                % {"status": S(status).label}
            )
    payments = data.get("payments") or []
    if len(payments) > MAX_PAYMENTS:
        errors.setdefault("payments", []).append(
            _("At most %(max)d payments per order.") % {"max": MAX_PAYMENTS}
        )
    cleaned = [
        _clean_payment(payment, errors, f"payments[{i}]")
        for i, payment in enumerate(payments[:MAX_PAYMENTS])
    ]
    if stock not in StockChoice.choices:
        errors.setdefault("stock", []).append(
            _("Choose one of: %s.") % ", ".join(StockChoice.choices)
        )
    return History(
        status=status,
        timestamps=timestamps,
        payments=cleaned,
        marketplace_fee=_money(data.get("marketplace_fee"), errors, "marketplace_fee"),
        marketplace_freight=_money(
            data.get("marketplace_freight"), errors, "marketplace_freight"
        ),
        rating=_clean_rating(data.get("rating") or {}, errors),
        stock=stock,
    )


def main_payment(payments: list[dict]) -> tuple[str, int] | None:
    """The order's payment method and installments for a list of payments:
    those of the largest one (``None`` without payments)."""
    stated = [p for p in payments if p.get("method")]
    if not stated:
        return None
    largest = max(stated, key=lambda p: Decimal(str(p.get("value") or 0)))
    return str(largest["method"]), int(largest.get("installments") or 1)


def _path(status: str) -> list[tuple[str, str]]:
    """The steps an order took to reach ``status`` (cancelled: the steps it
    may have taken before, then the cancellation)."""
    if status == S.CANCELLED:
        return [*STEPS[:-1], (S.CANCELLED, "cancelled_at")]
    path = []
    for step in STEPS:
        if status == S.PENDING_PAYMENT:
            break
        if step[0] == S.RETURNED and status != S.RETURNED:
            break
        path.append(step)
        if step[0] == status:
            break
    return path


def apply_to_order(history: History, order: Order) -> None:
    """The order's status, timestamps and marketplace amounts, before it is
    written."""
    order.status = history.status
    for name, moment in history.timestamps.items():
        setattr(order, name, moment)
    order.marketplace_fee = history.marketplace_fee
    order.marketplace_freight = history.marketplace_freight


def timeline(history: History, order: Order, *, user) -> list[OrderEvent]:
    """The order's timeline entries for the steps it took before it came in,
    each at the marketplace's time, marked as imported. A step without a
    timestamp is left out, but for the status the order is in, dated at the
    last step known before it."""
    events = []
    before = S.PENDING_PAYMENT
    last = order.placed_at
    for status, name in _path(history.status):
        moment = history.timestamps.get(name)
        if moment is None and status != history.status:
            continue
        events.append(
            OrderEvent(
                order=order,
                kind=OrderEvent.Kind.TRANSITION,
                from_status=before,
                to_status=status,
                message=_("Imported from the channel"),
                data={} if moment else {"time_unknown": True},
                user=user,
                created_at=moment or last,
                imported=True,
            )
        )
        before, last = status, moment or last
    return events


def write_history(history: History, order: Order) -> None:
    """The payments and the rating of a just-written order."""
    if history.payments:
        OrderPayment.objects.bulk_create(
            OrderPayment(order=order, sequence=i, **payment)
            for i, payment in enumerate(history.payments, start=1)
        )
    if history.rating:
        rated_at = history.rating["rated_at"] or max(
            (order.placed_at, *history.timestamps.values())
        )
        SurveyResponse.objects.create(
            order=order,
            source=SurveyResponse.Source.MARKETPLACE,
            issued_at=rated_at,
            answered_at=rated_at,
            rating=history.rating["stars"],
            score=RATING_SCORES[history.rating["stars"]],
            comment=history.rating["comment"],
        )
