"""The SOAP adapter and the local SEFAZ, message by message: the authorisers'
addresses, what the simulator checks and answers (every answer valid against
the official schema), its controls, its state file and mutual TLS."""

import datetime
import ipaddress

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.utils import translation
from lxml import etree

from plugins.fiscal import certificates
from plugins.fiscal.authoriser import (
    Authoriser,
    AuthoriserRefused,
    AuthoriserTimeout,
    AuthoriserUnavailable,
    Service,
)
from plugins.fiscal.endpoints import (
    authoriser_name,
    contingency_emission_type,
    service_url,
)
from plugins.fiscal.sefaz import SefazAuthoriser, Timeout
from plugins.fiscal.signing import sign
from plugins.fiscal.simulator import SefazSimulator, schemas
from plugins.fiscal.soap import content_type
from tests.plugins.fiscal.conftest import EMITTER_CNPJ
from tests.plugins.fiscal.documents import (
    NS,
    N,
    now,
    signed_cancellation,
    signed_correction,
    signed_inutilization,
    signed_nfe,
)

OTHER_CNPJ = "11444777000161"


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English (the msgids) here; one test reads
    them in pt-BR, the project's language."""
    with translation.override("en"):
        yield


@pytest.fixture
def sp(sefaz):
    with SefazAuthoriser(uf="SP", environment="2") as authoriser:
        yield authoriser


def nfe(certificate, number, **kwargs):
    return signed_nfe(certificate, cnpj=EMITTER_CNPJ, number=number, **kwargs)


def answer(result, name):
    """The answer's message (``name``) as the authoriser wrote it."""
    start = result.xml.index(f"<{name}")
    return result.xml[start : result.xml.index(f"</{name}>") + len(name) + 3]


# -- Addresses ---------------------------------------------------------------------


def test_each_uf_has_its_authoriser_and_its_contingency(settings):
    settings.RETAGUARDA_FISCAL_AUTHORISER_URL = ""
    assert (authoriser_name("SP"), authoriser_name("RJ"), authoriser_name("MA")) == (
        "SP",
        "SVRS",
        "SVAN",
    )
    assert authoriser_name("SP", contingency=True) == "SVC-AN"
    assert authoriser_name("PR", contingency=True) == "SVC-RS"
    assert (contingency_emission_type("SP"), contingency_emission_type("BA")) == (
        "6",
        "7",
    )
    assert (
        service_url("SP", "2", Service.AUTHORISATION)
        == "https://homologacao.nfe.fazenda.sp.gov.br/ws/nfeautorizacao4.asmx"
    )
    assert service_url("RJ", "1", Service.EVENT).startswith(
        "https://nfe.svrs.rs.gov.br"
    )
    assert service_url("SP", "1", Service.STATUS, contingency=True).startswith(
        "https://www.sefazvirtual.fazenda.gov.br/"
    )
    with pytest.raises(AuthoriserRefused):  # SVC does not inutilize
        service_url("PR", "1", Service.INUTILIZATION, contingency=True)


def test_one_base_address_serves_every_authoriser(settings):
    settings.RETAGUARDA_FISCAL_AUTHORISER_URL = "http://127.0.0.1:8703/"
    assert (
        service_url("SP", "2", Service.AUTHORISATION, contingency=True)
        == "http://127.0.0.1:8703/svc-an/NFeAutorizacao4"
    )
    assert content_type(Service.EVENT) == (
        "application/soap+xml; charset=utf-8; "
        'action="http://www.portalfiscal.inf.br/nfe/wsdl/NFeRecepcaoEvento4/'
        'nfeRecepcaoEvento"'
    )


def test_the_adapter_is_an_authoriser(sp):
    assert isinstance(sp, Authoriser)


# -- Authorisation -----------------------------------------------------------------


def test_one_nfe_is_authorised_in_the_answer(sp, certificate):
    xml, key = nfe(certificate, 1)

    batch = sp.authorise([xml], batch_id="1")

    assert (batch.status_code, batch.receipt) == ("104", "")
    assert schemas.errors("retEnviNFe", answer(batch, "retEnviNFe")) == []
    (result,) = batch.documents
    assert (result.access_key, result.status_code, result.authorised) == (
        key,
        "100",
        True,
    )
    assert result.digest and len(result.protocol) == 15
    assert result.xml.startswith("<protNFe") and f"<chNFe>{key}</chNFe>" in result.xml
    # the same NF-e again gets the same protocol; the authoriser consulted says so
    assert sp.authorise([xml], batch_id="2").documents[0].protocol == result.protocol
    consulted = sp.consult(key)
    assert (consulted.status_code, consulted.protocol.protocol) == (
        "100",
        result.protocol,
    )
    assert schemas.errors("retConsSitNFe", answer(consulted, "retConsSitNFe")) == []


def test_a_batch_is_answered_through_its_receipt(sp, sefaz, certificate):
    documents = [nfe(certificate, n)[0] for n in (1, 2, 3)]
    sefaz.control({"pending_receipts": 1})

    batch = sp.authorise(documents, batch_id="7")

    assert (batch.status_code, batch.pending) == ("103", True)
    assert len(batch.receipt) == 15
    assert schemas.errors("retEnviNFe", answer(batch, "retEnviNFe")) == []
    pending = sp.fetch_receipt(batch.receipt)
    assert (pending.status_code, pending.documents) == ("105", ())
    processed = sp.fetch_receipt(batch.receipt)
    assert processed.status_code == "104"
    assert [d.status_code for d in processed.documents] == ["100", "100", "100"]
    assert schemas.errors("retConsReciNFe", answer(processed, "retConsReciNFe")) == []
    assert sp.fetch_receipt("350000000009999").status_code == "106"


def tampered(xml):
    return xml.replace("<xNome>FULANO DOS SANTOS</xNome>", "<xNome>OUTRO</xNome>")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("tampered", "297"),
        ("other certificate", "213"),
        ("other state", "226"),
        ("schema", "225"),
        ("key", "502"),
        ("future", "703"),
        ("recipient name", "778"),
    ],
)
def test_what_the_authoriser_rejects(sefaz, certificate, change, code):
    from plugins.fiscal.signing import sign

    xml, key = nfe(certificate, 5)
    uf = "SP"
    if change == "tampered":
        xml = tampered(xml)
    elif change == "other certificate":
        other = certificates.load(
            certificates.generate(OTHER_CNPJ, "Outra Ltda", password="x"), "x"
        )
        xml, key = nfe(other, 5)
    elif change == "other state":
        uf = "MG"
    elif change == "schema":
        unsigned = (
            xml.split("<Signature")[0].replace("<natOp>Venda</natOp>", "") + "</NFe>"
        )
        xml = sign(unsigned, reference_id=f"NFe{key}", certificate=certificate)
    elif change == "key":
        xml, key = nfe(certificate, 5, code="00000001")
        xml = xml.replace("<cNF>00000001</cNF>", "<cNF>00000002</cNF>")
        unsigned = xml.split("<Signature")[0] + "</NFe>"
        xml = sign(unsigned, reference_id=f"NFe{key}", certificate=certificate)
    elif change == "future":
        xml, key = nfe(certificate, 5, issued_at=now() + datetime.timedelta(hours=2))
    elif change == "recipient name":
        xml, key = nfe(certificate, 5, recipient_name="CLIENTE REJEITAR 778")

    with SefazAuthoriser(uf=uf, environment="2") as authoriser:
        batch = authoriser.authorise([xml], batch_id="1")

    result = batch.result_for(key)
    assert result.status_code == code, result.reason
    assert not result.authorised and result.protocol == ""
    assert schemas.errors("retEnviNFe", answer(batch, "retEnviNFe")) == []


def test_one_number_with_two_keys_and_one_key_with_two_contents(sp, certificate):
    xml, key = nfe(certificate, 8, code="12345678")
    sp.authorise([xml], batch_id="1")

    # the same number under another key
    other, _key = nfe(certificate, 8, code="87654321")
    assert sp.authorise([other], batch_id="2").documents[0].status_code == "539"
    # the same key with another content
    same_key, again = nfe(
        certificate, 8, code="12345678", recipient_name="OUTRA PESSOA"
    )
    assert again == key
    result = sp.authorise([same_key], batch_id="3").documents[0]
    assert (result.status_code, result.duplicate) == ("204", True)


def test_denied_recipients_and_emitters(sp, sefaz, certificate):
    sefaz.control({"denied_recipients": ["68161525650"]})
    result = sp.authorise([nfe(certificate, 1)[0]], batch_id="1").documents[0]
    assert (result.status_code, result.denied, bool(result.protocol)) == (
        "302",
        True,
        True,
    )

    sefaz.control({"denied_recipients": [], "denied_emitters": [EMITTER_CNPJ]})
    result = sp.authorise([nfe(certificate, 2)[0]], batch_id="1").documents[0]
    assert result.status_code == "301"
    assert sp.consult(result.access_key).status_code == "301"


def test_an_unknown_key_is_not_in_the_authoriser(sp):
    assert sp.consult("3" * 44).status_code == "217"


# -- Down --------------------------------------------------------------------------


def test_the_status_service_says_when_the_authoriser_is_stopped(sp, sefaz):
    status = sp.status()
    assert (status.status_code, status.available) == ("107", True)
    assert schemas.errors("retConsStatServ", answer(status, "retConsStatServ")) == []

    sefaz.control({"down": "109"})

    assert sp.status().status_code == "109"
    with pytest.raises(AuthoriserUnavailable) as raised:
        sp.consult("3" * 44)
    assert (raised.value.retryable, raised.value.status_code) == (True, "109")


@pytest.mark.parametrize("mode", ["503", "108", "drop"])
def test_an_authoriser_down_is_a_retryable_error(sp, sefaz, certificate, mode):
    sefaz.control({"down": mode})

    with pytest.raises(AuthoriserUnavailable) as raised:
        sp.authorise([nfe(certificate, 1)[0]], batch_id="1")

    assert raised.value.retryable
    assert sefaz.describe()["controls"]["down"] == mode


def test_an_authoriser_that_does_not_answer_times_out(sefaz, certificate):
    sefaz.control({"down": "hang"})
    with (
        SefazAuthoriser(
            uf="SP", environment="2", timeout=Timeout(connect=1, read=0.2)
        ) as authoriser,
        pytest.raises(AuthoriserTimeout) as raised,
    ):
        authoriser.status()
    assert raised.value.retryable


def test_svc_has_its_own_switch(sefaz, certificate):
    sefaz.control({"down": True})
    with SefazAuthoriser(uf="SP", environment="2", contingency=True) as svc:
        assert svc.name == "SVC-AN"
        assert (
            svc.authorise([nfe(certificate, 1, emission_type="6")[0]], batch_id="1")
            .documents[0]
            .authorised
        )
        sefaz.control({"svc_down": "108"})
        with pytest.raises(AuthoriserUnavailable):
            svc.authorise([nfe(certificate, 2)[0]], batch_id="1")


@pytest.mark.parametrize(
    ("uf", "contingency", "emission_type", "code"),
    [
        ("SP", True, "1", "713"),  # SVC-AN takes tpEmis 6 only
        ("SP", True, "7", "713"),
        ("PR", True, "6", "713"),  # SVC-RS takes tpEmis 7 only
        ("PR", True, "7", "100"),
        ("SP", False, "6", "570"),  # the state's authoriser refuses SVC types
        ("SP", True, "6", "100"),
    ],
)
def test_each_authoriser_takes_its_own_emission_type(
    sefaz, certificate, uf, contingency, emission_type, code
):
    xml, _key = nfe(certificate, 1, uf=uf, emission_type=emission_type)
    with SefazAuthoriser(uf=uf, environment="2", contingency=contingency) as to:
        result = to.authorise([xml], batch_id="1").documents[0]
    assert result.status_code == code, result.reason


def test_contingency_needs_its_start_and_reason_and_normal_emission_refuses_them(
    sefaz, certificate
):
    def edited(number, emission_type, change):
        xml, key = nfe(certificate, number, emission_type=emission_type)
        root = etree.fromstring(xml.encode())
        root.remove(root.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
        ide = root.find(f"{N}infNFe/{N}ide")
        change(ide)
        return sign(
            etree.tostring(root), reference_id=f"NFe{key}", certificate=certificate
        )

    def drop_reason(ide):
        ide.remove(ide.find(f"{N}xJust"))
        ide.remove(ide.find(f"{N}dhCont"))

    def add_reason(ide):
        at = list(ide).index(ide.find(f"{N}verProc")) + 1
        for offset, (name, value) in enumerate(
            (("dhCont", ide.findtext(f"{N}dhEmi")), ("xJust", "SEFAZ fora do ar"))
        ):
            element = etree.Element(f"{N}{name}")
            element.text = value
            ide.insert(at + offset, element)

    def started_tomorrow(ide):
        ide.find(f"{N}dhCont").text = (now() + datetime.timedelta(days=1)).isoformat()

    with SefazAuthoriser(uf="SP", environment="2", contingency=True) as svc:
        without = svc.authorise([edited(1, "6", drop_reason)], batch_id="1")
        later = svc.authorise([edited(2, "6", started_tomorrow)], batch_id="2")
    with SefazAuthoriser(uf="SP", environment="2") as sp:
        normal = sp.authorise([edited(3, "1", add_reason)], batch_id="3")

    assert without.documents[0].status_code == "557"
    assert later.documents[0].status_code == "558"
    assert normal.documents[0].status_code == "556"


def test_a_request_that_is_not_the_service_message_is_a_fault(sefaz):
    url = f"{sefaz.url}/sp/NFeStatusServico4"
    response = requests.post(
        url,
        data=b"<nao-e-soap/>",
        headers={"Content-Type": content_type(Service.STATUS)},
        timeout=5,
    )
    assert response.status_code == 400
    assert b"soap:Sender" in response.content
    assert requests.post(url, data=b"x", timeout=5).status_code == 415
    assert (
        requests.get(f"{sefaz.url}/xx/NFeStatusServico4", timeout=5).status_code == 404
    )


# -- Events and inutilização -------------------------------------------------------


def test_events_are_checked_by_sequence_protocol_and_author(sp, certificate):
    xml, key = nfe(certificate, 1)
    protocol = sp.authorise([xml], batch_id="1").documents[0].protocol

    def send(event):
        (result,) = sp.send_event([event], batch_id="1")
        return result

    correction = signed_correction(
        certificate,
        key=key,
        cnpj=EMITTER_CNPJ,
        correction="Bloco B, apartamento 12",
        sequence=1,
    )
    first = send(correction)
    assert (first.status_code, first.registered, first.sequence) == ("135", True, 1)
    assert send(correction).status_code == "573"
    beyond = signed_correction(
        certificate,
        key=key,
        cnpj=EMITTER_CNPJ,
        correction="Bloco B, apartamento 12",
        sequence=21,
    )
    assert send(beyond).status_code == "594"
    wrong_protocol = signed_cancellation(
        certificate,
        key=key,
        cnpj=EMITTER_CNPJ,
        protocol="135000000000000",
        justification="Cliente desistiu da compra",
    )
    assert send(wrong_protocol).status_code == "222"
    unknown = signed_cancellation(
        certificate,
        key="3" * 44,
        cnpj=EMITTER_CNPJ,
        protocol=protocol,
        justification="Cliente desistiu da compra",
    )
    assert send(unknown).status_code == "494"
    other = certificates.load(
        certificates.generate(OTHER_CNPJ, "Outra Ltda", password="x"), "x"
    )
    by_other = signed_cancellation(
        other,
        key=key,
        cnpj=OTHER_CNPJ,
        protocol=protocol,
        justification="Cliente desistiu da compra",
    )
    assert send(by_other).status_code == "574"
    cancellation = signed_cancellation(
        certificate,
        key=key,
        cnpj=EMITTER_CNPJ,
        protocol=protocol,
        justification="Cliente desistiu da compra",
    )
    registered = send(cancellation)
    assert (registered.status_code, registered.event_type) == ("135", "110111")
    proc = (
        f'<procEventoNFe xmlns="{NS}" versao="1.00">{cancellation}{registered.xml}'
        "</procEventoNFe>"
    )
    assert schemas.errors("procEventoNFe.110111", proc) == []
    assert sp.consult(key).status_code == "101"
    late = signed_correction(
        certificate,
        key=key,
        cnpj=EMITTER_CNPJ,
        correction="Bloco B, apartamento 12",
        sequence=2,
    )
    assert send(late).status_code == "218"


def test_the_event_batch_answer_is_valid(sp, sefaz, certificate):
    xml, key = nfe(certificate, 1)
    sp.authorise([xml], batch_id="1")
    correction = signed_correction(
        certificate,
        key=key,
        cnpj=EMITTER_CNPJ,
        correction="Bloco B, apartamento 12",
        sequence=1,
    )
    sp.send_event([correction], batch_id="42")
    # the answer as it came, read again from the simulator's records
    ret = sefaz.state["events"][f"{key}:110110:1"]["ret"]
    envelope = (
        f'<retEnvEvento xmlns="{NS}" versao="1.00"><idLote>42</idLote><tpAmb>2</tpAmb>'
        "<verAplic>X</verAplic><cOrgao>35</cOrgao><cStat>128</cStat>"
        f"<xMotivo>Lote de Evento Processado</xMotivo>{ret}</retEnvEvento>"
    )
    assert schemas.errors("retEnvEvento", envelope) == []


def test_inutilization_ranges(sp, certificate):
    sp.authorise([nfe(certificate, 3)[0]], batch_id="1")

    def inutilize(first, last):
        xml = signed_inutilization(
            certificate,
            cnpj=EMITTER_CNPJ,
            series=1,
            first=first,
            last=last,
            justification="Falha no sistema pulou a numeração",
        )
        return xml, sp.inutilize(xml)

    xml, registered = inutilize(4, 6)
    assert (registered.status_code, registered.registered) == ("102", True)
    assert len(registered.protocol) == 15
    proc = (
        f'<ProcInutNFe xmlns="{NS}" versao="4.00">{xml}{registered.xml}</ProcInutNFe>'
    )
    assert schemas.errors("procInutNFe", proc) == []
    assert inutilize(4, 6)[1].status_code == "563"
    assert inutilize(6, 9)[1].status_code == "256"
    assert inutilize(2, 3)[1].status_code == "241"
    rejected = inutilize(9, 8)[1]
    assert (rejected.status_code, rejected.registered) == ("254", False)
    assert schemas.errors("retInutNFe", rejected.xml) == []
    # a number inutilized cannot be authorised
    assert (
        sp.authorise([nfe(certificate, 5)[0]], batch_id="1").documents[0].status_code
        == "206"
    )


# -- Controls and state ------------------------------------------------------------


def test_the_controls_over_http(sefaz):
    response = requests.post(
        f"{sefaz.url}/_control",
        json={"down": "108", "reject_next": {"cStat": "539", "times": 2}},
        timeout=5,
    )
    assert response.status_code == 200
    controls = requests.get(f"{sefaz.url}/_control", timeout=5).json()["controls"]
    assert controls["down"] == "108"
    assert [rule["cStat"] for rule in controls["reject_next"]] == ["539", "539"]
    bad = requests.post(f"{sefaz.url}/_control", json={"down": "sometimes"}, timeout=5)
    assert bad.status_code == 400
    requests.post(f"{sefaz.url}/_control", json={"reset": True}, timeout=5)
    assert (
        requests.get(f"{sefaz.url}/_control", timeout=5).json()["controls"]["down"]
        == ""
    )


def test_the_state_file_keeps_what_was_authorised(tmp_path, certificate, settings):
    state = tmp_path / "sefaz.json"
    xml, key = nfe(certificate, 1)
    with SefazSimulator(state_file=state) as first:
        settings.RETAGUARDA_FISCAL_AUTHORISER_URL = first.url
        with SefazAuthoriser(uf="SP", environment="2") as authoriser:
            protocol = authoriser.authorise([xml], batch_id="1").documents[0].protocol

    with SefazSimulator(state_file=state) as again:
        settings.RETAGUARDA_FISCAL_AUTHORISER_URL = again.url
        with SefazAuthoriser(uf="SP", environment="2") as authoriser:
            assert authoriser.consult(key).protocol.protocol == protocol
            following = authoriser.authorise([nfe(certificate, 2)[0]], batch_id="1")
    assert following.documents[0].protocol != protocol
    assert again.document(key)["status"] == "authorised"


# -- Mutual TLS --------------------------------------------------------------------


def server_certificate(folder):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sefaz.local")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_over_https_the_emitter_presents_its_certificate(tmp_path, certificate):
    cert_path, key_path = server_certificate(tmp_path)
    with SefazSimulator(
        tls=(cert_path, key_path), client_cas=certificate.certificate_pem()
    ) as secure:
        assert secure.url.startswith("https://")
        with SefazAuthoriser(
            uf="SP",
            environment="2",
            base_url=secure.url,
            certificate=certificate,
            ca_bundle=cert_path,
        ) as authoriser:
            assert authoriser.status().available
        # without the certificate the handshake fails
        with (
            SefazAuthoriser(
                uf="SP", environment="2", base_url=secure.url, ca_bundle=cert_path
            ) as anonymous,
            pytest.raises((AuthoriserRefused, AuthoriserUnavailable)),
        ):
            anonymous.status()


def test_parse_refuses_entities():
    from plugins.fiscal.soap import parse

    root = parse('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    assert etree.tostring(root) != b"<a>x</a>"
