"""Malformed request bodies get a problem document, never a 500 or an HTML
page, on every write endpoint of the API, and nothing is written for them."""

import json
import re
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from api.middleware import MAX_JSON_DEPTH
from api.models import Scope
from api.services import create_api_key
from tests.conftest import PASSWORD
from tests.factories import UserFactory

WRITE_METHODS = ("post", "put", "patch", "delete")
DEEP = "[" * 1000 + "]" * 1000
PROBLEM = "application/problem+json"


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry.pattern), entry.callback


def _route(pattern) -> str:
    regex = getattr(pattern, "_route", None)
    return regex if regex is not None else pattern.regex.pattern


_SAMPLES = {"int": "1", "uuid": str(uuid.UUID(int=1))}


def _sample_path(route: str) -> str:
    """A concrete path for a route: path converters and named regex groups
    filled with sample values, regex anchors removed."""
    path = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "x1"), route
    )
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _write_methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset: the methods its router mapped
        return [m for m in WRITE_METHODS if m in actions]
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return []
    return [m for m in WRITE_METHODS if hasattr(view_class, m)]


def write_endpoints() -> list[tuple[str, str]]:
    """(method, path) of every write operation under /api/v1/, from the URL
    resolver: routes added later are covered without listing them here."""
    endpoints = []
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or "(?P<format>" in route:
            continue
        methods = _write_methods(callback)
        if not methods:
            continue
        path = _sample_path(route)
        assert resolve(path).func is callback, f"no sample path for {route}"
        endpoints += [(method, path) for method in methods]
    return endpoints


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def authenticated_client(db):
    _key, secret = create_api_key(
        name="Loja",
        scopes=list(Scope.values),
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    client = APIClient(HTTP_X_API_KEY=secret)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_the_api_has_write_endpoints_to_check(db):
    endpoints = write_endpoints()
    assert ("post", "/api/v1/auth/token/") in endpoints
    assert ("post", "/api/v1/orders/") in endpoints
    assert len(endpoints) > 5


@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "auth"])
def test_deeply_nested_and_oversized_bodies_are_problems_on_every_write_endpoint(
    request, db, authenticated
):
    # given every write endpoint of the API, a client with or without
    # credentials, and the rows in every table
    client = (
        request.getfixturevalue("authenticated_client")
        if authenticated
        else APIClient()
    )
    oversized = json.dumps({"name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    before = row_counts()
    wrong = []
    # when each gets a body nested 1,000 levels deep and one over the limit
    for method, path in write_endpoints():
        for body, status in ((DEEP, 400), (oversized, 413)):
            response = client.generic(
                method.upper(), path, body, content_type="application/json"
            )
            if (
                response.status_code != status
                or response["Content-Type"] != PROBLEM
                or response.json()["status"] != status
            ):
                wrong.append((method, path, status, response.status_code))
    # then each answers a problem document with the status, and nothing was
    # written anywhere
    assert wrong == []
    assert row_counts() == before


def test_brackets_inside_strings_do_not_count_as_nesting(db):
    # given a user whose password guess is full of brackets
    UserFactory(username="gerente", roles=["manager"])
    guess = "[{" * 1000
    # when it is sent
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "gerente", "password": guess[:128], "name": "[" * 100},
        format="json",
    )
    # then it is an ordinary wrong password
    assert response.status_code == 401


def test_nesting_up_to_the_limit_reaches_the_endpoint(db):
    # given a body as deep as allowed: an object holding arrays in arrays
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = f'{{"username": "x", "password": "y", "name": {nested}}}'
    response = APIClient().post(
        "/api/v1/auth/token/", body, content_type="application/json"
    )
    # the field is refused by the serializer, not by the depth limit
    assert response.status_code == 400
    assert response.json()["type"].endswith("/validation-error")

    # and one level deeper
    deeper = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    body = f'{{"username": "x", "password": "y", "name": {deeper}}}'
    response = APIClient().post(
        "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/parse-error")


def test_oversized_form_fields_are_a_problem_too(db):
    # Form and multipart bodies are parsed by Django, whose limit answered an
    # HTML "Bad Request (400)".
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "gerente", "password": PASSWORD, "name": big},
        format="multipart",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
