"""The order lifecycle: every legal and illegal transition, guards, hooks,
timeline and audit."""

import pytest
from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import ModelLogEntry

from plugins.exceptions import Refused
from plugins.orders import hooks as order_hooks
from plugins.orders.exceptions import IllegalTransition
from plugins.orders.models import Order, OrderEvent, OrderStatus, SurveyResponse
from plugins.orders.services import (
    TRANSITIONS,
    allowed_transitions,
    can_transition,
    transition_order,
)
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel, place

S = OrderStatus
LEGAL = {
    ("pay", S.PENDING_PAYMENT): S.PAID,
    ("invoice", S.PAID): S.INVOICED,
    ("prepare", S.INVOICED): S.READY_TO_SHIP,
    ("ship", S.READY_TO_SHIP): S.SHIPPED,
    ("deliver", S.SHIPPED): S.DELIVERED,
    ("cancel", S.PENDING_PAYMENT): S.CANCELLED,
    ("cancel", S.PAID): S.CANCELLED,
    ("return", S.DELIVERED): S.RETURNED,
}
ALL = [(name, status) for name in TRANSITIONS for status in S.values]


@pytest.fixture
def order(sellable, loja):
    return place(loja)


def force_status(order, status):
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()


@pytest.mark.parametrize(("name", "status"), ALL)
def test_every_transition_from_every_status(order, superuser, name, status):
    force_status(order, status)
    reason = "cliente desistiu" if TRANSITIONS[name].needs_reason else ""
    if (name, status) in LEGAL:
        transition_order(order, name, user=superuser, reason=reason)
        order.refresh_from_db()
        assert order.status == LEGAL[(name, status)]
        assert getattr(order, TRANSITIONS[name].timestamp) is not None
        event = order.events.get(kind=OrderEvent.Kind.TRANSITION)
        assert (event.from_status, event.to_status) == (status, order.status)
        assert ModelLogEntry.objects.filter(
            action=f"orders.{name}", object_id=str(order.pk)
        ).exists()
    else:
        with pytest.raises(IllegalTransition):
            transition_order(order, name, user=superuser, reason=reason)
        order.refresh_from_db()
        assert order.status == status
        assert not order.events.filter(kind=OrderEvent.Kind.TRANSITION).exists()


def test_the_whole_way_to_delivery_issues_a_survey(order, attendant):
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(order, name, user=attendant)
    assert order.status == S.DELIVERED
    assert SurveyResponse.objects.filter(order=order).count() == 1
    assert list(
        order.events.filter(kind="transition").values_list("to_status", flat=True)
    ) == ["paid", "invoiced", "ready_to_ship", "shipped", "delivered"]


def test_cancel_and_return_need_a_reason(order, attendant):
    with pytest.raises(IllegalTransition):
        transition_order(order, "cancel", user=attendant, reason="  ")
    transition_order(order, "cancel", user=attendant, reason="Pagamento não veio")
    order.refresh_from_db()
    assert order.cancel_reason == "Pagamento não veio"


def test_unknown_transition_is_a_clear_error(order, attendant):
    with pytest.raises(IllegalTransition, match="desconhecida|Unknown"):
        transition_order(order, "teleport", user=attendant)


def test_illegal_transition_message_names_the_status(order, attendant):
    with pytest.raises(IllegalTransition) as error:
        transition_order(order, "ship", user=attendant)
    assert order.number in error.value.message
    assert "Aguardando pagamento" in error.value.message


def test_other_channels_attendant_may_not(order, mercado_livre):
    other = UserFactory(username="atende-ml", roles=["order_desk"])
    grant_channel(other, mercado_livre)
    assert not can_transition(order, "pay", other)
    assert allowed_transitions(order, other) == []
    with pytest.raises(PermissionDenied):
        transition_order(order, "pay", user=other)


def test_view_only_grant_cannot_move_orders(order, loja):
    viewer = UserFactory(username="so-ve", roles=["order_desk"])
    grant_channel(viewer, loja, "view_saleschannel")
    assert not can_transition(order, "pay", viewer)
    with pytest.raises(PermissionDenied):
        transition_order(order, "pay", user=viewer)


def test_managers_and_auditors_read_but_do_not_move(order, manager, auditor):
    for user in (manager, auditor):
        assert allowed_transitions(order, user) == []


def test_buttons_follow_status_and_permission(order, attendant):
    assert [t.name for t in allowed_transitions(order, attendant)] == [
        "pay",
        "cancel",
    ]


def test_a_hook_can_refuse_and_nothing_is_written(order, attendant):
    class NoPayments(Refused):
        pass

    def refuse(*, order, user):
        raise NoPayments("gateway says no")

    with hooks.register_temporarily(order_hooks.ORDER_PAID, refuse):
        with pytest.raises(NoPayments):
            transition_order(order, "pay", user=attendant)
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
    assert not order.events.filter(kind="transition").exists()


def test_each_transition_calls_its_hook(order, superuser):
    called = []
    names = ("pay", "invoice", "prepare", "ship", "deliver", "return")
    fns = {
        name: (lambda n: lambda *, order, user: called.append(n))(name)
        for name in names
    }
    with hooks.register_temporarily(
        [(TRANSITIONS[name].hook, fn) for name, fn in fns.items()]
    ):
        for name in names:
            transition_order(order, name, user=superuser, reason="defeito")
    assert called == list(names)


def test_system_may_drive_transitions(order):
    transition_order(order, "pay", user=None)
    assert order.status == S.PAID


def test_every_transition_stamps_one_of_the_orders_step_timestamps():
    from plugins.orders.models import STEP_TIMESTAMPS, Order
    from plugins.orders.services.lifecycle import TRANSITIONS

    stamped = {transition.timestamp for transition in TRANSITIONS.values()}
    assert stamped == set(STEP_TIMESTAMPS)
    assert all(Order._meta.get_field(name) for name in STEP_TIMESTAMPS)
