"""Password guessing: the admin login and the API's token endpoint lock out an
address and a user name after too many failures, whatever X-Forwarded-For
says; lock-outs are audited and managers see and lift them."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from api.models import StaffToken
from tests.conftest import PASSWORD
from tests.factories import UserFactory

TOKEN = "/api/v1/auth/token/"
LOGIN = "/admin/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def manager_user(db):
    return UserFactory(username="gerente", roles=["manager"])


def ask_for_token(username, password, client=None, **headers):
    client = client or APIClient()
    return client.post(
        TOKEN,
        {"username": username, "password": password, "name": "ERP"},
        format="json",
        **headers,
    )


def admin_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_forged_forwarded_for_does_not_escape_the_token_lockout(manager_user):
    # given an attacker who writes a new X-Forwarded-For on every guess
    responses = [
        ask_for_token("gerente", f"palpite-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(12)
    ]
    # then the guesses are stopped before the 12th
    statuses = [response.status_code for response in responses]
    assert statuses[: LIMIT - 1] == [401] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    # with a problem document saying why and for how long
    locked = responses[LIMIT - 1]
    assert locked["Content-Type"] == "application/problem+json"
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "Muitas tentativas" in locked.json()["detail"]
    # and the right password, from another user name's point of view too,
    # gets no token now
    response = ask_for_token(
        "gerente", PASSWORD, client=APIClient(REMOTE_ADDR="192.0.2.50")
    )
    assert response.status_code == 429
    assert not StaffToken.objects.exists()


def test_a_user_name_is_locked_out_across_addresses(manager_user):
    # given guesses for one user name, each from another address
    statuses = [
        ask_for_token(
            "gerente", "errada", client=APIClient(REMOTE_ADDR=f"203.0.113.{n}")
        ).status_code
        for n in range(LIMIT)
    ]
    assert statuses[-1] == 429
    # then the right password from yet another address is refused
    fresh = APIClient(REMOTE_ADDR="192.0.2.77")
    assert ask_for_token("gerente", PASSWORD, client=fresh).status_code == 429
    assert not StaffToken.objects.exists()


def test_an_address_is_locked_out_across_user_names(manager_user):
    # given guesses for many user names from one address
    for n in range(LIMIT):
        ask_for_token(f"usuario{n}", "errada")
    # then a real user's right password from that address is refused
    assert ask_for_token("gerente", PASSWORD).status_code == 429
    # and from another address it works
    other = APIClient(REMOTE_ADDR="192.0.2.10")
    assert ask_for_token("gerente", PASSWORD, client=other).status_code == 201


@override_settings(RETAGUARDA_NUM_PROXIES=1)
def test_behind_one_proxy_the_address_the_proxy_saw_counts(manager_user):
    # given a load balancer (REMOTE_ADDR 10.0.0.1) that appends the address it
    # received from; the client forges the first entries
    def through_proxy(username, forged, real):
        return ask_for_token(
            username,
            "errada",
            client=APIClient(REMOTE_ADDR="10.0.0.1"),
            HTTP_X_FORWARDED_FOR=f"{forged}, {real}",
        )

    statuses = [
        through_proxy(f"usuario{n}", f"198.51.100.{n}", "203.0.113.5").status_code
        for n in range(LIMIT)
    ]
    # then the address the proxy saw is locked out
    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.5"
    }
    # and another client, forging the locked address, is not
    assert through_proxy("outro", "203.0.113.5", "203.0.113.9").status_code == 401


def test_admin_login_is_locked_out_even_with_the_right_password(manager_user):
    client = Client()
    # given failed logins up to the limit
    for n in range(LIMIT):
        response = admin_login(client, "gerente", f"palpite-{n}")
    assert response.status_code == 429
    # when the right password comes next
    response = admin_login(client, "gerente", PASSWORD)
    # then it is refused with the lock-out page, in pt-BR
    assert response.status_code == 429
    assert "Muitas tentativas de login" in response.content.decode()
    assert not is_signed_in(client)
    # and after the cool-off it works
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC)
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    response = admin_login(client, "gerente", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_admin_login_is_locked_out_per_user_name_across_addresses(manager_user):
    for n in range(LIMIT):
        admin_login(Client(REMOTE_ADDR=f"203.0.113.{n}"), "gerente", "errada")
    client = Client(REMOTE_ADDR="192.0.2.1")
    assert admin_login(client, "gerente", PASSWORD).status_code == 429
    assert not is_signed_in(client)


def test_lockout_is_audited_once_and_visible_to_managers(manager_user, client):
    # given a lock-out, and more attempts while it lasts
    for _n in range(LIMIT + 3):
        admin_login(Client(), "gerente", "errada")
    # then one audit entry records it
    entries = ModelLogEntry.objects.filter(action="api.login.lockout")
    assert entries.count() == 1
    assert entries.get().data["username"] == "gerente"
    assert entries.get().data["ip_address"] == "127.0.0.1"
    # and a manager sees it in the site history and in the lock-out listing
    other_manager = UserFactory(username="gerente2", roles=["manager"])
    client.force_login(other_manager)
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "gerente @ 127.0.0.1" in history
    assert "Login bloqueado" in history
    audit = client.get("/admin/audit-log/").content.decode()
    assert "gerente @ 127.0.0.1" in audit
    listing = client.get("/admin/login-lockouts/")
    assert listing.status_code == 200
    assert "gerente" in listing.content.decode()
    assert "127.0.0.1" in listing.content.decode()


def test_a_manager_unlocks_a_user_name(manager_user, client):
    # given a user name locked out
    for n in range(LIMIT):
        admin_login(Client(REMOTE_ADDR=f"203.0.113.{n}"), "gerente", "errada")
    user = Client(REMOTE_ADDR="192.0.2.1")
    assert admin_login(user, "gerente", PASSWORD).status_code == 429
    # when a manager unlocks it
    client.force_login(UserFactory(username="gerente2", roles=["manager"]))
    response = client.post(
        "/admin/login-lockouts/unlock/", {"kind": "username", "value": "gerente"}
    )
    assert response.status_code == 302
    # then the user signs in, and the unlock is audited
    assert admin_login(user, "gerente", PASSWORD).status_code == 302
    assert is_signed_in(user)
    unlock = ModelLogEntry.objects.get(action="api.login.unlock")
    assert unlock.user.username == "gerente2"


def test_only_managers_see_and_lift_lockouts(manager_user, client):
    for _n in range(LIMIT):
        admin_login(Client(), "gerente", "errada")
    client.force_login(UserFactory(username="editor", roles=["content_editor"]))
    assert client.get("/admin/login-lockouts/").status_code in (302, 403)
    response = client.post(
        "/admin/login-lockouts/unlock/", {"kind": "username", "value": "gerente"}
    )
    assert response.status_code in (302, 403)
    assert admin_login(Client(), "gerente", PASSWORD).status_code == 429
    # an auditor sees the listing, without the power to unlock
    client.force_login(UserFactory(username="auditor", roles=["auditor"]))
    listing = client.get("/admin/login-lockouts/")
    assert listing.status_code == 200
    assert "/admin/login-lockouts/unlock/" not in listing.content.decode()
    response = client.post(
        "/admin/login-lockouts/unlock/", {"kind": "username", "value": "gerente"}
    )
    assert response.status_code in (302, 403)  # Wagtail: back to the dashboard
    assert admin_login(Client(), "gerente", PASSWORD).status_code == 429


def test_a_successful_login_clears_earlier_failures(manager_user):
    client = Client()
    for _n in range(LIMIT - 1):
        admin_login(client, "gerente", "errada")
    assert admin_login(client, "gerente", PASSWORD).status_code == 302
    client.logout()
    for _n in range(LIMIT - 1):
        admin_login(client, "gerente", "errada")
    assert admin_login(client, "gerente", PASSWORD).status_code == 302
