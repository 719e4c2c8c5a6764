"""XML signatures of the NF-e and its events (XMLDSig enveloped, C14N 1.0,
RSA-SHA1 with SHA-1 digests, as the schema's ``xmldsig-core-schema`` and the
Manual de Orientação do Contribuinte require).

``signxml`` refuses SHA-1 in its default configuration; the signer below
allows it and changes nothing else. The signed element is serialised once,
right after signing, and that text is what is stored and sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
    namespaces,
)

from plugins.fiscal.certificates import Certificate

C14N = CanonicalizationMethod.CANONICAL_XML_1_0


class _NFeSigner(XMLSigner):
    def check_deprecated_methods(self):
        """SHA-1 is what the NF-e schema requires; nothing else is relaxed."""


def sign(xml: str | bytes, *, reference_id: str, certificate: Certificate) -> str:
    """Sign the document ``xml`` (an ``NFe``, ``evento`` or ``inutNFe``) over
    its child with ``Id="reference_id"``; the ``Signature`` is appended to
    the root, after that child. Returns the signed document as text."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    root = etree.fromstring(xml, parser=etree.XMLParser(remove_blank_text=True))
    signer = _NFeSigner(
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=C14N,
    )
    signer.namespaces = {None: namespaces.ds}  # <Signature xmlns="…xmldsig#">
    signed = signer.sign(
        root,
        key=certificate.key,
        cert=[certificate.certificate],
        reference_uri=f"#{reference_id}",
    )
    return etree.tostring(signed, encoding="unicode")


#: What a signature must use to be accepted.
EXPECTED = SignatureConfiguration(
    require_x509=True,
    location="./",
    signature_methods=frozenset({SignatureMethod.RSA_SHA1}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA1}),
    expect_references=1,
)


class _SHA1Verifier(XMLVerifier):
    #: libxml2's canonicalisation of a ``Signature`` that sets the xmldsig
    #: namespace as default inside the NF-e's default namespace writes a
    #: spurious ``xmlns=""`` on its descendants; the signer does not, nor does
    #: xmlsec1. No NF-e element is ever outside a namespace, so signxml's
    #: switch that removes those declarations is exact here.
    excise_empty_xmlns_declarations = True

    def check_deprecated_methods(self):  # pragma: no cover - signxml hook
        """SHA-1 is what the NF-e schema requires."""


def verify(
    xml: str | bytes,
    *,
    certificate_pem: bytes | None = None,
    at: dt.datetime | None = None,
) -> bytes:
    """Check the signature of a signed document against the certificate it
    carries (or ``certificate_pem``). Returns the signed element's canonical
    bytes; raises ``signxml.exceptions.InvalidSignature`` when it does not
    verify.

    The certificate must be valid ``at`` that moment (default: now): a
    document received from someone else is checked at its own issue time,
    since the certificate that signed it may have expired since."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if certificate_pem is None:
        certificate_pem = embedded_certificate(xml)
    expected = EXPECTED
    if at is not None:
        expected = dataclasses.replace(EXPECTED, verification_time=at)
    result = _SHA1Verifier().verify(
        xml, x509_cert=certificate_pem, expect_config=expected
    )
    return result.signed_data


def embedded_certificate(xml: bytes) -> bytes:
    """The signer's certificate carried in the signature's ``KeyInfo``, as
    PEM ("" when there is none). Its chain to ICP-Brasil is the authoriser's
    to check; here it identifies the key that signed."""
    root = etree.fromstring(xml)
    found = root.find(f".//{{{namespaces.ds}}}X509Certificate")
    if found is None or not (found.text or "").strip():
        return b""
    body = "".join(found.text.split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        "-----BEGIN CERTIFICATE-----\n"
        + "\n".join(lines)
        + "\n-----END CERTIFICATE-----\n"
    ).encode()
