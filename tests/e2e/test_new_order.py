"""“Novo pedido” in the browser: an attendant takes a phone order with three
lines, each found by typing part of a name or SKU and picking it, the
customer found by CPF, the running total matching the sum by hand, and lands
on the order placed."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from plugins.orders.models import Address, Order, SalesChannel
from plugins.stock.models import Warehouse
from plugins.stock.services import receive_stock
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
def televendas(db):
    """The phone sales channel: it sells at the catalog's prices."""
    return SalesChannel.objects.create(
        code="televendas", name="Televendas", kind=SalesChannel.Kind.STOREFRONT
    )


@pytest.fixture
def catalog(db):
    camiseta = make_product(
        "camiseta-basica",
        name="Camiseta Básica",
        variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")],
    )
    make_product(
        "caneca-esmaltada", name="Caneca Esmaltada", variants=[("CAN-1", "39.90")]
    )
    make_product("bone-aba-reta", name="Boné Aba Reta", variants=[("BON-1", "59.90")])
    warehouse = Warehouse.objects.create(code="SP-01", name="CD São Paulo")
    receive_stock(
        warehouse, variant=camiseta.variants.get(sku="CAM-P"), quantity=12, user=None
    )
    return camiseta


@pytest.fixture
def maria(televendas, catalog):
    """A customer of the channel (an earlier order), with her address."""
    customer = place(televendas, lines=[{"sku": "CAN-1", "quantity": 1}]).customer
    Address.objects.create(
        customer=customer,
        recipient="Maria da Silva",
        cep="01310-100",
        street="Avenida Paulista",
        number="1000",
        district="Bela Vista",
        city="São Paulo",
        uf="SP",
    )
    return customer


@pytest.fixture
def attendant(televendas):
    user = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(user, televendas)
    return user


def pick_product(page, row: int, typed: str, option: str):
    page.locator(f"[name=lines-{row}-sku]").press_sequentially(typed)
    page.locator(f"#lines-{row}-results").get_by_role("option", name=option).click()


def test_phone_order_with_three_lines_found_by_search(
    page, login, live_server, attendant, maria
):
    login(page, "atendente")
    page.goto(f"{live_server.url}/admin/orders/new/")
    # a channel at the catalog's prices: no unit price, discount or shipping
    expect(page.get_by_role("columnheader", name="Preço unitário (R$)")).to_be_hidden()
    expect(page.locator("[name=order-shipping_total]")).to_be_hidden()

    # the customer, found by typing part of her CPF
    page.get_by_role("combobox", name="Buscar cliente").press_sequentially("529.982")
    page.get_by_role("option", name="Maria da Silva").click()
    expect(page.locator("[name=customer-document]")).to_have_value("529.982.247-25")
    expect(page.locator("[name=shipping_address-street]")).to_have_value(
        "Avenida Paulista"
    )
    expect(page.locator("[name=shipping_address-uf]")).to_have_value("SP")

    # three lines, each found by part of its name or SKU
    pick_product(page, 0, "camis", "Camiseta Básica — op0")
    expect(page.locator("#lines-0-results")).to_be_hidden()
    # the units available (12 in stock) show under the product, with a
    # warning past them
    stock = page.locator("#inline_child_lines-0 [data-line-stock]")
    page.locator("[name=lines-0-quantity]").fill("13")
    expect(stock).to_have_text("Só 12 disponíveis")
    page.locator("[name=lines-0-quantity]").fill("2")
    expect(stock).to_have_text("12 disponíveis")
    page.get_by_role("button", name="Adicionar item").click()
    pick_product(page, 1, "CAN", "Caneca Esmaltada")
    page.get_by_role("button", name="Adicionar item").click()
    page.locator("[name=lines-2-sku]").press_sequentially("bon")
    results = page.locator("#lines-2-results")
    expect(results).to_contain_text("BON-1 · R$ 59,90")
    results.get_by_role("option", name="Boné Aba Reta").click()
    page.locator("[name=lines-2-quantity]").fill("3")

    # a fourth line, added and removed again
    total = page.locator("#order-summary [data-rg-new-order-target=total]")
    expect(total).to_have_text("R$ 319,40")
    page.get_by_role("button", name="Adicionar item").click()
    pick_product(page, 3, "CAM-P", "Camiseta Básica — op0")
    expect(total).to_have_text("R$ 369,30")
    # the same product twice: the line says where it already is
    expect(page.locator("#inline_child_lines-3 [data-line-stock]")).to_have_text(
        "Já está no item 1: some a quantidade lá."
    )
    page.locator("#inline_child_lines-3").get_by_role("button", name="Remover").click()
    expect(page.locator("#inline_child_lines-3")).to_be_hidden()
    expect(total).to_have_text("R$ 319,40")

    # paid by card in 2 installments
    page.select_option("[name=order-payment_method]", "card")
    page.locator("[name=order-installments]").fill("2")

    # the running total: 2 × 49,90 + 39,90 + 3 × 59,90
    summary = page.locator("#order-summary")
    expect(summary.locator("[data-rg-new-order-target=subtotal]")).to_have_text(
        "R$ 319,40"
    )
    expect(summary.locator("[data-rg-new-order-target=total]")).to_have_text(
        "R$ 319,40"
    )
    expect(
        summary.locator("[data-rg-new-order-target=installmentsPreview]")
    ).to_have_text("2× de R$ 159,70")
    page.screenshot(path="var/e2e-new-order.png", full_page=True)

    page.get_by_role("button", name="Registrar pedido").click()
    page.wait_for_url(re.compile(r"/admin/orders/\d+/$"))
    order = Order.objects.get(lines__sku="BON-1")
    assert page.url == f"{live_server.url}/admin/orders/{order.pk}/"
    assert order.customer == maria
    assert order.total == Decimal("319.40")
    assert order.installments == 2
    assert sorted(order.lines.values_list("sku", "quantity")) == [
        ("BON-1", 3),
        ("CAM-P", 2),
        ("CAN-1", 1),
    ]
    expect(page.get_by_text(order.number).first).to_be_visible()
    expect(page.locator("body")).to_contain_text("R$ 319,40")
    page.screenshot(path="var/e2e-new-order-placed.png", full_page=True)
