"""The DANFE and XML downloads in the admin: whoever may see the document's
emitter, the fiscal clerk within theirs; out of scope is a 404."""

import pytest
from django.test import Client
from django.utils import translation
from wagtail.models import ModelLogEntry

from plugins.fiscal.models import FiscalDocument
from tests.factories import UserFactory

DANFE = "/admin/fiscal/documents/{}/danfe/"
XML = "/admin/fiscal/documents/{}/xml/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def denied(response) -> bool:
    """Wagtail's "no permission": back to the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_fiscal_clerk_opens_the_danfe_of_their_emitter(
    fiscal_clerk, authorised_nfe
):
    response = client_of(fiscal_clerk).get(DANFE.format(authorised_nfe.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="DANFE-{authorised_nfe.access_key}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    entry = ModelLogEntry.objects.get(action="fiscal.danfe.download")
    assert entry.user == fiscal_clerk
    assert entry.object_id == str(authorised_nfe.pk)


def test_the_xml_download_is_the_stored_nfeproc(fiscal_clerk, authorised_nfe):
    response = client_of(fiscal_clerk).get(XML.format(authorised_nfe.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == authorised_nfe.proc_xml.encode()
    assert ModelLogEntry.objects.filter(
        action="fiscal.xml.download", user=fiscal_clerk
    ).exists()


@pytest.mark.parametrize("url", [DANFE, XML])
def test_another_emitters_document_does_not_exist_for_the_clerk(
    fiscal_clerk, other_nfe, url
):
    assert client_of(fiscal_clerk).get(url.format(other_nfe.pk)).status_code == 404


@pytest.mark.parametrize("role", ["accountant", "manager", "auditor"])
@pytest.mark.parametrize("url", [DANFE, XML])
def test_accountant_managers_and_auditors_read_every_emitters(
    authorised_nfe, other_nfe, role, url
):
    client = client_of(UserFactory(username=f"papel-{role}", roles=[role]))
    for document in (authorised_nfe, other_nfe):
        assert client.get(url.format(document.pk)).status_code == 200


@pytest.mark.parametrize("url", [DANFE, XML])
def test_the_order_desk_is_denied(order_desk, authorised_nfe, url):
    assert denied(client_of(order_desk).get(url.format(authorised_nfe.pk)))


def test_a_fiscal_clerk_of_no_emitter_is_denied(authorised_nfe):
    nobody = UserFactory(username="sem-emitente", roles=["fiscal"])
    assert denied(client_of(nobody).get(DANFE.format(authorised_nfe.pk)))


def test_anonymous_goes_to_the_login(authorised_nfe):
    response = Client().get(DANFE.format(authorised_nfe.pk))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("status", ["signed", "sent", "rejected", "denied"])
def test_no_danfe_before_authorisation(fiscal_clerk, authorised_nfe, status):
    FiscalDocument.objects.filter(pk=authorised_nfe.pk).update(status=status)
    client = client_of(fiscal_clerk)
    assert client.get(DANFE.format(authorised_nfe.pk)).status_code == 404
    assert client.get(XML.format(authorised_nfe.pk)).status_code == 404


def test_the_danfe_of_a_cancelled_nfe_still_opens(fiscal_clerk, authorised_nfe):
    FiscalDocument.objects.filter(pk=authorised_nfe.pk).update(status="cancelled")
    response = client_of(fiscal_clerk).get(DANFE.format(authorised_nfe.pk))
    assert response.status_code == 200


def test_the_nfe_page_has_its_danfe_and_xml_buttons(fiscal_clerk, authorised_nfe):
    page = "/admin/fiscal/nfe/inspect/{}/"
    client = client_of(fiscal_clerk)
    html = client.get(page.format(authorised_nfe.pk)).content.decode()
    assert (
        f'href="{DANFE.format(authorised_nfe.pk)}" data-fiscal-action="danfe"' in html
    )
    assert f'href="{XML.format(authorised_nfe.pk)}" data-fiscal-action="xml"' in html
    FiscalDocument.objects.filter(pk=authorised_nfe.pk).update(status="rejected")
    html = client.get(page.format(authorised_nfe.pk)).content.decode()
    assert 'data-fiscal-action="danfe"' not in html
