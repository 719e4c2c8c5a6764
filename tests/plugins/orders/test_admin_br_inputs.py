"""“Novo pedido” takes amounts and dates typed the Brazilian way."""

import datetime
from decimal import Decimal

from django.utils import timezone

from plugins.orders.models import Order
from tests.plugins.orders import admin_fixtures
from tests.plugins.orders.admin_fixtures import login
from tests.plugins.orders.test_admin_new_order import URL, form_data

order = admin_fixtures.order


def test_prices_typed_with_a_comma_are_stored_as_meant(
    superuser, sellable, mercado_livre
):
    # given staff of a channel at its own prices typing "89,90" and "1.234,56"
    data = form_data(
        mercado_livre,
        lines=(("CAM-P", 1, "89,90"), ("CAN-1", 1, "R$ 1.234,56")),
        **{"order-shipping_total": "1.234,56"},
    )
    # when they place the order
    response = login(superuser).post(URL, data)
    # then the order holds what they meant
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["line_formset"].forms
    ]
    order = Order.objects.get()
    prices = sorted(order.lines.values_list("unit_price", flat=True))
    assert prices == [Decimal("89.90"), Decimal("1234.56")]
    assert order.shipping_total == Decimal("1234.56")


def test_an_ambiguous_amount_is_a_field_error(superuser, sellable, mercado_livre):
    data = form_data(mercado_livre, lines=(("CAM-P", 1, "1.234"),))
    response = login(superuser).post(URL, data)
    assert response.status_code == 200
    errors = response.context["line_formset"].forms[0].errors["unit_price"]
    assert "ambíguo" in str(errors)
    assert not Order.objects.exists()


def test_the_new_order_screen_shows_money_as_text_inputs(superuser, sellable, loja):
    page = login(superuser).get(URL).content.decode()
    assert 'name="order-shipping_total"' in page
    assert 'type="number"' not in page.split('name="order-shipping_total"')[0][-300:]
    assert 'inputmode="decimal"' in page


def test_a_promised_date_typed_dd_mm_yyyy_is_kept(attendant, sellable, loja):
    # given a promised date typed the Brazilian way
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = form_data(loja, **{"order-promised_delivery_date": day.strftime("%d/%m/%Y")})
    # when the order is placed
    response = login(attendant).post(URL, data)
    # then it is that day, not today
    assert response.status_code == 302
    assert Order.objects.get().promised_delivery_date == day


def test_the_date_input_shows_dd_mm_yyyy(attendant, sellable, loja):
    data = form_data(loja, **{"order-promised_delivery_date": "31/02/2030"})
    response = login(attendant).post(URL, data)
    # an impossible date is a field error, never a silent default
    assert response.status_code == 200
    assert response.context["order_form"].errors["promised_delivery_date"]
    assert not Order.objects.exists()
    # and the picker is set up for dd/mm/aaaa
    page = response.content.decode()
    assert "d/m/Y" in page


def test_the_order_listing_shows_absolute_dates(manager, order):
    # given an order placed at a known moment (São Paulo time)
    placed = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 5))  # noqa: DTZ001
    Order.objects.filter(pk=order.pk).update(placed_at=placed)
    # when the desk lists orders
    page = login(manager).get("/admin/orders/").content.decode()
    # then the moment is written out, the relative time is only a tooltip
    assert ">20/11/2026 09:05</time>" in page
    assert "atrás</time>" not in page
