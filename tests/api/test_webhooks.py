"""Outgoing webhooks to a real local HTTP receiver: signatures, retries with
backoff, redelivery, event selection."""

import datetime
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from django.utils import timezone

from api.models import WebhookDelivery, WebhookSubscription
from api.webhooks import deliver_due, emit, redeliver, sign
from tests.receivers import running_receivers

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
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )  # a short poll: closing waits for it
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
    assert log.status_code == 200 and "Produto atualizado" in log.content.decode()
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
    assert "loopback" in delivery.last_error
    assert "só são permitidos endereços públicos" in delivery.last_error
    assert delivery.status == WebhookDelivery.Status.FAILED  # not retried


# -- Only public http(s) addresses, no redirects, no DNS rebinding ---------------


@pytest.fixture
def receivers():
    yield from running_receivers()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://erp.example.com/hook", "Use um endereço http:// ou https://."),
        (
            "http://169.254.169.254/latest/meta-data/",
            "“169.254.169.254” é um serviço de metadados de nuvem",
        ),
        ("http://[::1]:8000/hook", "“::1” é este próprio servidor (loopback)"),
        ("http://localhost:8000/hook", "“localhost” é um nome deste servidor"),
        ("http://0.0.0.0/hook", "“0.0.0.0” é um endereço não especificado"),
        (
            "http://[::ffff:127.0.0.1]/hook",
            "“::ffff:127.0.0.1” é este próprio servidor (loopback)",
        ),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "“metadata.google.internal” é um serviço de metadados de nuvem",
        ),
        ("https://erp:senha@erp.example.com/hook", "Tire o usuário e a senha"),
    ],
)
def test_the_form_refuses_urls_that_are_not_public_http_addresses(
    client, manager, settings, url, message
):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(manager)
    response = client.post(
        "/admin/webhooks/new/",
        {
            "name": "ERP",
            "url": url,
            "events": ["product.*"],
            "secret": "abc",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_model_validation_refuses_private_addresses(db, settings):
    from django.core.exceptions import ValidationError

    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    subscription = WebhookSubscription(
        name="Interno", url="http://10.0.0.8/hook", events=["product.*"], secret="x"
    )
    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()
    assert "uma rede privada" in refused.value.message_dict["url"][0]


def test_a_redirect_is_not_followed_and_fails_the_delivery(db, receivers):
    """RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE is on in the tests, so the receivers
    may listen on loopback."""
    from api.webhooks import emit

    internal = receivers()
    internal_url = f"http://127.0.0.1:{internal.port}/internal"
    redirecting = receivers(status=302, headers=[("Location", internal_url)])
    WebhookSubscription.objects.create(
        name="Redireciona",
        url=f"http://127.0.0.1:{redirecting.port}/hooks",
        events=["product.*"],
        secret=SECRET,
    )
    emit("product.updated", {"id": 1, "slug": "x"})

    assert deliver_due() == 0
    delivery = WebhookDelivery.objects.get()
    assert len(redirecting.requests) == 1
    assert internal.requests == []
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_status_code == 302
    assert internal_url in delivery.last_error
    assert delivery.delivered_at is None and delivery.next_attempt_at is None


def test_delivery_connects_to_the_address_it_checked(db, settings, monkeypatch):
    """DNS rebinding: the name answers a public address for the check and
    127.0.0.1 afterwards. The request must go to the address that was checked
    (the OS resolver and connect are replaced: the public address is never
    contacted) and never to the receiver on loopback."""
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    receiver = Receiver(fail_first=0)
    public = "93.184.215.14"
    answers = iter([public, "127.0.0.1", "127.0.0.1", "127.0.0.1"])
    lookups, connects = [], []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebind.example.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    def connect(sock, address):
        connects.append(address)
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError("not on this test's network")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    try:
        port = receiver.server.server_address[1]
        WebhookSubscription.objects.create(
            name="Rebind",
            url=f"http://rebind.example.test:{port}/hooks",
            events=["product.*"],
            secret=SECRET,
        )
        emit("product.updated", {"id": 1, "slug": "x"})
        assert deliver_due() == 0
    finally:
        receiver.close()
    assert receiver.requests == []
    assert lookups == ["rebind.example.test"]
    assert connects == [(public, port)]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING  # retried later
    assert delivery.last_error


# -- Events of a publishing import -----------------------------------------------

IMPORT_HEADER = (
    "product_slug;product_name;brand;primary_category;option1_name;sku;option1;price"
)


def test_a_publishing_import_sends_the_editor_events(
    superuser, camiseta, receiver, django_capture_on_commit_callbacks
):
    from content.importing.importer import run_import

    receiver.fail_first = 0
    WebhookSubscription.objects.create(
        name="Loja", url=receiver.url, events=["product.*"], secret=SECRET
    )
    sheet = "\n".join(
        [
            IMPORT_HEADER,
            "vestido-floral;Vestido floral;nordeste;moda/camisetas;tamanho;VES-P;P;99",
            "bone-aba-reta;Boné aba reta;nordeste;moda;;BON-1;;59,90",
            "camiseta-basica;;;;;CAM-AZ-G;op1;59,90",
        ]
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(sheet, user=superuser, dry_run=False, publish=True)
    assert report.committed and report.ok

    sent = sorted(
        (r["body"]["event"], r["body"]["data"]["slug"]) for r in receiver.requests
    )
    assert sent == [
        ("product.published", "bone-aba-reta"),
        ("product.published", "vestido-floral"),
        ("product.updated", "camiseta-basica"),
    ]
    assert all(r["valid"] for r in receiver.requests)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        WebhookDelivery.Status.DELIVERED
    }


def test_a_draft_import_sends_no_events(superuser, camisetas, brand, subscription):
    from content.importing.importer import run_import

    sheet = "\n".join(
        [IMPORT_HEADER, "vestido-floral;Vestido floral;nordeste;moda;;VES-P;;99"]
    ).encode()
    assert run_import(sheet, user=superuser, dry_run=False).committed
    assert not WebhookDelivery.objects.exists()
