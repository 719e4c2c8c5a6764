"""Fixtures of the fiscal plugin: emitters under each regime, the tax tables
(the states' rates and the default rules), users of the fiscal roles and a
placed order whose products have their NCM."""

import pytest
from guardian.shortcuts import assign_perm

from plugins.fiscal.models import Emitter, TaxRegime
from tests.factories import UserFactory
from tests.plugins.orders import conftest as orders_fixtures

# the orders plugin's fixtures this package's tests use
loja = orders_fixtures.loja
sellable = orders_fixtures.sellable


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
def emitter(db):
    """Regime normal, in São Paulo."""
    return make_emitter("11222333000181")


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
def ncm_order(db, sellable, loja):
    """An order placed through the orders service, to Rio de Janeiro, by a
    consumer (CPF): 2 × CAM-P (T-shirt, NCM 6109.10.00, national) and 1 ×
    CAN-1 (mug, NCM 6912.00.00, imported), freight R$ 15,00."""
    from content.models import Variant
    from tests.plugins.orders.conftest import ADDRESS, place

    Variant.objects.filter(sku__in=["CAM-P", "CAM-M"]).update(
        ncm="61091000", gtin="7891234567895"
    )
    Variant.objects.filter(sku="CAN-1").update(ncm="69120000", origin="1")
    return place(loja, shipping_address={**ADDRESS, "uf": "RJ", "city": "Rio"})
