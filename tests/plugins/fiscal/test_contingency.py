"""The SVC contingency: NF-e built while an emitter is in contingency carry
tpEmis 6 (SVC-AN) or 7 (SVC-RS, by the emitter's UF), dhCont and xJust, and
the access key's tpEmis digit; NF-e built before the switch and not yet
received by an authoriser are built again (a new key, the same number),
validated and signed again before they go to the SVC — and back to tpEmis
1 when the contingency ends. Against the local SEFAZ, which refuses a
tpEmis its authoriser does not take."""

import base64
import datetime

import pytest
from django.utils import timezone, translation
from lxml import etree
from wagtail.models import ModelLogEntry

from plugins.fiscal import keys, xsd
from plugins.fiscal.emitters import switch_contingency
from plugins.fiscal.models import Emitter, FiscalDocument
from plugins.fiscal.services.authorisation import resend_due, send_documents
from plugins.fiscal.services.issuing import issue_and_send, issue_for_order
from plugins.orders.models import OrderEvent
from plugins.orders.services import pay_order
from tests.plugins.fiscal.conftest import (
    CERTIFICATE_PASSWORD,
    assert_signed,
    assert_xsd_valid,
    emitter_values,
)

NS = {"n": xsd.NS}
REASON = "SEFAZ-SP fora do ar desde as 10h"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def paid(ncm_order, tax_tables):
    pay_order(ncm_order, user=None)
    ncm_order.refresh_from_db()
    return ncm_order


def ide(document: FiscalDocument) -> dict[str, str]:
    root = etree.fromstring(document.xml.encode())
    found = root.find("n:infNFe/n:ide", NS)
    return {etree.QName(child).localname: child.text for child in found}


def authorisers(sefaz):
    return [
        r["authoriser"] for r in sefaz.requests if r["service"] == "NFeAutorizacao4"
    ]


def assert_valid_and_signed(document, certificate):
    assert_xsd_valid(document.xml, xsd.NFE)
    assert_signed(document.xml, "infNFe", certificate=certificate)
    parts = keys.parse(document.access_key)
    fields = ide(document)
    assert parts.emission_type == fields["tpEmis"]
    assert str(parts.digit) == fields["cDV"]
    assert f'Id="NFe{document.access_key}"' in document.xml


def test_an_nfe_issued_in_contingency_states_it_and_goes_to_svc_an(
    sefaz, emitter, paid, certificate
):
    switch_contingency(emitter, on=True, reason=REASON, user=None)
    emitter.refresh_from_db()

    document = issue_and_send(paid, emitter=emitter, user=None)

    assert document.status == "authorised", document.status_reason
    fields = ide(document)
    assert fields["tpEmis"] == "6"
    assert fields["xJust"] == REASON
    since = datetime.datetime.fromisoformat(fields["dhCont"])
    assert since == emitter.contingency_since.replace(microsecond=0)
    assert document.access_key[34] == "6" and document.in_contingency
    assert_valid_and_signed(document, certificate)
    assert authorisers(sefaz) == ["SVC-AN"]


def test_an_emitter_of_parana_issues_for_svc_rs(
    sefaz, paid, certificate_file, certificate
):
    parana = Emitter.objects.create(
        **emitter_values(
            uf="PR",
            city="Curitiba",
            city_code="4106902",
            cep="80010-000",
            certificate=base64.b64encode(certificate_file).decode(),
            certificate_password=CERTIFICATE_PASSWORD,
        )
    )
    switch_contingency(parana, on=True, reason="SEFAZ-PR fora do ar", user=None)

    document = issue_and_send(paid, emitter=parana, user=None)

    assert document.status == "authorised", document.status_reason
    assert ide(document)["tpEmis"] == "7"
    assert document.access_key[34] == "7"
    assert_valid_and_signed(document, certificate)
    assert authorisers(sefaz) == ["SVC-RS"]


def test_a_waiting_nfe_is_built_again_for_svc_with_the_same_number(
    sefaz, emitter, paid, certificate, django_capture_on_commit_callbacks
):
    # given an NF-e sent while SEFAZ-SP was down (503: it never got it)
    sefaz.control({"down": True})
    before = issue_and_send(paid, emitter=emitter, user=None)
    assert before.status == "sent" and ide(before)["tpEmis"] == "1"
    old_key = before.access_key

    # when the operator switches the contingency on
    with django_capture_on_commit_callbacks(execute=True):
        switch_contingency(emitter, on=True, reason=REASON, user=None)

    # then it was built again for SVC-AN and authorised there: a new key,
    # the same number, tpEmis 6 with dhCont and xJust, valid and signed
    document = FiscalDocument.objects.get(pk=before.pk)
    assert document.status == "authorised", document.status_reason
    assert document.number == before.number == 1
    assert document.access_key != old_key
    assert document.access_key[:34] == old_key[:34]  # UF, month, CNPJ, série, nº
    assert (document.access_key[34], old_key[34]) == ("6", "1")
    fields = ide(document)
    assert (fields["tpEmis"], fields["xJust"]) == ("6", REASON)
    assert fields["dhCont"] <= fields["dhEmi"]
    assert_valid_and_signed(document, certificate)
    assert document.xml in document.proc_xml
    assert authorisers(sefaz) == ["SP", "SVC-AN"]
    # the old key was never authorised anywhere
    assert sefaz.document(old_key) is None
    paid.refresh_from_db()
    assert paid.status == "invoiced"
    entry = ModelLogEntry.objects.get(action="fiscal.rebuild")
    assert entry.data["changes"]["access_key"] == [old_key, document.access_key]
    assert any(
        "built again" in m and old_key in m
        for m in OrderEvent.objects.filter(order=paid).values_list("message", flat=True)
    )


def test_an_nfe_whose_answer_was_lost_stays_with_its_authoriser(
    sefaz, emitter, paid, settings, django_capture_on_commit_callbacks
):
    # given an NF-e whose answer never came (SEFAZ-SP may have it)
    sefaz.control({"down": "drop"})
    before = issue_and_send(paid, emitter=emitter, user=None)
    assert before.status == "sent" and before.answer_lost

    with django_capture_on_commit_callbacks(execute=True):
        switch_contingency(emitter, on=True, reason=REASON, user=None)

    # then it is not built again for SVC: it goes to SEFAZ-SP only
    document = FiscalDocument.objects.get(pk=before.pk)
    assert document.access_key == before.access_key
    assert set(authorisers(sefaz)) == {"SP"}
    sefaz.control({"down": False})
    resend_due(now=timezone.now() + datetime.timedelta(hours=1))
    document.refresh_from_db()
    assert document.status == "authorised"
    assert authorisers(sefaz)[-1] == "SP"


def test_an_nfe_built_just_before_the_switch_is_built_again_when_sent(
    sefaz, emitter, paid, certificate
):
    # built in normal emission, then the contingency switched on before it
    # was sent (nothing was waiting when the switch looked)
    document = issue_for_order(paid, emitter=emitter, user=None)
    switch_contingency(emitter, on=True, reason=REASON, user=None)

    send_documents([document])

    document.refresh_from_db()
    assert document.status == "authorised", document.status_reason
    assert ide(document)["tpEmis"] == "6"
    assert_valid_and_signed(document, certificate)
    assert authorisers(sefaz) == ["SVC-AN"]


def test_when_the_contingency_ends_a_waiting_svc_nfe_goes_back_to_tpemis_1(
    sefaz, emitter, paid, certificate, django_capture_on_commit_callbacks
):
    switch_contingency(emitter, on=True, reason=REASON, user=None)
    sefaz.control({"svc_down": True})
    before = issue_and_send(paid, emitter=emitter, user=None)
    assert before.status == "sent" and ide(before)["tpEmis"] == "6"

    with django_capture_on_commit_callbacks(execute=True):
        switch_contingency(emitter, on=False, reason="", user=None)

    document = FiscalDocument.objects.get(pk=before.pk)
    assert document.status == "authorised", document.status_reason
    fields = ide(document)
    assert fields["tpEmis"] == "1"
    assert "dhCont" not in fields and "xJust" not in fields
    assert document.access_key[34] == "1" and not document.in_contingency
    assert document.number == before.number
    assert_valid_and_signed(document, certificate)
    assert authorisers(sefaz) == ["SVC-AN", "SP"]


def test_the_state_authoriser_refuses_an_svc_nfe_and_svc_a_normal_one(
    sefaz, emitter, paid
):
    # an NF-e of tpEmis 1 that reaches SVC-AN (its answer lost, then the
    # emitter in contingency would not rebuild it; here sent on purpose)
    from plugins.fiscal.services.authorisers import authoriser_for

    document = issue_for_order(paid, emitter=emitter, user=None)
    with authoriser_for(emitter, contingency=True) as svc:
        result = svc.authorise([document.xml], batch_id="1").documents[0]
    assert result.status_code == "713"
