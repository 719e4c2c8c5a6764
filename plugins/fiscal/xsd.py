"""Validation of fiscal XML against the official schemas bundled with
``nfelib`` (the Pacote de Liberação in force), with the errors in pt-BR.

Every document the project produces is validated before it is signed: a
document that fails is never signed nor sent, and the person sees which field
is wrong and why, the schema validator's own message kept as the detail.

Each schema is parsed once per thread and kept (an ``XMLSchema`` of the NF-e
takes tens of milliseconds to parse; validating a document with it, well
under one).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import nfelib
from django.utils.translation import gettext as _
from lxml import etree

ROOT = Path(nfelib.__file__).resolve().parent

#: The schemas, by what they validate.
NFE = "nfe/schemas/v4_0/nfe_v4.00.xsd"
NFE_BATCH = "nfe/schemas/v4_0/enviNFe_v4.00.xsd"
NFE_PROC = "nfe/schemas/v4_0/procNFe_v4.00.xsd"
INUTILIZATION = "nfe/schemas/v4_0/inutNFe_v4.00.xsd"
CANCELLATION = "nfe_evento_cancel/schemas/v1_0/eventoCancNFe_v1.00.xsd"
CANCELLATION_BATCH = "nfe_evento_cancel/schemas/v1_0/envEventoCancNFe_v1.00.xsd"
CORRECTION = "nfe_evento_cce/schemas/v1_0/CCe_v1.00.xsd"
CORRECTION_BATCH = "nfe_evento_cce/schemas/v1_0/envCCe_v1.00.xsd"

NS = "http://www.portalfiscal.inf.br/nfe"
DS = "http://www.w3.org/2000/09/xmldsig#"

_local = threading.local()


def schema(name: str) -> etree.XMLSchema:
    """The parsed schema ``name`` (a path under nfelib), cached per thread:
    libxml2 keeps a validation's errors on the schema object."""
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    found = cache.get(name)
    if found is None:
        found = cache[name] = etree.XMLSchema(etree.parse(str(ROOT / name)))
    return found


@dataclass(frozen=True)
class SchemaProblem:
    """One schema error: where, what in pt-BR, and the validator's text."""

    path: str  # e.g. "infNFe/det[3]/prod/NCM"
    message: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SchemaError(ValueError):
    """The document does not validate against its official schema; it is not
    signed or sent. ``problems`` lists each error; ``str()`` joins them."""

    def __init__(self, problems: list[SchemaProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


#: A Signature that satisfies the schema, to validate a document before it
#: is signed (the schema requires one; its content is checked after signing
#: by the verifier, not here).
_PLACEHOLDER = f"""<Signature xmlns="{DS}"><SignedInfo>
<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>
<Reference URI="#x"><Transforms>
<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
</Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>
<DigestValue>AA==</DigestValue></Reference></SignedInfo>
<SignatureValue>AA==</SignatureValue>
<KeyInfo><X509Data><X509Certificate>AA==</X509Certificate></X509Data></KeyInfo>
</Signature>"""
_placeholder = etree.fromstring(
    _PLACEHOLDER, parser=etree.XMLParser(remove_blank_text=True)
)


def problems(
    document: etree._Element | str | bytes, name: str, *, signed: bool = True
) -> list[SchemaProblem]:
    """The errors of ``document`` against the schema ``name`` ([] when
    valid). ``signed=False`` validates a document about to be signed: its
    root gets a placeholder ``Signature`` while it is checked."""
    if isinstance(document, str):
        document = document.encode("utf-8")
    if isinstance(document, bytes):
        try:
            document = etree.fromstring(document)
        except etree.XMLSyntaxError as error:
            return [
                SchemaProblem("", _("The document is not well-formed XML."), str(error))
            ]
    validator = schema(name)
    placeholder = None
    if not signed:
        placeholder = _copy_placeholder()
        document.append(placeholder)
    try:
        if validator.validate(document):
            return []
        return [_problem(document, entry) for entry in validator.error_log]
    finally:
        if placeholder is not None:
            document.remove(placeholder)


def validate(
    document: etree._Element | str | bytes, name: str, *, signed: bool = True
) -> None:
    """Raise :class:`SchemaError` when ``document`` does not validate."""
    found = problems(document, name, signed=signed)
    if found:
        raise SchemaError(found)


def _copy_placeholder() -> etree._Element:
    return etree.fromstring(etree.tostring(_placeholder))


# -- Readable errors -------------------------------------------------------------

_ELEMENT = re.compile(
    r"^Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: "
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_QNAME = re.compile(r"\{[^}]*\}")


def _names(expected: str) -> str:
    return ", ".join(_QNAME.sub("", name).strip() for name in expected.split(","))


def _translations():
    """(pattern of libxml2's message, pt-BR message) pairs; the message is
    formatted with the pattern's groups."""
    return (
        (
            r"\[facet 'pattern'\] The value '(?P<value>.*)' is not accepted by "
            r"the pattern '.*'\.",
            _("the value “%(value)s” is not in the expected format."),
        ),
        (
            r"\[facet 'enumeration'\] The value '(?P<value>.*)' is not an element "
            r"of the set \{(?P<set>.*)\}\.",
            _("the value “%(value)s” is not one of those accepted (%(set)s)."),
        ),
        (
            r"\[facet 'maxLength'\] The value has a length of '(?P<length>\d+)'; "
            r"this exceeds the allowed maximum length of '(?P<limit>\d+)'\.",
            _("it has %(length)s characters; at most %(limit)s are allowed."),
        ),
        (
            r"\[facet 'minLength'\] The value has a length of '(?P<length>\d+)'; "
            r"this underruns the allowed minimum length of '(?P<limit>\d+)'\.",
            _("it has %(length)s characters; at least %(limit)s are required."),
        ),
        (
            r"\[facet 'length'\] The value has a length of '(?P<length>\d+)'; "
            r"this differs from the allowed length of '(?P<limit>\d+)'\.",
            _("it has %(length)s characters; it must have %(limit)s."),
        ),
        (
            r"This element is not expected\. Expected is (?:one of )?"
            r"\( (?P<expected>.*) \)\.",
            _("this field is not expected here; expected: %(expected)s."),
        ),
        (
            r"This element is not expected\.",
            _("this field is not expected here."),
        ),
        (
            r"Missing child element\(s\)\. Expected is (?:one of )?"
            r"\( (?P<expected>.*) \)\.",
            _("a required field is missing: %(expected)s."),
        ),
        (
            r"'(?P<value>.*)' is not a valid value of the .*type.*",
            _("the value “%(value)s” is not valid."),
        ),
        (
            r"The attribute '(?P<name>[^']+)' is required but missing\.",
            _("the attribute %(name)s is missing."),
        ),
        (
            r"The attribute '(?P<name>[^']+)' is not allowed\.",
            _("the attribute %(name)s is not allowed."),
        ),
        (
            r"No matching global declaration available for the validation root\.",
            _("this is not a document of the expected kind."),
        ),
        (
            r"Character content other than whitespace is not allowed.*",
            _("this group cannot hold text, only fields."),
        ),
        (
            r"Element content is not allowed.*",
            _("this field holds a value, not other fields."),
        ),
    )


def _problem(document: etree._Element, entry) -> SchemaProblem:
    detail = entry.message
    match = _ELEMENT.match(detail)
    path = ""
    message = _("it does not comply with the official schema.")
    if match:
        element = None
        if entry.path:
            try:
                found = document.getroottree().xpath(entry.path)
            except etree.XPathError:
                found = []
            element = found[0] if found else None
        name = _QNAME.sub("", match["element"])
        path = _readable_path(element) if element is not None else name
        if match["attribute"]:
            path = f"{path}/@{match['attribute']}"
        rest = match["rest"].strip()
        for pattern, text in _translations():
            found_text = re.fullmatch(pattern, rest, re.DOTALL)
            if found_text:
                values = found_text.groupdict()
                if "expected" in values:
                    values["expected"] = _names(values["expected"])
                if "set" in values:
                    values["set"] = values["set"].replace("'", "")
                message = text % values
                break
    return SchemaProblem(path, message, detail)


def _readable_path(element: etree._Element) -> str:
    """``infNFe/det[3]/prod/vProd``: local names from below the root, a
    det by its item number, repeated groups by their position."""
    parts = []
    node = element
    while node is not None and node.getparent() is not None:
        name = etree.QName(node).localname
        if name == "det" and node.get("nItem"):
            name = f"det[{node.get('nItem')}]"
        else:
            siblings = [s for s in node.getparent() if s.tag == node.tag]
            if len(siblings) > 1:
                name = f"{name}[{siblings.index(node) + 1}]"
        parts.append(name)
        node = node.getparent()
    if not parts:
        return etree.QName(element).localname
    return "/".join(reversed(parts))
