"""Report periods: the presets of the reports screen, custom ranges and the
period a figure is compared with. Days are the store's local days
(``settings.TIME_ZONE``, America/Sao_Paulo)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from plugins.kpis import store_today

PRESETS = {
    "today": _("Today"),
    "7d": _("Last 7 days"),
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "ytd": _("Year to date"),
    "custom": _("Custom"),
}
COMPARISONS = {
    "previous": _("Previous period"),
    "last_year": _("Same period last year"),
    "none": _("No comparison"),
}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self):
        return each_day(self.start, self.end)

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.strftime("%d/%m/%Y")
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def each_day(start: datetime.date, end: datetime.date):
    """The days ``start``..``end``, in order."""
    for offset in range((end - start).days + 1):
        yield start + datetime.timedelta(days=offset)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    first = datetime.date(index // 12, index % 12 + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


def preset(key: str, today: datetime.date | None = None) -> Period:
    """The period of a preset key (:data:`PRESETS`, not ``custom``)."""
    today = today or store_today()
    if key == "today":
        return Period(today, today)
    if key == "7d":
        return Period(today - datetime.timedelta(days=6), today)
    if key == "this_month":
        return Period(month_start(today), today)
    if key == "last_month":
        end = month_start(today) - datetime.timedelta(days=1)
        return Period(month_start(end), end)
    if key == "ytd":
        return Period(today.replace(month=1, day=1), today)
    raise ValueError(key)


def same_period_last_year(period: Period) -> Period:
    def back(day: datetime.date) -> datetime.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29/02
            return day.replace(year=day.year - 1, day=28)

    return Period(back(period.start), back(period.end))


def previous_period(period: Period, preset_key: str = "") -> Period:
    """The period just before ``period``: the previous calendar month for a
    month (this month so far compares with the same days of last month), the
    same number of days before it otherwise."""
    if preset_key in ("this_month", "last_month"):
        start = add_months(period.start, -1)
        end = min(add_months(period.end, -1), month_end(start))
        if preset_key == "last_month":
            end = month_end(start)
        return Period(start, end)
    if preset_key == "ytd":
        return same_period_last_year(period)
    length = datetime.timedelta(days=period.days)
    return Period(period.start - length, period.end - length)


def comparison(period: Period, kind: str, preset_key: str = "") -> Period | None:
    if kind == "previous":
        return previous_period(period, preset_key)
    if kind == "last_year":
        return same_period_last_year(period)
    return None
