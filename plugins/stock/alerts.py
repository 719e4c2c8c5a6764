"""Low-stock alerts: a level alerts once when its available units fall to its
reorder point, and again only after it rose above it. After commit, the
``STOCK_LOW`` hook runs and, when ``RETAGUARDA_STOCK_ALERT_EMAILS`` is set,
an e-mail is queued."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from plugins import hooks
from plugins.stock.hooks import STOCK_LOW
from plugins.stock.models import StockLevel


def alert_emails() -> list[str]:
    value = getattr(settings, "RETAGUARDA_STOCK_ALERT_EMAILS", "") or ""
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [address.strip() for address in value if address.strip()]


def levels_changed(level_ids: Iterable[int]) -> None:
    """Call inside the transaction that changed these levels."""
    ids = sorted(set(level_ids))
    if ids:
        transaction.on_commit(lambda: check_levels(ids))


def check_levels(level_ids: list[int]) -> list:
    """Reset levels back above their reorder point; claim and announce the
    ones that fell to it. Returns the newly alerted levels."""
    watched = StockLevel.objects.filter(pk__in=level_ids, reorder_point__gt=0)
    watched.filter(
        alerted_at__isnull=False,
        on_hand__gt=F("reserved") + F("reorder_point"),
    ).update(alerted_at=None)
    now = timezone.now()
    candidates = watched.filter(alerted_at__isnull=True).below_reorder_point()
    claimed = [
        pk
        for pk in candidates.values_list("pk", flat=True)
        if StockLevel.objects.filter(pk=pk, alerted_at__isnull=True).update(
            alerted_at=now
        )
    ]
    if not claimed:
        return []
    levels = list(
        StockLevel.objects.filter(pk__in=claimed).select_related("variant", "warehouse")
    )
    hooks.call(STOCK_LOW, levels=levels)
    if alert_emails():
        send_low_stock_email.enqueue([level.pk for level in levels])
    return levels


@task()
def send_low_stock_email(level_ids: list[int]) -> None:
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
