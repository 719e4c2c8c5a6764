"""Provider notifications that did not get applied: the finance manager has
a failed or unprocessed one processed again (*Processar novamente*), and a
periodic sweep queues again those stored but never queued (the queuing
failed after they were saved). Both run the task's processing against the
provider's simulator, and apply a payment once."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from plugins.finance.exceptions import EventNotReprocessable
from plugins.finance.gateway import provider_for
from plugins.finance.models import Payment, Provider, ProviderAccount, ProviderEvent
from plugins.finance.providers import PaymentMethod
from plugins.finance.services.events import reprocess, stale_events
from tests.factories import UserFactory
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

from .charges import charge_request
from .conftest import MP_SECRET, MP_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def mp(mercadopago_simulator):
    return ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        api_url=mercadopago_simulator.url,
        access_token=MP_TOKEN,
        webhook_secret=MP_SECRET,
    )


@pytest.fixture
def payment(mp, mercadopago_simulator, loja, sellable):  # noqa: F811
    """A Pix payment the customer paid at the provider; its notification
    was not applied."""
    order = place(loja)
    charge = provider_for(mp).create_charge(
        charge_request(PaymentMethod.PIX, amount=order.total)
    )
    mercadopago_simulator.approve(charge.provider_id)
    return Payment.objects.create(
        order=order,
        account=mp,
        method="pix",
        amount=order.total,
        provider_id=charge.provider_id,
    )


def stored(payment, event_id="evt-1", minutes_ago=0, **fields):
    event = ProviderEvent.objects.create(
        account=payment.account,
        event_id=event_id,
        topic="payment",
        provider_payment_id=payment.provider_id,
        **fields,
    )
    ProviderEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return event


def test_the_manager_processes_a_failed_notification_again(
    client, payment, django_capture_on_commit_callbacks
):
    event = stored(
        payment,
        outcome="failed",
        message="Mercado Pago did not answer in time.",
        processed_at=timezone.now(),
    )
    manager = UserFactory(roles=["finance_manager"])
    client.force_login(manager)
    inspect = client.get(f"/admin/finance/notifications/inspect/{event.pk}/")
    url = f"/admin/finance/notifications/{event.pk}/reprocess/"
    assert url in inspect.content.decode()
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # queued on commit
        response = client.post(url)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.outcome == "applied"
    assert event.payment == payment
    payment.refresh_from_db()
    assert payment.status == "approved"
    payment.order.refresh_from_db()
    assert payment.order.status == "paid"
    (entry,) = ModelLogEntry.objects.filter(action="finance.event_reprocess")
    assert entry.user_id == manager.pk

    # applied: not again, and the screen no longer offers it
    client.post(url)
    assert ModelLogEntry.objects.filter(action="finance.event_reprocess").count() == 1
    assert payment.receivables.count() == 1
    inspect = client.get(f"/admin/finance/notifications/inspect/{event.pk}/")
    assert url not in inspect.content.decode()
    with pytest.raises(EventNotReprocessable):
        reprocess(event, user=manager)


def test_the_finance_clerk_may_not_process_it_again(client, payment):
    event = stored(payment, outcome="failed", processed_at=timezone.now())
    client.force_login(UserFactory(roles=["finance"]))
    url = f"/admin/finance/notifications/{event.pk}/reprocess/"

    for response in (client.get(url), client.post(url)):
        assert (response.status_code, response.url) == (302, "/admin/")
    event.refresh_from_db()
    assert event.outcome == "failed"
    inspect = client.get(f"/admin/finance/notifications/inspect/{event.pk}/")
    assert url not in inspect.content.decode()


def test_the_sweep_queues_again_what_was_stored_and_never_queued(payment):
    lost = stored(payment, "evt-lost", minutes_ago=20)
    recent = stored(payment, "evt-recent", minutes_ago=2)
    # waiting for its retry, due in five minutes: not lost
    waiting = stored(
        payment,
        "evt-waiting",
        minutes_ago=40,
        queued_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    assert set(stale_events(10)) == {lost}

    call_command("requeue_provider_events", minutes=10, verbosity=0)

    lost.refresh_from_db()
    assert lost.outcome == "applied"
    payment.refresh_from_db()
    assert payment.status == "approved"
    for event in (recent, waiting):
        event.refresh_from_db()
        assert event.processed_at is None
    # run again: the applied one is left alone, the rest are not stale yet
    call_command("requeue_provider_events", minutes=10, verbosity=0)
    assert payment.receivables.count() == 1
    assert stale_events(10).count() == 0
