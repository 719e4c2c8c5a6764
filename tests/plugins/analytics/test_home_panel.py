"""The admin home's goals panel: this month's goals for whoever sees the
reports, above the other panels; nothing when there is no goal."""

from decimal import Decimal

import pytest

from plugins.analytics.models import Goal
from plugins.analytics.periods import month_start, store_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(db, manager):
    return Goal.objects.create(
        kpi="orders.gmv",
        period_kind=Goal.PeriodKind.MONTH,
        period_start=month_start(store_today()),
        target=Decimal("1000.00"),
        created_by=manager,
    )


def test_the_manager_sees_the_months_goals_on_the_home_page(client, manager, goal):
    client.force_login(manager)
    html = client.get("/admin/").content.decode()
    assert 'id="goals-section"' in html
    assert f'data-goal="{goal.pk}"' in html
    assert html.index('id="goals-section"') < html.index('id="sales-section"')
    assert 'href="/admin/reports/"' in html


def test_no_panel_without_goals_or_without_the_reports(client, manager, editor, goal):
    client.force_login(editor)
    assert 'id="goals-section"' not in client.get("/admin/").content.decode()
    goal.delete()
    client.force_login(manager)
    assert 'id="goals-section"' not in client.get("/admin/").content.decode()
