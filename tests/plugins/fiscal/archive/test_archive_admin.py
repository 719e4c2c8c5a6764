"""The fiscal archive screen: search, the emitter scope, each XML's page and
download (checked against its hash)."""

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from content.validators import format_document
from plugins.fiscal.models import FiscalDocument

from .conftest import archive_nfe
from .test_archive import tamper

LISTING = "/admin/fiscal/archive/"
INSPECT = "/admin/fiscal/archive/inspect/{}/"
DOWNLOAD = "/admin/fiscal/archive/{}/xml/"


@pytest.fixture
def archived(authorised_nfe, other_nfe):
    """The sample NF-e archived: one of the clerk's emitter, one of another."""
    return archive_nfe(authorised_nfe), archive_nfe(other_nfe)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def listed(client, **filters) -> set[str]:
    response = client.get(LISTING, filters)
    assert response.status_code == 200
    return {row.access_key for row in response.context["object_list"]}


def test_the_clerk_sees_the_archive_of_their_emitters_only(fiscal_clerk, archived):
    mine, theirs = archived
    assert listed(client_of(fiscal_clerk)) == {mine.access_key}
    client = client_of(fiscal_clerk)
    assert client.get(INSPECT.format(theirs.pk)).status_code == 404
    assert client.get(DOWNLOAD.format(theirs.pk)).status_code == 404


def test_the_accountant_searches_the_whole_archive(accountant, archived):
    mine, theirs = archived
    client = client_of(accountant)
    everything = {mine.access_key, theirs.access_key}
    assert listed(client) == everything
    assert listed(client, access_key=mine.access_key[20:34]) == {mine.access_key}
    assert listed(client, number=theirs.number) == {theirs.access_key}
    assert listed(client, kind="nfe") == everything
    assert listed(client, kind="event") == set()
    assert listed(client, emitter=mine.emitter_id) == {mine.access_key}
    # dd/mm/aaaa, as people type it
    assert listed(client, issued_at_from="01/07/2017", issued_at_to="31/07/2017") == {
        mine.access_key
    }
    punctuated = format_document(mine.party_document)  # 27.373.722/0001-...
    assert "/" in punctuated
    assert listed(client, party_document=punctuated) == {mine.access_key}
    assert listed(client, q=theirs.party_name.split()[0]) == {theirs.access_key}
    FiscalDocument.objects.filter(pk=theirs.document_id).update(status="cancelled")
    assert listed(client, status="cancelled") == {theirs.access_key}


def test_the_xml_is_downloaded_as_archived(fiscal_clerk, archived):
    mine, _theirs = archived
    response = client_of(fiscal_clerk).get(DOWNLOAD.format(mine.pk))
    assert response.status_code == 200
    assert response.content == mine.content.encode()
    assert response["Content-Disposition"] == (
        f'attachment; filename="{mine.access_key}-procNFe.xml"'
    )
    assert ModelLogEntry.objects.filter(
        action="fiscal.archive.download", user=fiscal_clerk
    ).exists()


def test_a_changed_xml_is_refused_with_the_reason(fiscal_clerk, archived):
    mine, _theirs = archived
    tamper(mine, mine.content.replace("84.90", "8.49"))
    client = client_of(fiscal_clerk)
    response = client.get(DOWNLOAD.format(mine.pk), follow=True)
    assert response.redirect_chain == [(INSPECT.format(mine.pk), 302)]
    page = response.content.decode()
    assert "não confere mais com o hash com que foi guardado" in page
    assert "ALTERADO: o conteúdo não confere mais com o hash." in page


def test_an_intact_xml_says_so(accountant, archived):
    mine, _theirs = archived
    page = client_of(accountant).get(INSPECT.format(mine.pk)).content.decode()
    assert "Íntegro: o conteúdo confere com o hash." in page
    assert "Baixar XML" in page


def test_the_order_desk_has_no_archive(order_desk, archived):
    mine, _theirs = archived
    client = client_of(order_desk)
    for url in (LISTING, INSPECT.format(mine.pk), DOWNLOAD.format(mine.pk)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/"


def test_only_the_accountant_sees_the_package_button(
    fiscal_clerk, accountant, archived
):
    assert "Pacote mensal" in client_of(accountant).get(LISTING).content.decode()
    assert "Pacote mensal" not in client_of(fiscal_clerk).get(LISTING).content.decode()


def test_the_listing_exports_what_people_read(accountant, archived):
    mine, _theirs = archived
    response = client_of(accountant).get(LISTING, {"export": "csv"})
    header, *rows = (
        b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    )
    assert header.split(";")[:4] == ["Emissão", "Tipo", "Chave de acesso", "Número"]
    assert any(row.split(";")[1:3] == ["NF-e emitida", mine.access_key] for row in rows)
