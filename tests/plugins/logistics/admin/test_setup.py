"""The logistics manager's set-up screens: carriers and their credentials,
services, origins, free-shipping rules and the freight tables' rows; the
shipping clerk sees only the carriers granted to them, read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry

from plugins.logistics.models import Carrier, FreeShippingRule

pytestmark = pytest.mark.django_db


def carrier_data(**overrides):
    data = {
        "name": "Rapidão",
        "code": "rapidao",
        "kind": "table",
        "active": "on",
        "base_url": "",
        "contract": "9912345678",
        "username": "loja",
        "access_token": "",
        "webhook_secret": "",
        "tracking_prefix": "RP",
        "cubic_factor": "6000",
        "max_weight_g": "30000",
        "max_side_cm": "100",
        "max_sum_cm": "200",
    }
    data.update(overrides)
    return data


def stored(carrier, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM logistics_carrier WHERE id = %s",  # noqa: S608
            [carrier.pk],
        )
        return cursor.fetchone()[0]


def test_credentials_are_write_only_and_encrypted(client, logistics_manager):
    client.force_login(logistics_manager)
    response = client.post(
        reverse("logistics_carriers:add"),
        carrier_data(access_token="tok-SECRETO-123", webhook_secret="whsec-XYZ-987"),
    )
    assert response.status_code == 302, response.context["form"].errors
    carrier = Carrier.objects.get(code="rapidao")
    assert carrier.access_token == "tok-SECRETO-123"
    # encrypted at rest
    assert "tok-SECRETO-123" not in stored(carrier, "access_token")
    assert "whsec-XYZ-987" not in stored(carrier, "webhook_secret")
    # never shown again; the webhook address is
    page = client.get(reverse("logistics_carriers:edit", args=[carrier.pk]))
    html = page.content.decode()
    assert "tok-SECRETO-123" not in html and "whsec-XYZ-987" not in html
    assert f"/api/v1/logistics/webhooks/{carrier.webhook_token}/" in html
    # left blank: kept; typed: replaced
    client.post(
        reverse("logistics_carriers:edit", args=[carrier.pk]),
        carrier_data(name="Rapidão Cargas", webhook_secret="novo-segredo"),
    )
    carrier.refresh_from_db()
    assert carrier.name == "Rapidão Cargas"
    assert carrier.access_token == "tok-SECRETO-123"
    assert carrier.webhook_secret == "novo-segredo"
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(carrier.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"wagtail.create", "wagtail.edit"} <= actions


def test_api_address_must_be_public(client, logistics_manager, settings):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(logistics_manager)
    response = client.post(
        reverse("logistics_carriers:add"),
        carrier_data(base_url="http://127.0.0.1:8080/api"),
    )
    assert response.status_code == 200
    assert "base_url" in response.context["form"].errors
    assert not Carrier.objects.exists()


def test_clerk_sees_only_granted_carriers_read_only(
    client, shipping_clerk, table_carrier, other_carrier
):
    table_carrier.access_token = "tok-SECRETO-123"
    table_carrier.save()
    client.force_login(shipping_clerk)
    listing = client.get(reverse("logistics_carriers:index")).content.decode()
    assert "Rapidão" in listing and "Outra Transportadora" not in listing
    inspect = client.get(reverse("logistics_carriers:inspect", args=[table_carrier.pk]))
    assert inspect.status_code == 200
    assert "tok-SECRETO-123" not in inspect.content.decode()
    other = reverse("logistics_carriers:inspect", args=[other_carrier.pk])
    assert client.get(other).status_code == 404
    # editing is the logistics manager's: denied alike for every carrier
    for carrier in (table_carrier, other_carrier):
        edit = client.get(reverse("logistics_carriers:edit", args=[carrier.pk]))
        assert edit.status_code == 302 and edit.url == reverse("wagtailadmin_home")


def test_manager_sees_and_edits_every_carrier(
    client, logistics_manager, table_carrier, other_carrier
):
    client.force_login(logistics_manager)
    listing = client.get(reverse("logistics_carriers:index")).content.decode()
    assert "Rapidão" in listing and "Outra Transportadora" in listing
    url = reverse("logistics_carriers:edit", args=[other_carrier.pk])
    assert client.get(url).status_code == 200


def test_service_terms_take_money_as_people_type_it(
    client, logistics_manager, table_carrier
):
    client.force_login(logistics_manager)
    service = table_carrier.services.get(code="EXP")
    response = client.post(
        reverse("logistics_services:edit", args=[service.pk]),
        {
            "carrier": table_carrier.pk,
            "code": "EXP",
            "name": "Expresso",
            "active": "on",
            "min_price": "R$ 12,50",
            "ad_valorem_percent": "0,5",
            "gris_percent": "0,3",
            "extra_per_kg": "1.234,56",
            "extra_days": "1",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    service.refresh_from_db()
    assert service.min_price == Decimal("12.50")
    assert service.ad_valorem_percent == Decimal("0.5")
    assert service.extra_per_kg == Decimal("1234.56")


def test_free_shipping_rule_channel_states_and_minimum(
    client, logistics_manager, table_carrier, loja
):
    client.force_login(logistics_manager)
    service = table_carrier.services.get(code="ECO")
    response = client.post(
        reverse("logistics_free_shipping:add"),
        {
            "name": "Frete grátis Sudeste",
            "active": "on",
            "service": service.pk,
            "channel_code": "loja",
            "states": ["SP", "RJ"],
            "min_order_value": "R$ 89,90",
            "product_tag": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    rule = FreeShippingRule.objects.get()
    assert (rule.channel_code, rule.states) == ("loja", "SP, RJ")
    assert rule.min_order_value == Decimal("89.90")
    page = client.get(reverse("logistics_free_shipping:edit", args=[rule.pk]))
    assert page.status_code == 200


def test_origin_warehouse_is_chosen_from_the_stock_plugin(client, logistics_manager):
    from plugins.stock.models import Warehouse

    Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)
    client.force_login(logistics_manager)
    form = client.get(reverse("logistics_origins:add")).context["form"]
    assert ("SP-01", "SP-01 · São Paulo") in list(form.fields["warehouse_code"].choices)


def test_freight_rates_listing_filters_by_destination_and_weight(
    client, logistics_manager, table_carrier
):
    client.force_login(logistics_manager)
    service = table_carrier.services.get(code="EXP")
    response = client.get(
        reverse("logistics_rates:index"),
        {"service": service.pk, "destination": "30140071", "weight": "1500"},
    )
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert len(rows) == 1
    assert rows[0].price == Decimal("42.00")  # (20 + 8) × 1,5
    assert "20000-000 – 99999-999" in response.content.decode()


def test_freight_rates_listing_links_to_the_freight_importer(
    client, logistics_manager, auditor, table_carrier
):
    start = reverse("imports:start", args=["logistics.freight_rates"])
    client.force_login(logistics_manager)
    assert start in client.get(reverse("logistics_rates:index")).content.decode()
    # the auditor reads the tables but imports nothing
    client.force_login(auditor)
    page = client.get(reverse("logistics_rates:index"))
    assert page.status_code == 200
    assert start not in page.content.decode()


def test_logistics_menu_shows_what_each_role_may_open(
    client, logistics_manager, shipping_clerk
):
    client.force_login(logistics_manager)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for name in (
        "logistics-carriers",
        "logistics-services",
        "logistics-rates",
        "logistics-free-shipping",
        "logistics-late-shipments",
        "logistics-returns",
    ):
        assert name in html, name
    client.force_login(shipping_clerk)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "logistics-carriers" in html and "logistics-returns" in html
    assert "logistics-late-deliveries" in html
    assert "logistics-services" not in html and "logistics-rates" not in html
