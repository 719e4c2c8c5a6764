"""The XML of cancellations, correction letters (CC-e), their batches and
inutilizações: valid against their official schemas, signed, and refused in
pt-BR before they break the authoriser's limits."""

import datetime as dt
from pathlib import Path

import nfelib
import pytest
from django.utils import translation
from lxml import etree
from signxml.exceptions import InvalidDigest, InvalidSignature

from plugins.fiscal import events, keys, signing, xsd
from plugins.fiscal.models import Emitter

from .conftest import (
    ALPHANUMERIC_CNPJ,
    CNPJ,
    assert_signed,
    assert_xsd_valid,
    emitter_values,
    xmlsec1_verifies,
)

NS = {"n": xsd.NS}
AT = dt.datetime(2026, 8, 5, 17, 0, tzinfo=dt.UTC)
PROTOCOL = "135260000012345"


@pytest.fixture
def emitter():
    return Emitter(**emitter_values())


@pytest.fixture
def access_key():
    return str(
        keys.make_key(
            uf="SP",
            issued_at=AT,
            cnpj=CNPJ,
            series=1,
            number=1234,
            numeric_code="48261930",
        )
    )


def text(xml: str, path: str) -> str:
    steps = "/".join(f"n:{step}" for step in path.split("/"))
    found = etree.fromstring(xml.encode()).find(f".//{steps}", NS)
    assert found is not None, path
    return found.text


def refused(call) -> str:
    with translation.override("pt-br"), pytest.raises(events.EventError) as error:
        call()
    return str(error.value)


# -- Cancellation ----------------------------------------------------------------


def cancel(emitter, access_key, certificate, **fields):
    values = {
        "emitter": emitter,
        "access_key": access_key,
        "protocol": PROTOCOL,
        "justification": "Cliente desistiu da compra antes do envio",
        "issued_at": AT,
        "certificate": certificate,
    }
    values.update(fields)
    return events.cancellation(**values)


def test_a_cancellation(emitter, access_key, certificate):
    event = cancel(emitter, access_key, certificate)
    assert_xsd_valid(event.xml, xsd.CANCELLATION)
    assert_signed(event.xml, "infEvento", certificate=certificate)
    assert event.id == f"ID110111{access_key}01"
    assert (event.kind, event.sequence, event.access_key) == (
        "110111",
        1,
        access_key,
    )
    assert text(event.xml, "infEvento/cOrgao") == "35"
    assert text(event.xml, "infEvento/tpAmb") == "2"
    assert text(event.xml, "infEvento/CNPJ") == CNPJ
    assert text(event.xml, "infEvento/chNFe") == access_key
    assert text(event.xml, "infEvento/dhEvento") == "2026-08-05T14:00:00-03:00"
    assert text(event.xml, "infEvento/tpEvento") == "110111"
    assert text(event.xml, "detEvento/descEvento") == "Cancelamento"
    assert text(event.xml, "detEvento/nProt") == PROTOCOL
    assert text(event.xml, "detEvento/xJust") == (
        "Cliente desistiu da compra antes do envio"
    )


def test_the_justification_has_15_to_255_characters(emitter, access_key, certificate):
    assert cancel(emitter, access_key, certificate, justification="x" * 15)
    assert cancel(emitter, access_key, certificate, justification="x" * 255)
    assert refused(
        lambda: cancel(emitter, access_key, certificate, justification=" curta    ")
    ) == ("A justificativa do cancelamento deve ter de 15 a 255 caracteres; tem 5.")
    assert "tem 256" in refused(
        lambda: cancel(emitter, access_key, certificate, justification="x" * 256)
    )


def test_the_protocol_has_15_digits(emitter, access_key, certificate):
    assert refused(
        lambda: cancel(emitter, access_key, certificate, protocol="13526000")
    ) == ("O protocolo de autorização tem 15 dígitos; “13526000” não tem.")


def test_only_the_emitter_cancels_its_nfe(emitter, certificate):
    theirs = "35180834128745000152550010000474281920007498"
    assert refused(lambda: cancel(emitter, theirs, certificate)) == (
        f"A NF-e {theirs} não foi emitida pelo CNPJ {CNPJ}."
    )
    assert "dígito verificador" in refused(
        lambda: cancel(emitter, theirs[:43] + "0", certificate)
    )


# -- CC-e ------------------------------------------------------------------------


def correct(emitter, access_key, certificate, **fields):
    values = {
        "emitter": emitter,
        "access_key": access_key,
        "sequence": 1,
        "text": "Volumes: 2 caixas; transportadora Rápida Ltda.",
        "issued_at": AT,
        "certificate": certificate,
    }
    values.update(fields)
    return events.correction(**values)


def test_a_correction_letter(emitter, access_key, certificate):
    event = correct(emitter, access_key, certificate, sequence=3)
    assert_xsd_valid(event.xml, xsd.CORRECTION)
    assert_signed(event.xml, "infEvento", certificate=certificate)
    assert event.id == f"ID110110{access_key}03"
    assert text(event.xml, "infEvento/tpEvento") == "110110"
    assert text(event.xml, "infEvento/nSeqEvento") == "3"
    assert text(event.xml, "detEvento/descEvento") == "Carta de Correção"
    assert text(event.xml, "detEvento/xCorrecao") == (
        "Volumes: 2 caixas; transportadora Rápida Ltda."
    )
    assert text(event.xml, "detEvento/xCondUso") == events.CORRECTION_CONDITIONS


def test_the_conditions_of_use_are_the_schemas(emitter, access_key, certificate):
    schema = (
        Path(nfelib.__file__).resolve().parent
        / "nfe_evento_cce"
        / "schemas"
        / "v1_0"
        / "leiauteCCe_v1.00.xsd"
    )
    assert events.CORRECTION_CONDITIONS in schema.read_text(encoding="utf-8")


@pytest.mark.parametrize("sequence", [1, 20])
def test_the_sequence_goes_from_1_to_20(emitter, access_key, certificate, sequence):
    event = correct(emitter, access_key, certificate, sequence=sequence)
    assert_xsd_valid(event.xml, xsd.CORRECTION)


@pytest.mark.parametrize("sequence", [0, 21, -1])
def test_a_21st_correction_is_refused(emitter, access_key, certificate, sequence):
    assert refused(
        lambda: correct(emitter, access_key, certificate, sequence=sequence)
    ) == (
        "Uma NF-e aceita no máximo 20 cartas de correção; a sequência deve estar "
        f"entre 1 e 20 (não {sequence})."
    )


def test_the_correction_has_15_to_1000_characters(emitter, access_key, certificate):
    assert_xsd_valid(
        correct(emitter, access_key, certificate, text="Peso bruto 2kg.").xml,
        xsd.CORRECTION,
    )
    assert_xsd_valid(
        correct(emitter, access_key, certificate, text="a" * 1000).xml,
        xsd.CORRECTION,
    )
    assert refused(
        lambda: correct(emitter, access_key, certificate, text="Peso bruto 2kg")
    ) == ("O texto da carta de correção deve ter de 15 a 1000 caracteres; tem 14.")
    assert "tem 1001" in refused(
        lambda: correct(emitter, access_key, certificate, text="a" * 1001)
    )


# -- Batches ---------------------------------------------------------------------


def test_a_batch_joins_the_signed_events_as_they_are(emitter, access_key, certificate):
    first = correct(emitter, access_key, certificate, sequence=1)
    second = correct(emitter, access_key, certificate, sequence=2)
    xml = events.batch([first, second], batch_id=202608050001)
    assert_xsd_valid(xml, xsd.CORRECTION_BATCH)
    assert first.xml in xml and second.xml in xml
    assert text(xml, "idLote") == "202608050001"
    # each event's signature still verifies inside the batch
    for event in etree.fromstring(xml.encode()).iterfind("n:evento", NS):
        signing.verify(etree.tostring(event))

    cancellation = cancel(emitter, access_key, certificate)
    assert_xsd_valid(events.batch([cancellation], batch_id=1), xsd.CANCELLATION_BATCH)


def test_a_batch_has_1_to_20_events_of_one_kind(emitter, access_key, certificate):
    letter = correct(emitter, access_key, certificate)
    cancellation = cancel(emitter, access_key, certificate)
    assert refused(lambda: events.batch([], batch_id=1)) == (
        "Um lote tem de 1 a 20 eventos."
    )
    assert refused(lambda: events.batch([letter] * 21, batch_id=1)) == (
        "Um lote tem de 1 a 20 eventos."
    )
    assert refused(lambda: events.batch([letter, cancellation], batch_id=1)) == (
        "Um lote tem eventos de um só tipo."
    )


# -- Inutilização --------------------------------------------------------------


def inutilize(emitter, certificate, **fields):
    values = {
        "emitter": emitter,
        "year": 2026,
        "series": 1,
        "first": 1235,
        "last": 1240,
        "justification": "Numeracao pulada por falha no sistema de emissao",
        "certificate": certificate,
    }
    values.update(fields)
    return events.inutilization(**values)


def test_an_inutilizacao(emitter, certificate):
    request = inutilize(emitter, certificate)
    assert_xsd_valid(request.xml, xsd.INUTILIZATION)
    assert_signed(request.xml, "infInut", certificate=certificate)
    assert request.id == f"ID3526{CNPJ}55001000001235000001240"
    assert (request.series, request.first, request.last) == (1, 1235, 1240)
    assert text(request.xml, "infInut/xServ") == "INUTILIZAR"
    assert text(request.xml, "infInut/ano") == "26"
    assert text(request.xml, "infInut/nNFIni") == "1235"
    assert text(request.xml, "infInut/nNFFin") == "1240"


def test_one_number_is_a_range_of_one(emitter, certificate):
    request = inutilize(emitter, certificate, first=7, last=7)
    assert_xsd_valid(request.xml, xsd.INUTILIZATION)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"first": 10, "last": 9},
            "A faixa a inutilizar vai de um número inicial a um final não menor que "
            "ele, entre 1 e 999.999.999.",
        ),
        (
            {"first": 0, "last": 3},
            "A faixa a inutilizar vai de um número inicial a um final não menor que "
            "ele, entre 1 e 999.999.999.",
        ),
        ({"series": 1000}, "A série deve estar entre 0 e 999."),
        (
            {"justification": "falha"},
            "A justificativa da inutilização deve ter de 15 a 255 caracteres; tem 5.",
        ),
    ],
)
def test_an_inutilizacao_out_of_bounds_is_refused(
    emitter, certificate, fields, message
):
    assert refused(lambda: inutilize(emitter, certificate, **fields)) == message


# -- Alphanumeric CNPJ, tampering --------------------------------------------------


def test_events_of_an_alphanumeric_cnpj_are_refused_until_the_schemas_accept_it(
    certificate,
):
    emitter = Emitter(**emitter_values(cnpj=ALPHANUMERIC_CNPJ))
    key = str(
        keys.make_key(
            uf="SP",
            issued_at=AT,
            cnpj=ALPHANUMERIC_CNPJ,
            series=1,
            number=5,
            numeric_code="48261930",
        )
    )
    reason = (
        "Os schemas oficiais de eventos e de inutilização em vigor ainda aceitam "
        f"só CNPJ numérico; o CNPJ alfanumérico {ALPHANUMERIC_CNPJ} ainda não "
        "pode ser usado neles."
    )
    assert refused(lambda: cancel(emitter, key, certificate)) == reason
    assert refused(lambda: correct(emitter, key, certificate)) == reason
    assert refused(lambda: inutilize(emitter, certificate)) == reason


def test_tampering_breaks_the_signatures(emitter, access_key, certificate):
    event = cancel(emitter, access_key, certificate)
    tampered = event.xml.replace(PROTOCOL, "135260000099999")
    assert not xmlsec1_verifies(tampered, "infEvento")
    with pytest.raises((InvalidDigest, InvalidSignature)):
        signing.verify(tampered)

    request = inutilize(emitter, certificate)
    tampered = request.xml.replace("<nNFFin>1240<", "<nNFFin>1250<")
    assert not xmlsec1_verifies(tampered, "infInut")
