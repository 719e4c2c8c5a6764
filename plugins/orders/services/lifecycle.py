"""The order lifecycle: transitions with their guards and hooks, notes and
other plugins' timeline entries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from content.validators import strip_invisible_characters
from plugins import hooks
from plugins.audit import log_change
from plugins.orders import hooks as order_hooks
from plugins.orders.exceptions import (
    IllegalTransition,
    InvalidOrder,
)
from plugins.orders.models import (
    STEP_TIMESTAMPS,
    Order,
    OrderEvent,
    OrderStatus,
)
from plugins.orders.permissions import order_policy

S = OrderStatus


# -- Transitions ------------------------------------------------------------------


def _issue_survey(order: Order) -> None:
    from plugins.orders.surveys import issue_survey

    issue_survey(order)


@dataclass(frozen=True)
class Transition:
    """One edge of the order lifecycle, with everything it does: the status
    and timestamp it writes, where it keeps its reason (``reason_field``: the
    transition then needs one), its hook for other plugins, and ``effects``,
    the orders plugin's own work after the status is written (inside the
    transaction)."""

    name: str
    label: str  # lazy: translated when shown
    sources: tuple[str, ...]
    target: str
    timestamp: str
    hook: hooks.Hook
    reason_field: str = ""
    effects: tuple[Callable[[Order], None], ...] = ()

    @property
    def needs_reason(self) -> bool:
        return bool(self.reason_field)

    @property
    def action(self) -> str:
        """The permission-policy action (``orders.<action>_order``)."""
        return TRANSITION_ACTIONS[self.name]


TRANSITION_ACTIONS = {
    "pay": "pay",
    "invoice": "invoice",
    "prepare": "prepare",
    "ship": "ship",
    "deliver": "deliver",
    "cancel": "cancel",
    "return": "return",
}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "pay",
            gettext_lazy("Confirm payment"),
            (S.PENDING_PAYMENT,),
            S.PAID,
            "paid_at",
            order_hooks.ORDER_PAID,
        ),
        Transition(
            "invoice",
            gettext_lazy("Mark invoiced"),
            (S.PAID,),
            S.INVOICED,
            "invoiced_at",
            order_hooks.ORDER_INVOICED,
        ),
        Transition(
            "prepare",
            gettext_lazy("Ready to ship"),
            (S.INVOICED,),
            S.READY_TO_SHIP,
            "ready_at",
            order_hooks.ORDER_READY_TO_SHIP,
        ),
        Transition(
            "ship",
            gettext_lazy("Mark shipped"),
            (S.READY_TO_SHIP,),
            S.SHIPPED,
            "shipped_at",
            order_hooks.ORDER_SHIPPED,
        ),
        Transition(
            "deliver",
            gettext_lazy("Mark delivered"),
            (S.SHIPPED,),
            S.DELIVERED,
            "delivered_at",
            order_hooks.ORDER_DELIVERED,
            effects=(_issue_survey,),
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel"),
            (S.PENDING_PAYMENT, S.PAID),
            S.CANCELLED,
            "cancelled_at",
            order_hooks.ORDER_CANCELLED,
            reason_field="cancel_reason",
        ),
        Transition(
            "return",
            gettext_lazy("Mark returned"),
            (S.DELIVERED,),
            S.RETURNED,
            "returned_at",
            order_hooks.ORDER_RETURNED,
            reason_field="return_reason",
        ),
    )
}


REASON_FIELDS = tuple(t.reason_field for t in TRANSITIONS.values() if t.reason_field)


def can_transition(order: Order, name: str, user) -> bool:
    """Whether ``user`` may apply transition ``name`` to ``order`` now (the
    buttons the order desk shows)."""
    transition = TRANSITIONS.get(name)
    if transition is None or order.status not in transition.sources:
        return False
    return user is None or order_policy().user_has_permission_for_instance(
        user, transition.action, order
    )


def allowed_transitions(order: Order, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if can_transition(order, t.name, user)]


@transaction.atomic
def transition_order(
    order: Order,
    name: str,
    *,
    user,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Order:
    """Move ``order`` along transition ``name`` (``pay``, ``invoice``,
    ``prepare``, ``ship``, ``deliver``, ``cancel``, ``return``).

    Guards: the user may apply it on this order's channel (``user=None``: the
    system); the order is in one of the transition's source statuses, checked
    under a row lock so that two clerks cannot both apply it; cancel and
    return need a reason. Then the transition's hook runs inside the
    transaction (another plugin may refuse), a timeline entry and an audit
    entry are written, and ``order.<status>`` webhooks are sent after commit.

    Raises IllegalTransition, PermissionDenied or a hook's Refused.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise IllegalTransition(
            _("Unknown transition “%(name)s”.") % {"name": name},
            transitions=sorted(TRANSITIONS),
        )
    if user is not None and not order_policy().user_has_permission_for_instance(
        user, transition.action, order
    ):
        raise PermissionDenied
    reason = strip_invisible_characters(reason or "").strip()
    if transition.needs_reason and not reason:
        raise IllegalTransition(_("Give a reason."), field="reason")
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status not in transition.sources:
        raise IllegalTransition(
            _(
                "Order %(number)s is “%(status)s”: “%(transition)s” is not possible "
                "(only from %(sources)s)."
            )
            % {
                "number": locked.number,
                "status": locked.get_status_display(),
                "transition": transition.label,
                "sources": ", ".join(str(S(s).label) for s in transition.sources),
            },
            status_now=locked.status,
        )
    now = at or timezone.now()
    before = locked.status
    locked.status = transition.target
    setattr(locked, transition.timestamp, now)
    fields = ["status", transition.timestamp]
    if transition.reason_field:
        setattr(locked, transition.reason_field, reason[:300])
        fields.append(transition.reason_field)
    locked.save(update_fields=fields)
    hooks.call(transition.hook, order=locked, user=user)
    OrderEvent.objects.create(
        order=locked,
        kind=OrderEvent.Kind.TRANSITION,
        from_status=before,
        to_status=locked.status,
        message=reason,
        user=user,
        created_at=now,
    )
    log_change(
        locked,
        f"orders.{transition.name}",
        user=user,
        changes={"status": [before, locked.status]},
        reason=reason,
    )
    for effect in transition.effects:
        effect(locked)
    emit_order_event(f"order.{locked.status}", locked)
    # the caller's instance shows what changed
    for name in ("status", *REASON_FIELDS, *STEP_TIMESTAMPS):
        setattr(order, name, getattr(locked, name))
    return locked


def pay_order(order, *, user):
    return transition_order(order, "pay", user=user)


def invoice_order(order, *, user):
    return transition_order(order, "invoice", user=user)


def mark_ready_to_ship(order, *, user):
    return transition_order(order, "prepare", user=user)


def ship_order(order, *, user):
    return transition_order(order, "ship", user=user)


def deliver_order(order, *, user):
    return transition_order(order, "deliver", user=user)


def cancel_order(order, *, user, reason: str):
    return transition_order(order, "cancel", user=user, reason=reason)


def return_order(order, *, user, reason: str):
    return transition_order(order, "return", user=user, reason=reason)


@transaction.atomic
def cancel_order_by_customer(order: Order, *, reason: str = "") -> Order:
    """The customer cancels their own order (the storefront's status page):
    only while payment is pending, checked under the row lock that
    ``transition_order`` then keeps; a paid order is the order desk's to
    cancel. ``reason`` defaults to "Cancelled by the customer".

    Raises IllegalTransition (or a hook's Refused).
    """
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != S.PENDING_PAYMENT:
        raise IllegalTransition(
            _(
                "Order %(number)s is “%(status)s”: only orders pending payment "
                "can be cancelled here. Please contact us."
            )
            % {"number": locked.number, "status": locked.get_status_display()},
            status_now=locked.status,
        )
    reason = (reason or "").strip() or _("Cancelled by the customer")
    return transition_order(locked, "cancel", user=None, reason=reason)


# -- Timeline ---------------------------------------------------------------------


@transaction.atomic
def add_note(order: Order, text: str, *, user) -> OrderEvent:
    """An internal note on the order's timeline. Needs ``change`` on the order."""
    if not order_policy().user_has_permission_for_instance(user, "change", order):
        raise PermissionDenied
    text = strip_invisible_characters(text or "").strip()
    if not text:
        raise InvalidOrder(_("The note is empty."), {"text": [_("Write a note.")]})
    event = OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.NOTE,
        message=text[:5000],
        user=user,
        created_at=timezone.now(),
    )
    log_change(order, "orders.note", user=user, note=text[:200])
    return event


def record_event(
    order: Order,
    *,
    source: str,
    message: str,
    data: dict | None = None,
    user=None,
    at: datetime.datetime | None = None,
) -> OrderEvent:
    """For other plugins: add an entry to the order's timeline (a payment
    confirmed, an NF-e authorised, a tracking code)."""
    event = OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.PLUGIN,
        source=source,
        message=message,
        data=data or {},
        user=user,
        created_at=at or timezone.now(),
    )
    # Keep the timeline an order carries (a just-placed order's
    # ``fetched_events``, as ``Prefetch(to_attr=...)`` leaves it) whole.
    fetched = getattr(order, "fetched_events", None)
    if fetched is not None:
        fetched.append(event)
    return event


def emit_order_event(event: str, order: Order) -> None:
    from django.apps import apps

    if "api" not in apps.app_configs:
        return
    from api.webhooks import emit

    emit(
        event,
        {
            "number": order.number,
            "channel": order.channel.code if order.channel_id else None,
            "external_id": order.external_id,
            "status": order.status,
            "total": str(order.total),
        },
    )
