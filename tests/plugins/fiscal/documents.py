"""Signed NF-e, events and inutilizações for the tests, valid against the
official schemas: the NF-e is nfelib's published sample with our emitter,
série, number and a fresh access key; events and inutilizações are written
from their schemas' structure. All are signed with the emitter's test
certificate (plugins.fiscal.signing)."""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from xml.sax.saxutils import escape

import nfelib
from django.db import transaction
from lxml import etree

from plugins.fiscal.certificates import Certificate
from plugins.fiscal.signing import sign

NS = "http://www.portalfiscal.inf.br/nfe"
N = f"{{{NS}}}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
BRAZIL = datetime.timezone(datetime.timedelta(hours=-3))
SAMPLE = (
    Path(nfelib.__file__).parent
    / "nfe/samples/v4_0/leiauteNFe/35180834128745000152550010000474281920007498-nfe.xml"
)
UF_CODES = {"SP": "35", "RJ": "33", "MG": "31", "PR": "41", "RS": "43"}
CORRECTION_TERMS = (
    "A Carta de Correcao e disciplinada pelo paragrafo 1o-A do art. 7o do Convenio "
    "S/N, de 15 de dezembro de 1970 e pode ser utilizada para regularizacao de erro "
    "ocorrido na emissao de documento fiscal, desde que o erro nao esteja "
    "relacionado com: I - as variaveis que determinam o valor do imposto tais como: "
    "base de calculo, aliquota, diferenca de preco, quantidade, valor da operacao "
    "ou da prestacao; II - a correcao de dados cadastrais que implique mudanca do "
    "remetente ou do destinatario; III - a data de emissao ou de saida."
)


def check_digit(key43: str) -> str:
    """Mod 11 with weights 2–9 from the right (Manual de Orientação)."""
    total = sum(
        (ord(char) - 48) * (2 + index % 8) for index, char in enumerate(reversed(key43))
    )
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def now() -> datetime.datetime:
    return datetime.datetime.now(BRAZIL).replace(microsecond=0)


def _set(parent: etree._Element, path: str, value: str) -> None:
    element = parent.find(path, namespaces={"n": NS})
    assert element is not None, path
    element.text = value


def access_key(
    *,
    uf: str,
    cnpj: str,
    series: int,
    number: int,
    issued_at: datetime.datetime,
    emission_type: str = "1",
    code: str | None = None,
) -> str:
    code = code or f"{random.randrange(10**8):08d}"
    key43 = (
        f"{UF_CODES[uf]}{issued_at:%y%m}{cnpj}55{series:03d}{number:09d}"
        f"{emission_type}{code}"
    )
    return key43 + check_digit(key43)


def signed_nfe(
    certificate: Certificate,
    *,
    cnpj: str,
    uf: str = "SP",
    series: int = 1,
    number: int = 1,
    environment: str = "2",
    emission_type: str = "1",
    recipient_name: str | None = None,
    recipient_cpf: str | None = None,
    issued_at: datetime.datetime | None = None,
    code: str | None = None,
) -> tuple[str, str]:
    """A signed NF-e and its access key (``code``: its cNF, random by
    default)."""
    issued_at = issued_at or now()
    root = etree.parse(str(SAMPLE)).getroot()
    nfe = root.find(f"{N}NFe")
    signature = nfe.find(f"{DS}Signature")
    nfe.remove(signature)
    info = nfe.find(f"{N}infNFe")
    key = access_key(
        uf=uf,
        cnpj=cnpj,
        series=series,
        number=number,
        issued_at=issued_at,
        emission_type=emission_type,
        code=code,
    )
    stamp = issued_at.isoformat()
    for path, value in (
        ("n:ide/n:cUF", UF_CODES[uf]),
        ("n:ide/n:cNF", key[35:43]),
        ("n:ide/n:serie", str(series)),
        ("n:ide/n:nNF", str(number)),
        ("n:ide/n:dhEmi", stamp),
        ("n:ide/n:dhSaiEnt", stamp),
        ("n:ide/n:tpEmis", emission_type),
        ("n:ide/n:cDV", key[-1]),
        ("n:ide/n:tpAmb", environment),
        ("n:emit/n:CNPJ", cnpj),
        ("n:emit/n:enderEmit/n:UF", uf),
    ):
        _set(info, path, value)
    if emission_type in ("6", "7"):
        # in contingency (SVC): when it began and why, after verProc
        ide = info.find(f"{N}ide")
        at = list(ide).index(ide.find(f"{N}verProc")) + 1
        for offset, (name, value) in enumerate(
            (("dhCont", stamp), ("xJust", "SEFAZ de origem fora do ar"))
        ):
            element = etree.Element(f"{N}{name}")
            element.text = value
            ide.insert(at + offset, element)
    if recipient_name is not None:
        _set(info, "n:dest/n:xNome", recipient_name)
    if recipient_cpf is not None:
        _set(info, "n:dest/n:CPF", recipient_cpf)
    info.set("Id", f"NFe{key}")
    xml = etree.tostring(nfe, encoding="unicode")
    return sign(xml, reference_id=f"NFe{key}", certificate=certificate), key


def _event(
    certificate: Certificate,
    *,
    kind: str,
    key: str,
    cnpj: str,
    sequence: int,
    detail: str,
    environment: str = "2",
    at: datetime.datetime | None = None,
) -> str:
    identity = f"ID{kind}{key}{sequence:02d}"
    xml = (
        f'<evento xmlns="{NS}" versao="1.00"><infEvento Id="{identity}">'
        f"<cOrgao>{key[:2]}</cOrgao><tpAmb>{environment}</tpAmb><CNPJ>{cnpj}</CNPJ>"
        f"<chNFe>{key}</chNFe><dhEvento>{(at or now()).isoformat()}</dhEvento>"
        f"<tpEvento>{kind}</tpEvento><nSeqEvento>{sequence}</nSeqEvento>"
        f'<verEvento>1.00</verEvento><detEvento versao="1.00">{detail}</detEvento>'
        "</infEvento></evento>"
    )
    return sign(xml, reference_id=identity, certificate=certificate)


def signed_cancellation(
    certificate: Certificate,
    *,
    key: str,
    cnpj: str,
    protocol: str,
    justification: str,
    sequence: int = 1,
    environment: str = "2",
) -> str:
    detail = (
        f"<descEvento>Cancelamento</descEvento><nProt>{protocol}</nProt>"
        f"<xJust>{escape(justification)}</xJust>"
    )
    return _event(
        certificate,
        kind="110111",
        key=key,
        cnpj=cnpj,
        sequence=sequence,
        detail=detail,
        environment=environment,
    )


def signed_correction(
    certificate: Certificate,
    *,
    key: str,
    cnpj: str,
    correction: str,
    sequence: int,
    environment: str = "2",
) -> str:
    detail = (
        "<descEvento>Carta de Correcao</descEvento>"
        f"<xCorrecao>{escape(correction)}</xCorrecao>"
        f"<xCondUso>{CORRECTION_TERMS}</xCondUso>"
    )
    return _event(
        certificate,
        kind="110110",
        key=key,
        cnpj=cnpj,
        sequence=sequence,
        detail=detail,
        environment=environment,
    )


def signed_inutilization(
    certificate: Certificate,
    *,
    cnpj: str,
    series: int,
    first: int,
    last: int,
    justification: str,
    uf: str = "SP",
    environment: str = "2",
    year: int | None = None,
) -> str:
    year = (year or now().year) % 100
    identity = f"ID{UF_CODES[uf]}{year:02d}{cnpj}55{series:03d}{first:09d}{last:09d}"
    xml = (
        f'<inutNFe xmlns="{NS}" versao="4.00"><infInut Id="{identity}">'
        f"<tpAmb>{environment}</tpAmb><xServ>INUTILIZAR</xServ>"
        f"<cUF>{UF_CODES[uf]}</cUF><ano>{year:02d}</ano><CNPJ>{cnpj}</CNPJ>"
        f"<mod>55</mod><serie>{series}</serie><nNFIni>{first}</nNFIni>"
        f"<nNFFin>{last}</nNFFin><xJust>{escape(justification)}</xJust>"
        "</infInut></inutNFe>"
    )
    return sign(xml, reference_id=identity, certificate=certificate)


def issue(emitter, certificate, *, order=None, **nfe):
    """A signed NF-e of ``emitter``, numbered from its sequence, as the
    document the services send (status "signed")."""
    from plugins.fiscal.models import FiscalDocument
    from plugins.fiscal.services.numbering import take_number

    issued_at = now()
    with transaction.atomic():
        number = take_number(emitter)
        xml, key = signed_nfe(
            certificate,
            cnpj=emitter.cnpj,
            series=emitter.series,
            number=number,
            environment=emitter.environment,
            issued_at=issued_at,
            **nfe,
        )
        return FiscalDocument.objects.create(
            emitter=emitter,
            order=order,
            operation="sale",
            status="signed",
            environment=emitter.environment,
            series=emitter.series,
            number=number,
            access_key=key,
            issued_at=issued_at,
            xml=xml,
            recipient_name=nfe.get("recipient_name") or "FULANO DOS SANTOS",
            recipient_document=nfe.get("recipient_cpf") or "68161525650",
            recipient_uf="MG",
        )
