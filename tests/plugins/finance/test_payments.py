"""What a payment's status change does, whoever reports it: approval pays
the order and writes its receivables once; late or repeated reports change
nothing; a refund or chargeback cancels the order where it may, or goes to
review; staff register payments that came outside the providers."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from plugins.finance.exceptions import PaymentNotAllowed
from plugins.finance.models import Payment, Provider, ProviderAccount, Receivable
from plugins.finance.services import Outcome, apply_status, register_manual_payment
from plugins.orders.models import OrderEvent
from plugins.orders.services import transition_order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def mp(db):
    return ProviderAccount.objects.create(
        name="Mercado Pago", provider=Provider.MERCADO_PAGO, access_token="t"
    )


@pytest.fixture
def manual(db):
    return ProviderAccount.objects.create(name="Depósito", provider=Provider.MANUAL)


@pytest.fixture
def order(loja, sellable):  # noqa: F811
    return place(loja)  # 2 × 49.90 + 39.90 + 15.00 shipping = 154.70


def card_payment(order, account, installments=3):
    return Payment.objects.create(
        order=order,
        account=account,
        method="card",
        amount=order.total,
        installments=installments,
        provider_id="MP-1",
    )


def test_approval_pays_the_order_and_writes_a_receivable_per_installment(order, mp):
    payment = card_payment(order, mp)

    result = apply_status(payment, "approved", source="webhook")

    assert result.outcome == Outcome.APPLIED
    order.refresh_from_db()
    assert order.status == "paid"
    rows = list(Receivable.objects.filter(payment=payment).order_by("installment"))
    assert [(r.installment, r.installments) for r in rows] == [(1, 3), (2, 3), (3, 3)]
    assert sum(r.gross for r in rows) == order.total == D("154.70")
    assert all(r.net == r.gross - r.fee and r.fee > 0 for r in rows)
    assert {r.reference for r in rows} == {"MP-1"}
    timeline = OrderEvent.objects.filter(order=order, source="finance")
    assert timeline.count() == 1
    assert "R$ 154,70" in timeline.get().message  # the amount as a clerk reads it
    assert ModelLogEntry.objects.filter(action="finance.payment_status").count() == 1


def test_the_same_report_twice_or_a_late_one_changes_nothing(order, mp):
    payment = card_payment(order, mp)
    apply_status(payment, "approved")

    assert apply_status(payment, "approved").outcome == Outcome.UNCHANGED
    # a "pending" that arrives after the approval (out of order)
    assert apply_status(payment, "pending").outcome == Outcome.UNCHANGED

    payment.refresh_from_db()
    assert payment.status == "approved"
    assert Receivable.objects.filter(payment=payment).count() == 3
    assert OrderEvent.objects.filter(order=order, source="finance").count() == 1


def test_a_refund_before_shipping_cancels_the_order_and_writes_off(order, mp):
    payment = card_payment(order, mp)
    apply_status(payment, "approved")

    result = apply_status(payment, "refunded")

    assert result.outcome == Outcome.APPLIED
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.cancel_reason == "Payment refunded."
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.amount
    assert set(payment.receivables.values_list("status", flat=True)) == {"written_off"}


def test_a_chargeback_after_shipping_goes_to_review(order, mp):
    payment = card_payment(order, mp)
    apply_status(payment, "approved")
    for name in ("invoice", "prepare", "ship"):
        transition_order(order, name, user=None)

    result = apply_status(payment, "charged_back")

    assert result.outcome == Outcome.REVIEW
    assert order.number in result.message
    order.refresh_from_db()
    assert order.status == "shipped"  # a person decides


def test_a_payment_for_a_cancelled_order_goes_to_review(order, mp):
    payment = card_payment(order, mp)
    transition_order(order, "cancel", user=None, reason="Desistiu")

    result = apply_status(payment, "approved")

    assert result.outcome == Outcome.REVIEW
    assert "refund" in result.message


def test_partial_refunds_add_up(order, mp):
    payment = card_payment(order, mp)
    apply_status(payment, "approved")

    apply_status(payment, "partially_refunded", refunded_amount=D("20.00"))
    again = apply_status(payment, "partially_refunded", refunded_amount=D("20.00"))
    more = apply_status(payment, "partially_refunded", refunded_amount=D("50.00"))

    assert again.outcome == Outcome.UNCHANGED and more.outcome == Outcome.APPLIED
    payment.refresh_from_db()
    assert payment.refunded_amount == D("50.00")
    order.refresh_from_db()
    assert order.status == "paid"


def test_staff_register_a_manual_payment_for_the_order_total(order, manual):
    clerk = UserFactory(username="financeiro", roles=["finance"])

    payment = register_manual_payment(
        order, account=manual, method="transfer", user=clerk, note="TED 123"
    )

    assert (payment.amount, payment.status, payment.created_by) == (
        order.total,
        "approved",
        clerk,
    )
    order.refresh_from_db()
    assert order.status == "paid"
    (receivable,) = payment.receivables.all()
    assert (receivable.kind, receivable.fee, receivable.net) == (
        "manual",
        D("0.00"),
        order.total,
    )
    assert ModelLogEntry.objects.filter(
        action="finance.manual_payment", user_id=clerk.pk
    ).exists()


def test_a_manual_payment_needs_the_permission_a_pending_order_and_a_manual_account(
    order, manual, mp
):
    desk = UserFactory(username="atendente", roles=["order_desk"])
    with pytest.raises(PermissionDenied):
        register_manual_payment(order, account=manual, method="transfer", user=desk)

    clerk = UserFactory(username="financeiro", roles=["finance"])
    with pytest.raises(PaymentNotAllowed):
        register_manual_payment(order, account=mp, method="transfer", user=clerk)

    register_manual_payment(order, account=manual, method="cod", user=clerk)
    with pytest.raises(PaymentNotAllowed, match="takes no payment now"):
        register_manual_payment(order, account=manual, method="cod", user=clerk)
    assert Payment.objects.filter(order=order).count() == 1
