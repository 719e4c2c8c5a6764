"""The lock-out page after too many failed logins: its heading stands above
the message, which does not lie over it."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import UserFactory

# serialized_rollback, as every browser test: a plain flush after this test
# would leave the next ones without the groups and pages migrations create
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_lockout_page_shows_its_heading_above_the_message(live_server, page):
    UserFactory(username="caixa", roles=["manager"])
    for n in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "caixa")
        page.fill("input[name=password]", f"palpite-{n}")
        page.click("button[type=submit]")

    heading = page.get_by_role("heading", name="Login bloqueado")
    message = page.get_by_role("alert")
    expect(heading).to_be_visible()
    expect(message).to_contain_text("Muitas tentativas de login")
    expect(page.get_by_role("link", name="Voltar ao login")).to_be_visible()
    heading_box, message_box = heading.bounding_box(), message.bounding_box()
    assert heading_box["y"] + heading_box["height"] <= message_box["y"]
