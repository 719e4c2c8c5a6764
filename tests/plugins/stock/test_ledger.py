"""The ledger: each movement type, the levels they update, constraints,
immutability, permissions and the stock_verify command."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import QuerySet
from wagtail.models import ModelLogEntry

from plugins.stock import services
from plugins.stock.exceptions import InsufficientStock, InvalidMovement
from plugins.stock.models import ImmutableMovement, StockLevel, StockMovement
from tests.plugins.stock.conftest import assert_ledger_ok, level, variant


def test_receipt_creates_the_level_and_a_movement(sellable, sp, clerk_sp):
    movement = services.receive_stock(
        sp, variant=variant("CAM-P"), quantity=7, user=clerk_sp, reason="NF 123"
    )
    assert (movement.kind, movement.quantity, movement.on_hand_after) == (
        "receipt",
        7,
        7,
    )
    assert movement.user == clerk_sp and movement.sku == "CAM-P"
    assert level("CAM-P", sp).on_hand == 7
    assert ModelLogEntry.objects.filter(action="stock.receive").count() == 1
    assert_ledger_ok()


def test_adjustment_needs_a_reason_and_cannot_go_below_zero(stocked, sp, clerk_sp):
    with pytest.raises(InvalidMovement):
        services.adjust_stock(
            sp, variant=variant("CAM-P"), quantity=-1, reason=" ", user=clerk_sp
        )
    with pytest.raises(InsufficientStock) as error:
        services.adjust_stock(
            sp, variant=variant("CAM-P"), quantity=-6, reason="quebra", user=clerk_sp
        )
    assert error.value.short == [{"sku": "CAM-P", "requested": 6, "available": 5}]
    movement = services.adjust_stock(
        sp, variant=variant("CAM-P"), quantity=-2, reason="quebra", user=clerk_sp
    )
    assert (movement.kind, movement.on_hand_after) == ("adjustment", 3)
    assert level("CAM-P", sp).on_hand == 3
    assert_ledger_ok()


def test_clerk_cannot_move_stock_in_another_warehouse(stocked, rj, clerk_sp):
    for call in (
        lambda: services.receive_stock(
            rj, variant=variant("CAM-P"), quantity=1, user=clerk_sp
        ),
        lambda: services.adjust_stock(
            rj, variant=variant("CAM-P"), quantity=1, reason="x", user=clerk_sp
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert level("CAM-P", rj).on_hand == 3


def test_manager_and_auditor_cannot_move_stock(stocked, sp, manager, auditor):
    for user in (manager, auditor):
        with pytest.raises(PermissionDenied):
            services.receive_stock(sp, variant=variant("CAM-P"), quantity=1, user=user)


def test_stock_manager_moves_stock_everywhere(stocked, sp, rj, stock_manager):
    services.receive_stock(rj, variant=variant("CAM-M"), quantity=4, user=stock_manager)
    assert level("CAM-M", rj).on_hand == 4


def test_movements_are_immutable(stocked, sp):
    movement = StockMovement.objects.first()
    movement.quantity = 99
    with pytest.raises(ImmutableMovement):
        movement.save()
    with pytest.raises(ImmutableMovement):
        movement.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=1)
    with pytest.raises(TypeError):
        StockMovement.objects.all().delete()


@pytest.mark.postgres
def test_postgresql_refuses_changing_movements_in_sql(stocked):
    movement = StockMovement.objects.first()
    for sql in (
        "UPDATE stock_stockmovement SET quantity = 99 WHERE id = %s",
        "DELETE FROM stock_stockmovement WHERE id = %s",
    ):
        with pytest.raises(Exception, match="immutable"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [movement.pk])


def test_database_refuses_negative_levels(stocked, sp):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            StockLevel.objects.filter(warehouse=sp).update(on_hand=-1)


def test_reorder_point_and_alert_once(
    stocked,
    sp,
    rj,
    clerk_sp,
    stock_manager,
    mailoutbox,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.RETAGUARDA_STOCK_ALERT_EMAILS = "compras@example.com"
    # reorder points are planned by the stock manager, not by the clerks
    for warehouse in (rj, sp):
        with pytest.raises(PermissionDenied):
            services.set_reorder_point(
                level("CAM-P", warehouse), reorder_point=1, user=clerk_sp
            )
    assert level("CAM-P", sp).reorder_point == 0

    def adjust(units):
        with django_capture_on_commit_callbacks(execute=True):
            services.adjust_stock(
                sp, variant=variant("CAM-P"), quantity=units, reason="x", user=clerk_sp
            )

    services.set_reorder_point(level("CAM-P", sp), reorder_point=3, user=stock_manager)
    adjust(-1)
    assert len(mailoutbox) == 0  # 4 available, above 3
    adjust(-1)
    assert len(mailoutbox) == 1 and "CAM-P @ SP-01" in mailoutbox[0].body
    adjust(-1)
    assert len(mailoutbox) == 1  # once per fall
    adjust(+10)
    adjust(-10)
    assert len(mailoutbox) == 2  # rose above, fell again


def test_stock_verify_reports_and_repairs_drift(stocked, sp):
    out = io.StringIO()
    call_command("stock_verify", stdout=out)
    assert "No drift" in out.getvalue()
    StockLevel.objects.filter(variant__sku="CAM-P", warehouse=sp).update(on_hand=9)
    StockLevel.objects.filter(variant__sku="CAM-M", warehouse=sp).update(reserved=1)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("stock_verify", stdout=out)
    assert "CAM-P @ SP-01: on_hand is 9, the ledger says 5" in out.getvalue()
    assert "CAM-M @ SP-01: reserved is 1" in out.getvalue()
    call_command("stock_verify", "--repair", stdout=io.StringIO())
    assert_ledger_ok()
    assert level("CAM-P", sp).on_hand == 9  # the ledger caught up with the count
    correction = StockMovement.objects.get(reference_type="correction")
    assert correction.quantity == 4
    assert level("CAM-M", sp).reserved == 0
    assert ModelLogEntry.objects.filter(action="stock.correction").count() == 2


def test_database_refuses_changing_movements_through_any_queryset(stocked):
    # given movements, and querysets that bypass the model's own refusal
    movement = StockMovement.objects.first()
    plain = QuerySet(model=StockMovement)
    # when they are updated or deleted in SQL
    for change in (
        lambda: plain.filter(pk=movement.pk).update(quantity=99),
        lambda: plain.filter(pk=movement.pk).update(reason="apagado"),
        lambda: StockMovement._base_manager.filter(pk=movement.pk).update(
            on_hand_after=0
        ),
        lambda: plain.filter(pk=movement.pk).delete(),
    ):
        # then the database refuses
        with pytest.raises(DatabaseError, match="immutable"):
            with transaction.atomic():
                change()
    # and nothing changed
    after = StockMovement.objects.get(pk=movement.pk)
    assert (after.quantity, after.reason, after.on_hand_after) == (
        movement.quantity,
        movement.reason,
        movement.on_hand_after,
    )
    assert StockMovement.objects.count() == 4


def test_deleting_a_user_still_clears_their_movements_link(stocked, sp, clerk_sp):
    # given a movement by a clerk
    movement = services.receive_stock(
        sp, variant=variant("CAM-M"), quantity=1, user=clerk_sp, reason="NF 9"
    )
    # when the user is deleted (SET_NULL on the movement)
    clerk_sp.delete()
    # then the movement stays, without its user
    movement = StockMovement.objects.get(pk=movement.pk)
    assert movement.user_id is None and movement.quantity == 1
