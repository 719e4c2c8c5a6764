"""Outgoing webhooks to a real local HTTP receiver: signatures, retries with
backoff, redelivery, event selection."""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from django.utils import timezone

from api.models import WebhookDelivery, WebhookSubscription
from api.webhooks import deliver_due, redeliver, sign

SECRET = "segredo-compartilhado"


class Receiver:
    def __init__(self, fail_first=0):
        self.fail_first = fail_first
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Retaguarda-Timestamp"]
                valid = self.headers["X-Retaguarda-Signature"] == sign(
                    SECRET, timestamp, body
                )
                receiver.requests.append(
                    {
                        "body": orjson.loads(body),
                        "headers": dict(self.headers),
                        "valid": valid,
                    }
                )
                status = 500 if len(receiver.requests) <= receiver.fail_first else 204
                if not valid:
                    status = 401
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(fail_first=2)
    yield r
    r.close()


@pytest.fixture
def subscription(db, receiver):
    return WebhookSubscription.objects.create(
        name="Loja", url=receiver.url, events=["product.*"], secret=SECRET
    )


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_publish_sends_a_signed_webhook_retried_until_delivered(
    subscription, receiver, camisetas, django_capture_on_commit_callbacks
):
    from tests.content.conftest import make_product

    with django_capture_on_commit_callbacks(execute=True):
        product = make_product("novo", variants=[("NV-1", "10")])
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "product.published"
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    first_retry = delivery.next_attempt_at
    assert first_retry > timezone.now()

    assert deliver_due() == 0  # not due yet
    assert deliver_due(now=later(1)) == 0  # second attempt fails too
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert (
        delivery.next_attempt_at - timezone.now() > first_retry - timezone.now()
    )  # backoff
    assert deliver_due(now=later(10)) == 1
    delivery.refresh_from_db()
    assert (
        delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 3
    )

    assert all(request["valid"] for request in receiver.requests)
    body = receiver.requests[-1]["body"]
    assert body == {
        "id": str(delivery.pk),
        "event": "product.published",
        "data": {"id": product.pk, "slug": "novo"},
    }
    assert {r["headers"]["X-Retaguarda-Delivery"] for r in receiver.requests} == {
        str(delivery.pk)
    }


def test_redeliver_sends_it_again(
    subscription, receiver, camisetas, django_capture_on_commit_callbacks
):
    from tests.content.conftest import make_product

    receiver.fail_first = 0
    with django_capture_on_commit_callbacks(execute=True):
        make_product("outro", variants=[("OT-1", "10")])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        redeliver(delivery)
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_subscriptions_get_only_their_events(
    db, receiver, camisetas, django_capture_on_commit_callbacks
):
    from tests.content.conftest import make_product

    WebhookSubscription.objects.create(
        name="Páginas", url=receiver.url, events=["page.*"], secret=SECRET
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_product("so-produto", variants=[("SP-1", "10")])
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_gives_up_after_the_last_attempt(
    subscription, receiver, camisetas, django_capture_on_commit_callbacks
):
    from api.webhooks import MAX_ATTEMPTS
    from tests.content.conftest import make_product

    receiver.fail_first = 100
    with django_capture_on_commit_callbacks(execute=True):
        make_product("falha", variants=[("FA-1", "10")])
    for minutes in range(1, MAX_ATTEMPTS + 2):
        deliver_due(now=later(60 * minutes))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS


def test_admin_manages_webhooks_and_redelivers(client, manager, subscription, receiver):
    from api.webhooks import emit

    receiver.fail_first = 0
    client.force_login(manager)
    response = client.post(
        "/admin/webhooks/new/",
        {
            "name": "ERP",
            "url": "https://erp.example.com/hook",
            "events": ["page.*"],
            "secret": "abc",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert WebhookSubscription.objects.get(name="ERP").events == ["page.*"]
    delivery = emit("product.updated", {"id": 1, "slug": "x"})[0]
    log = client.get("/admin/webhook-deliveries/")
    assert log.status_code == 200 and "product.updated" in log.content.decode()
    assert (
        client.post(f"/admin/webhook-deliveries/redeliver/{delivery.pk}/").status_code
        == 302
    )


def test_editors_cannot_see_or_redeliver(client, editor, subscription):
    from api.webhooks import emit
    from tests.helpers import is_admin_denied

    delivery = emit("product.updated", {"id": 1, "slug": "x"})[0]
    client.force_login(editor)
    assert is_admin_denied(client.get("/admin/webhooks/"))
    assert is_admin_denied(client.get("/admin/webhook-deliveries/"))
    assert is_admin_denied(
        client.post(f"/admin/webhook-deliveries/redeliver/{delivery.pk}/")
    )


def test_private_addresses_are_refused_unless_allowed(
    subscription, receiver, camisetas, settings, django_capture_on_commit_callbacks
):
    from tests.content.conftest import make_product

    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        make_product("interno", variants=[("IN-1", "10")])
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert "not allowed" in delivery.last_error
