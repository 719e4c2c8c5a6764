"""Background work of the stock plugin: releasing expired cart holds (run it
periodically: ``manage.py release_expired_holds`` from cron, or the task with
``--every`` on a worker). The low-stock e-mail is ``alerts.send_low_stock_email``."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from plugins.stock.services import release_expired_holds

logger = logging.getLogger(__name__)


@task()
def release_expired_holds_task(every_minutes: int = 0) -> int:
    """Release expired cart holds; with ``every_minutes``, queue the next run
    (on backends that can defer tasks)."""
    released = release_expired_holds()
    if released:
        logger.info("released %s expired cart holds", released)
    if every_minutes:
        backend = release_expired_holds_task.get_backend()
        if backend.supports_defer:
            release_expired_holds_task.using(
                run_after=timezone.now() + datetime.timedelta(minutes=every_minutes)
            ).enqueue(every_minutes)
    return released
