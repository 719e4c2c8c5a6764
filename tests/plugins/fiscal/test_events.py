"""Cancellation, carta de correção and inutilização against the local SEFAZ:
the signed XML as given, the answer recorded and archived, and what is
refused before anything is sent."""

import datetime

import pytest
from django.utils import timezone, translation

from plugins.fiscal.exceptions import AuthoriserRejected, FiscalRefused
from plugins.fiscal.models import ArchivedXml, FiscalDocument, FiscalEvent, NumberGap
from plugins.fiscal.sefaz import SefazAuthoriser
from plugins.fiscal.services.authorisation import send_documents
from plugins.fiscal.services.events import (
    cancel_document,
    correct_document,
    next_event_sequence,
)
from plugins.fiscal.services.inutilization import inutilize_numbers
from plugins.fiscal.simulator import schemas
from plugins.orders.models import OrderEvent
from tests.plugins.fiscal.documents import (
    issue,
    signed_cancellation,
    signed_correction,
    signed_inutilization,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English (the msgids) here; one test reads
    them in pt-BR, the project's language."""
    with translation.override("en"):
        yield


JUSTIFICATION = "Cliente desistiu da compra antes do envio"
CORRECTION = "Complemento do endereço de entrega: bloco B, apartamento 12"


def event_calls(sefaz):
    return [r for r in sefaz.requests if r["service"] == "NFeRecepcaoEvento4"]


@pytest.fixture
def authorised(sefaz, emitter, certificate, paid_order):
    document = issue(emitter, certificate, order=paid_order)
    send_documents([document])
    document.refresh_from_db()
    assert document.status == "authorised"
    return document


def cancellation(document, certificate, justification=JUSTIFICATION, **kwargs):
    return signed_cancellation(
        certificate,
        key=document.access_key,
        cnpj=document.emitter.cnpj,
        protocol=document.protocol,
        justification=justification,
        **kwargs,
    )


def correction(document, certificate, sequence, text=CORRECTION):
    return signed_correction(
        certificate,
        key=document.access_key,
        cnpj=document.emitter.cnpj,
        correction=text,
        sequence=sequence,
    )


# -- Cancellation ------------------------------------------------------------------


def test_cancelling_registers_the_event_and_keeps_its_xml(
    sefaz, authorised, certificate, paid_order
):
    xml = cancellation(authorised, certificate)

    event = cancel_document(authorised, xml=xml, justification=JUSTIFICATION)

    assert (event.kind, event.sequence, event.status_code) == ("110111", 1, "135")
    assert event.protocol and event.registered_at
    assert event.xml == xml
    assert xml in event.proc_xml
    assert schemas.errors("procEventoNFe.110111", event.proc_xml) == []
    authorised.refresh_from_db()
    assert authorised.status == "cancelled"
    assert ArchivedXml.objects.filter(kind="event", content=event.proc_xml).exists()
    # the authoriser now answers "101 cancelled" about it
    with SefazAuthoriser(uf="SP", environment="2") as authoriser:
        consulted = authoriser.consult(authorised.access_key)
    assert consulted.status_code == "101"
    assert [e.protocol for e in consulted.events] == [event.protocol]
    # the order keeps its status (there is no way back from invoiced in the
    # orders lifecycle) and its timeline says the NF-e was cancelled
    paid_order.refresh_from_db()
    assert paid_order.status == "invoiced"
    assert OrderEvent.objects.filter(
        order=paid_order, source="fiscal", message__contains="cancelled"
    ).exists()
    # once cancelled, there is nothing more to cancel
    with pytest.raises(FiscalRefused):
        next_event_sequence(authorised, "110111")


def test_a_justification_under_15_characters_is_refused_before_sending(
    sefaz, authorised, certificate
):
    with pytest.raises(FiscalRefused, match="15 to 255"):
        cancel_document(
            authorised,
            xml=cancellation(authorised, certificate, "Desistiu"),
            justification="Desistiu",
        )
    assert event_calls(sefaz) == []
    assert not FiscalEvent.objects.exists()


def test_cancelling_after_the_window_is_refused_before_sending(
    sefaz, authorised, certificate, settings
):
    settings.RETAGUARDA_FISCAL_CANCEL_HOURS = 24
    FiscalDocument.objects.filter(pk=authorised.pk).update(
        authorised_at=timezone.now() - datetime.timedelta(hours=25)
    )

    with pytest.raises(FiscalRefused, match="return NF-e"):
        cancel_document(
            authorised,
            xml=cancellation(authorised, certificate),
            justification=JUSTIFICATION,
        )
    assert event_calls(sefaz) == []


def test_the_authoriser_refuses_a_cancellation_past_its_window(
    sefaz, authorised, certificate
):
    # the authoriser's clock is a day and an hour ahead of ours
    sefaz.control({"advance_clock": 25 * 3600})

    with pytest.raises(AuthoriserRejected, match="501") as refused:
        cancel_document(
            authorised,
            xml=cancellation(authorised, certificate),
            justification=JUSTIFICATION,
        )

    event = refused.value.record
    assert (event.status_code, event.protocol, event.proc_xml) == ("501", "", "")
    authorised.refresh_from_db()
    assert authorised.status == "authorised"
    assert not ArchivedXml.objects.filter(kind="event").exists()
    # the same sequence may go again once it can be registered
    sefaz.control({"advance_clock": -25 * 3600})
    event = cancel_document(
        authorised,
        xml=cancellation(authorised, certificate),
        justification=JUSTIFICATION,
    )
    assert event.status_code == "135"
    assert FiscalEvent.objects.count() == 1


def test_an_event_xml_about_another_document_is_refused(
    sefaz, emitter, authorised, certificate
):
    other = issue(emitter, certificate)
    send_documents([other])
    other.refresh_from_db()

    with pytest.raises(FiscalRefused):
        cancel_document(
            authorised,
            xml=cancellation(other, certificate),
            justification=JUSTIFICATION,
        )
    assert event_calls(sefaz) == []


def test_only_an_authorised_nfe_takes_events(sefaz, emitter, certificate):
    document = issue(emitter, certificate)  # signed, never sent
    with pytest.raises(FiscalRefused, match="authorised"):
        correct_document(
            document, xml=correction(document, certificate, 1), correction=CORRECTION
        )


# -- Carta de correção -------------------------------------------------------------


def test_correction_letters_go_from_1_to_20_and_the_21st_is_refused(
    sefaz, authorised, certificate, paid_order
):
    for sequence in range(1, 21):
        assert next_event_sequence(authorised, "110110") == sequence
        event = correct_document(
            authorised,
            xml=correction(
                authorised, certificate, sequence, f"{CORRECTION} ({sequence})"
            ),
            correction=f"{CORRECTION} ({sequence})",
        )
        assert (event.sequence, event.status_code) == (sequence, "135")
    assert schemas.errors("procEventoNFe.110110", event.proc_xml) == []
    assert ArchivedXml.objects.filter(kind="event").count() == 20
    authorised.refresh_from_db()
    assert authorised.status == "authorised"

    with pytest.raises(FiscalRefused, match="at most 20"):
        next_event_sequence(authorised, "110110")
    with pytest.raises(FiscalRefused):
        correct_document(
            authorised,
            xml=correction(authorised, certificate, 20),
            correction=CORRECTION,
        )
    assert len(event_calls(sefaz)) == 20
    assert (
        OrderEvent.objects.filter(
            order=paid_order, source="fiscal", message__startswith="Correction letter"
        ).count()
        == 20
    )


def test_a_correction_must_carry_the_next_sequence(sefaz, authorised, certificate):
    with pytest.raises(FiscalRefused, match="number 1"):
        correct_document(
            authorised,
            xml=correction(authorised, certificate, 2),
            correction=CORRECTION,
        )
    assert event_calls(sefaz) == []


def test_a_correction_under_15_characters_is_refused(sefaz, authorised, certificate):
    with pytest.raises(FiscalRefused):
        correct_document(
            authorised,
            xml=correction(authorised, certificate, 1, "Bloco B"),
            correction="Bloco B",
        )
    assert event_calls(sefaz) == []


# -- Inutilização ------------------------------------------------------------------


def inutilization(emitter, certificate, first, last, reason):
    return signed_inutilization(
        certificate,
        cnpj=emitter.cnpj,
        series=emitter.series,
        first=first,
        last=last,
        justification=reason,
    )


REASON = "Numeração rejeitada pela SEFAZ e não reaproveitada"


def test_a_rejected_number_is_inutilized(sefaz, emitter, certificate, paid_order):
    sefaz.control({"reject_next": {"cStat": "778"}})
    rejected = issue(emitter, certificate, order=paid_order)
    send_documents([rejected])
    xml = inutilization(emitter, certificate, rejected.number, rejected.number, REASON)

    gap = inutilize_numbers(
        emitter,
        series=1,
        first=rejected.number,
        last=rejected.number,
        reason=REASON,
        xml=xml,
    )

    assert (gap.status_code, gap.first_number, gap.last_number) == (
        "102",
        rejected.number,
        rejected.number,
    )
    assert gap.protocol and gap.registered_at and gap.xml == xml
    assert xml in gap.proc_xml
    assert schemas.errors("procInutNFe", gap.proc_xml) == []
    assert ArchivedXml.objects.filter(kind="inut", content=gap.proc_xml).exists()
    rejected.refresh_from_db()
    assert rejected.status == "inutilized"
    assert OrderEvent.objects.filter(
        order=paid_order, source="fiscal", message__contains="inutilized"
    ).exists()
    # the range cannot be inutilized twice
    with pytest.raises(FiscalRefused, match="already inutilized"):
        inutilize_numbers(
            emitter,
            series=1,
            first=rejected.number,
            last=rejected.number,
            reason=REASON,
            xml=xml,
        )


def test_numbers_in_use_or_never_taken_are_not_inutilized(sefaz, emitter, certificate):
    document = issue(emitter, certificate)  # number 1, signed
    send_documents([document])

    with pytest.raises(FiscalRefused, match="in use"):
        inutilize_numbers(
            emitter,
            series=1,
            first=1,
            last=1,
            reason=REASON,
            xml=inutilization(emitter, certificate, 1, 1, REASON),
        )
    with pytest.raises(FiscalRefused, match="already taken"):
        inutilize_numbers(
            emitter,
            series=1,
            first=2,
            last=5,
            reason=REASON,
            xml=inutilization(emitter, certificate, 2, 5, REASON),
        )
    with pytest.raises(FiscalRefused, match="15 to 255"):
        inutilize_numbers(
            emitter,
            series=1,
            first=1,
            last=1,
            reason="Pulou",
            xml=inutilization(emitter, certificate, 1, 1, "Pulou"),
        )
    assert not NumberGap.objects.exists()
    assert not [r for r in sefaz.requests if r["service"] == "NFeInutilizacao4"]


def test_the_authoriser_refusing_an_inutilization_is_recorded(
    sefaz, emitter, certificate
):
    rejected = issue(emitter, certificate)
    sefaz.control({"reject_next": {"cStat": "778"}})
    send_documents([rejected])
    # the authoriser knows the number as used (say, by another system)
    sefaz.state["numbers"][f"{emitter.cnpj}/1/{rejected.number}"] = "x" * 44

    with pytest.raises(AuthoriserRejected, match="241"):
        inutilize_numbers(
            emitter,
            series=1,
            first=1,
            last=1,
            reason=REASON,
            xml=inutilization(emitter, certificate, 1, 1, REASON),
        )
    gap = NumberGap.objects.get()
    assert (gap.status_code, gap.protocol, gap.proc_xml) == ("241", "", "")
    rejected.refresh_from_db()
    assert rejected.status == "rejected"
