"""Reading an NF-e received from a supplier (or the NF-e de devolução a
customer issues to the store): safely, against the official schema, with its
signature checked, into plain values.

A file from outside is hostile until proven otherwise. It is refused before
parsing when it is larger than :data:`MAX_XML_BYTES` or declares a DTD or
entities (an NF-e has none: that is how XXE and "billion laughs" files
attack a parser), and it is parsed by lxml with entities, DTDs and the
network switched off. What is left must be an ``NFe`` or an ``nfeProc`` in
UTF-8 that validates against the schema bundled with nfelib (PL_010f), whose
``infNFe`` is signed by a certificate of the issuer's CNPJ that was valid
when the NF-e was issued, and whose access key agrees with its contents (and
with the authoriser's protocol, for an ``nfeProc``).

Every refusal is an :class:`InvalidSupplierNFe` saying in pt-BR what is
wrong. Nothing here touches the database.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from lxml import etree

from content.validators import format_document
from plugins.exceptions import RetaguardaError
from plugins.fiscal.keys import check_digit

NFE_NS = "http://www.portalfiscal.inf.br/nfe"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
#: The largest NF-e accepted: an NF-e of 990 items is about 2 MB.
MAX_XML_BYTES = 5 * 1024 * 1024
#: Schema errors listed in a refusal (the rest are counted).
MAX_SCHEMA_ERRORS = 5
#: The authoriser's answers that mean "authorised" (150: after the deadline).
AUTHORISED = ("100", "150")
#: tPag "Sem pagamento": nothing to pay.
NO_PAYMENT = "90"
#: finNFe: a normal NF-e (a sale, a purchase) and a return (devolução).
NORMAL = "1"
RETURN = "4"
#: A DTD or an entity declaration anywhere in the file.
_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class InvalidSupplierNFe(RetaguardaError):
    """The file is not an NF-e this store can receive (the message says why,
    in pt-BR)."""

    code = "invalid_nfe"


def _q(name: str) -> str:
    return f"{{{NFE_NS}}}{name}"


def _path(path: str) -> str:
    return "/".join(_q(part) for part in path.split("/"))


def _text(element, path: str) -> str:
    if element is None:
        return ""
    found = element.find(_path(path))
    return (found.text or "").strip() if found is not None else ""


@dataclass(frozen=True)
class ReceivedLine:
    item: int
    code: str
    description: str
    gtin: str
    ncm: str
    cfop: str
    quantity: Decimal
    unit: str
    unit_value: Decimal
    total: Decimal


@dataclass(frozen=True)
class Installment:
    """A ``dup`` of the NF-e's ``cobr``: what falls due when."""

    number: str
    due_date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class ReceivedNFe:
    #: the file as it was received
    text: str
    access_key: str
    series: int
    number: int
    issued_at: dt.datetime
    environment: str
    supplier_cnpj: str
    supplier_name: str
    supplier_ie: str
    supplier_uf: str
    recipient_document: str
    recipient_name: str
    total: Decimal
    lines: tuple[ReceivedLine, ...]
    installments: tuple[Installment, ...]
    #: the tPag of each detPag
    payment_methods: tuple[str, ...]
    protocol: str = ""
    #: finNFe (1 normal, 4 return …)
    purpose: str = NORMAL
    #: the access keys of the NF-e it refers to (NFref/refNFe: a return's sale)
    references: tuple[str, ...] = ()

    @property
    def without_payment(self) -> bool:
        """Nothing to pay: every payment is "sem pagamento" (a bonus, a
        shipment on consignment)."""
        return bool(self.payment_methods) and all(
            method == NO_PAYMENT for method in self.payment_methods
        )

    @property
    def supplier_display(self) -> str:
        return f"{self.supplier_name} ({format_document(self.supplier_cnpj)})"


# -- the steps -------------------------------------------------------------------


def read_nfe(data: bytes, *, purpose: str = NORMAL) -> ReceivedNFe:
    """The received NF-e in ``data`` (the bytes of an uploaded ``NFe`` or
    ``nfeProc``), checked as the module says, of the finNFe ``purpose``
    (a normal NF-e: a supplier's sale; :data:`RETURN`: a customer's
    devolução). Raises :class:`InvalidSupplierNFe`."""
    text = _checked_text(data)
    root = _parse(data)
    nfe = _nfe_element(root)
    _validate(root)
    inf = nfe.find(_q("infNFe"))
    issued_at = _datetime(_text(inf, "ide/dhEmi"))
    _verify_signature(nfe, inf, issued_at)
    key = _access_key(inf, purpose)
    protocol = _protocol(root, key)
    return _values(text, inf, key, issued_at, protocol)


def _checked_text(data: bytes) -> str:
    if not data or not data.strip():
        raise InvalidSupplierNFe(_("The file is empty."))
    if len(data) > MAX_XML_BYTES:
        raise InvalidSupplierNFe(
            _("The file has %(size)s KB, more than the %(limit)s KB an NF-e may have.")
            % {"size": len(data) // 1024, "limit": MAX_XML_BYTES // 1024}
        )
    if _DECLARATIONS.search(data):
        raise InvalidSupplierNFe(
            _(
                "The file declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), "
                "which an NF-e never has: it is refused for safety."
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidSupplierNFe(
            _("The file is not UTF-8 text, as an NF-e is.")
        ) from None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _parse(data: bytes):
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise InvalidSupplierNFe(
            _("The file is not well-formed XML (line %(line)s).")
            % {"line": error.lineno or 1}
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvalidSupplierNFe(
            _(
                "The file declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), "
                "which an NF-e never has: it is refused for safety."
            )
        )
    encoding = (docinfo.encoding or "UTF-8").upper().replace("_", "-")
    if encoding not in ("UTF-8", "UTF8"):
        raise InvalidSupplierNFe(_("The file is not UTF-8 text, as an NF-e is."))
    return root


def _nfe_element(root):
    if root.tag == _q("NFe"):
        return root
    if root.tag == _q("nfeProc"):
        nfe = root.find(_q("NFe"))
        if nfe is not None:
            return nfe
    raise InvalidSupplierNFe(
        _(
            "The file is not an NF-e: an NF-e's XML starts with <NFe> or "
            "<nfeProc> (found <%(tag)s>)."
        )
        % {"tag": etree.QName(root).localname}
    )


@cache
def _schema(name: str) -> etree.XMLSchema:
    import nfelib

    path = Path(nfelib.__file__).parent / "nfe" / "schemas" / "v4_0" / name
    return etree.XMLSchema(etree.parse(str(path), parser=_parser()))


def schema_for(root) -> etree.XMLSchema:
    """The official schema of an ``NFe`` or an ``nfeProc``."""
    if root.tag == _q("nfeProc"):
        return _schema("procNFe_v4.00.xsd")
    return _schema("nfe_v4.00.xsd")


_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")
_VALUE = re.compile(r"[Vv]alue '([^']*)'")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ([^)]*) \)")
_ATTRIBUTE = re.compile(r"attribute '([^']+)'")


def _schema_error(error) -> str:
    message = error.message or ""
    element = _ELEMENT.search(message)
    element = element.group(1) if element else "?"
    kind = error.type_name or ""
    if kind == "SCHEMAV_ELEMENT_CONTENT":
        expected = _EXPECTED.search(message)
        if expected:
            names = ", ".join(
                re.sub(r"\{[^}]*\}", "", name).strip()
                for name in expected.group(1).split(",")
            )
            detail = _("out of place or missing: expected %(expected)s") % {
                "expected": names
            }
        else:
            detail = _("missing a required element")
    elif kind == "SCHEMAV_CVC_COMPLEX_TYPE_4":
        attribute = _ATTRIBUTE.search(message)
        detail = _("the attribute %(attribute)s is required") % {
            "attribute": attribute.group(1) if attribute else "?"
        }
    elif _VALUE.search(message):
        detail = _("the value “%(value)s” is not allowed") % {
            "value": _VALUE.search(message).group(1)[:60]
        }
    else:
        detail = _("does not follow the official schema")
    return _("line %(line)s, %(element)s: %(detail)s") % {
        "line": error.line,
        "element": element,
        "detail": detail,
    }


def _validate(root) -> None:
    schema = schema_for(root)
    if schema.validate(root):
        return
    errors = list(schema.error_log)
    listed = "; ".join(_schema_error(error) for error in errors[:MAX_SCHEMA_ERRORS])
    more = len(errors) - MAX_SCHEMA_ERRORS
    message = _(
        "The NF-e does not follow the official schema (leiaute 4.00): %(errors)s."
    ) % {"errors": listed}
    if more > 0:
        message += " " + _("And %(count)s more errors.") % {"count": more}
    raise InvalidSupplierNFe(message)


def _datetime(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidSupplierNFe(
            _("The NF-e's issue date (dhEmi) “%(value)s” is not a moment.")
            % {"value": value}
        )
    return moment


def _signed_candidates(nfe) -> list[bytes]:
    """The ``NFe`` element as a document of its own, as it was signed. In an
    ``nfeProc`` it inherits the declarations of namespaces of ``nfeProc``;
    inclusive canonicalisation sees the ones it does not use too, so the
    copy without them is tried as well."""
    standalone = copy.deepcopy(nfe)
    candidates = [etree.tostring(standalone)]
    if nfe.getparent() is not None:
        etree.cleanup_namespaces(standalone)
        cleaned = etree.tostring(standalone)
        if cleaned != candidates[0]:
            candidates.append(cleaned)
    return candidates


def _verify_signature(nfe, inf, issued_at: dt.datetime) -> None:
    from signxml.exceptions import InvalidCertificate, SignXMLException

    from plugins.fiscal import signing
    from plugins.fiscal.certificates import Certificate

    if nfe.find(f"{{{DS_NS}}}Signature") is None:
        raise InvalidSupplierNFe(_("The NF-e is not signed."))
    signed = None
    problem = None
    for candidate in _signed_candidates(nfe):
        try:
            signed = signing.verify(candidate, at=issued_at)
            break
        except InvalidCertificate:
            raise InvalidSupplierNFe(
                _(
                    "The certificate that signed the NF-e was not valid on "
                    "%(date)s, when the NF-e was issued."
                )
                % {"date": date_format(issued_at, "SHORT_DATE_FORMAT")}
            ) from None
        except (SignXMLException, ValueError) as error:
            problem = error
    if signed is None:
        raise InvalidSupplierNFe(
            _(
                "The NF-e's signature does not match its contents: the XML "
                "was changed after it was signed."
            )
        ) from problem
    element = etree.fromstring(signed, parser=_parser())
    if element.tag != _q("infNFe") or element.get("Id") != inf.get("Id"):
        raise InvalidSupplierNFe(_("The NF-e's signature is not over its infNFe."))
    from cryptography import x509

    pem = signing.embedded_certificate(etree.tostring(nfe))
    certificate = x509.load_pem_x509_certificate(pem)
    holder = Certificate(key=None, certificate=certificate).cnpj
    issuer = _text(inf, "emit/CNPJ")
    if not holder or holder[:8] != issuer[:8]:
        raise InvalidSupplierNFe(
            _(
                "The NF-e was signed with a certificate of %(holder)s, not of "
                "its issuer %(issuer)s."
            )
            % {
                "holder": format_document(holder) if holder else _("no CNPJ"),
                "issuer": format_document(issuer),
            }
        )


def _access_key(inf, expected_purpose: str = NORMAL) -> str:
    key = (inf.get("Id") or "")[3:]
    issuer = _text(inf, "emit/CNPJ")
    if not issuer:
        raise InvalidSupplierNFe(
            _("The NF-e was issued by a person (CPF), not by a supplier's CNPJ.")
        )
    if check_digit(key[:43]) != int(key[43]):
        raise InvalidSupplierNFe(
            _("The access key %(key)s has a wrong check digit.") % {"key": key}
        )
    ide = {
        "cUF": (key[0:2], _text(inf, "ide/cUF")),
        "CNPJ": (key[6:20], issuer),
        "mod": (key[20:22], _text(inf, "ide/mod")),
        "serie": (key[22:25], _text(inf, "ide/serie").zfill(3)),
        "nNF": (key[25:34], _text(inf, "ide/nNF").zfill(9)),
    }
    for name, (in_key, in_document) in ide.items():
        if in_key != in_document:
            raise InvalidSupplierNFe(
                _(
                    "The access key %(key)s does not match the NF-e: its "
                    "%(field)s is %(in_key)s, the NF-e's %(in_document)s."
                )
                % {
                    "key": key,
                    "field": name,
                    "in_key": in_key,
                    "in_document": in_document,
                }
            )
    if _text(inf, "ide/mod") != "55":
        raise InvalidSupplierNFe(
            _("This is an NFC-e (model 65), a consumer's receipt: not a purchase.")
        )
    purpose = _text(inf, "ide/finNFe")
    if purpose != expected_purpose and expected_purpose == NORMAL:
        raise InvalidSupplierNFe(
            _(
                "Only a normal NF-e (finNFe 1) is received as a purchase; this "
                "one is a %(purpose)s."
            )
            % {"purpose": PURPOSES.get(purpose, purpose)}
        )
    if purpose != expected_purpose:
        raise InvalidSupplierNFe(
            _("The NF-e should be a %(expected)s; this one is a %(purpose)s.")
            % {
                "expected": PURPOSES.get(expected_purpose, expected_purpose),
                "purpose": PURPOSES.get(purpose, purpose),
            }
        )
    return key


#: finNFe, as the refusal names it.
PURPOSES = {
    NORMAL: "NF-e normal",
    "2": "NF-e complementar",
    "3": "NF-e de ajuste",
    "4": "NF-e de devolução",
}


def _protocol(root, key: str) -> str:
    """The authoriser's protocol of an ``nfeProc`` ("" for a bare NFe)."""
    if root.tag != _q("nfeProc"):
        return ""
    info = root.find(_path("protNFe/infProt"))
    if _text(info, "chNFe") != key:
        raise InvalidSupplierNFe(
            _("The authoriser's protocol in the file is of another NF-e (%(key)s).")
            % {"key": _text(info, "chNFe")}
        )
    status = _text(info, "cStat")
    if status not in AUTHORISED:
        raise InvalidSupplierNFe(
            _("The NF-e was not authorised: %(code)s %(reason)s.")
            % {"code": status, "reason": _text(info, "xMotivo")}
        )
    return _text(info, "nProt")


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation:  # the schema's patterns make this unreachable
        raise InvalidSupplierNFe(
            _("“%(value)s” is not a number.") % {"value": value}
        ) from None


def _gtin(value: str) -> str:
    return value if value.isdigit() else ""


def _values(text, inf, key, issued_at, protocol) -> ReceivedNFe:
    dest = inf.find(_q("dest"))
    lines = []
    for det in inf.findall(_q("det")):
        lines.append(
            ReceivedLine(
                item=int(det.get("nItem")),
                code=_text(det, "prod/cProd"),
                description=_text(det, "prod/xProd")[:120],
                gtin=_gtin(_text(det, "prod/cEAN")),
                ncm=_text(det, "prod/NCM")[:8],
                cfop=_text(det, "prod/CFOP"),
                quantity=_decimal(_text(det, "prod/qCom")),
                unit=_text(det, "prod/uCom")[:6],
                unit_value=_decimal(_text(det, "prod/vUnCom")),
                total=_decimal(_text(det, "prod/vProd")),
            )
        )
    installments = tuple(
        Installment(
            number=_text(dup, "nDup"),
            due_date=dt.date.fromisoformat(_text(dup, "dVenc")),
            amount=_decimal(_text(dup, "vDup")),
        )
        for dup in inf.findall(_path("cobr/dup"))
    )
    return ReceivedNFe(
        text=text,
        access_key=key,
        series=int(_text(inf, "ide/serie")),
        number=int(_text(inf, "ide/nNF")),
        issued_at=issued_at,
        environment=_text(inf, "ide/tpAmb"),
        supplier_cnpj=_text(inf, "emit/CNPJ"),
        supplier_name=_text(inf, "emit/xNome"),
        supplier_ie=_text(inf, "emit/IE"),
        supplier_uf=_text(inf, "emit/enderEmit/UF"),
        recipient_document=_text(dest, "CNPJ") or _text(dest, "CPF"),
        recipient_name=_text(dest, "xNome"),
        total=_decimal(_text(inf, "total/ICMSTot/vNF")),
        lines=tuple(lines),
        installments=installments,
        payment_methods=tuple(
            _text(detail, "tPag") for detail in inf.findall(_path("pag/detPag"))
        ),
        protocol=protocol,
        purpose=_text(inf, "ide/finNFe"),
        references=tuple(
            (ref.text or "").strip()
            for ref in inf.findall(_path("ide/NFref/refNFe"))
            if (ref.text or "").strip()
        ),
    )
