"""The shipping desk's screens: the queue grouped by carrier, labels in bulk
with their progress page and download, closing the manifest from the queue,
the shipment and manifest pages, and who reaches them (out of scope: 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plugins.logistics.models import LabelBatch, Manifest, ShipmentStatus
from plugins.logistics.services.shipments import add_to_manifest
from plugins.orders.status import OrderStatus
from tests.factories import UserFactory
from tests.plugins.logistics.shipments.conftest import ship


@pytest.fixture
def desk(client, shipping_clerk):
    client.force_login(shipping_clerk)
    return client


def test_queue_lists_the_orders_of_the_clerks_carrier(desk, ready_orders):
    response = desk.get(reverse("logistics_shipping_queue"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rapidão" in html
    for order in ready_orders:
        assert order.number in html


def test_generate_labels_then_close_the_manifest_from_the_queue(
    desk, ready_orders, django_capture_on_commit_callbacks
):
    pks = [str(o.pk) for o in ready_orders]
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse("logistics_shipping_queue"),
            {"order": pks, "action": "labels", "layout": "a4"},
        )
    batch = LabelBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("logistics_label_batch", args=[batch.pk])
    page = desk.get(response.url)
    assert page.status_code == 200
    assert "label-batch-download" in page.content.decode()
    status = desk.get(reverse("logistics_label_batch_status", args=[batch.pk])).json()
    assert (status["done"], status["total"], status["running"]) == (3, 3, False)
    download = desk.get(reverse("logistics_label_batch_download", args=[batch.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    response = desk.post(
        reverse("logistics_shipping_queue"), {"order": pks, "action": "manifest"}
    )

    manifest = Manifest.objects.get()
    assert response.url == reverse("logistics_manifest", args=[manifest.pk])
    assert manifest.status == Manifest.Status.CLOSED
    for order in ready_orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
    pdf = desk.get(reverse("logistics_manifest_pdf", args=[manifest.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_shipment_page_labels_and_cancel(
    desk, ready_order, table_carrier, shipping_clerk, origin
):
    shipment = ship(ready_order, table_carrier, shipping_clerk)
    page = desk.get(reverse("logistics_shipment", args=[shipment.pk]))
    assert page.status_code == 200
    assert shipment.packages.get().tracking_code in page.content.decode()
    for layout in ("10x15", "a4"):
        pdf = desk.get(reverse("logistics_shipment_labels", args=[shipment.pk, layout]))
        assert pdf.content.startswith(b"%PDF")

    desk.post(reverse("logistics_shipment_cancel", args=[shipment.pk]))

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.CANCELLED


def test_another_carriers_shipment_and_manifest_do_not_exist_for_the_clerk(
    desk, ready_order, other_carrier, logistics_manager, origin
):
    theirs = ship(ready_order, other_carrier, logistics_manager)
    manifest = add_to_manifest([theirs], logistics_manager)

    for url in (
        reverse("logistics_shipment", args=[theirs.pk]),
        reverse("logistics_shipment_labels", args=[theirs.pk, "a4"]),
        reverse("logistics_shipment_cancel", args=[theirs.pk]),
        reverse("logistics_manifest", args=[manifest.pk]),
        reverse("logistics_manifest_pdf", args=[manifest.pk]),
        reverse("logistics_manifest_close", args=[manifest.pk]),
    ):
        assert desk.get(url).status_code == 404, url
    assert (
        desk.post(reverse("logistics_manifest_close", args=[manifest.pk])).status_code
        == 404
    )
    manifest.refresh_from_db()
    assert manifest.status == Manifest.Status.OPEN
    # nor in the queue
    assert (
        ready_order.number
        not in desk.get(reverse("logistics_shipping_queue")).content.decode()
    )


def test_a_label_batch_is_its_creators(
    client,
    desk,
    ready_orders,
    shipping_clerk,
    table_carrier,
    django_capture_on_commit_callbacks,
):
    from plugins.logistics.services.labels import start_label_batch

    with django_capture_on_commit_callbacks(execute=True):
        batch = start_label_batch(ready_orders, user=shipping_clerk)
    colleague = UserFactory(username="expedicao-3", roles=["shipping_desk"])
    from tests.plugins.logistics.conftest import grant_carrier

    grant_carrier(colleague, table_carrier)
    client.force_login(colleague)
    assert (
        client.get(reverse("logistics_label_batch", args=[batch.pk])).status_code == 404
    )


def test_the_order_desk_does_not_reach_the_shipping_desk(client, loja):
    attendant = UserFactory(username="atendente", roles=["order_desk"])
    client.force_login(attendant)
    response = client.get(reverse("logistics_shipping_queue"))
    assert response.status_code in (302, 403)
    assert response.status_code != 200


def test_the_logistics_menu_shows_the_shipping_desk_to_the_clerk(desk, client):
    home = desk.get("/admin/").content.decode()
    assert "/admin/logistics/shipping/" in home
    assert "/admin/logistics/manifests/" in home


def test_the_logistics_menu_hides_from_the_content_editor(client, db):
    editor = UserFactory(username="editora", roles=["content_editor"])
    client.force_login(editor)
    home = client.get("/admin/").content.decode()
    assert "/admin/logistics/" not in home


def test_the_queue_reads_a_constant_number_of_queries(
    desk, loja, ready_orders, table_carrier, shipping_clerk
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.plugins.logistics.conftest import make_ready
    from tests.plugins.orders.conftest import place

    ship(ready_orders[0], table_carrier, shipping_clerk)
    url = reverse("logistics_shipping_queue")
    desk.get(url)  # the caches of the first request (permissions, locale)
    with CaptureQueriesContext(connection) as few:
        desk.get(url)
    for _ in range(4):
        ship(make_ready(place(loja)), table_carrier, shipping_clerk)
    with CaptureQueriesContext(connection) as more:
        html = desk.get(url).content.decode()
    assert html.count("data-order=") == 7
    assert len(more) == len(few)
