"""The demo prints a storefront key that works at once and stays the same on
every run on the same database (a frontend's `.env` keeps working)."""

from io import StringIO

from rest_framework.test import APIClient

from api.demo import DEMO_KEY_NAME, demo_api_key_secret, seed_demo_api_key
from api.models import ApiKey


def seed() -> str:
    seed_demo_api_key(stdout=StringIO())
    secret = demo_api_key_secret()
    assert secret is not None
    return secret


def call(secret, origin=None):
    client = APIClient()
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    return client.get("/api/v1/auth/key/", HTTP_X_API_KEY=secret, **extra)


def test_demo_key_works_from_a_local_frontend(db):
    secret = seed()
    response = call(secret, origin="http://localhost:3000")
    assert response.status_code == 200
    assert set(response.json()["scopes"]) == {
        "catalog:read",
        "logistics:quote",
        "orders:read",
        "orders:write",
    }
    assert call(secret, origin="https://elsewhere.example").status_code == 403


def test_demo_key_is_the_same_on_every_run_on_the_same_database(db):
    # given a demo key a frontend has in its .env
    first = seed()
    # when the demo is seeded again (make run after a restart)
    second = seed()
    # then it is the same key, still working, and still the only demo key
    assert second == first
    assert call(first).status_code == 200
    assert ApiKey.objects.active().filter(name=DEMO_KEY_NAME).count() == 1


def test_demo_key_differs_per_database(db):
    # the secret depends on a random prefix kept in the database, not only on
    # the (default, public) development SECRET_KEY
    first = seed()
    ApiKey.objects.filter(name=DEMO_KEY_NAME).delete()
    assert seed() != first


def test_demo_key_with_other_settings_is_replaced(db, settings):
    # given a demo key whose secret no longer derives from the SECRET_KEY
    first = seed()
    settings.SECRET_KEY = "another-development-key"
    # when the demo is seeded again
    second = seed()
    # then the old key is revoked and a new one works
    assert second != first
    assert call(first).status_code == 401
    assert call(second).status_code == 200
    assert ApiKey.objects.active().filter(name=DEMO_KEY_NAME).count() == 1
