"""The back office works without the internet: the admin dashboard, the product
editor, an order and the API docs load nothing from any host but the server
itself (no release check, no web fonts, no CDN)."""

from urllib.parse import urlsplit

import pytest

from plugins.orders.models import SalesChannel
from tests.content.conftest import make_product
from tests.factories import UserFactory
from tests.plugins.orders.conftest import place

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture
def outside_requests(page):
    """Blocks every request to a host other than the loopback one, and lists it."""
    attempts: list[str] = []

    def handle(route):
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and (
            host not in LOOPBACK
        ):
            attempts.append(url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", handle)
    return attempts


@pytest.fixture
def order(db):
    channel = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    make_product("camiseta-basica", variants=[("CAM-P", "49.90")])
    return place(channel, lines=[{"sku": "CAM-P", "quantity": 2}])


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    # scripts that run after the load (the release check, lazy fonts) too
    page.wait_for_load_state("networkidle")


def test_admin_screens_and_api_docs_call_no_outside_host(
    page, login, live_server, outside_requests, order
):
    # given a superuser (the one Wagtail would show the release check to)
    UserFactory(username="chefe", is_staff=True, is_superuser=True)
    login(page, "chefe")

    # when they open the dashboard, the new product form, an order and the docs
    visit(page, f"{live_server.url}/admin/")
    visit(page, f"{live_server.url}/admin/snippets/content/product/add/")
    visit(page, f"{live_server.url}/admin/orders/{order.pk}/")
    visit(page, f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector("h1:has-text('Retaguarda API')")
    visit(page, f"{live_server.url}/api/v1/redoc/")
    page.wait_for_selector("h1:has-text('Retaguarda API')")

    # then no page tried to reach the internet
    assert outside_requests == [], "requests to outside hosts:\n" + "\n".join(
        outside_requests
    )
