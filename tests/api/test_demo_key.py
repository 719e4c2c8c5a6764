"""The demo prints a storefront key that works at once, and a new run revokes
the previous one."""

import re
from io import StringIO

from rest_framework.test import APIClient

from api.demo import seed_demo_api_key


def seed() -> str:
    out = StringIO()
    seed_demo_api_key(stdout=out)
    return re.search(r"rtg_\w+_[\w-]+", out.getvalue()).group(0)


def call(secret, origin=None):
    client = APIClient()
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    return client.get("/api/v1/auth/key/", HTTP_X_API_KEY=secret, **extra)


def test_demo_key_works_from_a_local_frontend_and_is_replaced_on_rerun(db):
    first = seed()
    response = call(first, origin="http://localhost:3000")
    assert response.status_code == 200
    assert set(response.json()["scopes"]) == {
        "catalog:read",
        "orders:read",
        "orders:write",
    }
    assert call(first, origin="https://elsewhere.example").status_code == 403

    second = seed()
    assert call(second).status_code == 200
    assert call(first).status_code == 401
