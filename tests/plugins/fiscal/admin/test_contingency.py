"""The contingency switch: a fiscal clerk puts an emitter they issue for in
contingency (SVC) with the reason, and takes it out; each switch is in the
audit log, and the plugin's hook is called in the switch's transaction."""

from __future__ import annotations

import pytest
from wagtail import hooks
from wagtail.models import ModelLogEntry

from plugins.fiscal.hooks import CONTINGENCY_SWITCHED
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "SEFAZ-SP fora do ar desde as 10h (erro 108)"


def switch_url(emitter) -> str:
    return f"/admin/fiscal/emitters/{emitter.pk}/contingency/"


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_clerk_switches_the_contingency_on_and_off(client, clerk, matriz):
    switched = []
    client.force_login(clerk)

    def record(*, emitter, user):
        switched.append((emitter.contingency, user))

    with hooks.register_temporarily(CONTINGENCY_SWITCHED, record):
        on = client.post(
            switch_url(matriz), {"switch": "on", "reason": REASON}, follow=True
        )
        matriz.refresh_from_db()
        assert matriz.contingency
        assert matriz.contingency_reason == REASON
        assert matriz.contingency_since is not None
        page = on.content.decode()
        off = client.post(switch_url(matriz), {"switch": "off"}, follow=True)

    assert "está em contingência" in messages_of(on)
    assert "Em contingência" in page
    assert REASON in page
    assert "saiu da contingência" in messages_of(off)
    matriz.refresh_from_db()
    assert not matriz.contingency
    assert matriz.contingency_reason == ""
    assert switched == [(True, clerk), (False, clerk)]
    entries = list(ModelLogEntry.objects.for_instance(matriz).order_by("timestamp"))
    assert [e.action for e in entries] == [
        "fiscal.contingency.on",
        "fiscal.contingency.off",
    ]
    assert entries[0].user_id == clerk.pk
    assert entries[0].data["reason"] == REASON
    assert entries[0].data["changes"]["contingency"] == [False, True]
    history = client.get(f"/admin/fiscal/emitters/history/{matriz.pk}/").content
    assert "Entrada em contingência (SVC)" in history.decode()


def test_a_short_reason_is_refused_and_nothing_changes(client, clerk, matriz):
    client.force_login(clerk)

    response = client.post(
        switch_url(matriz), {"switch": "on", "reason": "fora do ar"}, follow=True
    )

    assert "Informe o motivo da contingência com 15 a 256 caracteres" in messages_of(
        response
    )
    matriz.refresh_from_db()
    assert not matriz.contingency
    assert not ModelLogEntry.objects.for_instance(matriz).exists()


def test_switching_to_the_state_it_is_in_is_refused(client, clerk, matriz):
    client.force_login(clerk)
    client.post(switch_url(matriz), {"switch": "on", "reason": REASON})

    response = client.post(
        switch_url(matriz), {"switch": "on", "reason": REASON}, follow=True
    )

    assert "O emitente já está em contingência." in messages_of(response)
    assert ModelLogEntry.objects.for_instance(matriz).count() == 1


def test_only_who_issues_for_the_emitter_switches_it(client, clerk, matriz, filial):
    client.force_login(clerk)
    outside = client.post(switch_url(filial), {"switch": "on", "reason": REASON})
    client.force_login(UserFactory(roles=["accountant"]))
    accountant = client.post(switch_url(matriz), {"switch": "on", "reason": REASON})
    client.force_login(UserFactory(roles=["manager"]))
    manager = client.post(switch_url(matriz), {"switch": "on", "reason": REASON})
    as_manager = client.get(f"/admin/fiscal/emitters/inspect/{matriz.pk}/")

    assert outside.status_code == 404
    assert accountant.status_code in (302, 403) and "/login" not in accountant.get(
        "Location", ""
    )
    assert manager.status_code in (302, 403)
    matriz.refresh_from_db()
    filial.refresh_from_db()
    assert not matriz.contingency and not filial.contingency
    assert 'id="contingency-form"' not in as_manager.content.decode()


def test_the_clerk_finds_the_switch_on_the_emitters_page(client, clerk, matriz):
    client.force_login(clerk)

    page = client.get(f"/admin/fiscal/emitters/inspect/{matriz.pk}/").content.decode()

    assert 'id="contingency-form"' in page
    assert "Entrar em contingência" in page
