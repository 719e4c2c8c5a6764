"""Enabling and disabling a plugin, in real processes sharing one database."""

import json

import pytest

from tests.helpers import manage

pytestmark = pytest.mark.slow

PROBE = """
import json
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

admin, _ = get_user_model().objects.get_or_create(
    username="probe-admin", defaults={"is_superuser": True, "is_staff": True}
)
if apps.is_installed("tests.shelves_plugin"):
    Shelf = apps.get_model("shelves", "Shelf")
    Shelf.objects.get_or_create(code="a1", defaults={"name": "Corredor A1"})
client = Client()
client.force_login(admin)
home = client.get("/admin/").content.decode()
with connection.cursor() as cursor:
    cursor.execute("SELECT code FROM shelves_shelf")
    rows = [row[0] for row in cursor.fetchall()]
print(json.dumps({
    "menu_has_shelves": '"/admin/shelves/"' in home or "/admin/shelves/" in home,
    "menu_has_backoffice": '"backoffice"' in home,
    "screen": client.get("/admin/shelves/").status_code,
    "api": client.get("/api/v1/shelves/").status_code,
    "schema_has_route": "/api/v1/shelves/"
    in client.get("/api/v1/schema/?format=json").content.decode(),
    "rows": rows,
}))
"""


def probe(env):
    return json.loads(
        manage("shell", "--no-imports", "-c", PROBE, env=env)
        .stdout.strip()
        .splitlines()[-1]
    )


def test_disabled_plugin_loses_menu_screens_and_routes_but_keeps_its_table(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    common = {"DATABASE_URL": database, "ALLOWED_HOSTS": "testserver"}
    enabled = {**common, "RETAGUARDA_PLUGINS": "tests.shelves_plugin"}
    disabled = {**common, "RETAGUARDA_PLUGINS": ""}
    manage("migrate", "--no-input", "-v0", env=enabled)

    on = probe(enabled)
    assert on["menu_has_backoffice"] and on["menu_has_shelves"]
    assert on["screen"] == 200
    assert on["api"] == 200
    assert on["schema_has_route"]

    off = probe(disabled)
    assert not off["menu_has_shelves"]
    assert not off["menu_has_backoffice"]  # the group hides itself when empty
    assert off["screen"] == 404
    assert off["api"] == 404
    assert not off["schema_has_route"]
    assert off["rows"] == ["a1"]  # the table and its data stay

    again = probe(enabled)
    assert again["screen"] == 200 and again["rows"] == ["a1"]
