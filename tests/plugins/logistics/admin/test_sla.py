"""What is late, in the listings, on the dashboard and in the shipping
desk's digest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from plugins.logistics.models import Shipment
from plugins.logistics.querysets import late_to_ship
from plugins.orders.models import Order
from tests.plugins.logistics.admin.sla import S, order_with_option, shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(loja, sellable, table_carrier, other_carrier):
    """Of the table carrier: an order past its handling deadline (late), one
    due today (not late), one past it but handed over (not late), a
    shipment past its promised date (late), one delivered past it (not
    late), one on its way due tomorrow (not late). Of the other carrier:
    one late order and one late shipment."""
    late = order_with_option(loja, table_carrier, deadline=-2)
    due_today = order_with_option(loja, table_carrier, deadline=0)
    handed = order_with_option(loja, table_carrier, deadline=-2)
    shipment(handed, table_carrier, S.HANDED_OVER, deadline=-2)
    on_way = order_with_option(loja, table_carrier, deadline=-5)
    late_parcel = shipment(
        on_way, table_carrier, S.IN_TRANSIT, promised=-1, code="RP000000019BR"
    )
    delivered = order_with_option(loja, table_carrier, deadline=-5)
    shipment(delivered, table_carrier, S.DELIVERED, promised=-1)
    tomorrow = order_with_option(loja, table_carrier, deadline=-5)
    shipment(tomorrow, table_carrier, S.OUT_FOR_DELIVERY, promised=1)
    other_late = order_with_option(loja, other_carrier, deadline=-1)
    other_order = order_with_option(loja, other_carrier, deadline=-5)
    other_parcel = shipment(other_order, other_carrier, S.IN_TRANSIT, promised=-3)
    return {
        "late": late,
        "due_today": due_today,
        "handed": handed,
        "late_parcel": late_parcel,
        "other_late": other_late,
        "other_parcel": other_parcel,
    }


def test_late_to_ship_is_past_the_deadline_and_not_handed_over(world):
    late = set(late_to_ship(Order.objects.all()))
    assert late == {world["late"], world["other_late"]}


def test_late_to_ship_follows_a_shipment_deadline_too(loja, sellable, table_carrier):
    from tests.plugins.logistics.conftest import make_ready
    from tests.plugins.orders.conftest import place

    order = make_ready(place(loja))  # no freight option (a staff order)
    shipment(order, table_carrier, S.LABELLED, deadline=-1)
    assert list(late_to_ship(Order.objects.all())) == [order]


def test_late_to_deliver_is_on_the_way_past_the_promise(world):
    assert set(Shipment.objects.late_delivery()) == {
        world["late_parcel"],
        world["other_parcel"],
    }


def test_listings_show_the_clerks_carriers_only(client, shipping_clerk, world):
    client.force_login(shipping_clerk)
    page = client.get(reverse("logistics_late_shipments"))
    assert page.status_code == 200
    assert list(page.context["object_list"]) == [world["late"]]
    page = client.get(reverse("logistics_late_deliveries"))
    assert list(page.context["object_list"]) == [world["late_parcel"]]
    assert "RP000000019BR" in page.content.decode()


def test_manager_filters_the_listings_by_carrier(
    client, logistics_manager, world, other_carrier
):
    client.force_login(logistics_manager)
    url = reverse("logistics_late_shipments")
    assert set(client.get(url).context["object_list"]) == {
        world["late"],
        world["other_late"],
    }
    page = client.get(url, {"carrier": other_carrier.pk})
    assert list(page.context["object_list"]) == [world["other_late"]]
    page = client.get(
        reverse("logistics_late_deliveries"), {"carrier": other_carrier.pk}
    )
    assert list(page.context["object_list"]) == [world["other_parcel"]]


def test_dashboard_counts_late_per_carrier(
    client, shipping_clerk, logistics_manager, world
):
    client.force_login(logistics_manager)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="logistics-late-section"' in html
    panel = html[html.index('id="logistics-late-section"') :]
    assert "Rapidão" in panel and "Outra Transportadora" in panel
    assert reverse("logistics_late_shipments") in panel
    client.force_login(shipping_clerk)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html[html.index('id="logistics-late-section"') :]
    assert "Rapidão" in panel and "Outra Transportadora" not in panel


def test_panel_counts(shipping_clerk, logistics_manager, world, table_carrier):
    from plugins.logistics.dashboard import late_counts

    counts = {
        row.carrier.code: (row.to_ship, row.to_deliver)
        for row in late_counts(logistics_manager)
    }
    assert counts == {"rapidao": (1, 1), "outra": (1, 1)}
    counts = {
        row.carrier.code: (row.to_ship, row.to_deliver)
        for row in late_counts(shipping_clerk)
    }
    assert counts == {"rapidao": (1, 1)}


def test_digest_mails_each_clerk_the_late_items_of_their_carriers(
    shipping_clerk, world
):
    call_command("logistics_late_digest")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [shipping_clerk.email]
    assert world["late"].number in message.body
    assert world["late_parcel"].order.number in message.body
    assert "RP000000019BR" in message.body
    assert world["other_late"].number not in message.body


def test_no_digest_when_nothing_is_late(shipping_clerk, table_carrier):
    call_command("logistics_late_digest")
    assert mail.outbox == []
