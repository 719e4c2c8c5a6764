"""The reports' demo: this month's goals, the manager's goals e-mail and the
rollups, seeded once however often it runs."""

import io

import pytest

from plugins.analytics.demo import seed_demo_analytics
from plugins.analytics.models import DigestSubscription, Goal, RollupState
from plugins.analytics.periods import month_start, store_today

pytestmark = pytest.mark.django_db


def test_the_demo_sets_goals_and_rolls_up_once(manager, loja, orders):
    manager.username = "gerente"
    manager.save()
    for _ in range(2):
        out = io.StringIO()
        seed_demo_analytics(stdout=out)
    goals = Goal.objects.all()
    assert goals.count() == 4
    assert {goal.period_start for goal in goals} == {month_start(store_today())}
    assert goals.filter(channel=loja, kpi="orders.gmv").exists()
    assert DigestSubscription.objects.get(user=manager).frequency == "daily"
    assert RollupState.objects.get(source="orders").rolled_through is not None
    assert "Relatórios: 4 metas" in out.getvalue()
