"""Printing the labels of many orders at once (the shipping desk queue's
"Gerar etiquetas"): a :class:`LabelBatch` per run, worked by a background
task, followed on its page.

:func:`start_label_batch` records the batch and queues
:func:`run_label_batch` after the transaction commits. The task takes the
orders one by one: an order with a live shipment keeps it; one without gets
a shipment with its default package (:func:`create_shipment`, with the
carrier of the order's freight option or the clerk's only carrier); an order
that cannot ship (cancelled meanwhile, out of scope, the carrier failing)
is recorded in the batch's errors with the reason, and the others go on.
``done`` counts the orders processed. Then every label goes into one PDF in
the batch's layout, stored (private storage) in ``LabelBatch.file``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.logistics.models import Carrier, LabelBatch, LabelLayout, Shipment
from plugins.logistics.permissions import shippable_carriers
from plugins.logistics.services.shipments import (
    ShipmentRefused,
    create_shipment,
    default_carrier,
    live_shipment,
    order_shipping,
)
from plugins.orders.models import Order

logger = logging.getLogger(__name__)
B = LabelBatch.Status


def carrier_for_order(order: Order, user) -> Carrier | None:
    """The carrier ``order`` ships with, for ``user``: its freight option's
    carrier, otherwise the only carrier ``user`` ships with; ``None`` when
    neither is (or the carrier is out of the user's scope)."""
    shipping = order_shipping(order)
    if shipping is not None:
        carrier = shipping.service.carrier
        if shippable_carriers(user).filter(pk=carrier.pk).exists():
            return carrier
        return None
    return default_carrier(user)


def start_label_batch(
    orders: Iterable[Order], *, user, layout: str = LabelLayout.THERMAL
) -> LabelBatch:
    """Record a label batch for ``orders`` (each once, in the order of their
    ids) on behalf of ``user`` and queue its task after the transaction
    commits. Logs ``logistics.labels.print``. The caller checks that the user
    sees the orders; each order's carrier is checked again by the task."""
    if layout not in LabelLayout.values:
        raise ShipmentRefused(_("Choose a label layout."))
    pks = sorted({order.pk for order in orders})
    if not pks:
        raise ShipmentRefused(_("Choose the orders to label."))
    with transaction.atomic():
        batch = LabelBatch.objects.create(
            created_by=user, layout=layout, order_ids=pks, total=len(pks)
        )
        log_change(batch, "logistics.labels.print", user=user, orders=len(pks))
        batch_id = batch.pk

        def enqueue() -> None:
            from plugins.logistics.tasks import print_labels_task

            print_labels_task.enqueue(batch_id)

        transaction.on_commit(enqueue)
    return batch


def run_label_batch(batch_id: int) -> LabelBatch:
    """Create the missing shipments of a batch's orders and print all their
    labels into one PDF (the task's work; see the module's docstring). Runs
    once per batch: one already taken by a worker is left alone. Calls the
    carriers: run it outside a transaction."""
    claimed = LabelBatch.objects.filter(pk=batch_id, status=B.PENDING).update(
        status=B.RUNNING
    )
    batch = LabelBatch.objects.select_related("created_by").get(pk=batch_id)
    if not claimed:
        return batch
    user = batch.created_by
    try:
        shipments, errors = _shipments(batch, user)
        from plugins.logistics.documents import labels_for, labels_pdf

        pdf = labels_pdf(labels_for(shipments), batch.layout)
        name = f"etiquetas-{batch.pk}-{secrets.token_hex(8)}.pdf"
        batch.file.save(name, ContentFile(pdf), save=False)
        LabelBatch.objects.filter(pk=batch.pk).update(
            file=batch.file.name,
            errors=errors,
            status=B.DONE,
            finished_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("label batch %s stopped", batch.pk)
        LabelBatch.objects.filter(pk=batch.pk).update(
            status=B.FAILED,
            finished_at=timezone.now(),
            errors=[*batch.errors, {"order": "", "message": str(error)[:255]}],
        )
        raise
    batch.refresh_from_db()
    return batch


def _shipments(batch: LabelBatch, user) -> tuple[list[Shipment], list[dict]]:
    shipments: list[Shipment] = []
    errors: list[dict] = []
    orders = Order.objects.in_bulk(batch.order_ids)
    for pk in batch.order_ids:
        order = orders.get(pk)
        try:
            if order is None:
                raise ShipmentRefused(_("The order no longer exists."))
            if user is None or not user.is_active:
                raise ShipmentRefused(_("You no longer ship orders."))
            shipment = live_shipment(order)
            if shipment is None:
                carrier = carrier_for_order(order, user)
                if carrier is None:
                    raise ShipmentRefused(
                        _("Choose the order's carrier: it has no freight option.")
                    )
                shipment = create_shipment(order, carrier=carrier, user=user)
            elif not shippable_carriers(user).filter(pk=shipment.carrier_id).exists():
                raise ShipmentRefused(_("The order's carrier is not yours."))
            shipments.append(shipment)
        except RetaguardaError as error:
            errors.append(
                {
                    "order": order.number if order else str(pk),
                    "message": str(error.message or error)[:255],
                }
            )
        LabelBatch.objects.filter(pk=batch.pk).update(done=F("done") + 1)
    LabelBatch.objects.filter(pk=batch.pk).update(errors=errors)
    return shipments, errors


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int

    @property
    def progress(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "progress": self.progress,
        }


def progress(batch: LabelBatch) -> Progress:
    return Progress(total=batch.total, done=batch.done, failed=len(batch.errors))


def is_running(batch: LabelBatch) -> bool:
    return batch.status in (B.PENDING, B.RUNNING)
