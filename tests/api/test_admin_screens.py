"""The API's admin screens read as pt-BR: scopes and webhook events by their
labels, yes/no, the delivered JSON; a webhook's signing secret is never shown
again once saved."""

import pytest

from api.models import ApiKey, WebhookSubscription
from api.services import create_api_key
from api.webhooks import emit
from tests.helpers import listing_rows, page_text

SECRET = "segredo-combinado-com-o-erp"


@pytest.fixture
def erp(db):
    return WebhookSubscription.objects.create(
        name="ERP",
        url="https://erp.example.com/hook",
        events=["product.*", "order.placed"],
        secret=SECRET,
        active=True,
    )


def edit(client, subscription, **changes):
    data = {
        "name": subscription.name,
        "url": subscription.url,
        "events": subscription.events,
        "secret": "",
        "active": "on",
        **changes,
    }
    return client.post(f"/admin/webhooks/edit/{subscription.pk}/", data)


def test_api_key_screens_name_the_scopes(client, manager):
    key, _secret = create_api_key(
        name="App iOS",
        scopes=["catalog:read", "orders:write"],
        allowed_origins=["https://loja.example.com"],
        rate_limit=100,
        user=manager,
    )
    client.force_login(manager)
    readable = "Ler o catálogo e as páginas, Fazer e cancelar pedidos"

    (row,) = listing_rows(client.get("/admin/api-keys/"))
    assert readable in row

    text = page_text(client.get(f"/admin/api-keys/inspect/{key.pk}/"))
    assert f"Escopos {readable}" in text
    assert "Origens permitidas https://loja.example.com" in text
    for raw in ("catalog:read", "['", "None", "True", "False"):
        assert raw not in text


def test_webhook_listing_names_the_events_and_reads_sim(client, manager, erp):
    client.force_login(manager)

    (row,) = listing_rows(client.get("/admin/webhooks/"))

    assert row.endswith("Todos os eventos de produtos, Pedido recebido Sim")


def test_delivery_screens_name_the_event_and_show_the_json(client, manager, erp):
    delivery = emit("product.updated", {"id": 1, "slug": "camiseta"})[0]
    client.force_login(manager)

    (row,) = listing_rows(client.get("/admin/webhook-deliveries/"))
    assert row.startswith("Produto atualizado")

    text = page_text(client.get(f"/admin/webhook-deliveries/inspect/{delivery.pk}/"))
    assert "Evento Produto atualizado" in text
    assert '"slug": "camiseta"' in text and "'slug'" not in text


def test_the_webhook_secret_is_never_shown_again_and_kept_when_left_blank(
    client, manager, erp
):
    client.force_login(manager)

    form = client.get(f"/admin/webhooks/edit/{erp.pk}/").content.decode()
    assert SECRET not in form
    assert 'type="password" name="secret"' in form
    assert "Deixe em branco para manter o segredo atual" in form

    assert edit(client, erp, name="ERP Matriz").status_code == 302
    erp.refresh_from_db()
    assert erp.name == "ERP Matriz" and erp.secret == SECRET

    assert edit(client, erp, secret="outro-segredo").status_code == 302
    erp.refresh_from_db()
    assert erp.secret == "outro-segredo"
    assert (
        "outro-segredo"
        not in client.get(f"/admin/webhooks/edit/{erp.pk}/").content.decode()
    )


def test_a_generated_webhook_secret_is_shown_once(client, manager, erp):
    client.force_login(manager)

    response = edit(client, erp, new_secret="on")

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    erp.refresh_from_db()
    assert erp.secret != SECRET and len(erp.secret) >= 40
    assert erp.secret in response.content.decode()
    assert "mostrado só desta vez" in page_text(response)
    assert (
        erp.secret not in client.get(f"/admin/webhooks/edit/{erp.pk}/").content.decode()
    )
    assert erp.secret not in client.get("/admin/webhooks/").content.decode()


def test_typing_a_secret_and_asking_for_a_new_one_is_refused(client, manager, erp):
    client.force_login(manager)

    response = edit(client, erp, secret="digitado", new_secret="on")

    assert response.status_code == 200
    assert "Digite um novo segredo ou gere um, não os dois." in page_text(response)
    erp.refresh_from_db()
    assert erp.secret == SECRET


def test_a_new_webhook_without_a_secret_gets_one_shown_once(client, manager):
    client.force_login(manager)

    response = client.post(
        "/admin/webhooks/new/",
        {
            "name": "Marketplace",
            "url": "https://mkt.example.com/hook",
            "events": ["order.*"],
            "secret": "",
            "active": "on",
        },
    )

    assert response.status_code == 200
    created = WebhookSubscription.objects.get(name="Marketplace")
    assert created.secret and created.secret in response.content.decode()
    assert created.secret not in client.get("/admin/webhooks/").content.decode()


def test_the_audit_log_does_not_record_the_secret(client, manager, erp):
    from wagtail.models import ModelLogEntry

    client.force_login(manager)
    edit(client, erp, secret="outro-segredo")

    entry = ModelLogEntry.objects.filter(action="wagtail.edit").latest("pk")
    assert "outro-segredo" not in str(entry.data) and SECRET not in str(entry.data)
    assert ApiKey.objects.count() == 0
