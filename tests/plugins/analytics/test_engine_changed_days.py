"""Days changed after their rollup are computed from the orders until the
rollup rolls them again: consecutive ones together, so a report does not
run more queries for a week of changes than for one changed day."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.analytics import engine, rollups
from plugins.orders.services import transition_order

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)
NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def figures_and_queries(user, **kwargs):
    keys = ["orders.gmv", "orders.orders", "orders.cancellation_rate", "orders.units"]
    with CaptureQueriesContext(connection) as queries:
        results = engine.compute(user, keys, *NOV, today=TODAY, **kwargs)
    shown = {
        key: (result.value, {m: v for m, _label, v in result.groups})
        for key, result in results.items()
    }
    return shown, len(queries)


@pytest.mark.parametrize("group_by", [None, "channel", "day", "category"])
def test_consecutive_changed_days_cost_the_queries_of_one(orders, superuser, group_by):
    rollups.refresh(today=TODAY)
    # O2 (placed on 10/11) is cancelled: that day waits for the rollup.
    transition_order(orders["O2"], "cancel", user=None, reason="desistência")
    one_day, queries_one_day = figures_and_queries(superuser, group_by=group_by)
    # O1 and O4's days (10/11 and 12/11) and the one between change too.
    rollups.mark_changed(
        "orders", [datetime.date(2026, 11, 11), datetime.date(2026, 11, 12)]
    )
    three_days, queries_three_days = figures_and_queries(superuser, group_by=group_by)
    assert queries_three_days == queries_one_day
    assert three_days == one_day
    # Once rolled again, the rollup gives the same figures.
    rollups.refresh(today=TODAY)
    assert figures_and_queries(superuser, group_by=group_by)[0] == one_day


def test_changed_days_apart_are_computed_each(orders, superuser):
    rollups.refresh(today=TODAY)
    rollups.mark_changed("orders", [datetime.date(2026, 11, 10)])
    before, queries_one = figures_and_queries(superuser)
    rollups.mark_changed("orders", [datetime.date(2026, 11, 30)])
    after, queries_two = figures_and_queries(superuser)
    assert after == before
    assert queries_two > queries_one
