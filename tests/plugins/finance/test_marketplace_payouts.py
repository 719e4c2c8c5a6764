"""Marketplace payouts: one receivable per marketplace order — what the buyer
paid less what the marketplace keeps (its fee and the freight it charged),
due by the channel's payout terms — written when the order is paid,
delivered or imported with its history, and written off when it is
cancelled or returned."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from plugins.finance.models import MarketplacePayoutTerms, Receivable
from plugins.orders.intake import place_order_batch
from plugins.orders.models import Order
from plugins.orders.services import transition_order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import (  # noqa: F401
    loja,
    mercado_livre,
    place,
    sellable,
)
from tests.plugins.orders.test_marketplace_history import _delivered_item

pytestmark = pytest.mark.django_db


def payouts(order):
    return list(Receivable.objects.filter(order=order, kind="marketplace"))


@pytest.fixture
def ml_order(mercado_livre, sellable):  # noqa: F811
    """A marketplace order awaiting payment, its fee and freight imported."""
    order = place(mercado_livre)
    Order.objects.filter(pk=order.pk).update(
        marketplace_fee=D("18.50"), marketplace_freight=D("12.40")
    )
    order.refresh_from_db()
    return order


def days_after(moment, days):
    return timezone.localdate(moment) + datetime.timedelta(days=days)


def test_a_paid_marketplace_order_is_owed_its_payout_dated_again_on_delivery(
    ml_order,
):
    transition_order(ml_order, "pay", user=None)
    ml_order.refresh_from_db()

    (payout,) = payouts(ml_order)
    assert payout.gross == ml_order.total == D("154.70")
    assert payout.fee == D("30.90")  # the fee and the freight the marketplace keeps
    assert payout.net == D("123.80")
    assert payout.channel_id == ml_order.channel_id
    # delivery not known yet: 30 days after the payment
    assert payout.due_date == days_after(ml_order.paid_at, 30)

    for name in ("invoice", "prepare", "ship", "deliver"):
        transition_order(ml_order, name, user=None)
    ml_order.refresh_from_db()

    (payout,) = payouts(ml_order)  # written once
    assert payout.due_date == days_after(ml_order.delivered_at, 30)
    assert payout.status == "open"


def test_the_channel_terms_decide_the_date(ml_order, mercado_livre):  # noqa: F811
    MarketplacePayoutTerms.objects.create(
        channel=mercado_livre, days=14, counted_from="payment"
    )
    transition_order(ml_order, "pay", user=None)
    for name in ("invoice", "prepare", "ship", "deliver"):
        transition_order(ml_order, name, user=None)
    ml_order.refresh_from_db()

    (payout,) = payouts(ml_order)
    assert payout.due_date == days_after(ml_order.paid_at, 14)


def test_a_storefront_order_has_no_marketplace_payout(loja, sellable):  # noqa: F811
    order = place(loja)
    transition_order(order, "pay", user=None)
    assert payouts(order) == []


def test_a_cancelled_or_returned_order_writes_off_its_payout(
    ml_order,
    mercado_livre,  # noqa: F811
):
    transition_order(ml_order, "pay", user=None)
    transition_order(ml_order, "cancel", user=None, reason="Desistiu")
    assert [p.status for p in payouts(ml_order)] == ["written_off"]

    returned = place(mercado_livre)
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(returned, name, user=None)
    transition_order(returned, "return", user=None, reason="Defeito")
    assert [p.status for p in payouts(returned)] == ["written_off"]


def test_a_settled_payout_is_not_written_off(ml_order):
    transition_order(ml_order, "pay", user=None)
    Receivable.objects.filter(order=ml_order).update(
        status="settled", settled_amount=D("123.80")
    )
    transition_order(ml_order, "cancel", user=None, reason="Desistiu")
    assert [p.status for p in payouts(ml_order)] == ["settled"]


def test_an_order_imported_with_its_history_is_owed_its_payout_once(
    mercado_livre,  # noqa: F811
    sellable,  # noqa: F811
):
    delivered = _delivered_item()
    cancelled = _delivered_item(
        "MLB-9002",
        status="cancelled",
        delivered_at=None,
        shipped_at=None,
        invoiced_at=None,
        cancelled_at="2026-01-11T10:00:00-03:00",
        rating=None,
    )
    results = place_order_batch([delivered, cancelled], user=None)
    assert [r.status for r in results] == ["created", "created"]

    order = Order.objects.get(external_id="MLB-9001")
    (payout,) = payouts(order)
    assert (payout.gross, payout.fee, payout.net) == (
        D("102.00"),
        D("35.22"),  # 16.32 fee + 18.90 freight
        D("66.78"),
    )
    assert payout.due_date == datetime.date(2026, 1, 14) + datetime.timedelta(30)
    assert payout.reference == "MLB-9001"
    assert payouts(Order.objects.get(external_id="MLB-9002")) == []

    # the same batch again: replayed, nothing new
    place_order_batch([delivered], user=None)
    assert len(payouts(order)) == 1


def test_the_finance_manager_sets_a_channel_terms_in_the_admin(
    client,
    mercado_livre,  # noqa: F811
):
    manager = UserFactory(roles=["finance_manager"])
    client.force_login(manager)
    response = client.post(
        "/admin/finance/payout-terms/new/",
        {"channel": mercado_livre.pk, "days": "21", "counted_from": "payment"},
    )
    assert response.status_code == 302
    terms = MarketplacePayoutTerms.objects.get(channel=mercado_livre)
    assert (terms.days, terms.counted_from) == (21, "payment")
