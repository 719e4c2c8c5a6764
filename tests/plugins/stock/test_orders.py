"""Orders reserve, release, sell and take back stock through the orders hooks."""

import pytest

from plugins.orders.models import Order
from plugins.orders.services import transition_order
from plugins.stock.exceptions import CannotShip, InsufficientStock
from plugins.stock.models import ChannelWarehouse, Reservation, StockMovement
from plugins.stock.services import returns_to
from tests.plugins.stock.conftest import assert_ledger_ok, level, place, stock


def advance(order, *names, user=None):
    for name in names:
        reason = "cliente desistiu" if name in ("cancel", "return") else ""
        transition_order(order, name, user=user, reason=reason)


def test_placing_an_order_reserves_by_warehouse_priority(stocked, loja, sp, rj):
    order = place(loja, lines=[{"sku": "CAM-P", "quantity": 7}])
    rows = Reservation.objects.filter(order_id=order.pk).order_by("level__warehouse")
    assert {(r.level.warehouse.code, r.quantity) for r in rows} == {
        ("SP-01", 5),
        ("RJ-01", 2),
    }
    assert (level("CAM-P", sp).reserved, level("CAM-P", rj).reserved) == (5, 2)
    assert (level("CAM-P", sp).on_hand, level("CAM-P", rj).on_hand) == (5, 3)
    assert_ledger_ok()


def test_the_channels_preferred_warehouse_goes_first(stocked, loja, sp, rj):
    ChannelWarehouse.objects.create(channel_code=loja.code, warehouse=rj)
    place(loja, lines=[{"sku": "CAM-P", "quantity": 4}])
    assert (level("CAM-P", rj).reserved, level("CAM-P", sp).reserved) == (3, 1)


def test_not_enough_stock_refuses_the_order_naming_each_sku(stocked, loja):
    with pytest.raises(InsufficientStock) as error:
        place(
            loja,
            lines=[
                {"sku": "CAM-P", "quantity": 9},
                {"sku": "CAM-M", "quantity": 1},
                {"sku": "CAN-1", "quantity": 11},
            ],
        )
    assert error.value.status == 409
    assert error.value.extra["short"] == [
        {"sku": "CAM-P", "requested": 9, "available": 8},
        {"sku": "CAN-1", "requested": 11, "available": 10},
    ]
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()
    assert_ledger_ok()


def test_untracked_skus_are_refused_unless_allowed(sellable, loja, sp, settings):
    stock("CAM-M", sp, 2)  # CAN-1 was never stocked
    lines = [{"sku": "CAN-1", "quantity": 1}, {"sku": "CAM-M", "quantity": 1}]
    with pytest.raises(InsufficientStock) as error:
        place(loja, lines=lines)
    assert error.value.short == [{"sku": "CAN-1", "requested": 1, "available": 0}]
    settings.RETAGUARDA_STOCK_SELL_UNTRACKED = True
    order = place(loja, lines=lines)
    assert Reservation.objects.filter(order_id=order.pk).count() == 1


def test_inactive_warehouses_take_no_orders(stocked, loja, sp):
    sp.active = False
    sp.save()
    with pytest.raises(InsufficientStock) as error:
        place(loja, lines=[{"sku": "CAM-M", "quantity": 1}])
    assert error.value.short[0]["available"] == 0


def test_backorders_reserve_beyond_the_units(stocked, loja, sp, rj):
    rj.allow_backorders = True
    rj.save()
    place(loja, lines=[{"sku": "CAM-P", "quantity": 10}])
    assert (level("CAM-P", sp).reserved, level("CAM-P", rj).reserved) == (5, 5)
    assert level("CAM-P", rj).available == -2


def test_cancelling_releases_the_reservation(stocked, loja, sp, rj):
    order = place(loja, lines=[{"sku": "CAM-P", "quantity": 7}])
    advance(order, "pay", "cancel")
    assert (level("CAM-P", sp).reserved, level("CAM-P", rj).reserved) == (0, 0)
    assert set(
        Reservation.objects.filter(order_id=order.pk).values_list("status", flat=True)
    ) == {"released"}
    assert not StockMovement.objects.filter(kind="sale").exists()
    assert_ledger_ok()


def test_shipping_turns_the_reservation_into_sales(stocked, loja, sp, rj):
    order = place(loja, lines=[{"sku": "CAM-P", "quantity": 7}])
    advance(order, "pay", "invoice", "prepare", "ship")
    sales = StockMovement.objects.filter(kind="sale", reference=order.number)
    assert sorted((m.warehouse.code, m.quantity) for m in sales) == [
        ("RJ-01", -2),
        ("SP-01", -5),
    ]
    assert (level("CAM-P", sp).on_hand, level("CAM-P", sp).reserved) == (0, 0)
    assert (level("CAM-P", rj).on_hand, level("CAM-P", rj).reserved) == (1, 0)
    assert_ledger_ok()


def test_returns_go_back_where_they_came_from_or_to_a_chosen_warehouse(
    stocked, loja, sp, rj
):
    order = place(loja, lines=[{"sku": "CAM-M", "quantity": 2}])
    advance(order, "pay", "invoice", "prepare", "ship", "deliver", "return")
    assert level("CAM-M", sp).on_hand == 2
    other = place(loja, lines=[{"sku": "CAM-M", "quantity": 1}])
    advance(other, "pay", "invoice", "prepare", "ship", "deliver")
    with returns_to(rj):
        advance(other, "return")
    assert level("CAM-M", rj).on_hand == 1
    movement = StockMovement.objects.get(kind="return", reference=other.number)
    assert (movement.warehouse, movement.quantity) == (rj, 1)
    assert_ledger_ok()


def test_the_return_reason_is_kept_apart_and_reaches_the_return_movement(
    stocked, loja, sp
):
    order = place(loja, lines=[{"sku": "CAM-M", "quantity": 1}])
    advance(order, "pay", "invoice", "prepare", "ship", "deliver")
    transition_order(order, "return", user=None, reason="Tamanho errado")
    order.refresh_from_db()
    assert (order.return_reason, order.cancel_reason) == ("Tamanho errado", "")
    movement = StockMovement.objects.get(kind="return", reference=order.number)
    assert movement.reason == "Tamanho errado"


def test_the_channels_returns_warehouse(stocked, loja, sp, rj):
    ChannelWarehouse.objects.create(
        channel_code=loja.code, warehouse=sp, returns_warehouse=rj
    )
    order = place(loja, lines=[{"sku": "CAM-M", "quantity": 1}])
    advance(order, "pay", "invoice", "prepare", "ship", "deliver", "return")
    assert level("CAM-M", rj).on_hand == 1


def test_an_order_cannot_ship_units_counted_away(stocked, loja, sp, clerk_sp):
    from plugins.stock.services import adjust_stock
    from tests.plugins.stock.conftest import variant

    order = place(loja, lines=[{"sku": "CAM-M", "quantity": 2}])
    adjust_stock(sp, variant=variant("CAM-M"), quantity=-1, reason="x", user=clerk_sp)
    advance(order, "pay", "invoice", "prepare")
    with pytest.raises(CannotShip):
        advance(order, "ship")
    order.refresh_from_db()
    assert order.status == "ready_to_ship"
    assert_ledger_ok()


def test_ledger_invariant_across_a_busy_day(stocked, loja, mercado_livre, sp, rj):
    stock("CAM-M", rj, 4)
    orders = [
        place(loja, lines=[{"sku": "CAM-P", "quantity": 2}]),
        place(mercado_livre, lines=[{"sku": "CAM-M", "quantity": 3}]),
        place(loja, lines=[{"sku": "CAN-1", "quantity": 4}]),
    ]
    advance(orders[0], "pay", "invoice", "prepare", "ship", "deliver", "return")
    advance(orders[1], "cancel")
    advance(orders[2], "pay", "invoice", "prepare", "ship")
    assert_ledger_ok()
    assert level("CAN-1", rj).on_hand == 6


def test_an_order_takes_the_units_of_expired_cart_holds(stocked, loja, sp):
    import datetime

    from django.utils import timezone

    from plugins.stock.models import CartHold
    from plugins.stock.services import create_hold

    hold = create_hold(lines=[{"sku": "CAM-M", "quantity": 2}], reference="c-1")
    past = timezone.now() - datetime.timedelta(minutes=1)
    CartHold.objects.filter(pk=hold.pk).update(expires_at=past)
    Reservation.objects.filter(hold=hold).update(expires_at=past)
    order = place(loja, lines=[{"sku": "CAM-M", "quantity": 2}])
    assert Reservation.objects.get(order_id=order.pk).quantity == 2
    assert CartHold.objects.get(pk=hold.pk).status == "expired"
    assert level("CAM-M", sp).reserved == 2
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("quantity", "sp_units", "rj_units"),
    [(4, 2, 2), (5, 2, 3)],  # the stale plan in one warehouse, or in two
)
def test_a_plan_made_from_stale_levels_is_redone_with_the_levels_locked(
    stocked, loja, sp, rj, quantity, sp_units, rj_units
):
    """Orders plan from levels read without a lock, write their reservations,
    then update the levels only if the units are still there. When another
    order took them in between, the reservations written are taken back and
    the plan is redone from the locked levels."""
    from django.db import transaction

    from plugins.stock.services.orders import _order_lines_and_levels
    from plugins.stock.services.reservations import reserve

    # CAM-P: 5 in SP-01 (first), 3 in RJ-01.
    order = place(loja, lines=[{"sku": "CAM-P", "quantity": 1}])
    lines, candidates, _hold = _order_lines_and_levels(order)  # SP-01: 4 free
    (need,) = lines
    need.quantity = quantity
    place(loja, lines=[{"sku": "CAM-P", "quantity": 2}])  # meanwhile: 2 left
    written = []

    def write(rows):
        created = [
            Reservation.objects.create(
                level_id=level_id, quantity=units, order_id=order.pk
            )
            for _need, level_id, units in rows
        ]
        written.append(created)
        return created

    with transaction.atomic():
        reserved = reserve([need], candidates=candidates, write=write)
    assert len(written) == 2  # the stale plan's rows, then the locked plan's
    sp_level, rj_level = level("CAM-P", sp), level("CAM-P", rj)
    assert sorted((level_id, units) for _n, level_id, units in reserved.rows) == [
        (sp_level.pk, sp_units),
        (rj_level.pk, rj_units),
    ]
    assert reserved.written == written[1]
    assert (sp_level.reserved, rj_level.reserved) == (1 + 2 + sp_units, rj_units)
    # Its first reservation and the locked plan's two: the stale rows are gone.
    assert Reservation.objects.filter(order_id=order.pk).count() == 1 + 2
