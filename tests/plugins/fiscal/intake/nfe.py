"""Supplier NF-e for the tests: one of nfelib's sample NF-e (an authorised
NF-e of a food supplier in São Paulo) re-issued by a supplier of ours to one
of our emitters — its issuer, recipient, number, items, duplicatas and
payment replaced, the access key computed, signed with the supplier's test
certificate and, as an ``nfeProc``, joined with an authoriser's protocol."""

from __future__ import annotations

import copy
import datetime as dt
import io
import secrets
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import nfelib
from lxml import etree

from plugins.fiscal import signing
from plugins.fiscal.keys import check_digit
from plugins.fiscal.reading import NFE_NS

SAMPLE = (
    Path(nfelib.__file__).parent
    / "nfe"
    / "samples"
    / "v4_0"
    / "leiauteNFe"
    / "35180834128745000152550010000476711079516696-nfe.xml"
)
SUPPLIER_CNPJ = "34128745000152"
SUPPLIER_NAME = "Alimentos Saudáveis Ltda."


def q(name: str) -> str:
    return f"{{{NFE_NS}}}{name}"


@dataclass(frozen=True)
class Item:
    code: str
    description: str
    gtin: str = "SEM GTIN"
    quantity: str = "1.0000"
    unit_value: str = "10.00"
    unit: str = "UN"
    ncm: str = "21069010"
    cfop: str = "5102"

    @property
    def total(self) -> Decimal:
        return (Decimal(self.quantity) * Decimal(self.unit_value)).quantize(
            Decimal("0.01")
        )


def _set(parent, path: str, value: str) -> None:
    element = parent.find("/".join(q(p) for p in path.split("/")))
    element.text = value


def build_nfe(
    *,
    certificate,
    recipient_cnpj: str,
    items: list[Item],
    number: int = 1001,
    series: int = 1,
    supplier_cnpj: str = SUPPLIER_CNPJ,
    supplier_name: str = SUPPLIER_NAME,
    issued_at: dt.datetime | None = None,
    installments: list[tuple[dt.date, str]] | None = None,
    payment: str = "15",
    environment: str = "2",
    purpose: str = "1",
    proc: bool = True,
    references: tuple[str, ...] = (),
) -> bytes:
    """An NF-e of ``items`` from the supplier to ``recipient_cnpj``, signed
    with ``certificate`` (a :class:`plugins.fiscal.certificates.
    Certificate`); an ``nfeProc`` with an authorised protocol when
    ``proc``. ``references``: the access keys it refers to (NFref, as a
    return refers to its sale)."""
    issued_at = issued_at or dt.datetime.now(dt.UTC).astimezone(
        dt.timezone(dt.timedelta(hours=-3))
    ).replace(microsecond=0)
    parser = etree.XMLParser(remove_blank_text=True)
    sample = etree.parse(str(SAMPLE), parser).getroot()
    nfe = sample.find(q("NFe"))
    nfe.remove(nfe.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    inf = nfe.find(q("infNFe"))
    code = f"{secrets.randbelow(10**8):08d}"
    stamp = issued_at.isoformat()
    for path, value in (
        ("ide/cUF", "35"),
        ("ide/cNF", code),
        ("ide/serie", str(series)),
        ("ide/nNF", str(number)),
        ("ide/dhEmi", stamp),
        ("ide/dhSaiEnt", stamp),
        ("ide/tpAmb", environment),
        ("ide/finNFe", purpose),
        ("emit/CNPJ", supplier_cnpj),
        ("emit/xNome", supplier_name),
    ):
        _set(inf, path, value)
    ide = inf.find(q("ide"))
    for reference in references:
        nfref = etree.SubElement(ide, q("NFref"))
        etree.SubElement(nfref, q("refNFe")).text = reference
    dest = inf.find(q("dest"))
    dest.remove(dest.find(q("CPF")))
    document = etree.Element(q("CNPJ"))
    document.text = recipient_cnpj
    dest.insert(0, document)
    _set(dest, "xNome", "Loja Matriz")
    template = inf.find(q("det"))
    for det in inf.findall(q("det")):
        inf.remove(det)
    position = list(inf).index(inf.find(q("total")))
    for index, item in enumerate(items, start=1):
        det = copy.deepcopy(template)
        det.set("nItem", str(index))
        for path, value in (
            ("prod/cProd", item.code),
            ("prod/cEAN", item.gtin),
            ("prod/xProd", item.description),
            ("prod/NCM", item.ncm),
            ("prod/CFOP", item.cfop),
            ("prod/uCom", item.unit),
            ("prod/qCom", item.quantity),
            ("prod/vUnCom", item.unit_value),
            ("prod/vProd", str(item.total)),
            ("prod/cEANTrib", item.gtin),
            ("prod/uTrib", item.unit),
            ("prod/qTrib", item.quantity),
            ("prod/vUnTrib", item.unit_value),
        ):
            _set(det, path, value)
        inf.insert(position + index - 1, det)
    total = sum((item.total for item in items), Decimal("0.00"))
    _set(inf, "total/ICMSTot/vProd", str(total))
    _set(inf, "total/ICMSTot/vNF", str(total))
    cobr = inf.find(q("cobr"))
    if installments:
        _set(cobr, "fat/vOrig", str(total))
        _set(cobr, "fat/vLiq", str(total))
        template = cobr.find(q("dup"))
        cobr.remove(template)
        for number_, (due, amount) in enumerate(installments, start=1):
            dup = copy.deepcopy(template)
            _set(dup, "nDup", f"{number_:03d}")
            _set(dup, "dVenc", due.isoformat())
            _set(dup, "vDup", amount)
            cobr.append(dup)
    else:
        inf.remove(cobr)
    _set(inf, "pag/detPag/tPag", payment)
    _set(inf, "pag/detPag/vPag", str(total) if payment != "90" else "0.00")
    key43 = f"35{issued_at:%y%m}{supplier_cnpj}55{series:03d}{number:09d}1{code}"
    key = key43 + str(check_digit(key43))
    inf.set("Id", f"NFe{key}")
    _set(inf, "ide/cDV", key[-1])
    signed = signing.sign(
        etree.tostring(nfe), reference_id=f"NFe{key}", certificate=certificate
    )
    if not proc:
        return ('<?xml version="1.0" encoding="UTF-8"?>' + signed).encode()
    digest = etree.fromstring(signed).findtext(
        ".//{http://www.w3.org/2000/09/xmldsig#}DigestValue"
    )
    protocol = (
        f'<protNFe xmlns="{NFE_NS}" versao="4.00"><infProt>'
        f"<tpAmb>{environment}</tpAmb><verAplic>SP_NFE_PL_010</verAplic>"
        f"<chNFe>{key}</chNFe><dhRecbto>{stamp}</dhRecbto>"
        f"<nProt>135{number:012d}</nProt><digVal>{digest}</digVal>"
        "<cStat>100</cStat><xMotivo>Autorizado o uso da NF-e</xMotivo>"
        "</infProt></protNFe>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<nfeProc xmlns="{NFE_NS}" versao="4.00">{signed}{protocol}</nfeProc>'
    ).encode()


def key_of(xml: bytes) -> str:
    root = etree.fromstring(xml)
    return root.find(f".//{q('infNFe')}").get("Id")[3:]


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
