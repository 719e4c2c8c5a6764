"""Sending NF-e to the authoriser (the local SEFAZ) and what its answers do:
the nfeProc and the archive, the order's move to invoiced or its timeline,
retries while the authoriser is down, and the SVC contingency."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from plugins.fiscal.emitters import ContingencyRefused, switch_contingency
from plugins.fiscal.models import ArchivedXml, FiscalDocument
from plugins.fiscal.services.authorisation import (
    consult_document,
    resend_due,
    send_documents,
)
from plugins.fiscal.services.authorisers import emission_type
from plugins.fiscal.simulator import schemas
from plugins.orders.models import OrderEvent
from plugins.orders.services import pay_order
from tests.factories import UserFactory
from tests.plugins.fiscal.documents import issue, signed_nfe
from tests.plugins.orders.conftest import place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English (the msgids) here; one test reads
    them in pt-BR, the project's language."""
    with translation.override("en"):
        yield


def fiscal_timeline(order):
    return list(
        OrderEvent.objects.filter(order=order, source="fiscal")
        .order_by("pk")
        .values_list("message", flat=True)
    )


def calls(sefaz, service="NFeAutorizacao4"):
    return [r["authoriser"] for r in sefaz.requests if r["service"] == service]


# -- Authorised --------------------------------------------------------------------


def test_an_authorised_nfe_keeps_the_signed_text_in_its_nfeproc_and_invoices_the_order(
    sefaz, emitter, certificate, paid_order, tmp_path
):
    # given a signed NF-e of a paid order
    document = issue(emitter, certificate, order=paid_order)
    signed = document.xml

    # when it is sent
    sent = send_documents([document])

    # then it is authorised with the authoriser's protocol
    assert sent.authorised == [document.pk]
    document.refresh_from_db()
    assert (document.status, document.status_code) == ("authorised", "100")
    assert document.protocol.isdigit() and len(document.protocol) == 15
    assert document.authorised_at is not None
    assert calls(sefaz) == ["SP"]
    # the nfeProc is the NF-e exactly as signed and sent, then the protNFe
    assert document.xml == signed
    head, _sep, rest = document.proc_xml.partition(signed)
    assert head.endswith(
        '<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">'
    )
    assert rest.startswith("<protNFe") and rest.endswith("</protNFe></nfeProc>")
    assert f"<nProt>{document.protocol}</nProt>" in rest
    assert schemas.errors("nfeProc", document.proc_xml) == []
    # kept in the archive
    archived = ArchivedXml.objects.get(document=document)
    assert (archived.kind, archived.content, archived.intact) == (
        "nfe",
        document.proc_xml,
        True,
    )
    # the order moved to invoiced through the orders service, with the step
    # and the protocol on its timeline
    paid_order.refresh_from_db()
    assert paid_order.status == "invoiced"
    assert any(document.protocol in message for message in fiscal_timeline(paid_order))
    assert OrderEvent.objects.filter(
        order=paid_order, kind="transition", to_status="invoiced"
    ).exists()
    assert ModelLogEntry.objects.filter(action="fiscal.authorise").count() == 1
    # and the stored nfeProc's signature verifies with an independent verifier
    if shutil.which("xmlsec1"):
        (tmp_path / "proc.xml").write_text(document.proc_xml, encoding="utf-8")
        (tmp_path / "cert.pem").write_bytes(certificate.certificate_pem())
        checked = subprocess.run(  # noqa: S603
            [
                "xmlsec1",
                "--verify",
                "--id-attr:Id",
                "infNFe",
                "--pubkey-cert-pem",
                str(tmp_path / "cert.pem"),
                str(tmp_path / "proc.xml"),
            ],
            capture_output=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr


def test_an_order_not_paid_stays_where_it_is_with_the_nfe_on_its_timeline(
    sefaz, emitter, certificate, loja, sellable
):
    order = place(loja)  # pending payment
    document = issue(emitter, certificate, order=order)

    send_documents([document])

    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert "authorised" in fiscal_timeline(order)[0]


def test_a_batch_goes_in_one_call_and_its_receipt_in_another(
    sefaz, emitter, certificate, loja, sellable
):
    orders = [place(loja) for _ in range(3)]
    for order in orders:
        pay_order(order, user=None)
    documents = [
        issue(emitter, certificate, order=orders[0]),
        issue(emitter, certificate, order=orders[1], recipient_name="Ana REJEITAR 778"),
        issue(emitter, certificate, order=orders[2]),
    ]

    sent = send_documents(documents)

    assert sorted(sent.authorised) == [documents[0].pk, documents[2].pk]
    assert sent.rejected == [documents[1].pk]
    assert calls(sefaz) == ["SP"]
    assert calls(sefaz, "NFeRetAutorizacao4") == ["SP"]
    statuses = [
        o.status
        for o in type(orders[0])
        .objects.filter(pk__in=[o.pk for o in orders])
        .order_by("pk")
    ]
    assert statuses == ["invoiced", "paid", "invoiced"]


def test_a_batch_still_being_processed_is_fetched_on_the_next_attempt(
    sefaz, emitter, certificate
):
    sefaz.control({"pending_receipts": 1})
    documents = [issue(emitter, certificate) for _ in range(2)]

    sent = send_documents(documents)

    assert sorted(sent.waiting) == sorted(d.pk for d in documents)
    first = FiscalDocument.objects.get(pk=documents[0].pk)
    assert first.status == "sent" and first.receipt and first.status_code == "105"
    assert resend_due().waiting == []  # not due yet: nothing is asked

    later = first.next_attempt_at + datetime.timedelta(seconds=1)
    sent = resend_due(now=later)

    assert sorted(sent.authorised) == sorted(d.pk for d in documents)
    assert calls(sefaz) == ["SP"]  # fetched, not sent again
    assert calls(sefaz, "NFeRetAutorizacao4") == ["SP", "SP"]
    assert FiscalDocument.objects.get(pk=documents[0].pk).receipt == ""


# -- Rejected, denied, duplicates --------------------------------------------------


def test_a_rejection_leaves_the_order_where_it_was_with_the_reason(
    sefaz, emitter, certificate, paid_order
):
    sefaz.control(
        {
            "reject_next": {
                "cStat": "778",
                "xMotivo": "Rejeição: Informado NCM inexistente [nItem:1]",
            }
        }
    )
    document = issue(emitter, certificate, order=paid_order)

    sent = send_documents([document])

    assert sent.rejected == [document.pk]
    document.refresh_from_db()
    assert (document.status, document.status_code) == ("rejected", "778")
    assert document.status_reason == "Rejeição: Informado NCM inexistente [nItem:1]"
    assert (document.protocol, document.proc_xml) == ("", "")
    assert not ArchivedXml.objects.filter(document=document).exists()
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    (entry,) = fiscal_timeline(paid_order)
    assert "778" in entry and "NCM inexistente" in entry


def test_the_reason_reads_in_portuguese_on_the_timeline(
    sefaz, emitter, certificate, paid_order
):
    sefaz.control({"reject_next": {"cStat": "778"}})
    document = issue(emitter, certificate, order=paid_order)

    with translation.override("pt-br"):
        send_documents([document])

    assert fiscal_timeline(paid_order) == [
        f"NF-e {document.number} rejeitada pela SEFAZ: 778 – "
        "Rejeição: Informado NCM inexistente"
    ]


def test_a_denied_nfe_spends_its_number_and_is_kept(
    sefaz, emitter, certificate, paid_order
):
    sefaz.control({"denied_recipients": ["681.615.256-50"]})
    document = issue(emitter, certificate, order=paid_order)

    sent = send_documents([document])

    assert sent.denied == [document.pk]
    document.refresh_from_db()
    assert (document.status, document.status_code) == ("denied", "302")
    assert document.protocol and document.proc_xml
    assert schemas.errors("nfeProc", document.proc_xml) == []
    assert ArchivedXml.objects.filter(document=document).exists()
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert "302" in fiscal_timeline(paid_order)[0]


def test_an_nfe_sent_again_after_a_lost_answer_gets_its_first_protocol(
    sefaz, emitter, certificate, paid_order
):
    from plugins.fiscal.sefaz import SefazAuthoriser

    # the authoriser authorised it, but its answer never reached us
    document = issue(emitter, certificate, order=paid_order)
    with SefazAuthoriser(uf="SP", environment="2") as authoriser:
        first = authoriser.authorise([document.xml], batch_id="1").documents[0]
    # and, as real authorisers do, it answers 204 to the same NF-e again
    sefaz.control({"strict_duplicates": True})

    sent = send_documents([document])

    assert sent.authorised == [document.pk]
    document.refresh_from_db()
    assert document.protocol == first.protocol
    assert calls(sefaz, "NFeConsultaProtocolo4") == ["SP"]
    paid_order.refresh_from_db()
    assert paid_order.status == "invoiced"


def test_another_nfe_with_an_access_key_already_authorised_is_a_duplicate(
    sefaz, emitter, certificate, paid_order
):
    from plugins.fiscal.sefaz import SefazAuthoriser

    document = issue(emitter, certificate, order=paid_order)
    other, key = signed_nfe(
        certificate,
        cnpj=emitter.cnpj,
        number=document.number,
        issued_at=document.issued_at,
        code=document.access_key[35:43],
        recipient_name="OUTRA PESSOA",
    )
    assert key == document.access_key
    with SefazAuthoriser(uf="SP", environment="2") as authoriser:
        authoriser.authorise([other], batch_id="1")

    sent = send_documents([document])

    assert sent.rejected == [document.pk]
    document.refresh_from_db()
    assert (document.status, document.status_code) == ("rejected", "204")
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_consulting_a_waiting_nfe_records_the_authorisation_it_has(
    sefaz, emitter, certificate, paid_order
):
    from plugins.fiscal.sefaz import SefazAuthoriser

    document = issue(emitter, certificate, order=paid_order)
    FiscalDocument.objects.filter(pk=document.pk).update(status="sent")
    with SefazAuthoriser(uf="SP", environment="2") as authoriser:
        authoriser.authorise([document.xml], batch_id="1")

    consulted = consult_document(document)

    assert consulted.status_code == "100"
    document.refresh_from_db()
    assert document.status == "authorised" and document.proc_xml
    paid_order.refresh_from_db()
    assert paid_order.status == "invoiced"


def test_only_signed_or_due_documents_are_sent(sefaz, emitter, certificate):
    document = issue(emitter, certificate)
    send_documents([document])

    sent = send_documents([document])  # authorised already

    assert sent.not_sent == [document.pk]
    assert calls(sefaz) == ["SP"]


# -- The authoriser down -----------------------------------------------------------


@pytest.mark.parametrize("mode", [True, "108", "drop"])
def test_while_the_authoriser_is_down_the_nfe_waits_and_goes_again(
    sefaz, emitter, certificate, paid_order, mode
):
    sefaz.control({"down": mode})
    document = issue(emitter, certificate, order=paid_order)
    before = timezone.now()

    sent = send_documents([document])

    # then it waits, 30 seconds for the first retry
    assert sent.waiting == [document.pk]
    document.refresh_from_db()
    assert document.status == "sent" and document.attempts == 1
    wait = document.next_attempt_at - before
    assert datetime.timedelta(seconds=29) < wait < datetime.timedelta(seconds=32)
    assert document.status_reason
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert "goes again at" in fiscal_timeline(paid_order)[0]
    # nothing is due before its time
    assert resend_due().authorised == []

    # a second failure waits twice as long
    before = timezone.now()
    sent = resend_due(now=document.next_attempt_at)
    assert sent.waiting == [document.pk]
    second = FiscalDocument.objects.get(pk=document.pk)
    assert second.attempts == 2
    wait = second.next_attempt_at - before
    assert datetime.timedelta(seconds=59) < wait < datetime.timedelta(seconds=62)

    # when the authoriser is back, the next attempt authorises it
    sefaz.control({"down": False})
    sent = resend_due(now=second.next_attempt_at)

    assert sent.authorised == [document.pk]
    document.refresh_from_db()
    assert (document.status, document.next_attempt_at) == ("authorised", None)
    paid_order.refresh_from_db()
    assert paid_order.status == "invoiced"
    assert len(fiscal_timeline(paid_order)) == 2  # one "could not be sent" only


def test_an_error_that_a_retry_will_not_mend_puts_the_nfe_back_to_signed(
    sefaz, emitter, certificate, paid_order, settings
):
    settings.RETAGUARDA_FISCAL_AUTHORISER_URL = f"{sefaz.url}/no-such-path"
    document = issue(emitter, certificate, order=paid_order)

    sent = send_documents([document])

    assert sent.not_sent == [document.pk]
    document.refresh_from_db()
    assert (document.status, document.next_attempt_at) == ("signed", None)
    assert "serviço não encontrado" in document.status_reason
    assert "was not sent" in fiscal_timeline(paid_order)[0]


# -- Contingency -------------------------------------------------------------------


def test_contingency_sends_the_waiting_documents_to_svc(
    sefaz, emitter, certificate, paid_order, django_capture_on_commit_callbacks
):
    sefaz.control({"down": True})
    waiting = issue(emitter, certificate, order=paid_order)
    send_documents([waiting])
    assert emission_type(emitter) == "1"

    # when the operator switches contingency on
    with django_capture_on_commit_callbacks(execute=True):
        switch_contingency(
            emitter, on=True, reason="SEFAZ-SP fora do ar desde as 10h", user=None
        )

    # then the waiting document went to SVC-AN (São Paulo's), at once
    waiting.refresh_from_db()
    assert (waiting.status, waiting.in_contingency) == ("authorised", True)
    assert calls(sefaz) == ["SP", "SVC-AN"]
    paid_order.refresh_from_db()
    assert paid_order.status == "invoiced"
    # new documents are issued for SVC-AN (tpEmis 6) and go there
    assert emission_type(emitter) == "6"
    emitter.refresh_from_db()
    assert emitter.contingency_since is not None
    new = issue(emitter, certificate, emission_type="6")
    assert send_documents([new]).authorised == [new.pk]
    assert calls(sefaz)[-1] == "SVC-AN"
    assert ModelLogEntry.objects.filter(action="fiscal.contingency.on").exists()


def test_documents_waiting_when_contingency_ends_go_to_the_state_authoriser(
    sefaz, emitter, certificate, django_capture_on_commit_callbacks
):
    switch_contingency(
        emitter, on=True, reason="SEFAZ-SP fora do ar desde as 10h", user=None
    )
    sefaz.control({"svc_down": "503"})
    document = issue(emitter, certificate, emission_type="6")
    assert send_documents([document]).waiting == [document.pk]

    sefaz.control({"down": False})
    with django_capture_on_commit_callbacks(execute=True):
        switch_contingency(emitter, on=False, reason="", user=None)

    document.refresh_from_db()
    assert (document.status, document.in_contingency) == ("authorised", False)
    assert calls(sefaz) == ["SVC-AN", "SP"]
    assert emission_type(emitter) == "1"


def test_contingency_needs_a_reason(emitter):
    with pytest.raises(ContingencyRefused):
        switch_contingency(emitter, on=True, reason="caiu", user=None)
    emitter.refresh_from_db()
    assert emitter.contingency is False


# -- Who may send ------------------------------------------------------------------


def test_a_clerk_sends_only_the_documents_of_the_emitters_granted(
    sefaz, emitter, certificate
):
    clerk = UserFactory(username="faturista", roles=["fiscal"])
    document = issue(emitter, certificate)

    with pytest.raises(PermissionDenied):
        send_documents([document], user=clerk)
    assert sefaz.requests == []

    assign_perm("fiscal.issue_emitter", clerk, emitter)
    clerk = type(clerk).objects.get(pk=clerk.pk)  # permissions read afresh
    assert send_documents([document], user=clerk).authorised == [document.pk]
    entry = ModelLogEntry.objects.get(action="fiscal.authorise")
    assert entry.user_id == clerk.pk


# -- Background work ---------------------------------------------------------------


def test_the_cron_command_sends_the_documents_due(
    sefaz, emitter, certificate, paid_order
):
    from django.core.management import call_command

    sefaz.control({"down": "108"})
    document = issue(emitter, certificate, order=paid_order)
    send_documents([document])
    sefaz.control({"down": False})
    FiscalDocument.objects.filter(pk=document.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    call_command("fiscal_resend", verbosity=0)

    document.refresh_from_db()
    assert document.status == "authorised"


def test_the_bulk_task_sends_on_behalf_of_the_user_who_asked(
    sefaz, emitter, certificate
):
    from plugins.fiscal.tasks import send_documents_task

    clerk = UserFactory(username="faturista", roles=["fiscal"])
    assign_perm("fiscal.issue_emitter", clerk, emitter)
    documents = [issue(emitter, certificate) for _ in range(2)]

    result = send_documents_task.enqueue([d.pk for d in documents], clerk.pk)

    assert sorted(result.return_value["authorised"]) == sorted(d.pk for d in documents)


def test_a_document_signed_and_never_sent_is_sent_by_the_resend(
    sefaz, emitter, certificate
):
    """A process that stopped between recording an NF-e and sending it left
    it signed: the periodic resend sends it once it is clearly left behind,
    not while its own process may still be sending it."""
    document = issue(emitter, certificate)
    signed_at = FiscalDocument.objects.get(pk=document.pk).updated_at

    assert resend_due(now=signed_at + datetime.timedelta(minutes=1)).authorised == []
    assert calls(sefaz) == []

    sent = resend_due(now=signed_at + datetime.timedelta(minutes=6))

    assert sent.authorised == [document.pk]
    assert FiscalDocument.objects.get(pk=document.pk).status == "authorised"
