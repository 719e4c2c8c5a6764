"""The test plugin's API route, under /api/v1/shelves/, with object permissions."""

import pytest
from rest_framework.test import APIClient
from wagtail import hooks
from wagtail.models import ModelLogEntry

from plugins.exceptions import Refused
from tests.shelves_plugin.hooks import SHELF_RESTOCKED

LIST = "/api/v1/shelves/"


@pytest.fixture
def api():
    return APIClient()


def test_list_shows_only_granted_shelves(api, keeper_of_a, shelf_a, shelf_b):
    api.force_authenticate(keeper_of_a)
    response = api.get(LIST)
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["a1"]


def test_detail_of_other_shelf_is_not_found(api, keeper_of_a, shelf_b):
    api.force_authenticate(keeper_of_a)
    response = api.get(f"{LIST}{shelf_b.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_auditor_lists_all(api, auditor, shelf_a, shelf_b):
    api.force_authenticate(auditor)
    assert [r["code"] for r in api.get(LIST).json()["results"]] == ["a1", "b2"]


def test_user_without_permission_gets_403_problem(api, editor, shelf_a):
    api.force_authenticate(editor)
    response = api.get(LIST)
    assert response.status_code == 403
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == 403 and body["type"].endswith("/permission-denied")


def test_anonymous_gets_401_problem_naming_the_scheme(api, shelf_a):
    response = api.get(LIST)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"


def test_inactive_user_gets_nothing(api, keeper_of_a):
    keeper_of_a.is_active = False
    keeper_of_a.save()
    api.force_authenticate(keeper_of_a)
    assert api.get(LIST).status_code == 403


def test_restock_through_the_api_runs_the_service(api, keeper_of_a, shelf_a):
    api.force_authenticate(keeper_of_a)
    response = api.post(f"{LIST}{shelf_a.pk}/restock/", {"units": 3}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["units"] == 5
    entry = ModelLogEntry.objects.get(action="shelves.restock")
    assert entry.user == keeper_of_a
    assert entry.data["changes"] == {"units": [2, 5]}


def test_restock_of_other_shelf_is_refused(api, keeper_of_a, shelf_b):
    api.force_authenticate(keeper_of_a)
    response = api.post(f"{LIST}{shelf_b.pk}/restock/", {"units": 1}, format="json")
    assert response.status_code == 404
    shelf_b.refresh_from_db()
    assert shelf_b.units == 5


def test_auditor_cannot_restock(api, auditor, shelf_a):
    api.force_authenticate(auditor)
    response = api.post(f"{LIST}{shelf_a.pk}/restock/", {"units": 1}, format="json")
    assert response.status_code == 403
    shelf_a.refresh_from_db()
    assert shelf_a.units == 2


def test_validation_errors_list_the_fields(api, keeper_of_a, shelf_a):
    api.force_authenticate(keeper_of_a)
    response = api.post(f"{LIST}{shelf_a.pk}/restock/", {"units": 0}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert "units" in body["errors"]


def test_over_capacity_is_a_409_problem_and_writes_nothing(api, keeper_of_a, shelf_a):
    api.force_authenticate(keeper_of_a)
    response = api.post(f"{LIST}{shelf_a.pk}/restock/", {"units": 9}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/over-capacity")
    assert body["free"] == 8
    shelf_a.refresh_from_db()
    assert shelf_a.units == 2
    assert not ModelLogEntry.objects.filter(action="shelves.restock").exists()


def test_hook_refusal_rolls_the_restock_back(api, keeper_of_a, shelf_a):
    class ShelfFrozen(Refused):
        code = "shelf-frozen"

    def refuse(*, shelf, units, user):
        raise ShelfFrozen(f"{shelf.code} is being counted")

    api.force_authenticate(keeper_of_a)
    with hooks.register_temporarily(SHELF_RESTOCKED, refuse):
        response = api.post(f"{LIST}{shelf_a.pk}/restock/", {"units": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["title"] == "a1 is being counted"
    shelf_a.refresh_from_db()
    assert shelf_a.units == 2
    assert not ModelLogEntry.objects.filter(action="shelves.restock").exists()
