"""Goals (metas): a KPI's target for a month, quarter or year, for the whole
store, one sales channel or one seller, and how far along it is.

:func:`progress` measures one goal for a user (within the user's scopes);
:func:`goals_for` lists the goals of the current periods a user may see,
the month's first. A figure that adds up over the days (sales, orders,
units: :func:`is_additive`) gets the pace: what was expected by today, what
is needed per remaining day, and where today's pace ends the period. A rate,
an average or a level is compared with its target as it stands.

Today counts as elapsed: on the 10th of a 31-day month, 10 days are gone
and 21 remain.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plugins.analytics import engine
from plugins.analytics.models import Goal
from plugins.analytics.periods import Period, add_months, month_end, store_today
from plugins.kpis import KPI, Unit
from plugins.money import format_br_decimal, format_brl

CENT = Decimal("0.01")
#: Within this fraction of the expected value a goal is "on pace".
PACE_TOLERANCE = Decimal("0.05")
PERIOD_ORDER = {
    Goal.PeriodKind.MONTH: 0,
    Goal.PeriodKind.QUARTER: 1,
    Goal.PeriodKind.YEAR: 2,
}


class Status:
    """Where a goal's period stands on a day."""

    FUTURE = "future"
    CURRENT = "current"
    PAST = "past"


class State:
    """How a goal is doing (the ``data-state`` of the dashboard's items)."""

    AHEAD = "ahead"
    ON_PACE = "on_pace"
    BEHIND = "behind"
    #: a rate, an average or a level on the good side of its target
    ON_TARGET = "on_target"
    OFF_TARGET = "off_target"
    ACHIEVED = "achieved"
    MISSED = "missed"
    NOT_STARTED = "not_started"
    NO_DATA = "no_data"

    LABELS = {
        AHEAD: _("ahead"),
        ON_PACE: _("on pace"),
        BEHIND: _("behind"),
        ON_TARGET: _("on target"),
        OFF_TARGET: _("off target"),
        ACHIEVED: _("achieved"),
        MISSED: _("missed"),
        NOT_STARTED: _("not started"),
        NO_DATA: _("no data yet"),
    }
    #: the states the digest lists among the exceptions
    LAGGING = (BEHIND, OFF_TARGET)


# -- periods ---------------------------------------------------------------------


def period_start(kind: str, day: datetime.date) -> datetime.date:
    """The first day of the month, quarter or year holding ``day``."""
    if kind == Goal.PeriodKind.YEAR:
        return day.replace(month=1, day=1)
    if kind == Goal.PeriodKind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def goal_period(goal: Goal) -> Period:
    """The days of ``goal``'s month, quarter or year."""
    start = goal.period_start
    if goal.period_kind == Goal.PeriodKind.YEAR:
        return Period(start, start.replace(month=12, day=31))
    if goal.period_kind == Goal.PeriodKind.QUARTER:
        return Period(start, month_end(add_months(start, 2)))
    return Period(start, month_end(start))


def period_label(goal: Goal) -> str:
    """ "12/2026", "4º tri 2026" or "2026"."""
    start = goal.period_start
    if goal.period_kind == Goal.PeriodKind.YEAR:
        return str(start.year)
    if goal.period_kind == Goal.PeriodKind.QUARTER:
        return gettext("Q%(quarter)s %(year)s") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    return f"{start:%m/%Y}"


def scope_label(goal: Goal) -> str:
    """Whom the goal is for: a channel, a seller or the whole store."""
    if goal.channel_id:
        return goal.channel.name
    if goal.seller_id:
        seller = goal.seller
        return seller.get_full_name() or seller.get_username()
    return gettext("Whole store")


# -- figures -----------------------------------------------------------------------


def is_additive(kpi: KPI) -> bool:
    """Whether the figure adds up over the days of a period, so that a pace
    and a projection mean something: money or a count from a flow source,
    not a share, and a sum of measures (doubling every measure doubles it;
    a ratio such as the average ticket stays the same)."""
    if kpi.source is None or not kpi.source.flow or kpi.share:
        return False
    if kpi.unit not in (Unit.MONEY, Unit.COUNT):
        return False
    return _homogeneous(kpi)


class _Probe(Mapping):
    """Every measure with a distinct non-zero value, times ``factor``."""

    def __init__(self, factor: int):
        self.factor = factor

    def __getitem__(self, key):
        return Decimal(sum(map(ord, key)) % 97 + 3) * self.factor

    def get(self, key, default=None):
        return self[key]

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


def _homogeneous(kpi: KPI) -> bool:
    try:
        once, twice = kpi.value(_Probe(1)), kpi.value(_Probe(2))
    except (ArithmeticError, KeyError, TypeError):
        return False
    if once is None or twice is None:
        return False
    return twice == once * 2


def format_figure(
    value: Decimal | None, unit: str, *, places: int | None = None
) -> str:
    """A figure as people read it: "R$ 1.234,56", "1.234", "12,5%"."""
    if value is None:
        return "—"
    value = Decimal(value)
    if unit == Unit.MONEY:
        return format_brl(value.quantize(CENT, ROUND_HALF_UP))
    if unit == Unit.COUNT:
        return format_br_decimal(value, 0 if places is None else places)
    if unit == Unit.PERCENT:
        return f"{format_br_decimal(value, 1 if places is None else places)}%"
    if unit == Unit.DAYS:
        return gettext("%(value)s days") % {
            "value": format_br_decimal(value, 1 if places is None else places)
        }
    return format_br_decimal(value, 1 if places is None else places)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class GoalProgress:
    """One goal measured on ``today`` for one user."""

    goal: Goal
    kpi: KPI
    period: Period
    status: str
    target: Decimal
    actual: Decimal | None
    elapsed_days: int
    remaining_days: int
    additive: bool
    state: str
    #: additive figures of a current period only
    expected: Decimal | None = None
    pace_needed: Decimal | None = None
    projection: Decimal | None = None

    @property
    def pk(self) -> int:
        return self.goal.pk

    @property
    def total_days(self) -> int:
        return self.period.days

    @property
    def percent(self) -> Decimal | None:
        """The actual figure as a % of the target."""
        if self.actual is None:
            return None
        return (self.actual * 100 / self.target).quantize(Decimal("0.1"))

    @property
    def bar_percent(self) -> int:
        """The progress bar's fill: 0–100."""
        percent = self.percent or Decimal(0)
        return int(max(Decimal(0), min(Decimal(100), percent)))

    @property
    def expected_percent(self) -> int | None:
        if self.expected is None:
            return None
        return int(min(Decimal(100), self.expected * 100 / self.target))

    @property
    def lagging(self) -> bool:
        return self.state in State.LAGGING

    @property
    def name(self):
        return self.kpi.name

    @property
    def period_label(self) -> str:
        return period_label(self.goal)

    @property
    def scope_label(self) -> str:
        return scope_label(self.goal)

    @property
    def state_label(self) -> str:
        return str(State.LABELS[self.state])

    @property
    def target_display(self) -> str:
        return format_figure(self.target, self.kpi.unit)

    @property
    def actual_display(self) -> str:
        return format_figure(self.actual, self.kpi.unit)

    @property
    def percent_display(self) -> str:
        return format_figure(self.percent, Unit.PERCENT)

    @property
    def expected_display(self) -> str:
        return format_figure(self.expected, self.kpi.unit)

    @property
    def pace_display(self) -> str:
        places = 1 if self.kpi.unit == Unit.COUNT else None
        return format_figure(self.pace_needed, self.kpi.unit, places=places)

    @property
    def projection_display(self) -> str:
        return format_figure(self.projection, self.kpi.unit)

    @property
    def summary(self) -> str:
        """One line for the e-mail and the listing's tooltips."""
        parts = [
            gettext("%(actual)s of %(target)s (%(percent)s)")
            % {
                "actual": self.actual_display,
                "target": self.target_display,
                "percent": self.percent_display,
            }
        ]
        if self.status == Status.CURRENT and self.additive:
            if self.pace_needed is not None:
                parts.append(
                    gettext("needs %(pace)s per day in the %(days)s days left")
                    % {"pace": self.pace_display, "days": self.remaining_days}
                )
            parts.append(
                gettext("at today's pace: %(projection)s")
                % {"projection": self.projection_display}
            )
        return " · ".join(parts)


def _good_side(kpi: KPI, actual: Decimal, target: Decimal) -> bool:
    return actual >= target if kpi.higher_is_better else actual <= target


def _measure(
    goal: Goal,
    kpi: KPI,
    today: datetime.date,
    actual: Decimal | None,
) -> GoalProgress:
    """Pace, projection and state from the figure measured so far."""
    period = goal_period(goal)
    target = goal.target
    additive = is_additive(kpi)
    common = {
        "goal": goal,
        "kpi": kpi,
        "period": period,
        "target": target,
        "additive": additive,
    }
    if today < period.start:
        return GoalProgress(
            **common,
            status=Status.FUTURE,
            actual=None,
            elapsed_days=0,
            remaining_days=period.days,
            state=State.NOT_STARTED,
        )
    if today > period.end:
        if actual is None:
            state = State.NO_DATA
        else:
            state = State.ACHIEVED if _good_side(kpi, actual, target) else State.MISSED
        return GoalProgress(
            **common,
            status=Status.PAST,
            actual=actual,
            elapsed_days=period.days,
            remaining_days=0,
            state=state,
        )
    elapsed = (today - period.start).days + 1
    remaining = period.days - elapsed
    progress = GoalProgress(
        **common,
        status=Status.CURRENT,
        actual=actual,
        elapsed_days=elapsed,
        remaining_days=remaining,
        state=State.NO_DATA,
    )
    if actual is None:
        return progress
    if not additive:
        progress.state = (
            State.ON_TARGET if _good_side(kpi, actual, target) else State.OFF_TARGET
        )
        return progress
    expected = target * elapsed / period.days
    progress.expected = _cents(expected)
    progress.projection = _cents(actual / elapsed * period.days)
    if remaining:
        progress.pace_needed = _cents(max(target - actual, Decimal(0)) / remaining)
    difference = actual - expected
    if abs(difference) <= expected * PACE_TOLERANCE:
        progress.state = State.ON_PACE
    elif (difference > 0) == kpi.higher_is_better:
        progress.state = State.AHEAD
    else:
        progress.state = State.BEHIND
    return progress


def goal_filters(goal: Goal) -> dict[str, list[str]]:
    """The figure's filters: the goal's channel or seller."""
    if goal.channel_id:
        return {"channel": [str(goal.channel_id)]}
    if goal.seller_id:
        return {"seller": [str(goal.seller_id)]}
    return {}


def progress_of(
    goals: Iterable[Goal],
    user,
    today: datetime.date | None = None,
    *,
    kpis: Mapping[str, KPI] | None = None,
) -> dict[int, GoalProgress]:
    """The progress of each goal (by primary key) whose KPI ``user`` may
    see, measured within the user's scopes. Goals of the same days and
    filters share one computation; future periods are not computed."""
    today = today or store_today()
    visible = kpis if kpis is not None else engine.visible_kpis(user)
    goals = [goal for goal in goals if goal.kpi in visible]
    groups: dict[tuple, list[Goal]] = defaultdict(list)
    for goal in goals:
        period = goal_period(goal)
        if today < period.start:
            continue
        filters = goal_filters(goal)
        key = (
            period.start,
            min(today, period.end),
            tuple(sorted((dim, tuple(m)) for dim, m in filters.items())),
        )
        groups[key].append(goal)
    actuals: dict[int, Decimal | None] = {}
    for (start, end, filters), members in groups.items():
        results = engine.compute(
            user,
            sorted({goal.kpi for goal in members}),
            start,
            end,
            filters=dict(filters),
            today=today,
            kpis=visible,
        )
        for goal in members:
            result = results.get(goal.kpi)
            applicable = result is not None and result.applicable
            actuals[goal.pk] = result.value if applicable else None
    return {
        goal.pk: _measure(goal, visible[goal.kpi], today, actuals.get(goal.pk))
        for goal in goals
    }


def progress(goal: Goal, user, today: datetime.date | None = None) -> GoalProgress:
    """How ``goal`` is doing for ``user`` on ``today`` (the store's today by
    default). The KPI must be one the user may see."""
    kpis = engine.visible_kpis(user)
    if goal.kpi not in kpis:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return progress_of([goal], user, today, kpis=kpis)[goal.pk]


# -- who sees which goal -----------------------------------------------------------


def user_sees_goal(user, goal: Goal, kpi: KPI, scopes: dict) -> bool:
    """A whole-store goal to users who see every scope of its figure; a
    channel's to users who see that channel; a seller's to the seller and to
    users who see every scope. ``scopes`` caches each source's scope ids."""
    source = kpi.source
    if source.key not in scopes:
        scopes[source.key] = source.scope_ids(user) if source.scope else None
    scope_ids = scopes[source.key]
    if goal.seller_id:
        return goal.seller_id == user.pk or scope_ids is None
    if goal.channel_id:
        if scope_ids is None:
            return True
        return source.scope == "channel" and goal.channel_id in scope_ids
    return scope_ids is None


def current_starts(today: datetime.date) -> Q:
    """The goals whose period holds ``today``."""
    return (
        Q(period_kind=Goal.PeriodKind.MONTH, period_start=period_start("month", today))
        | Q(
            period_kind=Goal.PeriodKind.QUARTER,
            period_start=period_start("quarter", today),
        )
        | Q(period_kind=Goal.PeriodKind.YEAR, period_start=period_start("year", today))
    )


def goals_for(
    user,
    today: datetime.date | None = None,
    *,
    kpis: Mapping[str, KPI] | None = None,
) -> list[GoalProgress]:
    """The goals of the current month, quarter and year that ``user`` may
    see, with their progress: the month's first, then the quarter's, then
    the year's; within a period the whole store's, then the channels', then
    the sellers'. ``kpis``: the user's visible KPIs, when already known."""
    today = today or store_today()
    kpis = kpis if kpis is not None else engine.visible_kpis(user)
    if not kpis:
        return []
    candidates = (
        Goal.objects.filter(current_starts(today), kpi__in=list(kpis))
        .select_related("channel", "seller")
        .order_by("pk")
    )
    scopes: dict = {}
    goals = [
        goal
        for goal in candidates
        if user_sees_goal(user, goal, kpis[goal.kpi], scopes)
    ]
    measured = progress_of(goals, user, today, kpis=kpis)
    order = {key: index for index, key in enumerate(kpis)}

    def sort_key(goal: Goal):
        whom = 2 if goal.seller_id else 1 if goal.channel_id else 0
        return (
            PERIOD_ORDER[goal.period_kind],
            whom,
            scope_label(goal) if whom else "",
            order[goal.kpi],
        )

    return [measured[goal.pk] for goal in sorted(goals, key=sort_key)]


# -- sellers -------------------------------------------------------------------------


def staff_users():
    """Active users who work in the admin: the choices of a seller goal."""
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=access)
            | Q(user_permissions__in=access)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
