"""Amounts and dates typed the Brazilian way in the browser: the product
editor keeps "89,90" and "1.234,56" as 89.90 and 1234.56, and a date typed
dd/mm/aaaa in “Novo pedido” is the day the attendant meant."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from content.models import Product
from plugins.orders.models import Order, SalesChannel
from tests.content.conftest import make_product
from tests.plugins.orders.conftest import ADDRESS, CUSTOMER

# serialized_rollback: flushing between tests would also remove the page tree
# and default site that migrations create; restore them for every test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_editor_types_prices_with_a_comma(page, login, live_server, editor):
    # given a product with two variants at 49,90 and 54,90
    product = make_product(
        "camiseta-basica", variants=[("CAM-M", "49.90"), ("CAM-G", "54.90")]
    )
    login(page, "editor")
    page.goto(f"{live_server.url}/admin/snippets/content/product/edit/{product.pk}/")
    page.get_by_role("tab", name="Variantes").click()
    first = page.locator("#id_variants-0-price")
    # the price is shown the Brazilian way, in a text input
    expect(first).to_have_value("49,90")
    expect(first).to_have_attribute("inputmode", "decimal")
    # when the editor types 89,90 and 1.234,56 and saves the draft
    first.fill("")
    first.press_sequentially("89,90")
    second = page.locator("#id_variants-1-price")
    second.fill("")
    second.press_sequentially("1.234,56")
    page.get_by_role("button", name="Salvar rascunho").click()
    expect(page.locator(".messages")).to_contain_text("atualizado")
    # then the draft holds what they meant
    draft = Product.objects.get(pk=product.pk).get_latest_revision_as_object()
    prices = {v.sku: v.price for v in draft.variants.all()}
    assert prices == {"CAM-M": Decimal("89.90"), "CAM-G": Decimal("1234.56")}
    # and the editor shows them back as typed
    page.get_by_role("tab", name="Variantes").click()
    expect(page.locator("#id_variants-1-price")).to_have_value("1.234,56")


def test_attendant_types_a_promised_date_dd_mm_yyyy(
    page, login, live_server, superuser
):
    # given a channel at its own prices and a product to sell
    SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind=SalesChannel.Kind.MARKETPLACE,
        accepts_custom_prices=True,
    )
    make_product("camiseta-basica", variants=[("CAM-P", "49.90")])
    superuser.set_password("senha-de-teste")
    superuser.save()
    day = timezone.localdate() + datetime.timedelta(days=40)
    typed = day.strftime("%d/%m/%Y")
    login(page, "root")
    page.goto(f"{live_server.url}/admin/orders/new/")
    page.select_option("[name=order-channel]", label="Mercado Livre")
    for key, value in CUSTOMER.items():
        page.fill(f"[name=customer-{key}]", value)
    for key, value in ADDRESS.items():
        if key == "uf":
            page.select_option("[name=shipping_address-uf]", value)
        else:
            page.fill(f"[name=shipping_address-{key}]", value)
    page.fill("[name=lines-0-sku]", "CAM-P")
    page.fill("[name=lines-0-quantity]", "1")
    page.locator("[name=lines-0-unit_price]").press_sequentially("1.234,56")
    # an impossible date stays as typed (the picker used to make 31/02 into
    # 03/03), for the form to refuse it on the field
    date_input = page.locator("[name=order-promised_delivery_date]")
    date_input.click()
    date_input.press_sequentially("31/02/2026")
    date_input.press("Tab")
    expect(date_input).to_have_value("31/02/2026")
    date_input.fill("")
    # when the attendant types the date and leaves the field
    date_input.click()
    date_input.press_sequentially(typed)
    date_input.press("Tab")
    # then the input keeps it (the picker does not turn it into today)
    expect(date_input).to_have_value(typed)
    # the picker stays open over the form until the attendant clicks elsewhere
    page.locator("p.w-help-text").first.click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)
    expect(date_input).to_have_value(typed)
    page.get_by_role("button", name="Registrar pedido").click()
    page.wait_for_url(f"{live_server.url}/admin/orders/*/")
    order = Order.objects.get()
    assert order.promised_delivery_date == day
    assert order.lines.get().unit_price == Decimal("1234.56")
