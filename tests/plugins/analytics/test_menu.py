"""The reports' screens in Wagtail's own Relatórios menu: each shown to
whoever may open it; the content editor sees none of them."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def menu_names(client) -> list[str]:
    html = client.get("/admin/").content.decode()
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S)
    return re.findall(r'"name": "([^"]+)"', json.dumps(json.loads(props.group(1))))


def test_the_manager_finds_the_reports_in_the_reports_menu(client, manager):
    client.force_login(manager)
    names = menu_names(client)
    reports = names.index("reports")
    for item in ("reports-dashboard", "analytics-goals", "analytics-planning"):
        assert item in names[reports:], item


def test_the_content_editor_sees_none_of_them(client, editor):
    client.force_login(editor)
    names = menu_names(client)
    for item in ("reports-dashboard", "analytics-goals", "analytics-planning"):
        assert item not in names
    assert "backoffice" not in names
