"""The official XML schemas (bundled with nfelib) the simulator checks
requests against, and the tests its answers."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import nfelib
from lxml import etree

ROOT = Path(nfelib.__file__).resolve().parent
NFE = ROOT / "nfe" / "schemas" / "v4_0"
EVENT = ROOT / "nfe_evento_generico" / "schemas" / "v1_0"
CANCELLATION = ROOT / "nfe_evento_cancel" / "schemas" / "v1_0"
CORRECTION = ROOT / "nfe_evento_cce" / "schemas" / "v1_0"

#: Each message by its name: what the services receive and answer.
SCHEMAS = {
    "NFe": NFE / "nfe_v4.00.xsd",
    "enviNFe": NFE / "enviNFe_v4.00.xsd",
    "retEnviNFe": NFE / "retEnviNFe_v4.00.xsd",
    "consReciNFe": NFE / "consReciNFe_v4.00.xsd",
    "retConsReciNFe": NFE / "retConsReciNFe_v4.00.xsd",
    "consSitNFe": NFE / "consSitNFe_v4.00.xsd",
    "retConsSitNFe": NFE / "retConsSitNFe_v4.00.xsd",
    "consStatServ": NFE / "consStatServ_v4.00.xsd",
    "retConsStatServ": NFE / "retConsStatServ_v4.00.xsd",
    "inutNFe": NFE / "inutNFe_v4.00.xsd",
    "retInutNFe": NFE / "retInutNFe_v4.00.xsd",
    "procInutNFe": NFE / "procInutNFe_v4.00.xsd",
    "nfeProc": NFE / "procNFe_v4.00.xsd",
    "envEvento": EVENT / "envEvento_v1.00.xsd",
    "retEnvEvento": EVENT / "retEnvEvento_v1.00.xsd",
    "procEventoNFe": EVENT / "procEventoNFe_v1.00.xsd",
    "evento.110111": CANCELLATION / "eventoCancNFe_v1.00.xsd",
    "procEventoNFe.110111": CANCELLATION / "procEventoCancNFe_v1.00.xsd",
    "evento.110110": CORRECTION / "CCe_v1.00.xsd",
    "procEventoNFe.110110": CORRECTION / "procCCeNFe_v1.00.xsd",
}


class _Schema:
    """A compiled schema; lxml validators are not shared between threads
    while they run, so each validation takes the schema's lock."""

    def __init__(self, path: Path) -> None:
        self.schema = etree.XMLSchema(etree.parse(str(path)))
        self.lock = threading.Lock()

    def errors(self, element: etree._Element) -> list[str]:
        with self.lock:
            if self.schema.validate(element):
                return []
            return [f"{error.line}: {error.message}" for error in self.schema.error_log]


@cache
def schema(name: str) -> _Schema:
    return _Schema(SCHEMAS[name])


def errors(name: str, xml: str | bytes | etree._Element) -> list[str]:
    """What is wrong with ``xml`` by the schema ``name`` (empty: valid)."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if isinstance(xml, bytes):
        try:
            xml = etree.fromstring(
                xml, parser=etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError as error:
            return [str(error)]
    return schema(name).errors(xml)
