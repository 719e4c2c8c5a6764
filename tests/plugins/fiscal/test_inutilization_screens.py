"""Fiscal › Inutilizações › Inutilizar numeração, against the local SEFAZ
over HTTP: the request built, signed (checked by xmlsec1) and registered,
its page with the protocol, and every refusal as a pt-BR error of the form
with nothing sent."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from plugins.fiscal import xsd
from plugins.fiscal.models import ArchivedXml, NumberGap
from plugins.fiscal.services.authorisation import send_documents
from tests.plugins.fiscal.conftest import assert_signed, assert_xsd_valid
from tests.plugins.fiscal.documents import issue

URL = reverse("fiscal_number_gaps:inutilize")
LISTING = reverse("fiscal_number_gaps:index")
REASON = "Numeração rejeitada pela SEFAZ e não reaproveitada"


def form(emitter, first, last, justification=REASON, series=1):
    return {
        "emitter": emitter.pk,
        "series": series,
        "first": first,
        "last": last,
        "justification": justification,
    }


def inutilization_calls(sefaz):
    return [r for r in sefaz.requests if r["service"] == "NFeInutilizacao4"]


@pytest.fixture
def rejected(sefaz, emitter, certificate, paid_order):
    """An NF-e the authoriser rejected (number 1), never issued again."""
    sefaz.control({"reject_next": {"cStat": "778"}})
    document = issue(emitter, certificate, order=paid_order)
    send_documents([document])
    document.refresh_from_db()
    assert document.status == "rejected"
    return document


def test_the_clerk_inutilizes_a_rejected_number(
    client, sefaz, fiscal_clerk, emitter, other_emitter, rejected, certificate
):
    client.force_login(fiscal_clerk)
    assert URL in client.get(LISTING).content.decode()
    html = client.get(URL).content.decode()
    # only the emitters the clerk issues for, with their environment
    assert "Loja Exemplo" in html and "Loja Filial" not in html
    assert "Homologação" in html

    response = client.post(URL, form(emitter, rejected.number, rejected.number))

    gap = NumberGap.objects.get()
    page = reverse("fiscal_number_gaps:inspect", args=[gap.pk])
    assert (response.status_code, response.url) == (302, page)
    assert (gap.status_code, gap.first_number, gap.last_number) == ("102", 1, 1)
    assert gap.protocol and gap.environment == emitter.environment
    assert_xsd_valid(gap.xml, xsd.INUTILIZATION)
    assert_signed(gap.xml, "infInut", certificate=certificate)
    assert ArchivedXml.objects.filter(kind="inut", content=gap.proc_xml).exists()
    rejected.refresh_from_db()
    assert rejected.status == "inutilized"
    assert ModelLogEntry.objects.filter(
        action="fiscal.inutilize", object_id=str(gap.pk), user=fiscal_clerk
    ).exists()
    # the page shows the authoriser's answer and its protocol
    html = client.get(page, follow=True).content.decode()
    assert "Números 1 a 1 da série 1 inutilizados" in html
    assert gap.protocol in html and gap.status_reason in html
    assert "procInutNFe" in html  # the link to the archived XML


def test_what_cannot_be_inutilized_is_a_form_error_in_portuguese(
    client, sefaz, fiscal_clerk, emitter, rejected, certificate
):
    client.force_login(fiscal_clerk)
    authorised = issue(emitter, certificate)  # number 2
    send_documents([authorised])
    sent = len(inutilization_calls(sefaz))

    cases = [
        # not reached yet
        (form(emitter, 3, 5), "a série 1 usou até o número 2"),
        # a série that has taken no number
        (form(emitter, 1, 1, series=7), "a série 7 ainda não usou nenhum número"),
        # an authorised NF-e in the range
        (form(emitter, 1, 2), "O número 2 da faixa está em uso (Autorizada)"),
        # too big a range
        (form(emitter, 1, 1001), "grande demais: inutilize no máximo 1000"),
        # backwards
        (form(emitter, 2, 1), "O último número não pode ser menor que o primeiro"),
        # a justification too short
        (form(emitter, 1, 1, justification="Pulou"), "15 caracteres"),
    ]
    for data, message in cases:
        response = client.post(URL, data)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert not NumberGap.objects.exists()
    assert len(inutilization_calls(sefaz)) == sent

    # once inutilized, the range is refused with the protocol that took it
    client.post(URL, form(emitter, 1, 1))
    gap = NumberGap.objects.get()
    response = client.post(URL, form(emitter, 1, 1))
    assert (
        f"Parte desta faixa já está inutilizada (números 1 a 1, protocolo "
        f"{gap.protocol})" in response.content.decode()
    )
    assert NumberGap.objects.count() == 1


def test_the_authoriser_refusing_is_shown_and_recorded(
    client, sefaz, fiscal_clerk, emitter, rejected
):
    # the authoriser knows the number as used (by another system)
    sefaz.state["numbers"][f"{emitter.cnpj}/1/{rejected.number}"] = "x" * 44
    client.force_login(fiscal_clerk)

    response = client.post(URL, form(emitter, 1, 1))

    assert response.status_code == 200
    assert "A SEFAZ recusou a inutilização: 241" in response.content.decode()
    gap = NumberGap.objects.get()
    assert (gap.status_code, gap.protocol) == ("241", "")
    rejected.refresh_from_db()
    assert rejected.status == "rejected"


def test_another_emitters_numbers_are_out_of_reach(
    client, sefaz, fiscal_clerk, other_emitter, accountant
):
    gap = NumberGap.objects.create(
        emitter=other_emitter,
        environment="2",
        series=1,
        first_number=10,
        last_number=12,
        reason="Falha no sistema de emissão",
        xml="<inutNFe/>",
    )
    client.force_login(fiscal_clerk)
    # the other emitter is not a choice
    response = client.post(URL, form(other_emitter, 10, 12))
    assert response.status_code == 200
    assert "Faça uma escolha válida" in response.content.decode()
    # its inutilizações do not exist for the clerk
    page = reverse("fiscal_number_gaps:inspect", args=[gap.pk])
    assert client.get(page).status_code == 404
    assert NumberGap.objects.count() == 1
    assert not inutilization_calls(sefaz)

    # the accountant reads every emitter's, and inutilizes none
    client.force_login(accountant)
    assert client.get(page).status_code == 200
    assert URL not in client.get(LISTING).content.decode()
    response = client.post(URL, form(other_emitter, 10, 12))
    assert (response.status_code, response.url) == (302, "/admin/")
