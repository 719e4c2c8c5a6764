"""Staff tokens: personal credentials of back-office users for the staff
endpoints, issued by the API (user name and password) or in the admin."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from api.models import StaffToken
from api.services import issue_staff_token
from tests.conftest import PASSWORD
from tests.factories import UserFactory

TOKEN = "/api/v1/auth/token/"
SHELVES = "/api/v1/shelves/"


def bearer(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def ask_for_token(username, password=PASSWORD, **extra):
    return APIClient().post(
        TOKEN, {"username": username, "password": password, "name": "ERP", **extra}
    )


def test_issued_token_acts_as_the_user_within_their_objects(keeper_of_a):
    response = ask_for_token("repositor", days=30)
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token"].startswith("rtgs_")
    assert body["username"] == "repositor"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert (
        datetime.timedelta(days=29, hours=23)
        < expires - timezone.now()
        <= datetime.timedelta(days=30)
    )
    # Only the hash is stored.
    stored = StaffToken.objects.get(prefix=body["prefix"])
    assert body["token"] not in {stored.key_hash, stored.prefix}

    shelves = bearer(body["token"]).get(SHELVES)
    assert shelves.status_code == 200
    assert [row["code"] for row in shelves.json()["results"]] == ["a1"]
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert ModelLogEntry.objects.filter(
        action="api.staff_token.issue", object_id=str(stored.pk)
    ).exists()


def test_wrong_password_gets_a_problem_and_no_token(keeper_of_a):
    response = ask_for_token("repositor", password="errada")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert not StaffToken.objects.exists()


def test_users_without_admin_access_get_no_token(db):
    UserFactory(username="cliente")
    assert ask_for_token("cliente").status_code == 401
    assert not StaffToken.objects.exists()


def test_bad_requests_list_the_fields(keeper_of_a):
    response = APIClient().post(TOKEN, {"username": "repositor", "days": 9999})
    assert response.status_code == 400
    fields = set(response.json()["errors"])
    assert {"password", "name", "days"} <= fields


def test_password_guessing_is_locked_out(keeper_of_a):
    # More in tests/api/test_login_lockout.py.
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [ask_for_token("repositor", password="x").status_code for _ in range(11)]
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}


def test_token_reads_itself_and_revokes_itself(keeper_of_a):
    token, secret = issue_staff_token(user=keeper_of_a, name="Planilhas")
    client = bearer(secret)
    me = client.get(TOKEN)
    assert me.status_code == 200
    assert me.json()["name"] == "Planilhas"
    assert client.delete(TOKEN).status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = client.get(SHELVES)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Este token foi revogado."


def test_expired_forged_and_deactivated_tokens_are_refused(keeper_of_a, shelf_keeper):
    token, secret = issue_staff_token(user=keeper_of_a, name="Curto")
    assert bearer(secret[:-2] + "xx").get(SHELVES).status_code == 401
    assert bearer("rtgs_nada_nada").get(SHELVES).status_code == 401

    StaffToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert bearer(secret).get(SHELVES).status_code == 401

    _token, other = issue_staff_token(user=keeper_of_a, name="Outro")
    assert bearer(other).get(SHELVES).status_code == 200
    shelf_keeper.is_active = False
    shelf_keeper.save()
    assert bearer(other).get(SHELVES).status_code == 401


def test_a_token_does_not_reach_beyond_its_users_permissions(editor, shelf_a):
    _token, secret = issue_staff_token(user=editor, name="Editor")
    response = bearer(secret).get(SHELVES)
    assert response.status_code == 403


def test_a_token_is_not_an_api_key(keeper_of_a, db):
    """Storefront endpoints want an API key: a staff token does not open them."""
    _token, secret = issue_staff_token(user=keeper_of_a, name="ERP")
    assert bearer(secret).get("/api/v1/catalog/products/").status_code in (401, 403)


# -- The admin screen ----------------------------------------------------------


@pytest.fixture
def keeper_client(client, keeper_of_a):
    client.force_login(keeper_of_a)
    return client


def test_admin_issues_a_token_shown_once(keeper_client, keeper_of_a):
    page = keeper_client.get("/admin/api-tokens/")
    assert page.status_code == 200
    response = keeper_client.post("/admin/api-tokens/", {"name": "ERP", "days": 7})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r"rtgs_[\w-]+", response.content.decode()).group(0)
    assert bearer(secret).get(SHELVES).status_code == 200
    # The listing shows the prefix only.
    listing = keeper_client.get("/admin/api-tokens/").content.decode()
    assert "ERP" in listing
    assert secret not in listing


def test_admin_validates_the_form(keeper_client):
    response = keeper_client.post("/admin/api-tokens/", {"name": "", "days": 0})
    assert response.status_code == 200
    assert not StaffToken.objects.exists()


def test_admin_revokes_own_tokens_only(keeper_client, keeper_of_a, editor):
    mine, secret = issue_staff_token(user=keeper_of_a, name="Meu")
    theirs, their_secret = issue_staff_token(user=editor, name="Deles")
    response = keeper_client.post(f"/admin/api-tokens/{theirs.pk}/revoke/")
    assert response.status_code == 404
    assert bearer(their_secret).get(TOKEN).status_code == 200

    keeper_client.post(f"/admin/api-tokens/{mine.pk}/revoke/")
    assert bearer(secret).get(TOKEN).status_code == 401
    assert ModelLogEntry.objects.filter(
        action="api.staff_token.revoke", object_id=str(mine.pk)
    ).exists()


def test_account_page_links_to_the_tokens(keeper_client):
    assert "/admin/api-tokens/" in keeper_client.get("/admin/account/").content.decode()
