"""API keys: secret shown once and stored hashed, scopes, origins (CORS),
revocation, throttling per key, last-used time; the admin screens."""

import pytest
from rest_framework.test import APIClient, APIRequestFactory
from wagtail.models import ModelLogEntry

from api.models import ApiKey, hash_secret
from api.permissions import HasApiKeyScope
from api.services import create_api_key, revoke_api_key
from tests.helpers import is_admin_denied

URL = "/api/v1/auth/key/"


@pytest.fixture
def storefront(manager):
    return create_api_key(
        name="Loja Next.js",
        scopes=["catalog:read"],
        allowed_origins=["https://loja.example.com"],
        rate_limit=100,
        user=manager,
    )


def test_secret_is_returned_once_and_stored_hashed(storefront, manager):
    key, secret = storefront
    assert secret.startswith(f"rtg_{key.prefix}_")
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_secret(secret)
    assert secret not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    entry = ModelLogEntry.objects.get(object_id=str(key.pk), action="wagtail.create")
    assert entry.user == manager and secret not in str(entry.data)


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_valid_key_authenticates(storefront, header):
    key, secret = storefront
    value = f"Api-Key {secret}" if header == "HTTP_AUTHORIZATION" else secret
    response = APIClient().get(URL, **{header: value})
    assert response.status_code == 200
    assert response.json() == {
        "name": "Loja Next.js",
        "scopes": ["catalog:read"],
        "rate_limit": 100,
    }
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_missing_key_is_401_problem(db):
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("secret", ["rtg_nope_xyz", "garbage", "rtg__", ""])
def test_forged_keys_are_401(storefront, secret):
    key, real = storefront
    forged = secret or real[:-1] + ("A" if real[-1] != "A" else "B")
    response = APIClient().get(URL, HTTP_AUTHORIZATION=f"Api-Key {forged}")
    assert response.status_code == 401


def test_revoked_key_is_refused_at_once(storefront, manager):
    key, secret = storefront
    client = APIClient()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200
    assert revoke_api_key(key, user=manager)
    response = client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert response.status_code == 401
    assert ModelLogEntry.objects.filter(
        action="api.key.revoke", object_id=str(key.pk)
    ).exists()
    assert not revoke_api_key(key, user=manager)  # already revoked


def test_browser_origins(storefront):
    key, secret = storefront
    client = APIClient()
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    allowed = client.get(URL, HTTP_ORIGIN="https://loja.example.com", **auth)
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == "https://loja.example.com"
    other = client.get(URL, HTTP_ORIGIN="https://evil.example.net", **auth)
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        URL,
        HTTP_ORIGIN="https://loja.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert preflight["Access-Control-Allow-Origin"] == "https://loja.example.com"
    allowed_headers = preflight["Access-Control-Allow-Headers"].split(", ")
    assert {"authorization", "x-api-key", "idempotency-key"} <= set(allowed_headers)


def test_scopes_are_checked_per_view(storefront):
    key, _secret = storefront
    request = APIRequestFactory().get("/")
    request.auth = key

    class Needs:
        def __init__(self, scope):
            self.required_scope = scope

    assert HasApiKeyScope().has_permission(request, Needs("catalog:read"))
    assert not HasApiKeyScope().has_permission(request, Needs("orders:write"))
    assert not HasApiKeyScope().has_permission(request, object())  # no scope declared


def test_rate_limit_per_key(manager):
    key, secret = create_api_key(
        name="App",
        scopes=["catalog:read"],
        allowed_origins=[],
        rate_limit=2,
        user=manager,
    )
    other, other_secret = create_api_key(
        name="Outra",
        scopes=["catalog:read"],
        allowed_origins=[],
        rate_limit=2,
        user=manager,
    )
    client = APIClient()
    for _ in range(2):
        assert client.get(URL, HTTP_X_API_KEY=secret).status_code == 200
    limited = client.get(URL, HTTP_X_API_KEY=secret)
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert client.get(URL, HTTP_X_API_KEY=other_secret).status_code == 200


def test_unknown_scope_or_bad_origin_is_refused(manager):
    from api.services import InvalidApiKey

    with pytest.raises(InvalidApiKey):
        create_api_key(
            name="x",
            scopes=["everything"],
            allowed_origins=[],
            rate_limit=1,
            user=manager,
        )
    with pytest.raises(InvalidApiKey):
        create_api_key(
            name="x",
            scopes=[],
            allowed_origins=["loja.com.br/path"],
            rate_limit=1,
            user=manager,
        )
    assert not ApiKey.objects.exists()


def test_admin_creates_a_key_and_shows_the_secret_once(client, manager):
    client.force_login(manager)
    response = client.post(
        "/admin/api-keys/new/",
        {
            "name": "App iOS",
            "scopes": ["catalog:read", "orders:write"],
            "allowed_origins": "",
            "rate_limit": "300",
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    key = ApiKey.objects.get(name="App iOS")
    assert key.matches(secret)
    assert "no-store" in response["Cache-Control"]
    # the listing and the edit form never show it again
    assert secret not in client.get("/admin/api-keys/").content.decode()
    assert secret not in client.get(f"/admin/api-keys/edit/{key.pk}/").content.decode()
    assert APIClient().get(URL, HTTP_X_API_KEY=secret).status_code == 200
    assert client.post(f"/admin/api-keys/revoke/{key.pk}/").status_code == 302
    assert APIClient().get(URL, HTTP_X_API_KEY=secret).status_code == 401


def test_admin_rejects_a_bad_origin(client, manager):
    client.force_login(manager)
    response = client.post(
        "/admin/api-keys/new/",
        {
            "name": "x",
            "scopes": ["catalog:read"],
            "allowed_origins": "loja.com",
            "rate_limit": "1",
        },
    )
    assert response.status_code == 200
    assert "allowed_origins" in response.context["form"].errors
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("fixture", ["editor", "auditor", "shelf_keeper"])
def test_others_cannot_create_or_revoke_keys(client, request, fixture, storefront):
    key, _secret = storefront
    client.force_login(request.getfixturevalue(fixture))
    assert is_admin_denied(client.get("/admin/api-keys/new/"))
    assert is_admin_denied(client.post(f"/admin/api-keys/revoke/{key.pk}/"))
    key.refresh_from_db()
    assert key.is_active
