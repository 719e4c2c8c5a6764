"""Shared fixtures of the fiscal tests: an emitter (regime normal, São Paulo,
homologação) and its A1 test certificate, generated once per session; and
the two checks every XML the tests produce goes through: valid against its
official schema (``assert_xsd_valid``) and signed, the signature verified by
an independent verifier, Debian's ``xmlsec1`` (``assert_signed``); the local
SEFAZ on loopback (``sefaz``) and paid orders to invoice."""

from __future__ import annotations

import base64
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from guardian.shortcuts import assign_perm

from plugins.fiscal import certificates, signing, xsd
from plugins.fiscal.certificates import Certificate
from plugins.fiscal.models import Emitter, TaxRegime
from plugins.fiscal.simulator import SefazSimulator
from tests.factories import UserFactory

# The orders plugin's channel and catalog, to place orders to invoice.
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

#: Valid check digits (generated, not a real company).
CNPJ = EMITTER_CNPJ = "11222333000181"
ALPHANUMERIC_CNPJ = "12ABC34501DE35"
CERTIFICATE_PASSWORD = "senha-do-a1"


@dataclass(frozen=True)
class A1:
    """A test A1 certificate: the PKCS#12 file, its password, and it opened."""

    pkcs12: bytes
    password: str
    certificate: Certificate


def make_a1(cnpj: str = CNPJ, name: str = "Loja Exemplo Ltda") -> A1:
    pkcs12 = certificates.generate(cnpj, name, password=CERTIFICATE_PASSWORD)
    return A1(
        pkcs12, CERTIFICATE_PASSWORD, certificates.load(pkcs12, CERTIFICATE_PASSWORD)
    )


@pytest.fixture(scope="session")
def a1() -> A1:
    """The emitter's A1 (an RSA key takes a moment to make: once a session)."""
    return make_a1()


@pytest.fixture(scope="session")
def certificate_file(a1) -> bytes:
    """The emitter's A1 as a PKCS#12 file (password ``CERTIFICATE_PASSWORD``)."""
    return a1.pkcs12


@pytest.fixture
def certificate(a1) -> Certificate:
    return a1.certificate


def emitter_values(**overrides) -> dict:
    """The fields of an emitter in São Paulo, regime normal, homologação."""
    values = {
        "legal_name": "Loja Exemplo Comercio de Roupas Ltda",
        "trade_name": "Loja Exemplo",
        "cnpj": CNPJ,
        "ie": "110042490114",
        "tax_regime": "3",
        "street": "Rua Augusta",
        "number": "100",
        "complement": "Loja 2",
        "district": "Consolação",
        "city": "São Paulo",
        "city_code": "3550308",
        "uf": "SP",
        "cep": "01304-000",
        "phone": "(11) 3222-1000",
        "environment": "2",
        "series": 1,
    }
    values.update(overrides)
    return values


@pytest.fixture
def emitter(db, certificate_file):
    """An emitter in São Paulo, homologation, série 1, holding the test
    certificate."""
    from plugins.fiscal.models import Emitter

    return Emitter.objects.create(
        **emitter_values(
            certificate=base64.b64encode(certificate_file).decode(),
            certificate_password=CERTIFICATE_PASSWORD,
        )
    )


# -- Checks --------------------------------------------------------------------


def assert_xsd_valid(xml: str | bytes, schema: str) -> None:
    """``xml`` validates against the official schema ``schema`` (a name of
    :mod:`plugins.fiscal.xsd`, e.g. ``xsd.NFE``)."""
    problems = xsd.problems(xml, schema)
    assert not problems, "\n".join(f"{p} [{p.detail}]" for p in problems)


def xmlsec1_verifies(
    xml: str, id_element: str, *, certificate_pem: bytes | None = None
) -> bool:
    """Whether ``xmlsec1`` verifies the signature of ``xml`` over the element
    ``id_element`` (its ``Id`` attribute) with the key of ``certificate_pem``
    (the certificate the signature carries when None), and nothing else."""
    if certificate_pem is None:
        certificate_pem = signing.embedded_certificate(xml.encode("utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "document.xml"
        certificate = Path(folder) / "certificate.pem"
        document.write_text(xml, encoding="utf-8")
        certificate.write_bytes(certificate_pem)
        result = subprocess.run(
            [
                "xmlsec1",
                "--verify",
                "--enabled-key-data",
                "key-name",
                "--id-attr:Id",
                id_element,
                "--pubkey-cert-pem",
                str(certificate),
                str(document),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    return result.returncode == 0


def assert_signed(
    xml: str, id_element: str, *, certificate: Certificate | None = None
) -> None:
    """``xml`` is signed over ``id_element`` and ``xmlsec1`` verifies it (with
    ``certificate``'s key when given); signxml's verifier agrees."""
    pem = certificate.certificate_pem() if certificate else None
    assert xmlsec1_verifies(xml, id_element, certificate_pem=pem)
    signing.verify(xml, certificate_pem=pem)


@pytest.fixture
def sefaz(settings):
    """The local SEFAZ, every authoriser pointed at it; ``sefaz.url``,
    ``sefaz.control({...})`` (see plugins.fiscal.simulator), ``sefaz.requests``
    (the calls it received)."""
    with SefazSimulator() as simulator:
        settings.RETAGUARDA_FISCAL_AUTHORISER_URL = simulator.url
        yield simulator


@pytest.fixture
def paid_order(loja, sellable):  # noqa: F811
    from plugins.orders.services import pay_order

    order = place(loja)
    pay_order(order, user=None)
    return order


# -- The tax rules' fixtures --------------------------------------------------


def make_emitter(cnpj, *, regime=TaxRegime.NORMAL, uf="SP", name="Loja Matriz"):
    return Emitter.objects.create(
        legal_name=name,
        cnpj=cnpj,
        ie="110042490114",
        tax_regime=regime,
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf=uf,
        cep="01304-000",
    )


@pytest.fixture
def tax_tables(db):
    """The states' ICMS rates and the default rules (migration 0002 writes
    them; a test database that was flushed gets them again)."""
    from plugins.fiscal.tax_defaults import install_defaults

    install_defaults()


@pytest.fixture
def other_emitter(db):
    """Another emitter of the store (Simples Nacional), in Minas Gerais."""
    return make_emitter(
        "11444777000161", regime=TaxRegime.SIMPLES, uf="MG", name="Loja Filial"
    )


@pytest.fixture
def fiscal_clerk(emitter, other_emitter):
    """A fiscal clerk granted the São Paulo emitter only."""
    user = UserFactory(username="faturamento", roles=["fiscal"])
    assign_perm("fiscal.view_emitter", user, emitter)
    assign_perm("fiscal.issue_emitter", user, emitter)
    return user


@pytest.fixture
def accountant(db):
    return UserFactory(username="contador", roles=["accountant"])


@pytest.fixture
def order_desk(db):
    return UserFactory(username="balcao", roles=["order_desk"])


@pytest.fixture
def ncm_order(db, sellable, loja):  # noqa: F811
    """An order placed through the orders service, to Rio de Janeiro, by a
    consumer (CPF): 2 × CAM-P (T-shirt, NCM 6109.10.00, national) and 1 ×
    CAN-1 (mug, NCM 6912.00.00, imported), freight R$ 15,00."""
    from content.models import Variant
    from tests.plugins.orders.conftest import ADDRESS, place

    Variant.objects.filter(sku__in=["CAM-P", "CAM-M"]).update(
        ncm="61091000", gtin="7891234567895"
    )
    Variant.objects.filter(sku="CAN-1").update(ncm="69120000", origin="1")
    return place(
        loja, shipping_address={**ADDRESS, "uf": "RJ", "city": "Rio de Janeiro"}
    )
