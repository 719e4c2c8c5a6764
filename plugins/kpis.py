"""KPIs as declared objects: what a figure is, where its numbers come from,
who may see it.

A plugin contributes its figures through :data:`plugins.hooks.KPI_SOURCES`:
a function returning :class:`Source` objects, each with the :class:`KPI`
definitions it feeds. The analytics plugin (``plugins.analytics``) reads them
for its screens, goals, digest and API, and keeps their daily rollups; the
plugins that contribute never import it.

**Sources and measures.** A source computes *measures* — additive sums such
as ``gmv``, ``orders``, ``cancelled`` — per local day of the store
(``settings.TIME_ZONE``), per *scope object* (the sales channel of an order,
the warehouse of a stock level, the carrier of a shipment: the object whose
grants decide who sees the row) and per member of one *dimension* (category,
brand, UF …; ``""`` means "no dimension", the day's totals). That is the
shape of the rollup rows, :class:`Fact`. A KPI is a function of a source's
measures summed over a period and a group: a rate is the ratio of two sums,
never an average of daily rates, so a figure over a month is the same
whether the days are rolled up or live.

A *flow* source (sales, NF-e issued) adds up over the days of a period. A
*level* source (stock value, receivables due) is a state: its figure for a
period is its value on the period's last day (live for today; days gone by
are the snapshots the rollup recorded on each of them).

Register in a plugin's ``wagtail_hooks.py``::

    @hooks.register(KPI_SOURCES)
    def stock_kpis():
        from plugins.stock.analytics import StockSource
        return [StockSource()]
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)


class Unit(models.TextChoices):
    MONEY = "money", _("R$")
    COUNT = "count", _("count")
    PERCENT = "percent", _("%")
    DAYS = "days", _("days")
    SCORE = "score", _("score")


#: The dimensions a figure can be grouped or filtered by, with their labels.
#: ``day`` only groups (a time series); the others are stored in the rollups
#: of the sources that know them.
DIMENSIONS: dict[str, Any] = {
    "day": _("Day"),
    "channel": _("Channel"),
    "category": _("Category"),
    "brand": _("Brand"),
    "warehouse": _("Warehouse"),
    "carrier": _("Carrier"),
    "uf": _("UF"),
    "payment_method": _("Payment method"),
    "seller": _("Seller"),
    "status": _("Status"),
    "emitter": _("Emitter"),
    "bank_account": _("Bank account"),
    "aging": _("Aging"),
    "tax": _("Tax"),
}


@dataclass(frozen=True)
class Fact:
    """One measure of one day, scope object and dimension member."""

    day: datetime.date
    scope_id: int
    member: str
    measure: str
    value: Decimal


def ratio(numerator: str, denominator: str, *, percent: bool = False):
    """A KPI value: ``numerator / denominator`` of the summed measures
    (``None`` when the denominator is zero)."""

    def value(m: Mapping[str, Decimal]) -> Decimal | None:
        below = m.get(denominator, ZERO)
        if not below:
            return None
        result = m.get(numerator, ZERO) / below
        return result * 100 if percent else result

    return value


def measure(name: str):
    """A KPI value: one measure as it is."""

    def value(m: Mapping[str, Decimal]) -> Decimal:
        return m.get(name, ZERO)

    return value


@dataclass(frozen=True)
class KPI:
    """One figure.

    ``key`` is stable and unique (``"orders.gmv"``); ``name`` and
    ``definition`` (one line: what counts, what does not) are shown to
    people; ``value`` turns a source's summed measures into the figure;
    ``permission`` (``"app.codename"``), when set, is needed on top of seeing
    the source (cost-based figures: ``content.view_cost_price``);
    ``higher_is_better`` colours a change up or down; ``drilldown`` names
    what the figure's members open (``"orders"``, ``"skus"``, ``"shipments"``,
    ``"documents"`` …) through the source's :meth:`Source.drilldown_url`.
    ``dimensions`` narrows the source's dimensions for this figure (a figure
    that means nothing per brand); empty means all of the source's.
    ``share`` makes it a share of the total (sales per channel as %).
    """

    key: str
    name: Any
    unit: str
    value: Callable[[Mapping[str, Decimal]], Decimal | None]
    definition: Any = ""
    higher_is_better: bool = True
    permission: str = ""
    drilldown: str = ""
    dimensions: tuple[str, ...] = ()
    #: A share: per member, its value as a % of the members' total (the
    #: total itself is 100 %).
    share: bool = False
    source: Source | None = field(default=None, compare=False, repr=False)


class Source:
    """Where a plugin's figures come from (see the module docstring).

    Subclasses set ``key``, ``scope`` (the dimension that carries the scope
    object, e.g. ``"channel"``), ``dimensions`` (the others the rollup keeps),
    ``flow`` and ``kpis``, and implement :meth:`facts`, :meth:`scope_ids` and
    :meth:`user_can_see`.
    """

    key: str = ""
    label: Any = ""
    scope: str = ""
    dimensions: tuple[str, ...] = ()
    flow: bool = True
    #: Whether the analytics plugin keeps daily rollups of it; a source cheap
    #: to compute from its own tables at any size may say no.
    rollup: bool = True
    kpis: tuple[KPI, ...] = ()

    def get_kpis(self) -> list[KPI]:
        """The source's KPIs, each knowing its source."""
        return [
            KPI(**{**kpi.__dict__, "source": self})  # frozen: copy with source
            for kpi in self.kpis
        ]

    def user_can_see(self, user) -> bool:
        """Whether ``user`` sees this source's figures at all."""
        raise NotImplementedError

    def scope_ids(self, user) -> set[int] | None:
        """The scope objects whose rows ``user`` sees: ``None`` for all of
        them (a model-level permission), else a set of primary keys."""
        raise NotImplementedError

    def facts(
        self,
        start: datetime.date,
        end: datetime.date,
        dimension: str = "",
        *,
        where: Mapping[str, Iterable[str]] | None = None,
        scope_ids: set[int] | None = None,
    ) -> Iterable[Fact]:
        """The measures of the days ``start``..``end`` (inclusive), per day,
        scope object and member of ``dimension``, from the source's own
        tables. ``where`` narrows to members of other dimensions (the raw
        path, for filters the rollup cannot answer). A level source returns
        today's state, dated ``end``, whatever ``start`` is."""
        raise NotImplementedError

    def first_day(self) -> datetime.date | None:
        """The first day with facts (where a rebuild starts); ``None`` when
        there are none yet."""
        return None

    def changed_days(self, since: datetime.datetime) -> set[datetime.date]:
        """Days already gone by whose facts changed since ``since`` (an
        order placed last week and cancelled today): the rollup recomputes
        them. Days not yet rolled up are rolled whatever this says."""
        return set()

    def member_labels(self, dimension: str, members: Iterable[str]) -> dict[str, str]:
        """People's names for members of ``dimension`` (a channel's name for
        its id)."""
        return {member: member for member in members}

    def drilldown_url(
        self,
        kpi: KPI,
        *,
        start: datetime.date,
        end: datetime.date,
        filters: Mapping[str, Iterable[str]],
    ) -> str:
        """The listing of what a figure counts (the orders behind a
        channel's sales), filtered the same way; ``""`` when there is none.
        The listing applies the user's scopes itself."""
        return ""

    def __repr__(self) -> str:
        return f"<Source {self.key}>"


# -- the store's days -------------------------------------------------------------
# Figures count on the store's local days (settings.TIME_ZONE,
# America/Sao_Paulo), whatever time zone a request switched on.


def store_today() -> datetime.date:
    """Today in the store's time zone."""
    from django.utils import timezone

    return timezone.localdate(timezone=timezone.get_default_timezone())


def store_date(moment: datetime.datetime | None) -> datetime.date | None:
    """The store's day of an instant."""
    from django.utils import timezone

    if moment is None:
        return None
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def store_day(field: str):
    """A query expression: the store's day of a date-time ``field``."""
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def day_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants that bound the store's days ``start``..``end``: midnight
    of ``start`` and of the day after ``end``."""
    from django.utils import timezone

    zone = timezone.get_default_timezone()

    def midnight(day):
        return timezone.make_aware(
            datetime.datetime.combine(day, datetime.time()), zone
        )

    return midnight(start), midnight(end + datetime.timedelta(days=1))


def sources() -> list[Source]:
    """Every installed plugin's sources, in registration order."""
    from plugins.hooks import KPI_SOURCES, collect

    found: list[Source] = []
    for result in collect(KPI_SOURCES):
        found.extend(result)
    return found


def all_kpis() -> dict[str, KPI]:
    """Every KPI by key."""
    return {kpi.key: kpi for source in sources() for kpi in source.get_kpis()}
