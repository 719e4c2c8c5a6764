"""A1 certificates (PKCS#12): reading the key and the certificate, the CNPJ
they were issued to, and their validity; and generating a self-signed test
certificate for homologation, the tests and the demo.

An ICP-Brasil e-CNPJ states its holder's CNPJ in the subject alternative name
(``otherName`` 2.16.76.1.3.3); many also end their common name with
``:<CNPJ>``. Both are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _

from content.validators import normalise_document

#: ICP-Brasil: the holder's CNPJ in a certificate's otherName.
CNPJ_OID = x509.ObjectIdentifier("2.16.76.1.3.3")


class CertificateError(ValueError):
    """The file is not a PKCS#12 certificate this password opens."""


@dataclass(frozen=True)
class Certificate:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def subject(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return names[0].value if names else self.certificate.subject.rfc4514_string()

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    @property
    def not_before(self) -> dt.datetime:
        return self.certificate.not_valid_before_utc

    @property
    def cnpj(self) -> str:
        """The holder's CNPJ ("" when the certificate does not state one)."""
        try:
            names = self.certificate.extensions.get_extension_for_class(
                x509.SubjectAlternativeName
            ).value.get_values_for_type(x509.OtherName)
        except x509.ExtensionNotFound:
            names = []
        for name in names:
            if name.type_id == CNPJ_OID:
                return normalise_document(_der_string(name.value))
        _name, _sep, tail = self.subject.rpartition(":")
        tail = normalise_document(tail)
        return tail if _sep and len(tail) == 14 else ""

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _der_string(value: bytes) -> str:
    """The text of a DER-encoded string (PrintableString, UTF8String,
    OCTET STRING …) of short length, as ICP-Brasil otherNames hold."""
    if len(value) >= 2 and value[1] < 0x80:
        value = value[2 : 2 + value[1]]
    return value.decode("latin-1")


def load(data: bytes, password: str) -> Certificate:
    """Open a PKCS#12 file. Raises :class:`CertificateError` in pt-BR."""
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as error:
        raise CertificateError(
            _(
                "The file is not an A1 certificate (PKCS#12, .pfx) or the "
                "password is wrong."
            )
        ) from error
    if key is None or certificate is None:
        raise CertificateError(
            _("The file does not hold a private key and its certificate.")
        )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError(_("The certificate's key is not an RSA key."))
    return Certificate(key, certificate)


def generate(
    cnpj: str,
    legal_name: str,
    *,
    password: str,
    days: int = 365,
    now: dt.datetime | None = None,
) -> bytes:
    """A self-signed PKCS#12 test certificate for ``cnpj`` (for homologation,
    the tests and the demo; the SEFAZ simulator accepts it, a real SEFAZ
    does not)."""
    now = now or dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cnpj = normalise_document(cnpj)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil (teste)"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{legal_name[:40]}:{cnpj}"),
        ]
    )
    # DER PrintableString holding the CNPJ, as ICP-Brasil certificates do
    other_name = x509.OtherName(CNPJ_OID, bytes([0x13, len(cnpj)]) + cnpj.encode())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([other_name]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        name=legal_name[:40].encode(),
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
    )
