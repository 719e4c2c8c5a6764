"""Marketplace intake: a batch of orders from marketplaces and other systems,
each placed on its own through :func:`~plugins.orders.services.place_order`.

An order of the batch is identified by its channel and ``external_id``:
placing the same order again returns the first one ("replayed"), so a batch
can be sent again after a timeout without creating anything twice. One order
failing (bad data, a conflict, a hook refusing it) never blocks the others:
each order has its own transaction and its own result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from plugins.exceptions import RetaguardaError
from plugins.orders.models import STEP_TIMESTAMPS, Order, SalesChannel
from plugins.orders.permissions import order_policy
from plugins.orders.services import place_order
from plugins.orders.services.history import StockChoice, main_payment

MAX_BATCH = 500

CREATED, REPLAYED, ERROR = "created", "replayed", "error"


@dataclass
class IntakeResult:
    """What became of one order of a batch."""

    external_id: str
    channel: str
    status: Literal["created", "replayed", "error"]
    order: Order | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    code: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def failed(cls, item: dict, code: str, errors: dict, **extra) -> IntakeResult:
        return cls(
            external_id=str(item.get("external_id") or ""),
            channel=str(item.get("channel") or ""),
            status=ERROR,
            errors=errors,
            code=code,
            extra=extra,
        )


#: What an item states of the order's history in the marketplace
#: (:mod:`plugins.orders.services.history`).
HISTORY_KEYS = (
    "status",
    *STEP_TIMESTAMPS,
    "payments",
    "marketplace_fee",
    "marketplace_freight",
    "rating",
)


def _split_history(data: dict) -> None:
    """Move the item's history into ``history``; the order's payment method
    and installments default to those of its largest payment."""
    history = {key: data.pop(key) for key in HISTORY_KEYS if key in data}
    if not history:
        return
    data["history"] = history
    main = main_payment(history.get("payments") or [])
    if main and not data.get("payment_method"):
        data["payment_method"] = main[0]
        data.setdefault("installments", main[1])


def place_order_batch(
    items: list[dict], *, user, stock: str = StockChoice.TO_SHIP
) -> list[IntakeResult]:
    """Place every order of ``items``, in order, each independently.

    Each item has ``channel`` (a channel's code), ``external_id`` and the
    keyword arguments of ``place_order`` (customer, lines, addresses, payment,
    amounts, ``placed_at``, ``promised_delivery_date``, ``note``) and,
    optionally, its history in the marketplace (``status`` and the steps'
    timestamps, ``payments``, ``marketplace_fee``, ``marketplace_freight``,
    ``rating``: :data:`HISTORY_KEYS`); ``stock`` chooses whether the batch's
    orders move stock (:class:`~plugins.orders.services.history.StockChoice`).
    The channels are read once for the whole batch; ``user`` must be allowed to
    add orders on each order's channel (``user=None``: the system).

    Each order is one ``place_order`` call, with its transaction, hook calls,
    audit entry and webhooks, and its rules for staff: the marketplace's own
    prices, discounts and shipping only on channels that sell at their own
    prices (``placing.stated_amounts``); the order joins the customer of its
    ``customer.reference`` (the marketplace's buyer id) on the channel, else
    the customer with its CPF/CNPJ, never one found by e-mail alone.
    Business errors (``RetaguardaError``: invalid data, an idempotency
    conflict, a hook's refusal) and PermissionDenied become that order's
    error result; anything else is a bug and propagates (the orders placed
    before it stay placed, and replaying the batch finds them).
    """
    codes = {str(item.get("channel") or "") for item in items}
    channels = {c.code: c for c in SalesChannel.objects.filter(code__in=codes)}
    policy = order_policy()
    results = []
    for item in items:
        data = dict(item)
        _split_history(data)
        data.setdefault("payment_method", "")
        code = str(data.pop("channel", "") or "")
        channel = channels.get(code)
        if channel is None:
            results.append(
                IntakeResult.failed(
                    item,
                    "order-invalid",
                    {"channel": [_("Unknown channel “%s”.") % code]},
                )
            )
            continue
        if user is not None and not policy.user_has_permission_for_instance(
            user, "add", Order(channel=channel)
        ):
            results.append(
                IntakeResult.failed(
                    item,
                    "permission-denied",
                    {
                        "channel": [
                            _("You may not place orders on the channel “%s”.") % code
                        ]
                    },
                )
            )
            continue
        try:
            placement = place_order(channel=channel, user=user, stock=stock, **data)
        except PermissionDenied:
            results.append(
                IntakeResult.failed(
                    item,
                    "permission-denied",
                    {"channel": [_("You may not place orders on this channel.")]},
                )
            )
            continue
        except RetaguardaError as error:
            results.append(_error_result(item, error))
            continue
        results.append(
            IntakeResult(
                external_id=placement.order.external_id,
                channel=code,
                status=CREATED if placement.created else REPLAYED,
                order=placement.order,
            )
        )
    return results


def _error_result(item: dict, error: RetaguardaError) -> IntakeResult:
    extra = dict(error.extra)
    errors = extra.pop("errors", None)
    if not errors:
        key = (
            "external_id"
            if error.code == "idempotency-conflict"
            else "non_field_errors"
        )
        errors = {key: [str(error.message) or error.code]}
    return IntakeResult.failed(item, error.code, errors, **extra)
