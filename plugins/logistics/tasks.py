"""Background work of the logistics plugin."""

from __future__ import annotations

from django_tasks import task


@task()
def print_labels_task(batch_id: int) -> dict:
    """Create the missing shipments of a label batch's orders and print
    their labels into one PDF (the shipping desk's "Gerar etiquetas"); returns
    its figures."""
    from plugins.logistics.services.labels import progress, run_label_batch

    return progress(run_label_batch(batch_id)).as_dict()
