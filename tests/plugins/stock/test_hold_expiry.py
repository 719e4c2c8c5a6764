"""One rule says when a cart hold has expired (``querysets.hold_expired``):
from its ``expires_at`` on. Availability, the order path's written-out read of
the levels, the periodic release and the hold itself all follow it, to the
microsecond."""

import datetime

import pytest
from django.utils import timezone

from plugins.orders.models import Order
from plugins.stock import availability
from plugins.stock.models import CartHold, Reservation
from plugins.stock.services import create_hold, release_expired_holds
from plugins.stock.services.orders import _order_lines_and_levels
from tests.plugins.stock.conftest import place

pytestmark = pytest.mark.django_db

MOMENT = datetime.timedelta(microseconds=1)


def hold_until(expires_at, sku="CAM-M", quantity=2, reference="carrinho-1"):
    hold = create_hold(lines=[{"sku": sku, "quantity": quantity}], reference=reference)
    CartHold.objects.filter(pk=hold.pk).update(expires_at=expires_at)
    Reservation.objects.filter(hold=hold).update(expires_at=expires_at)
    hold.refresh_from_db()
    return hold


@pytest.mark.parametrize(("offset", "expired"), [(-MOMENT, True), (MOMENT, False)])
def test_every_reader_agrees_on_when_a_hold_expired(stocked, offset, expired):
    now = timezone.now()
    hold = hold_until(now + offset)

    assert hold.is_live(now) is not expired
    assert CartHold.objects.live(now).filter(pk=hold.pk).exists() is not expired
    assert CartHold.objects.expired(now).filter(pk=hold.pk).exists() is expired
    assert Reservation.objects.expired_holds(now).filter(hold=hold).exists() is expired


def test_at_its_expiry_a_hold_has_expired(stocked):
    now = timezone.now()
    hold = hold_until(now)

    assert not hold.is_live(now)
    assert CartHold.objects.expired(now).filter(pk=hold.pk).exists()
    assert not CartHold.objects.live(now).filter(pk=hold.pk).exists()


def test_units_of_an_expired_hold_are_available_again(stocked, sp):
    hold_until(timezone.now() - datetime.timedelta(minutes=1))

    assert availability.compute(["CAM-M"])["CAM-M"].available == 2
    assert release_expired_holds() == 1
    assert availability.compute(["CAM-M"])["CAM-M"].available == 2


def test_units_of_a_live_hold_are_not(stocked, sp):
    hold_until(timezone.now() + datetime.timedelta(minutes=5))

    assert availability.compute(["CAM-M"])["CAM-M"].available == 0
    assert release_expired_holds() == 0


def test_the_order_paths_read_counts_expired_holds_and_finds_live_ones(
    stocked, loja, sp
):
    """The levels an order reads in one written-out query: the units of
    expired holds, and the live hold its idempotency key names."""
    expired = hold_until(
        timezone.now() - datetime.timedelta(minutes=1), quantity=1, reference="a"
    )
    live = hold_until(
        timezone.now() + datetime.timedelta(minutes=5), quantity=1, reference="b"
    )
    placed = place(loja, lines=[{"sku": "CAN-1", "quantity": 1}])
    placed.lines.update(variant=expired.reservations.get().level.variant, sku="CAM-M")
    order = Order.objects.get(pk=placed.pk)  # its lines as read, not as placed
    for key, found in (("a", None), ("b", live.pk), ("", None)):
        order.idempotency_key = key

        lines, candidates, hold_id = _order_lines_and_levels(order)

        assert [(n.sku, n.quantity) for n in lines] == [("CAM-M", 1)]
        (level,) = candidates
        assert (level.on_hand, level.reserved, level.expired) == (2, 2, 1)
        assert hold_id == found
