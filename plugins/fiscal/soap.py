"""SOAP 1.2 messages of the NF-e web services, written and read as text:
the request envelope around a message (the signed documents inside it as
they were signed), the answer parsed safely, and the elements kept for the
record (``protNFe``, ``retEvento``, ``retInutNFe``) cut from the answer as
the authoriser wrote them."""

from __future__ import annotations

import datetime
import re
from copy import deepcopy

from lxml import etree

from plugins.fiscal.authoriser import (
    NFE_NAMESPACE,
    DocumentResult,
    EventResult,
    Service,
)

SOAP_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope"
WSDL_NAMESPACE = "http://www.portalfiscal.inf.br/nfe/wsdl/"
NFE = f"{{{NFE_NAMESPACE}}}"

#: The SOAP operation of each service (its WSDL's soapAction).
_OPERATIONS = {
    Service.AUTHORISATION: "nfeAutorizacaoLote",
    Service.RECEIPT: "nfeRetAutorizacaoLote",
    Service.CONSULT: "nfeConsultaNF",
    Service.STATUS: "nfeStatusServicoNF",
    Service.EVENT: "nfeRecepcaoEvento",
    Service.INUTILIZATION: "nfeInutilizacaoNF",
}


def strip_declaration(xml: str) -> str:
    """The document without its XML declaration (and a byte-order mark), to
    be put inside another; the rest is untouched."""
    xml = xml.lstrip("\ufeff")
    if xml.startswith("<?xml"):
        xml = xml[xml.index("?>") + 2 :]
    return xml.lstrip()


def envelope(service: Service, content: str) -> str:
    """The SOAP 1.2 request of ``service`` carrying ``content``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap12:Envelope xmlns:soap12="{SOAP_NAMESPACE}">'
        "<soap12:Body>"
        f'<nfeDadosMsg xmlns="{WSDL_NAMESPACE}{service.value}">{content}</nfeDadosMsg>'
        "</soap12:Body></soap12:Envelope>"
    )


def content_type(service: Service) -> str:
    action = f"{WSDL_NAMESPACE}{service.value}/{_OPERATIONS[service]}"
    return f'application/soap+xml; charset=utf-8; action="{action}"'


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def parse(xml: str | bytes) -> etree._Element:
    """Parse XML received from outside (no entities, DTDs or network)."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    return etree.fromstring(xml, parser=_PARSER)


def element_texts(
    raw: str, root: etree._Element, local_name: str
) -> list[tuple[etree._Element, str]]:
    """The elements ``local_name`` of the NF-e namespace in ``root`` (itself
    included), each with the text it has in ``raw`` (the answer as it came),
    in document order.

    They are cut from the answer, not written again: an element that uses a
    namespace prefix, or whose cut does not read back, is serialised on its
    own instead (its unused namespace declarations removed)."""
    found = list(root.iter(f"{NFE}{local_name}"))
    pattern = re.compile(rf"<{local_name}[\s>].*?</{local_name}>", flags=re.DOTALL)
    cuts = pattern.findall(raw)
    pairs = []
    for index, element in enumerate(found):
        text = cuts[index] if len(cuts) == len(found) else ""
        if not (text and _reads_back(text, local_name)):
            copy = deepcopy(element)
            etree.cleanup_namespaces(copy)
            text = etree.tostring(copy, encoding="unicode")
        pairs.append((element, text))
    return pairs


def _reads_back(text: str, local_name: str) -> bool:
    try:
        wrapped = parse(f'<w xmlns="{NFE_NAMESPACE}">{text}</w>')
    except etree.XMLSyntaxError:
        return False
    return len(wrapped) == 1 and wrapped[0].tag == f"{NFE}{local_name}"


def text_of(element: etree._Element | None, name: str) -> str:
    if element is None:
        return ""
    found = element.find(f"{NFE}{name}")
    return (found.text or "").strip() if found is not None else ""


def moment_of(value: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def seconds_of(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def read_protocol(element: etree._Element, xml: str = "") -> DocumentResult:
    """A ``protNFe`` as a :class:`DocumentResult`."""
    info = element.find(f"{NFE}infProt")
    return DocumentResult(
        access_key=text_of(info, "chNFe"),
        status_code=text_of(info, "cStat"),
        reason=text_of(info, "xMotivo"),
        protocol=text_of(info, "nProt"),
        received_at=moment_of(text_of(info, "dhRecbto")),
        digest=text_of(info, "digVal"),
        xml=xml,
    )


def read_event(element: etree._Element, xml: str = "") -> EventResult:
    """A ``retEvento`` as an :class:`EventResult`."""
    info = element.find(f"{NFE}infEvento")
    sequence = text_of(info, "nSeqEvento")
    return EventResult(
        status_code=text_of(info, "cStat"),
        reason=text_of(info, "xMotivo"),
        access_key=text_of(info, "chNFe"),
        event_type=text_of(info, "tpEvento"),
        sequence=int(sequence) if sequence.isdigit() else None,
        protocol=text_of(info, "nProt"),
        registered_at=moment_of(text_of(info, "dhRegEvento")),
        xml=xml,
    )
