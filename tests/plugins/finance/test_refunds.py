"""*Estornar*: the finance manager refunds a payment from the order's
screen. The provider returns the money (its simulator here, over real
HTTP), the refund is recorded, audited and on the order's timeline, and a
full refund follows the path of a refund notification: the receivables
written off, the order cancelled where it may be, or the review message."""

from decimal import Decimal as D

import pytest
from wagtail.models import ModelLogEntry

from plugins.finance.gateway import provider_for
from plugins.finance.models import Payment, Provider, ProviderAccount
from plugins.finance.providers import PaymentMethod, PaymentStatus
from plugins.finance.services import apply_status
from plugins.orders.models import OrderEvent
from plugins.orders.services import transition_order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

from .charges import charge_request
from .conftest import MP_SECRET, MP_TOKEN, PAGBANK_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(loja, sellable):  # noqa: F811
    return place(loja)  # 154.70


@pytest.fixture
def manager(client):
    user = UserFactory(roles=["finance_manager"])
    client.force_login(user)
    return user


def paid_through(account, order, method=PaymentMethod.CARD, approve=None):
    """A payment of ``order`` charged on the provider's simulator, approved."""
    charge = provider_for(account).create_charge(
        charge_request(method, amount=order.total)
    )
    if approve:
        approve(charge.provider_id)
    payment = Payment.objects.create(
        order=order,
        account=account,
        method=method,
        amount=order.total,
        provider_id=charge.provider_id,
    )
    apply_status(payment, "approved")
    payment.refresh_from_db()
    return payment


@pytest.fixture
def mp(mercadopago_simulator):
    return ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        api_url=mercadopago_simulator.url,
        access_token=MP_TOKEN,
        webhook_secret=MP_SECRET,
    )


def url(payment):
    return f"/admin/finance/payments/{payment.pk}/refund/"


def test_a_partial_then_a_full_refund_through_mercado_pago(client, manager, order, mp):
    payment = paid_through(mp, order)
    panel = client.get(f"/admin/orders/{order.pk}/")
    assert url(payment) in panel.content.decode()
    page = client.get(url(payment))
    assert page.status_code == 200
    assert "154,70" in page.content.decode()

    response = client.post(url(payment), {"amount": "50,00", "reason": "Avaria"})

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "partially_refunded"
    assert payment.refunded_amount == D("50.00")
    charge = provider_for(mp).fetch_status(payment.provider_id)
    assert charge.refunded_amount == D("50.00")  # the provider returned it
    order.refresh_from_db()
    assert order.status == "paid"
    assert set(payment.receivables.values_list("status", flat=True)) == {"open"}

    # more than what is left is refused on its field, and nothing changes
    refused = client.post(url(payment), {"amount": "104,71", "reason": "Avaria"})
    assert refused.status_code == 200
    assert "104,70" in refused.content.decode()
    assert provider_for(mp).fetch_status(payment.provider_id).refunded_amount == D(
        "50.00"
    )

    # the rest (blank: everything that is left)
    client.post(url(payment), {"amount": "", "reason": "Desistiu"})

    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert payment.refunded_amount == payment.amount
    assert provider_for(mp).fetch_status(payment.provider_id).status == (
        PaymentStatus.REFUNDED
    )
    assert set(payment.receivables.values_list("status", flat=True)) == {"written_off"}
    order.refresh_from_db()
    assert order.status == "cancelled"
    entries = ModelLogEntry.objects.filter(action="finance.refund")
    assert [e.user_id for e in entries] == [manager.pk, manager.pk]
    timeline = OrderEvent.objects.filter(order=order, data__has_key="refund")
    assert timeline.count() == 2
    # nothing left: the order's screen offers no refund
    assert url(payment) not in client.get(f"/admin/orders/{order.pk}/").content.decode()


def test_a_full_refund_after_shipping_goes_to_review_through_pagbank(
    client, manager, order, pagbank_simulator
):
    account = ProviderAccount.objects.create(
        name="PagBank",
        provider=Provider.PAGBANK,
        api_url=pagbank_simulator.url,
        access_token=PAGBANK_TOKEN,
    )
    payment = paid_through(
        account, order, PaymentMethod.PIX, approve=pagbank_simulator.approve
    )
    for name in ("invoice", "prepare", "ship"):
        transition_order(order, name, user=None)

    response = client.post(url(payment), {"reason": "Cliente desistiu"}, follow=True)

    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert provider_for(account).fetch_status(payment.provider_id).status == (
        PaymentStatus.REFUNDED
    )
    order.refresh_from_db()
    assert order.status == "shipped"  # a person decides
    assert order.number in response.content.decode()  # the review message


def test_a_manual_payment_refund_is_recorded(client, manager, order):
    account = ProviderAccount.objects.create(name="Depósito", provider=Provider.MANUAL)
    payment = Payment.objects.create(
        order=order, account=account, method="transfer", amount=order.total
    )
    apply_status(payment, "approved")

    client.post(url(payment), {"reason": "Devolvido por transferência"})

    payment.refresh_from_db()
    assert payment.status == "refunded"
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_the_finance_clerk_may_not_refund(client, order):
    account = ProviderAccount.objects.create(name="Depósito", provider=Provider.MANUAL)
    payment = Payment.objects.create(
        order=order, account=account, method="transfer", amount=order.total
    )
    apply_status(payment, "approved")
    client.force_login(UserFactory(roles=["finance"]))

    # Wagtail's "no permission": back to the dashboard, with its message
    for response in (
        client.get(url(payment)),
        client.post(url(payment), {"reason": "x"}),
    ):
        assert (response.status_code, response.url) == (302, "/admin/")
    assert "/refund/" not in client.get(f"/admin/orders/{order.pk}/").content.decode()
    payment.refresh_from_db()
    assert payment.status == "approved"


def test_the_refund_message_in_portuguese(order):
    from django.utils import translation

    from plugins.finance.exceptions import RefundNotAllowed
    from plugins.finance.services.refunds import refund_payment

    account = ProviderAccount.objects.create(name="Depósito", provider=Provider.MANUAL)
    payment = Payment.objects.create(
        order=order, account=account, method="transfer", amount=order.total
    )
    with translation.override("pt-br"), pytest.raises(RefundNotAllowed) as error:
        refund_payment(payment, user=None, reason="x")
    assert "nada a estornar" in error.value.message
