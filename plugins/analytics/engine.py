"""Computing figures: a source's measures over a period, from the rollups
for the days already rolled up and from the source's own tables for the
rest (today, and days changed since their rollup), within the user's scopes.

The number of queries does not grow with the period or the data: per
request, one for the rollups' progress and one for the days waiting to be
rolled again; per source, one over :class:`~plugins.analytics.models.DailyFact`
plus what its :meth:`~plugins.kpis.Source.facts` runs for the live days.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from plugins.analytics.models import DailyFact, DirtyDay, RollupState
from plugins.analytics.periods import each_day, store_today
from plugins.kpis import KPI, ZERO, Fact, Source, all_kpis, sources

#: ``group_by`` value for a figure without groups.
TOTAL = None
ONE_DAY = datetime.timedelta(days=1)


def visible_kpis(user) -> dict[str, KPI]:
    """The KPIs ``user`` may see: their source's own check plus the KPI's
    extra permission (cost-based figures)."""
    seen: dict[str, bool] = {}
    visible = {}
    for key, kpi in all_kpis().items():
        source = kpi.source
        if source.key not in seen:
            seen[source.key] = bool(source.user_can_see(user))
        if not seen[source.key]:
            continue
        if kpi.permission and not user.has_perm(kpi.permission):
            continue
        visible[key] = kpi
    return visible


def source_dimensions(source: Source) -> tuple[str, ...]:
    return (source.scope, *source.dimensions) if source.scope else source.dimensions


class Session:
    """What one screen's computations share: the rollups' progress (read
    once) and the facts read from the sources' own tables (today's, read
    once for the figures, the comparison, the charts and the funnel)."""

    def __init__(self):
        self.progress: Progress | None = None
        self.facts: dict = {}


@dataclass
class Progress:
    """The rollups' progress, read once per request."""

    rolled_through: dict[str, datetime.date | None] = field(default_factory=dict)
    dirty: dict[str, set[datetime.date]] = field(default_factory=dict)

    @classmethod
    def load(cls, keys: Iterable[str]) -> Progress:
        keys = list(keys)
        progress = cls()
        for state in RollupState.objects.filter(source__in=keys):
            progress.rolled_through[state.source] = state.rolled_through
        for source, day in DirtyDay.objects.filter(source__in=keys).values_list(
            "source", "day"
        ):
            progress.dirty.setdefault(source, set()).add(day)
        return progress


def _add(target: dict, key, measure: str, value) -> None:
    bucket = target.setdefault(key, {})
    bucket[measure] = bucket.get(measure, ZERO) + Decimal(value)


class Request:
    """One computation: a user, a period, filters and a grouping.

    ``filters`` maps a dimension to the members kept (strings; scope
    objects by primary key). ``group_by`` is a dimension, ``"day"`` or
    ``None``.
    """

    def __init__(
        self,
        user,
        start: datetime.date,
        end: datetime.date,
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        group_by: str | None = TOTAL,
        today: datetime.date | None = None,
        progress: Progress | None = None,
        session: Session | None = None,
    ):
        self.user = user
        self.start = start
        self.end = end
        self.filters = {
            dim: {str(m) for m in members}
            for dim, members in (filters or {}).items()
            if members
        }
        self.group_by = group_by
        self.today = today or store_today()
        self.session = session
        self._progress = progress
        if progress is None and session is not None:
            self._progress = session.progress

    # -- which sources answer ------------------------------------------------

    def applies_to(self, source: Source) -> bool:
        """Whether the source can answer this request: it knows every
        filtered dimension and the grouping."""
        known = source_dimensions(source)
        if any(dim not in known for dim in self.filters):
            return False
        return self.group_by in (TOTAL, "day") or self.group_by in known

    def progress(self) -> Progress:
        if self._progress is None:
            # Every source's at once: one query, whatever is asked next.
            self._progress = Progress.load([source.key for source in sources()])
            if self.session is not None:
                self.session.progress = self._progress
        return self._progress

    # -- measures --------------------------------------------------------------

    def measures(self, source: Source) -> dict:
        """``{member: {measure: sum}}`` for ``source`` (member ``None``
        without ``group_by``; a ``datetime.date`` per day with ``"day"``; a
        string otherwise); ``{}`` when the user sees no scope object."""
        scope_ids = source.scope_ids(self.user) if source.scope else None
        wanted_scope = self.filters.get(source.scope) if source.scope else None
        if wanted_scope is not None:
            wanted = {int(pk) for pk in wanted_scope if str(pk).isdigit()}
            scope_ids = wanted if scope_ids is None else scope_ids & wanted
        if scope_ids is not None and not scope_ids:
            return {}
        others = {
            dim: members for dim, members in self.filters.items() if dim != source.scope
        }
        dimension = self._rollup_dimension(source, others)
        if dimension is None or not source.rollup:
            return self._live(
                source, self.start, self.end, scope_ids, others, raw_where=True
            )
        if source.flow:
            return self._flow(source, dimension, scope_ids, others)
        return self._level(source, dimension, scope_ids, others)

    def _rollup_dimension(self, source: Source, others: dict) -> str | None:
        """The rollup dimension that answers the request, or ``None`` when
        only the source's own tables can (two dimensions at once)."""
        wanted = set(others)
        if self.group_by not in (TOTAL, "day", source.scope):
            wanted.add(self.group_by)
        if len(wanted) > 1:
            return None
        return wanted.pop() if wanted else ""

    def _group_key(self, source: Source, fact_day, scope_id, member):
        if self.group_by is TOTAL:
            return None
        if self.group_by == "day":
            return fact_day
        if self.group_by == source.scope:
            return str(scope_id)
        return member

    def _keep(self, source, scope_ids, others, scope_id, member, dimension) -> bool:
        if scope_ids is not None and scope_id not in scope_ids:
            return False
        members = others.get(dimension)
        return members is None or member in members

    def _live(
        self,
        source: Source,
        start: datetime.date,
        end: datetime.date,
        scope_ids,
        others: dict,
        *,
        raw_where: bool = False,
        dimension: str = "",
        into: dict | None = None,
    ) -> dict:
        """Measures from the source's own tables."""
        result = {} if into is None else into
        if start > end:
            return result
        if raw_where:
            dimension = (
                self.group_by
                if self.group_by not in (TOTAL, "day", source.scope)
                else ""
            )
            where = dict(others)
            facts = source.facts(
                start, end, dimension, where=where, scope_ids=scope_ids
            )
            for fact in facts:
                if scope_ids is not None and fact.scope_id not in scope_ids:
                    continue
                key = self._group_key(source, fact.day, fact.scope_id, fact.member)
                _add(result, key, fact.measure, fact.value)
            return result
        for fact in self._facts(source, start, end, dimension, scope_ids):
            if not self._keep(
                source, scope_ids, others, fact.scope_id, fact.member, dimension
            ):
                continue
            key = self._group_key(source, fact.day, fact.scope_id, fact.member)
            _add(result, key, fact.measure, fact.value)
        return result

    def _facts(self, source, start, end, dimension, scope_ids) -> list[Fact]:
        """A source's facts, read once per session (a screen's figures,
        charts and funnel share today's)."""
        key = (
            source.key,
            start,
            end,
            dimension,
            None if scope_ids is None else frozenset(scope_ids),
        )
        cache = self.session.facts if self.session is not None else {}
        if key not in cache:
            cache[key] = list(source.facts(start, end, dimension, scope_ids=scope_ids))
        return cache[key]

    def _rolled(self, source, dimension, scope_ids, others, days_q) -> list[dict]:
        days_q = dict(days_q)
        excluded = days_q.pop("exclude_days", ())
        rows = DailyFact.objects.filter(
            source=source.key, dimension=dimension, **days_q
        )
        if excluded:
            rows = rows.exclude(day__in=excluded)
        if scope_ids is not None:
            rows = rows.filter(scope_id__in=scope_ids)
        if dimension and dimension in others:
            rows = rows.filter(member__in=others[dimension])
        fields = ["measure"]
        if self.group_by == "day":
            fields.append("day")
        elif self.group_by == source.scope and self.group_by is not TOTAL:
            fields.append("scope_id")
        elif self.group_by not in (TOTAL, "day"):
            fields.append("member")
        return list(rows.values(*fields).annotate(total=Sum("value")).order_by(*fields))

    def _collect_rolled(self, source, rows, result):
        for row in rows:
            key = self._group_key(
                source, row.get("day"), row.get("scope_id"), row.get("member")
            )
            _add(result, key, row["measure"], row["total"])

    def _flow(self, source: Source, dimension: str, scope_ids, others) -> dict:
        progress = self.progress()
        rolled_through = progress.rolled_through.get(source.key)
        last_rolled = (
            min(rolled_through, self.today - ONE_DAY, self.end)
            if rolled_through
            else None
        )
        result: dict = {}
        dirty = sorted(
            day
            for day in progress.dirty.get(source.key, ())
            if self.start <= day <= self.end
        )
        if last_rolled and last_rolled >= self.start:
            days_q = {"day__range": (self.start, last_rolled)}
            if dirty:
                # A few days at most: the rollup task clears them in minutes.
                days_q["exclude_days"] = dirty
            rows = self._rolled(source, dimension, scope_ids, others, days_q)
            self._collect_rolled(source, rows, result)
            live_start = last_rolled + ONE_DAY
        else:
            live_start = self.start
        # Consecutive changed days are read together: one pass of the
        # source's queries per run of days, not per day.
        changed = [day for day in dirty if last_rolled and day <= last_rolled]
        for first, last in _consecutive(changed):
            self._live(
                source,
                first,
                last,
                scope_ids,
                others,
                dimension=dimension,
                into=result,
            )
        self._live(
            source,
            live_start,
            self.end,
            scope_ids,
            others,
            dimension=dimension,
            into=result,
        )
        return result

    def _level(self, source: Source, dimension: str, scope_ids, others) -> dict:
        """A state: its value on the period's last day (each day's, by day)."""
        result: dict = {}
        days = (
            list(each_day(self.start, self.end))
            if self.group_by == "day"
            else [self.end]
        )
        past = [day for day in days if day < self.today]
        if past:
            if self.group_by == "day":
                days_q = {"day__range": (past[0], past[-1])}
            else:
                days_q = {"day": past[-1]}
            self._collect_rolled(
                source,
                self._rolled(source, dimension, scope_ids, others, days_q),
                result,
            )
        if days[-1] >= self.today:
            self._live(
                source,
                self.today,
                self.today,
                scope_ids,
                others,
                dimension=dimension,
                into=result,
            )
        return result


def _consecutive(
    days: list[datetime.date],
) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as runs of consecutive days, ``[(first, last)]``."""
    runs: list[list[datetime.date]] = []
    for day in days:
        if runs and day == runs[-1][1] + ONE_DAY:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


@dataclass
class Result:
    """One KPI's figure: its total and, with a grouping, its value per
    member (``[(member, label, value)]``, largest first; by day, in order)."""

    kpi: KPI
    value: Decimal | None
    groups: list[tuple] = field(default_factory=list)
    applicable: bool = True


def compute(
    user,
    keys: Iterable[str],
    start: datetime.date,
    end: datetime.date,
    *,
    filters: Mapping[str, Iterable[str]] | None = None,
    group_by: str | None = TOTAL,
    today: datetime.date | None = None,
    kpis: Mapping[str, KPI] | None = None,
    session: Session | None = None,
) -> dict[str, Result]:
    """The figures ``keys`` for ``user`` over ``start``..``end``: each
    source's measures are read once for all of its KPIs. KPIs the user may
    not see are left out; KPIs whose source cannot answer the filters or
    the grouping come back with ``applicable=False``."""
    available = kpis if kpis is not None else visible_kpis(user)
    chosen = [available[key] for key in keys if key in available]
    by_source: dict[str, list[KPI]] = defaultdict(list)
    for kpi in chosen:
        by_source[kpi.source.key].append(kpi)
    request = Request(
        user,
        start,
        end,
        filters=filters,
        group_by=group_by,
        today=today,
        session=session,
    )
    request.progress()
    results: dict[str, Result] = {}
    for group in by_source.values():
        source = group[0].source
        if not request.applies_to(source):
            for kpi in group:
                results[kpi.key] = Result(kpi, None, applicable=False)
            continue
        measured = request.measures(source)
        if not measured and not source.flow:
            # A state never recorded for that day: unknown, not zero.
            for kpi in group:
                results[kpi.key] = Result(kpi, None)
            continue
        totals: dict = {}
        for member_measures in measured.values():
            for name, value in member_measures.items():
                totals[name] = totals.get(name, ZERO) + value
        labels = {}
        if group_by not in (TOTAL, "day") and measured:
            labels = source.member_labels(group_by, [m for m in measured if m])
        for kpi in group:
            if kpi.dimensions and group_by not in (TOTAL, "day", *kpi.dimensions):
                results[kpi.key] = Result(kpi, None, applicable=False)
                continue
            whole = kpi.value(totals)
            groups = []
            if group_by is not TOTAL:
                for member, member_measures in measured.items():
                    label = (
                        member.strftime("%d/%m/%Y")
                        if group_by == "day"
                        else labels.get(member, member or "—")
                    )
                    value = kpi.value(member_measures)
                    if kpi.share:
                        value = (
                            value * 100 / whole if whole and value is not None else None
                        )
                    groups.append((member, label, value))
                if group_by == "day":
                    groups.sort(key=lambda entry: entry[0])
                else:
                    groups.sort(key=lambda entry: (entry[2] is None, -(entry[2] or 0)))
            if kpi.share:
                value = Decimal(100) if whole else None
            elif source.flow or group_by != "day":
                value = whole
            else:
                value = groups[-1][2] if groups else None
            results[kpi.key] = Result(kpi, value, groups)
    return results
