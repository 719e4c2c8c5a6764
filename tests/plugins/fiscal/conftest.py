"""Fixtures of the fiscal tests: the local SEFAZ on loopback, a test A1
certificate and an emitter holding it, paid orders to invoice."""

import base64

import pytest

from plugins.fiscal import certificates
from plugins.fiscal.models import Emitter
from plugins.fiscal.simulator import SefazSimulator

# The orders plugin's channel and catalog, to place orders to invoice.
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401

EMITTER_CNPJ = "11222333000181"
CERTIFICATE_PASSWORD = "senha-do-certificado"  # noqa: S105


@pytest.fixture(scope="session")
def certificate_file():
    """A test A1 certificate (PKCS#12) issued to ``EMITTER_CNPJ``."""
    return certificates.generate(
        EMITTER_CNPJ, "Loja Matriz Ltda", password=CERTIFICATE_PASSWORD
    )


@pytest.fixture(scope="session")
def certificate(certificate_file):
    return certificates.load(certificate_file, CERTIFICATE_PASSWORD)


@pytest.fixture
def sefaz(settings):
    """The local SEFAZ, every authoriser pointed at it; ``sefaz.url``,
    ``sefaz.control({...})`` (see plugins.fiscal.simulator), ``sefaz.requests``
    (the calls it received)."""
    with SefazSimulator() as simulator:
        settings.RETAGUARDA_FISCAL_AUTHORISER_URL = simulator.url
        yield simulator


@pytest.fixture
def emitter(db, certificate_file):
    """An emitter in São Paulo, homologation, série 1, holding the test
    certificate."""
    return Emitter.objects.create(
        legal_name="Loja Matriz Ltda",
        cnpj=EMITTER_CNPJ,
        ie="110042490114",
        tax_regime="3",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf="SP",
        cep="01304-000",
        environment="2",
        series=1,
        certificate=base64.b64encode(certificate_file).decode(),
        certificate_password=CERTIFICATE_PASSWORD,
    )


@pytest.fixture
def paid_order(loja, sellable):  # noqa: F811
    from plugins.orders.services import pay_order

    order = place(loja)
    pay_order(order, user=None)
    return order
