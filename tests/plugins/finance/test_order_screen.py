"""The order's screen shows its payments and receivables to the finance
desk, which registers a manual payment there."""

import pytest
from django.test import Client
from django.urls import reverse

from plugins.finance.models import Provider, ProviderAccount
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel, loja, place, sellable  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(loja, sellable):  # noqa: F811
    ProviderAccount.objects.create(name="Transferência", provider=Provider.MANUAL)
    return place(loja)


def test_the_finance_desk_registers_a_transfer_on_the_order_screen(order):
    client = Client(enforce_csrf_checks=True)
    clerk = UserFactory(username="financeiro", roles=["finance"])
    client.force_login(clerk)
    detail = reverse("orders:detail", args=[order.pk])

    page = client.get(detail).content.decode()
    assert 'id="order-manual-payment-form"' in page
    assert "R$ 154,70" in page
    form = page.split('id="order-manual-payment-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form  # a browser's post is accepted

    account = ProviderAccount.objects.get()
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("finance_manual_payment", args=[order.pk]),
        {
            "account": account.pk,
            "method": "transfer",
            "note": "TED 4471",
            "csrfmiddlewaretoken": token,
        },
        follow=True,
    )

    order.refresh_from_db()
    assert order.status == "paid"
    page = response.content.decode()
    assert "order-finance-receivables" in page
    assert 'id="order-manual-payment-form"' not in page  # paid: no second one


def test_a_bad_choice_registers_nothing(client, order):
    clerk = UserFactory(username="financeiro", roles=["finance"])
    client.force_login(clerk)

    client.post(
        reverse("finance_manual_payment", args=[order.pk]),
        {"account": 999, "method": "cheque"},
    )

    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert not order.finance_payments.exists()


def test_the_order_desk_sees_no_finance_panel(client, order, loja):  # noqa: F811
    desk = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(desk, loja)
    client.force_login(desk)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()

    assert "order-payment" in page
    assert "order-finance" not in page
