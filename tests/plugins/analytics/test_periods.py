"""The reports' periods and what they are compared with."""

import datetime

import pytest

from plugins.analytics.periods import (
    Period,
    add_months,
    comparison,
    month_end,
    preset,
    quarter_start,
)

D = datetime.date
TODAY = D(2026, 3, 31)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("today", Period(TODAY, TODAY)),
        ("7d", Period(D(2026, 3, 25), TODAY)),
        ("this_month", Period(D(2026, 3, 1), TODAY)),
        ("last_month", Period(D(2026, 2, 1), D(2026, 2, 28))),
        ("ytd", Period(D(2026, 1, 1), TODAY)),
    ],
)
def test_presets(key, expected):
    assert preset(key, TODAY) == expected


def test_this_month_so_far_compares_with_the_same_days_of_last_month():
    period = preset("this_month", D(2026, 3, 10))
    assert comparison(period, "previous", "this_month") == Period(
        D(2026, 2, 1), D(2026, 2, 10)
    )
    # 31 March: February has no 31st, so the whole of February.
    period = preset("this_month", TODAY)
    assert comparison(period, "previous", "this_month") == Period(
        D(2026, 2, 1), D(2026, 2, 28)
    )


def test_last_month_compares_with_the_whole_month_before():
    period = preset("last_month", D(2026, 3, 15))
    assert comparison(period, "previous", "last_month") == Period(
        D(2026, 1, 1), D(2026, 1, 31)
    )


def test_a_custom_period_compares_with_as_many_days_before_it():
    period = Period(D(2026, 3, 10), D(2026, 3, 16))
    assert comparison(period, "previous") == Period(D(2026, 3, 3), D(2026, 3, 9))


def test_same_period_last_year_and_29_february():
    period = Period(D(2028, 2, 1), D(2028, 2, 29))
    assert comparison(period, "last_year") == Period(D(2027, 2, 1), D(2027, 2, 28))
    assert comparison(period, "none") is None


def test_month_helpers():
    assert month_end(D(2026, 2, 10)) == D(2026, 2, 28)
    assert month_end(D(2028, 2, 10)) == D(2028, 2, 29)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 1, 15), -2) == D(2025, 11, 15)
    assert quarter_start(D(2026, 8, 20)) == D(2026, 7, 1)
