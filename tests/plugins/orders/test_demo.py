"""The demo orders written by `manage.py seed_demo` (the DEMO_DATA hook)."""

from io import StringIO

import pytest
from django.db.models import Count

from plugins.orders import demo
from plugins.orders.models import Order, OrderEvent, SalesChannel, SurveyResponse
from plugins.orders.permissions import order_policy
from tests.factories import UserFactory


@pytest.fixture
def small_demo(sellable, monkeypatch):
    monkeypatch.setattr(demo, "ORDER_COUNT", 60)
    attendant = UserFactory(username="order_desk", roles=["order_desk"])
    out = StringIO()
    demo.seed_demo_orders(stdout=out)
    return attendant, out.getvalue()


def test_demo_orders_span_channels_statuses_and_surveys(small_demo):
    _attendant, output = small_demo
    assert "Pedidos de demonstração: 60 nos últimos 90 dias" in output
    assert SalesChannel.objects.count() == len(demo.CHANNELS)
    statuses = dict(
        Order.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    assert {"delivered", "pending_payment"} <= set(statuses)
    assert len(statuses) >= 5
    assert Order.objects.values("channel").distinct().count() >= 4
    assert SurveyResponse.objects.filter(score__isnull=False).exists()
    # Every order's timeline agrees with its status.
    for order in Order.objects.all():
        last = order.events.filter(kind__in=("placed", "transition")).last()
        assert last.to_status == order.status
        assert last.created_at >= order.placed_at


def test_demo_is_idempotent(small_demo):
    counts = (Order.objects.count(), OrderEvent.objects.count())
    demo.seed_demo_orders(stdout=StringIO())
    assert (Order.objects.count(), OrderEvent.objects.count()) == counts


def test_demo_order_desk_works_two_channels(small_demo):
    attendant, _ = small_demo
    visible = order_policy().instances_user_has_any_permission_for(attendant, ["view"])
    assert set(visible.values_list("channel__code", flat=True)) <= {
        "loja",
        "mercado-livre",
    }
    assert visible.exists()


def test_demo_has_marketplace_orders_imported_with_their_history(small_demo):
    from plugins.orders.models import OrderPayment

    _attendant, output = small_demo
    imported = Order.objects.filter(external_id__startswith="DEMO-MLB-")
    assert f"Mercado Livre (com pagamentos e avaliações): {imported.count()}" in output
    assert imported.count() == demo.IMPORTED_COUNT
    assert imported.filter(status="delivered").exists()
    assert OrderPayment.objects.filter(order__in=imported, method="voucher").exists()
    assert SurveyResponse.objects.filter(
        order__in=imported, source="marketplace", rating__isnull=False
    ).exists()
    assert OrderEvent.objects.filter(order__in=imported, imported=True).exists()
