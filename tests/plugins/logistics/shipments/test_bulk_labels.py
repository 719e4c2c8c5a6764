"""Bulk labels: a batch creates the missing shipments, prints every label
into one PDF, counts its progress and records each order's error without
stopping."""

from __future__ import annotations

import pypdfium2
import pytest

from plugins.logistics.models import LabelBatch, LabelLayout, Shipment
from plugins.logistics.services.labels import progress, start_label_batch
from plugins.orders.status import OrderStatus
from tests.plugins.logistics.shipments.conftest import ship


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Runs the batch's task (immediate backend) when the transaction commits."""
    return django_capture_on_commit_callbacks(execute=True)


def test_a_batch_ships_the_orders_and_prints_their_labels(
    ready_orders, table_carrier, shipping_clerk, run_on_commit
):
    # one order has its shipment already: it keeps it
    existing = ship(ready_orders[0], table_carrier, shipping_clerk)
    with run_on_commit:
        batch = start_label_batch(
            ready_orders, user=shipping_clerk, layout=LabelLayout.THERMAL
        )

    batch.refresh_from_db()
    assert batch.status == LabelBatch.Status.DONE
    assert (batch.done, batch.total, batch.errors) == (3, 3, [])
    assert progress(batch).progress == 100
    assert Shipment.objects.filter(order__in=ready_orders).count() == 3
    assert Shipment.objects.filter(order=ready_orders[0]).get() == existing
    with batch.file.open("rb") as handle:
        pdf = pypdfium2.PdfDocument(handle.read())
    # three labels, each with its declaration of contents
    assert len(pdf) == 6
    text = pdf[0].get_textpage().get_text_range()
    assert existing.packages.get().tracking_code in text


def test_an_order_that_cannot_ship_is_an_error_not_a_stop(
    ready_orders, table_carrier, shipping_clerk, run_on_commit
):
    cancelled = ready_orders[1]
    type(cancelled).objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELLED)
    with run_on_commit:
        batch = start_label_batch(ready_orders, user=shipping_clerk, layout="a4")

    batch.refresh_from_db()
    assert batch.status == LabelBatch.Status.DONE
    assert batch.done == 3
    assert [e["order"] for e in batch.errors] == [cancelled.number]
    assert Shipment.objects.filter(order__in=ready_orders).count() == 2
    with batch.file.open("rb") as handle:
        assert len(pypdfium2.PdfDocument(handle.read())) == 3  # a sheet + 2


def test_orders_of_a_carrier_out_of_scope_are_not_labelled(
    ready_orders, table_carrier, other_carrier, shipping_clerk, run_on_commit
):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from plugins.logistics.models import OrderShipping

    OrderShipping.objects.create(
        order=ready_orders[0],
        service=other_carrier.services.first(),
        price=Decimal("10.00"),
        delivery_days=3,
        handling_deadline=datetime.date(2026, 3, 3),
        promised_date=datetime.date(2026, 3, 6),
        quoted_at=timezone.now(),
    )
    with run_on_commit:
        batch = start_label_batch(ready_orders, user=shipping_clerk)

    batch.refresh_from_db()
    assert [e["order"] for e in batch.errors] == [ready_orders[0].number]
    assert not Shipment.objects.filter(order=ready_orders[0]).exists()
