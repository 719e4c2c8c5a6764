"""The fiscal dashboard panel warns about certificates 30 days before they
expire, and counts rejected documents, documents awaiting the authoriser and
emitters in contingency, in the emitters the user sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from plugins.fiscal.models import Emitter
from tests.factories import UserFactory
from tests.plugins.fiscal.admin.conftest import make_document, make_emitter

pytestmark = pytest.mark.django_db


def figure(page: str, key: str) -> str:
    match = re.search(
        rf'data-figure="{key}".*?<span class="rg-figure__value" data-value>'
        r"(.*?)</span>",
        page,
        re.S,
    )
    assert match, f"no figure {key}"
    return match.group(1).strip()


def panel(client) -> str:
    page = client.get("/admin/").content.decode()
    start = page.find('id="fiscal-section"')
    if start < 0:
        return ""
    return page[start : page.index("</section>", start)]


def expires_in(emitter, **delta):
    Emitter.objects.filter(pk=emitter.pk).update(
        certificate="stored",
        certificate_not_after=timezone.now() + dt.timedelta(**delta),
    )


def test_a_certificate_is_warned_about_30_days_ahead(client, clerk, matriz, filial):
    expires_in(matriz, days=29, hours=23)
    expires_in(filial, days=5)  # not the clerk's emitter
    client.force_login(clerk)

    shown = panel(client)

    assert figure(shown, "certificates-expiring") == "1"
    assert re.search(r"Vence em (29|30) dias\.", shown)
    assert "Loja Matriz" in shown
    assert "Loja Filial" not in shown
    assert "rg-figure--alert" in shown


def test_the_warning_says_how_many_days_are_left(client, clerk, matriz):
    expires_in(matriz, days=20)
    client.force_login(clerk)

    assert "Vence em 20 dias." in panel(client)


def test_a_certificate_further_away_is_not_warned_about(client, clerk, matriz):
    expires_in(matriz, days=31)
    client.force_login(clerk)

    shown = panel(client)

    assert figure(shown, "certificates-expiring") == "0"
    assert figure(shown, "certificates-expired") == "0"
    assert 'id="fiscal-certificates"' not in shown


def test_expired_and_missing_certificates_are_counted(client, matriz, filial):
    expires_in(matriz, days=-3)
    client.force_login(UserFactory(roles=["accountant"]))

    shown = panel(client)

    assert figure(shown, "certificates-expired") == "2"  # expired, and none
    assert "Venceu há 3 dias." in shown
    assert "Nenhum certificado A1 foi enviado." in shown


def test_documents_and_contingency_are_counted(client, clerk, matriz, filial):
    expires_in(matriz, days=200)
    make_document(matriz, status="rejected")
    make_document(matriz, status="sent")
    make_document(matriz, status="sent")
    make_document(filial, status="rejected")
    Emitter.objects.filter(pk__in=[matriz.pk, filial.pk]).update(contingency=True)
    client.force_login(clerk)

    shown = panel(client)

    assert figure(shown, "rejected") == "1"
    assert figure(shown, "awaiting") == "2"
    assert figure(shown, "contingency") == "1"
    assert "/admin/fiscal/nfe/?status=rejected" in shown
    assert "/admin/fiscal/emitters/?contingency=true" in shown


def test_the_panel_is_for_those_who_act_on_it(client, matriz):
    make_emitter("Loja Outlet", "11444777000242")
    for role, shown in (
        ("fiscal", False),  # granted no emitter
        ("accountant", True),
        ("manager", True),
        ("auditor", False),
        ("order_desk", False),
    ):
        client.force_login(UserFactory(username=f"u-{role}", roles=[role]))
        assert bool(panel(client)) is shown, role
