"""Quotes are cached: every test of this folder starts with an empty cache."""

import pytest
from django.core.cache import cache

from tests.plugins.orders.conftest import key_client  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quoting_store(loja, sellable, origin, table_carrier):
    """The storefront channel, its catalog, the São Paulo origin and the
    table carrier (Expresso and Econômico)."""
    return loja
