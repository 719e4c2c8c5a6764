"""The order desk in the browser: an attendant of the storefront channel finds
an order by CPF, moves it through its lifecycle with the buttons, reads the
timeline, and gets 404 for another channel's order."""

import pytest
from playwright.sync_api import expect

from plugins.orders.models import Order, OrderStatus, SalesChannel
from tests.content.conftest import make_product
from tests.factories import UserFactory
from tests.plugins.orders.conftest import grant_channel, place

# serialized_rollback: flushing between tests would also remove the page tree
# and default site that migrations create; restore them for every test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def channels(db):
    loja = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    mercado_livre = SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind=SalesChannel.Kind.MARKETPLACE,
        accepts_custom_prices=True,
    )
    return loja, mercado_livre


@pytest.fixture
def orders(channels):
    loja, mercado_livre = channels
    make_product("camiseta-basica", variants=[("CAM-P", "49.90")])
    make_product("caneca", variants=[("CAN-1", "39.90")])
    mine = place(loja)
    other = place(
        mercado_livre,
        external_id="MLB-1",
        customer={"name": "João Souza", "document": "111.444.777-35"},
    )
    decoy = place(loja, customer={"name": "Outra Pessoa", "email": "o@example.com"})
    return mine, other, decoy


@pytest.fixture
def order_desk_attendant(channels):
    user = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(user, channels[0])  # the storefront only
    return user


def test_attendant_finds_an_order_by_cpf_and_moves_it_to_delivered(
    page, login, live_server, order_desk_attendant, orders
):
    mine, other, decoy = orders
    login(page, "atendente")

    page.goto(f"{live_server.url}/admin/orders/")
    expect(page.get_by_role("link", name=decoy.number)).to_be_visible()
    expect(page.get_by_text(other.number)).to_have_count(0)
    page.screenshot(path="var/e2e-order-listing.png", full_page=True)
    page.locator("input[name=q]").fill("529.982.247-25")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=decoy.number)).to_have_count(0)
    page.get_by_role("link", name=mine.number).click()
    page.wait_for_url(f"{live_server.url}/admin/orders/{mine.pk}/")

    status = page.locator("#order-status")
    expect(status).to_have_text("Aguardando pagamento")
    for button, reached in (
        ("Confirmar pagamento", "Pago"),
        ("Marcar como faturado", "Faturado"),
        ("Pronto para envio", "Pronto para envio"),
        ("Marcar como enviado", "Enviado"),
        ("Marcar como entregue", "Entregue"),
    ):
        page.locator("#order-transitions").get_by_role("button", name=button).click()
        expect(status).to_have_text(reached)
    # a delivered order can only come back
    expect(page.locator("#order-transitions [data-transition]")).to_have_count(1)
    expect(page.locator("#order-transitions")).to_contain_text("Marcar como devolvido")

    timeline = page.locator("#order-timeline-list")
    for entry in (
        "Aguardando pagamento → Pago",
        "Pago → Faturado",
        "Faturado → Pronto para envio",
        "Pronto para envio → Enviado",
        "Enviado → Entregue",
        "Pedido recebido",
    ):
        expect(timeline).to_contain_text(entry)
    expect(timeline.locator("li").first).to_contain_text("Enviado → Entregue")
    page.screenshot(path="var/e2e-order-desk.png", full_page=True)
    mine.refresh_from_db()
    assert mine.status == OrderStatus.DELIVERED

    response = page.goto(f"{live_server.url}/admin/orders/{other.pk}/")
    assert response.status == 404
    assert Order.objects.get(pk=other.pk).status == OrderStatus.PENDING_PAYMENT
