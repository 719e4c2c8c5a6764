"""A provider's notification that arrives while the provider's API is down
(its status cannot be fetched) is applied when the API is back: the task
tries again later instead of leaving the event unprocessed for good —
redeliveries of a stored event are duplicates and queue nothing, so nothing
else would ever apply it. When the provider stays down, the event is marked
failed, for the finance desk to see. A redelivery is recognised whatever the
length of the notification's id."""

import datetime
import json
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from plugins.finance.models import Payment, Provider, ProviderAccount, ProviderEvent
from plugins.finance.services.charges import create_payment
from plugins.finance.tasks import MAX_ATTEMPTS, RETRY_SECONDS
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

from .conftest import MP_SECRET, MP_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    """A task queue that keeps what is enqueued (with when it may run) for
    the test to run as a worker would."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    return task_backends["default"]


def run_due(queue, at=None) -> int:
    """Run the queued tasks that are due ``at`` (now), as a worker does;
    how many ran."""
    at = at or timezone.now()
    due = [
        r for r in queue.results if r.task.run_after is None or r.task.run_after <= at
    ]
    for result in due:
        queue.results.remove(result)
        result.task.call(*result.args, **result.kwargs)
    return len(due)


@pytest.fixture
def approved(loja, sellable, mercadopago_simulator, queue):  # noqa: F811
    """A Pix payment the customer paid; the provider's notification of it,
    signed, not yet sent."""
    account = ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        api_url=mercadopago_simulator.url,
        access_token=MP_TOKEN,
        webhook_secret=MP_SECRET,
    )
    webhook = "http://testserver" + reverse(
        "api:finance:provider-webhook", args=[account.webhook_token]
    )
    payment = create_payment(
        place(loja), account=account, method="pix", notification_url=webhook
    )
    mercadopago_simulator.approve(payment.provider_id)
    notification = mercadopago_simulator.outbox[-1]  # payment.updated
    queue.clear()  # the shop's own background work (search index …)
    return payment, mercadopago_simulator, notification


def send(client, simulator, notification, django_capture_on_commit_callbacks):
    """The simulator's delivery of ``notification`` (signed for this attempt)."""
    url, headers = simulator.sign(notification)
    parts = urlsplit(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{parts.path}?{parts.query}",
            data=notification.body,
            content_type="application/json",
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )
    assert response.status_code == 200, response.content
    return response.json()


def test_an_event_is_applied_once_the_provider_is_back(
    client, queue, approved, django_capture_on_commit_callbacks
):
    payment, simulator, notification = approved
    simulator.faults.fail(status=503)  # the status fetch fails, once
    assert (
        send(client, simulator, notification, django_capture_on_commit_callbacks)[
            "duplicate"
        ]
        is False
    )

    assert run_due(queue) == 1  # the provider answers 503
    event = ProviderEvent.objects.get()
    assert event.outcome == "received" and event.processed_at is None
    # redeliveries meanwhile are duplicates and queue nothing more
    for _ in range(3):
        again = send(
            client, simulator, notification, django_capture_on_commit_callbacks
        )
        assert again["duplicate"] is True
    # the retry is for later, not now
    assert run_due(queue) == 0
    assert Payment.objects.get(pk=payment.pk).status == "pending"

    later = timezone.now() + datetime.timedelta(seconds=RETRY_SECONDS + 1)
    assert run_due(queue, at=later) == 1

    event.refresh_from_db()
    assert event.outcome == "applied" and event.payment_id == payment.pk
    payment.refresh_from_db()
    assert payment.status == "approved" and payment.receivables.count() == 1
    assert payment.order.status == "paid"
    assert not queue.results  # nothing left to retry


def test_the_wait_is_as_long_as_the_provider_asks(
    client, queue, approved, django_capture_on_commit_callbacks
):
    _payment, simulator, notification = approved
    simulator.faults.fail(status=429, retry_after=600)
    send(client, simulator, notification, django_capture_on_commit_callbacks)

    run_due(queue)

    (retry,) = queue.results
    assert retry.task.run_after >= timezone.now() + datetime.timedelta(seconds=590)


def test_an_event_is_marked_failed_when_the_provider_stays_down(
    client, queue, approved, django_capture_on_commit_callbacks
):
    payment, simulator, notification = approved
    simulator.faults.fail(status=503, times=MAX_ATTEMPTS)
    send(client, simulator, notification, django_capture_on_commit_callbacks)

    attempts = 0
    at = timezone.now()
    while queue.results:
        at += datetime.timedelta(days=1)
        attempts += run_due(queue, at=at)

    assert attempts == MAX_ATTEMPTS
    event = ProviderEvent.objects.get()
    assert event.outcome == "failed" and event.processed_at is not None
    assert "503" in event.message
    assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_without_a_queue_that_can_wait_the_event_is_marked_failed_at_once(
    client, settings, approved, django_capture_on_commit_callbacks
):
    # the immediate backend runs the task in the request
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    _payment, simulator, notification = approved
    simulator.faults.fail(status=503)

    send(client, simulator, notification, django_capture_on_commit_callbacks)

    event = ProviderEvent.objects.get()
    assert event.outcome == "failed" and "503" in event.message


def test_a_repeated_notification_with_a_long_id_is_a_duplicate(
    client, approved, django_capture_on_commit_callbacks
):
    # Mercado Pago signs the payment id only: the notification's own id is
    # whatever the body says, longer than the stored column or not
    _payment, simulator, notification = approved
    long_id = "9" * 130
    notification.body = json.dumps({**json.loads(notification.body), "id": long_id})
    notification.body = notification.body.encode()

    first = send(client, simulator, notification, django_capture_on_commit_callbacks)
    again = send(client, simulator, notification, django_capture_on_commit_callbacks)

    assert first["duplicate"] is False and again["duplicate"] is True
    assert ProviderEvent.objects.get().event_id == long_id[:120]
