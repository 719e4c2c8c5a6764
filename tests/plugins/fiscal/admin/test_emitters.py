"""Fiscal › Emitters: the manager sets an emitter up with its A1
certificate, which is checked (password, holder's CNPJ, validity), stored
encrypted and never shown again; a fiscal clerk sees only the emitters
granted to them and edits none."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from plugins.fiscal import certificates
from plugins.fiscal.models import Emitter
from tests.factories import UserFactory
from tests.plugins.fiscal.admin.conftest import (
    FILIAL_CNPJ,
    MATRIZ_CNPJ,
    PASSWORD,
    make_emitter,
    pfx,
)

pytestmark = pytest.mark.django_db

NEW = "/admin/fiscal/emitters/new/"

FORM = {
    "legal_name": "Loja Exemplo Ltda",
    "trade_name": "Loja Exemplo",
    "cnpj": "11.222.333/0001-81",
    "ie": "110.042.490.114",
    "tax_regime": "1",
    "street": "Rua Augusta",
    "number": "100",
    "district": "Consolação",
    "city": "São Paulo",
    "city_code": "3550308",
    "uf": "SP",
    "cep": "01304-000",
    "environment": "2",
    "series": "1",
    "active": "on",
}


def upload(data: bytes, name: str = "loja.pfx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/x-pkcs12")


def errors_of(response) -> str:
    """The text of the form's error messages on the page."""
    page = response.content.decode()
    return " ".join(
        re.sub(r"<[^>]+>", " ", m)
        for m in re.findall(r'class="error-message"[^>]*>(.*?)</', page, re.S)
    )


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(username="gerente", roles=["manager"]))
    return client


def test_the_manager_sets_up_an_emitter_with_its_certificate(manager_client):
    response = manager_client.post(
        NEW,
        {
            **FORM,
            "certificate": upload(pfx()),
            "certificate_password": PASSWORD,
        },
    )

    assert response.status_code == 302, errors_of(response)
    emitter = Emitter.objects.get()
    assert emitter.cnpj == MATRIZ_CNPJ  # typed with punctuation
    assert emitter.ie == "110042490114"
    assert base64.b64decode(emitter.certificate) == pfx()
    assert emitter.certificate_password == PASSWORD
    opened = certificates.load(pfx(), PASSWORD)
    assert emitter.certificate_subject == opened.subject
    assert emitter.certificate_not_after == opened.not_after
    # encrypted at rest: neither the file nor the password is in the row
    with connection.cursor() as cursor:
        cursor.execute("SELECT certificate, certificate_password FROM fiscal_emitter")
        stored_certificate, stored_password = cursor.fetchone()
    assert stored_certificate.startswith("fernet:")
    assert emitter.certificate[:40] not in stored_certificate
    assert PASSWORD not in stored_password
    # the audit trail says a certificate was uploaded, never what it holds
    entry = ModelLogEntry.objects.get(action="wagtail.create")
    assert entry.data["changes"]["certificate"] == [None, "loja.pfx"]
    assert entry.data["changes"]["certificate_password"] == ["***", "***"]
    assert PASSWORD not in str(entry.data)


def test_the_certificate_is_never_shown_again(manager_client, matriz):
    form = manager_client.get(f"/admin/fiscal/emitters/edit/{matriz.pk}/")
    response = manager_client.post(
        f"/admin/fiscal/emitters/edit/{matriz.pk}/",
        {**FORM, "certificate": upload(pfx()), "certificate_password": PASSWORD},
    )
    assert form.status_code == 200
    assert response.status_code == 302, errors_of(response)
    matriz.refresh_from_db()

    edit = manager_client.get(f"/admin/fiscal/emitters/edit/{matriz.pk}/")
    inspect = manager_client.get(f"/admin/fiscal/emitters/inspect/{matriz.pk}/")

    for page in (edit.content.decode(), inspect.content.decode()):
        assert PASSWORD not in page
        assert matriz.certificate[:40] not in page
    edit_page = edit.content.decode()
    until = timezone.localtime(matriz.certificate_not_after).strftime("%d/%m/%Y")
    assert f"Salvo: {matriz.certificate_subject}, válido até {until}" in edit_page
    assert 'type="password"' in edit_page
    assert 'name="certificate_password"' in edit_page
    assert (
        re.search(r'<input[^>]*name="certificate_password"[^>]*value=', edit_page)
        is None
    )
    assert "Válido até" in inspect.content.decode()


def test_saving_without_a_new_file_keeps_the_certificate(manager_client, matriz):
    matriz.certificate = base64.b64encode(pfx()).decode()
    matriz.certificate_password = PASSWORD
    matriz.save()

    response = manager_client.post(
        f"/admin/fiscal/emitters/edit/{matriz.pk}/",
        {**FORM, "legal_name": "Loja Matriz Comércio Ltda"},
    )

    assert response.status_code == 302, errors_of(response)
    matriz.refresh_from_db()
    assert matriz.legal_name == "Loja Matriz Comércio Ltda"
    assert base64.b64decode(matriz.certificate) == pfx()
    assert matriz.certificate_password == PASSWORD


@pytest.mark.parametrize(
    ("certificate", "password", "error"),
    [
        pytest.param(
            lambda: pfx(),
            "senha-errada",
            "O arquivo não é um certificado A1 (PKCS#12, .pfx) ou a senha está errada.",
            id="wrong-password",
        ),
        pytest.param(
            lambda: pfx(FILIAL_CNPJ),
            PASSWORD,
            "O certificado foi emitido para o CNPJ 11.444.777/0001-61, não para o "
            "CNPJ deste emitente, 11.222.333/0001-81.",
            id="another-cnpj",
        ),
        pytest.param(
            lambda: pfx(days=30, age_days=40),
            PASSWORD,
            "O certificado venceu em ",
            id="expired",
        ),
        pytest.param(
            lambda: b"%PDF-1.4 not a certificate",
            PASSWORD,
            "O arquivo não é um certificado A1 (PKCS#12, .pfx) ou a senha está errada.",
            id="not-pkcs12",
        ),
    ],
)
def test_a_certificate_that_does_not_serve_is_refused(
    manager_client, certificate, password, error
):
    response = manager_client.post(
        NEW,
        {
            **FORM,
            "certificate": upload(certificate()),
            "certificate_password": password,
        },
    )

    assert response.status_code == 200
    assert error in errors_of(response)
    assert not Emitter.objects.exists()
    assert not ModelLogEntry.objects.filter(action="wagtail.create").exists()


def test_an_expired_certificate_names_the_day_it_expired(manager_client):
    expired = pfx(days=30, age_days=40)
    not_after = certificates.load(expired, PASSWORD).not_after

    response = manager_client.post(
        NEW, {**FORM, "certificate": upload(expired), "certificate_password": PASSWORD}
    )

    day = timezone.localtime(not_after).strftime("%d/%m/%Y")
    assert f"O certificado venceu em {day}" in errors_of(response)
    assert "envie o certificado renovado" in errors_of(response)


def test_replacing_the_certificate_of_an_emitter_keeps_the_old_one_when_refused(
    manager_client, matriz
):
    matriz.certificate = base64.b64encode(pfx()).decode()
    matriz.certificate_password = PASSWORD
    matriz.save()

    response = manager_client.post(
        f"/admin/fiscal/emitters/edit/{matriz.pk}/",
        {
            **FORM,
            "certificate": upload(pfx(FILIAL_CNPJ)),
            "certificate_password": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "não para o CNPJ deste emitente" in errors_of(response)
    matriz.refresh_from_db()
    assert base64.b64decode(matriz.certificate) == pfx()


def test_a_password_without_a_file_is_refused(manager_client):
    response = manager_client.post(NEW, {**FORM, "certificate_password": PASSWORD})

    assert "Envie o arquivo do certificado que esta senha abre." in errors_of(response)
    assert not Emitter.objects.exists()


def test_changing_the_cnpj_needs_the_new_cnpj_certificate(manager_client, matriz):
    matriz.certificate = base64.b64encode(pfx()).decode()
    matriz.certificate_password = PASSWORD
    matriz.save()

    response = manager_client.post(
        f"/admin/fiscal/emitters/edit/{matriz.pk}/",
        {**FORM, "cnpj": FILIAL_CNPJ},
    )

    assert "O certificado salvo não é do CNPJ 11.444.777/0001-61" in errors_of(response)
    matriz.refresh_from_db()
    assert matriz.cnpj == MATRIZ_CNPJ


def test_an_emitter_without_a_certificate_can_be_saved(manager_client):
    response = manager_client.post(NEW, FORM)

    assert response.status_code == 302, errors_of(response)
    assert Emitter.objects.get().certificate == ""


def test_the_fiscal_clerk_sees_its_emitters_and_edits_none(
    client, clerk, matriz, filial
):
    client.force_login(clerk)

    listing = client.get("/admin/fiscal/emitters/").content.decode()

    assert "Loja Matriz" in listing
    assert "Loja Filial" not in listing
    assert client.get(f"/admin/fiscal/emitters/inspect/{matriz.pk}/").status_code == 200
    assert client.get(f"/admin/fiscal/emitters/inspect/{filial.pk}/").status_code == 404
    assert client.get(f"/admin/fiscal/emitters/edit/{matriz.pk}/").status_code in (
        302,
        403,
    )
    assert client.post(NEW, FORM).status_code in (302, 403)
    assert Emitter.objects.count() == 2


def test_the_listing_shows_each_certificate_state(manager_client, matriz, filial):
    now = timezone.now()
    Emitter.objects.filter(pk=matriz.pk).update(
        certificate="x", certificate_not_after=now + dt.timedelta(days=200)
    )
    # calendar days where the store is: noon, twelve days from today
    noon = timezone.localtime(now).replace(hour=12, minute=0)
    Emitter.objects.filter(pk=filial.pk).update(
        certificate="x", certificate_not_after=noon + dt.timedelta(days=12)
    )
    make_emitter("Loja Outlet", "11444777000242")

    page = manager_client.get("/admin/fiscal/emitters/").content.decode()

    until = timezone.localtime(now + dt.timedelta(days=200)).strftime("%d/%m/%Y")
    assert f"Válido até {until}" in page
    assert "Vence em 12 dias" in page
    assert "Nenhum certificado A1 foi enviado" in page
    assert "11.222.333/0001-81" in page
    assert "Homologação (testes)" in page
