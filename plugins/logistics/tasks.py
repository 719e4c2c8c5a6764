"""Background work of the logistics plugin."""

from __future__ import annotations

from django_tasks import task


@task()
def pull_tracking_task(carrier_pks: list[int] | None = None) -> dict:
    """Pull the tracking events of the shipments on the way (every carrier
    with a tracking API, or those given), with backoff on retryable errors
    (see :func:`plugins.logistics.services.tracking.pull_tracking`).
    Schedule it (cron, a worker's periodic run) every hour or so."""
    from plugins.logistics.models import Carrier
    from plugins.logistics.services.tracking import pull_tracking

    carriers = None
    if carrier_pks:
        carriers = list(Carrier.objects.filter(pk__in=carrier_pks, active=True))
    return pull_tracking(carriers).as_dict()


@task()
def print_labels_task(batch_id: int) -> dict:
    """Create the missing shipments of a label batch's orders and print
    their labels into one PDF (the shipping desk's "Gerar etiquetas"); returns
    its figures."""
    from plugins.logistics.services.labels import progress, run_label_batch

    return progress(run_label_batch(batch_id)).as_dict()
