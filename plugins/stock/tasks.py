"""Background work of the stock plugin: releasing expired cart holds (run it
periodically: ``manage.py release_expired_holds`` from cron, or the task with
``--every`` on a worker) and low-stock e-mails."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def release_expired_holds_task(every_minutes: int = 0) -> int:
    """Release expired cart holds; with ``every_minutes``, queue the next run
    (on backends that can defer tasks)."""
    from plugins.stock.services import release_expired_holds

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


@task()
def send_low_stock_email(level_ids: list[int]) -> None:
    from plugins.stock.alerts import alert_emails
    from plugins.stock.models import StockLevel

    levels = list(
        StockLevel.objects.filter(pk__in=level_ids)
        .select_related("variant", "warehouse")
        .order_by("warehouse__code", "variant__sku")
    )
    if not levels or not alert_emails():
        return
    lines = [
        _(
            "%(sku)s @ %(warehouse)s: %(available)d available "
            "(reorder point %(reorder)d)"
        )
        % {
            "sku": level.variant.sku,
            "warehouse": level.warehouse.code,
            "available": level.available,
            "reorder": level.reorder_point,
        }
        for level in levels
    ]
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    body = "\n".join(
        [
            _("These SKUs fell to their reorder point:"),
            "",
            *lines,
            "",
            f"{base}/admin/stock/levels/?below_reorder_point=true",
        ]
    )
    send_mail(
        _("Low stock: %(count)d SKUs") % {"count": len(levels)},
        body,
        None,
        alert_emails(),
    )
