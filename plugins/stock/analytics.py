"""The stock plugin's figures (:mod:`plugins.kpis`): stock value at cost,
units on hand, stock-outs, coverage in days and turnover.

Two sources, both scoped by warehouse (a clerk sees the figures of the
warehouses granted to them) and kept per category and brand (the variant's
product's primary category and brand):

* ``stock`` is a *level*: today's state of the stock levels. The rollup
  records a snapshot every day it runs; a day gone by shows its snapshot.
* ``stock_flow`` is a *flow* read from the movement ledger: the cost of the
  units that left on sales each day and the stock value at the end of each
  day. Turnover is computed from these two sums.

**The stock of a day gone by** comes from the ledger: the units on hand at
the end of day *d* are today's units minus the quantities of the movements
made after *d*. Movements are immutable, so history does not change — except
when a movement is written with an earlier date (an order shipped on its own
date): the analytics plugin then marks the days from that date on to be
rolled up again.

**Money** is at the variants' cost price (``content.view_cost_price`` is
needed to see those figures): the current one for live days, the one of the
day the rollup ran for rolled-up days (cost prices have no history). A
variant without a cost price counts as zero.

**Sales** are the ledger's sale movements (units shipped on orders), on the
store's local day they were made; returns do not offset them (the returned
units are back on hand and count there).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plugins.kpis import (
    KPI,
    ZERO,
    Fact,
    Source,
    Unit,
    day_bounds,
    measure,
    store_date,
    store_day,
)
from plugins.stock.models import MovementKind

COST_PERMISSION = "content.view_cost_price"
#: The movements that are sales (units leaving on orders).
SALE_KINDS = (MovementKind.SALE,)
#: The days of sales the coverage divides by.
COVERAGE_SALES_DAYS = 30
#: Turnover is annualised: cost of sales per day ÷ average stock value, × 365.
DAYS_PER_YEAR = 365
ONE_DAY = datetime.timedelta(days=1)
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)
#: The variant's member of each dimension (from a stock level or movement).
MEMBER_LOOKUPS = {
    "category": "variant__product__primary_category_id",
    "brand": "variant__product__brand_id",
}


def member_expression(dimension: str):
    """The member of ``dimension`` of a level or movement (0: none)."""
    lookup = MEMBER_LOOKUPS.get(dimension)
    if lookup is None:
        return Value(0, output_field=IntegerField())
    return Coalesce(F(lookup), Value(0), output_field=IntegerField())


def narrow(rows, *, where=None, scope_ids=None):
    """Levels or movements (both carry ``warehouse`` and ``variant``) of the
    warehouses ``scope_ids`` and the members ``where`` keeps (``""``: no
    category or brand)."""
    if scope_ids is not None:
        rows = rows.filter(warehouse_id__in=scope_ids)
    for dimension, lookup in MEMBER_LOOKUPS.items():
        members = {str(m) for m in (where or {}).get(dimension, ())}
        if not members:
            continue
        wanted = Q(**{f"{lookup}__in": [int(m) for m in members if m.isdigit()]})
        if "" in members:
            wanted |= Q(**{f"{lookup}__isnull": True})
        rows = rows.filter(wanted)
    return rows


def cost_of(quantity: str = "on_hand"):
    """``quantity`` × the variant's cost price (none: zero)."""
    return ExpressionWrapper(
        F(quantity) * Coalesce(F("variant__cost_price"), Value(ZERO)),
        output_field=MONEY_FIELD,
    )


def _text(member) -> str:
    return str(member) if member else ""


def _facts(day, scope_id, member, values: dict):
    for name, value in values.items():
        if value:
            yield Fact(day, scope_id, _text(member), name, Decimal(value))


def _coverage(m) -> Decimal | None:
    sold = m.get("sold_30d", ZERO)
    if not sold:
        return None
    return m.get("available", ZERO) * COVERAGE_SALES_DAYS / sold


def _turnover(m) -> Decimal | None:
    value_days = m.get("value_days", ZERO)
    if not value_days:
        return None
    return m.get("cogs", ZERO) * DAYS_PER_YEAR / value_days


class WarehouseScoped:
    """Who sees what: the warehouses whose stock the user sees (granted
    view or operate; a model-level permission: all of them)."""

    scope = "warehouse"
    dimensions = ("category", "brand")

    def user_can_see(self, user) -> bool:
        from plugins.stock.permissions import user_can_see_stock

        return user_can_see_stock(user)

    def scope_ids(self, user):
        from plugins.stock.permissions import warehouse_policy

        policy = warehouse_policy()
        seen = policy.scope_ids_for(user, "view")
        operated = policy.scope_ids_for(user, "operate")
        if seen is None or operated is None:
            return None
        return seen | operated

    def member_labels(self, dimension, members):
        return stock_member_labels(dimension, members)


class StockSource(WarehouseScoped, Source):
    """Today's stock levels (a level source)."""

    key = "stock"
    label = _("Stock")
    flow = False
    kpis = (
        KPI(
            "stock.value_at_cost",
            _("Stock value at cost"),
            Unit.MONEY,
            measure("value_at_cost"),
            _(
                "Units on hand (reserved ones included, in transit not) × the "
                "variant's cost price; variants without a cost price count as "
                "zero."
            ),
            permission=COST_PERMISSION,
            drilldown="skus",
        ),
        KPI(
            "stock.units_on_hand",
            _("Units on hand"),
            Unit.COUNT,
            measure("units"),
            _(
                "Units physically in the warehouses, reserved ones included; "
                "units in transit between warehouses do not count."
            ),
            drilldown="skus",
        ),
        KPI(
            "stock.stockouts",
            _("Stock-outs"),
            Unit.COUNT,
            measure("stockouts"),
            _(
                "Active SKUs with nothing available (on hand − reserved ≤ 0), "
                "counted once per active warehouse where they have a stock "
                "level; SKUs never stocked there do not count."
            ),
            higher_is_better=False,
            drilldown="skus",
        ),
        KPI(
            "stock.coverage_days",
            _("Stock coverage"),
            Unit.DAYS,
            _coverage,
            _(
                "Units available now ÷ the average units sold per day over the "
                "30 days before today (sale movements; returns do not offset "
                "them); empty without sales."
            ),
            drilldown="skus",
        ),
    )

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.stock.models import StockLevel, StockMovement

        levels = (
            narrow(StockLevel.objects.all(), where=where, scope_ids=scope_ids)
            .annotate(member=member_expression(dimension))
            .values("warehouse_id", "member")
            .annotate(
                units=Sum("on_hand"),
                value_at_cost=Sum(cost_of("on_hand")),
                stockouts=Count(
                    "pk",
                    filter=Q(
                        variant__active=True,
                        warehouse__active=True,
                        on_hand__lte=F("reserved"),
                    ),
                ),
                available=Sum(
                    Case(
                        When(
                            on_hand__gt=F("reserved"), then=F("on_hand") - F("reserved")
                        ),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                ),
            )
            .order_by()
        )
        for row in levels:
            yield from _facts(
                end,
                row["warehouse_id"],
                row["member"],
                {
                    name: row[name]
                    for name in ("units", "value_at_cost", "stockouts", "available")
                },
            )
        since, until = day_bounds(end - COVERAGE_SALES_DAYS * ONE_DAY, end - ONE_DAY)
        sales = (
            narrow(
                StockMovement.objects.filter(
                    kind__in=SALE_KINDS,
                    variant__isnull=False,
                    created_at__gte=since,
                    created_at__lt=until,
                ),
                where=where,
                scope_ids=scope_ids,
            )
            .annotate(member=member_expression(dimension))
            .values("warehouse_id", "member")
            .annotate(units=Sum("quantity"))
            .order_by()
        )
        for row in sales:
            yield from _facts(
                end, row["warehouse_id"], row["member"], {"sold_30d": -row["units"]}
            )

    def drilldown_url(self, kpi, *, start, end, filters):
        params = _listing_filters(filters)
        if kpi.key == "stock.stockouts":
            params["out_of_stock"] = "true"
        return f"{reverse('stock_levels:index')}?{urlencode(params)}"


class StockFlowSource(WarehouseScoped, Source):
    """The movement ledger, day by day: cost of sales and stock value (a
    flow source)."""

    key = "stock_flow"
    label = _("Stock turnover")
    flow = True
    kpis = (
        KPI(
            "stock.turnover",
            _("Stock turnover"),
            # times a year: a plain number, like a score
            Unit.SCORE,
            _turnover,
            _(
                "Times a year the stock turns: cost of the units that left on "
                "sales in the period ÷ the average stock value at cost over its "
                "days, annualised (× 365 ÷ days); returns do not offset sales."
            ),
            permission=COST_PERMISSION,
            drilldown="movements",
        ),
    )

    def first_day(self):
        from plugins.stock.models import StockMovement

        first = (
            StockMovement.objects.order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        return store_date(first) if first else None

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        """Per day of ``start``..``end``: ``cogs`` (sale units × cost),
        ``sold`` (sale units) and ``value_days`` (the stock value at cost at
        the end of the day: summed over the days of a period, the average
        stock value × the number of days).

        The value at the end of day *d* is today's value less the value of
        the movements made after *d*: two grouped queries, whatever the
        number of SKUs or days."""
        from plugins.stock.models import StockLevel, StockMovement

        since, until = day_bounds(start, end)
        now_value = (
            narrow(StockLevel.objects.all(), where=where, scope_ids=scope_ids)
            .annotate(member=member_expression(dimension))
            .values("warehouse_id", "member")
            .annotate(value=Sum(cost_of("on_hand")))
            .order_by()
        )
        current: dict[tuple, Decimal] = {
            (row["warehouse_id"], row["member"]): row["value"] or ZERO
            for row in now_value
        }
        sale = Q(kind__in=SALE_KINDS)
        changes = (
            narrow(
                StockMovement.objects.filter(
                    variant__isnull=False, created_at__gte=since
                ),
                where=where,
                scope_ids=scope_ids,
            )
            .annotate(member=member_expression(dimension), day=store_day("created_at"))
            .values("warehouse_id", "member", "day")
            .annotate(
                change=Sum(cost_of("quantity")),
                cogs=Sum(cost_of("quantity"), filter=sale),
                sold=Sum("quantity", filter=sale),
            )
            .order_by()
        )
        by_day: dict[tuple, dict] = defaultdict(dict)
        later: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for row in changes:
            group = (row["warehouse_id"], row["member"])
            if row["day"] > end:
                later[group] += row["change"] or ZERO
                continue
            by_day[group][row["day"]] = row
            current.setdefault(group, ZERO)
        days = (end - start).days + 1
        for group, value_now in current.items():
            scope_id, member = group
            moved = by_day.get(group, {})
            closing = value_now - later.get(group, ZERO)  # at the end of ``end``
            for offset in range(days):
                day = end - offset * ONE_DAY
                row = moved.get(day)
                values = {"value_days": closing}
                if row is not None:
                    values["cogs"] = -(row["cogs"] or ZERO)
                    values["sold"] = -(row["sold"] or 0)
                    closing -= row["change"] or ZERO
                yield from _facts(day, scope_id, member, values)

    def drilldown_url(self, kpi, *, start, end, filters):
        params = {
            "kind": MovementKind.SALE,
            "created_at_from": start.strftime("%d/%m/%Y"),
            "created_at_to": end.strftime("%d/%m/%Y"),
        }
        warehouses = sorted(filters.get("warehouse", ()))
        if len(warehouses) == 1:
            params["warehouse"] = warehouses[0]
        return f"{reverse('stock_movements:index')}?{urlencode(params)}"


def _listing_filters(filters) -> dict[str, str]:
    """The stock listing's filters for a figure's filters (one member each)."""
    params = {}
    for dimension in ("warehouse", "category", "brand"):
        members = sorted(m for m in filters.get(dimension, ()) if m)
        if len(members) == 1:
            params[dimension] = members[0]
    return params


def stock_member_labels(dimension, members) -> dict[str, str]:
    """Names of warehouses (by id), categories and brands."""
    ids = [int(m) for m in members if str(m).isdigit()]
    if dimension == "warehouse":
        from plugins.stock.models import Warehouse

        names = {w.pk: str(w) for w in Warehouse.objects.filter(pk__in=ids)}
    elif dimension == "category":
        from content.models import Category

        names = dict(Category.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif dimension == "brand":
        from content.models import Brand

        names = dict(Brand.objects.filter(pk__in=ids).values_list("pk", "name"))
    else:
        return {m: m for m in members}
    return {str(pk): name for pk, name in names.items()}


def sources():
    return [StockSource(), StockFlowSource()]
