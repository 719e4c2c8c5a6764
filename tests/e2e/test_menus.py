"""Each role sees its own menus and is turned away from the others' screens."""

import pytest
from playwright.sync_api import expect

# serialized_rollback: flushing between tests would also remove the page tree
# and default site that migrations create; restore them for every test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sidebar(page):
    return page.locator("[data-wagtail-sidebar], #wagtail-sidebar, aside").first


def test_content_editor_sees_content_menus_and_not_the_back_office(
    page, login, live_server, editor, shelf_a
):
    login(page, "editor")
    nav = sidebar(page)
    expect(
        nav.get_by_role("link", name="Páginas")
        .or_(nav.get_by_role("button", name="Páginas"))
        .first
    ).to_be_visible()
    expect(nav.get_by_text("Retaguarda", exact=True)).to_have_count(0)
    page.screenshot(path="var/e2e-editor.png")

    page.goto(f"{live_server.url}/admin/shelves/")
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_text("Desculpe, você não tem permissão")).to_be_visible()


def test_shelf_keeper_sees_the_back_office_and_not_the_pages(
    page, login, live_server, keeper_of_a, shelf_a, shelf_b
):
    login(page, "repositor")
    nav = sidebar(page)
    expect(nav.get_by_text("Páginas", exact=True)).to_have_count(0)
    nav.get_by_role("button", name="Retaguarda").click()
    nav.get_by_role("link", name="Prateleiras").click()
    page.wait_for_url(f"{live_server.url}/admin/shelves/")
    expect(page.get_by_role("link", name="a1")).to_be_visible()
    expect(page.get_by_text("Corredor B2")).to_have_count(0)
    page.screenshot(path="var/e2e-keeper.png")

    page.goto(f"{live_server.url}/admin/pages/")
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_text("Desculpe, você não tem permissão")).to_be_visible()
