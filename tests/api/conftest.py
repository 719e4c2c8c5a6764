import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import create_api_key


@pytest.fixture(autouse=True)
def fresh_cache():
    """API responses are cached: every test starts and ends with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    """A client authenticated with a storefront key holding ``catalog:read``."""
    _key, secret = create_api_key(
        name="Loja",
        scopes=["catalog:read"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=secret)
    return client
