"""The admin works offline: no release check against Wagtail's server, no links
into Wagtail's guide (tests/e2e/test_offline.py watches the browser itself)."""

from wagtail.admin.menu import help_menu


def test_dashboard_has_no_release_check_for_a_superuser(client, superuser):
    # given the user Wagtail shows its upgrade notice to
    client.force_login(superuser)
    # when they open the dashboard
    html = client.get("/admin/").content.decode()
    # then no script is set up to ask Wagtail's server for the latest release
    assert 'data-controller="w-upgrade' not in html
    assert "w-panel-upgrade" not in html


def test_help_menu_has_no_items_leading_to_wagtails_guide(rf, superuser):
    # given a superuser, who sees every help item
    request = rf.get("/admin/")
    request.user = superuser
    # when the help menu is built
    items = help_menu.menu_items_for_request(request)
    # then Wagtail's "what's new" and editor guide items are gone; the rest stay
    names = [item.name for item in items]
    assert "editor-guide" not in names
    assert not [name for name in names if name.startswith("whats-new-in")]
    assert "keyboard-shortcuts-trigger" in names
