"""The reports' demo: this month's goals, the manager's daily goals e-mail
and the rollups of every source (``order=9``: after every other plugin's
demo data). Idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from plugins.analytics import rollups
from plugins.analytics.models import DigestSubscription, Goal
from plugins.analytics.periods import month_start, store_today

#: (KPI, channel code or None for the store, target)
GOALS = (
    ("orders.gmv", None, Decimal("150000.00")),
    ("orders.gmv", "loja", Decimal("60000.00")),
    ("orders.orders", None, Decimal("220")),
    ("orders.cancellation_rate", None, Decimal("5.00")),
)


def seed_demo_goals() -> int:
    from plugins.orders.models import SalesChannel

    manager = get_user_model().objects.filter(username="gerente").first()
    start = month_start(store_today())
    created = 0
    for kpi, channel_code, target in GOALS:
        channel = (
            SalesChannel.objects.filter(code=channel_code).first()
            if channel_code
            else None
        )
        if channel_code and channel is None:
            continue
        _goal, new = Goal.objects.get_or_create(
            kpi=kpi,
            period_kind=Goal.PeriodKind.MONTH,
            period_start=start,
            channel=channel,
            seller=None,
            defaults={"target": target, "created_by": manager},
        )
        created += new
    if manager is not None:
        DigestSubscription.objects.get_or_create(
            user=manager, defaults={"frequency": DigestSubscription.Frequency.DAILY}
        )
    return created


def seed_demo_analytics(*, stdout) -> None:
    seed_demo_goals()
    result = rollups.refresh()
    days = sum(result.days.values())
    stdout.write(
        f"Relatórios: {Goal.objects.count()} metas, {days} dia(s) consolidados\n"
    )
