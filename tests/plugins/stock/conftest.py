"""Fixtures of the stock plugin: warehouses SP-01 and RJ-01, a clerk granted
SP-01 only, a stock manager, a small sellable catalog and helpers to stock it
and to check the ledger."""

import pytest
from django.core.cache import cache
from guardian.shortcuts import assign_perm

from content.models import Variant
from plugins.stock import services
from plugins.stock.models import StockLevel, Warehouse
from tests.factories import UserFactory
from tests.plugins.orders.conftest import (  # noqa: F401  (fixtures)
    key_client,
    loja,
    mercado_livre,
    order_request,
    place,
    sellable,
)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Availability is cached: every test starts and ends with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def strict_stock(settings):
    """As in production: SKUs that were never stocked are not for sale."""
    settings.RETAGUARDA_STOCK_SELL_UNTRACKED = False


@pytest.fixture
def sp(db):
    return Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)


@pytest.fixture
def rj(db):
    return Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro", priority=20)


def grant_warehouse(user, warehouse, *codenames):
    for codename in codenames or ("view_warehouse", "operate_warehouse"):
        assign_perm(f"stock.{codename}", user, warehouse)


@pytest.fixture
def clerk_sp(sp, rj):
    """A stock clerk granted SP-01 only."""
    user = UserFactory(username="estoquista", roles=["stock_clerk"])
    grant_warehouse(user, sp)
    return user


@pytest.fixture
def stock_manager(db):
    return UserFactory(username="gerente-estoque", roles=["stock_manager"])


def variant(sku) -> Variant:
    return Variant.objects.get(sku=sku)


def stock(sku, warehouse, units, user=None):
    """Receive ``units`` of ``sku`` into ``warehouse`` (as the system)."""
    return services.receive_stock(
        warehouse, variant=variant(sku), quantity=units, user=user
    )


def level(sku, warehouse) -> StockLevel:
    return StockLevel.objects.get(variant__sku=sku, warehouse=warehouse)


def assert_ledger_ok():
    drift = services.find_drift()
    assert drift == [], [str(d) for d in drift]


@pytest.fixture
def stocked(sellable, sp, rj):  # noqa: F811
    """CAM-P: 5 in SP-01, 3 in RJ-01; CAM-M: 2 in SP-01; CAN-1: 10 in RJ-01."""
    stock("CAM-P", sp, 5)
    stock("CAM-P", rj, 3)
    stock("CAM-M", sp, 2)
    stock("CAN-1", rj, 10)
    return sellable
