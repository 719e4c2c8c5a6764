"""Purchase planning: per SKU and warehouse, how fast it sells, how many days
the stock lasts and how many units to buy.

* **Average daily sales** over a window of days (the *N* days before today,
  default 30): the units of the window's sale movements ÷ the days the SKU
  was on sale there. A day is left out — a *stock-out day* — when it ended
  with no units on hand in that warehouse and nothing was sold on it (a day
  that sold the last units still sold). The units on hand at the end of a
  day are read from the movement ledger: today's units minus the
  quantities moved since; a day without movements keeps the level of the
  day before. Returns do not offset sales: the returned units are back on
  hand and count as available.
* **Coverage** = units available now (on hand − reserved) ÷ average daily
  sales; none without sales.
* **Suggestion** = average daily sales × (target coverage + the brand's
  lead time) − (available + in transit), rounded up, then up to a multiple
  of the brand's minimum purchase quantity; 0 when negative. The units in
  transit are the stock level's (transfers sent to the warehouse and not
  yet received). Brands without a lead time use the screen's default lead
  time and a minimum of 1.

Rows are the stock levels of active SKUs in the warehouses the user sees
(granted view or operate). The queries do not grow with the number of
SKUs: one for the levels, one grouped over the ledger since the window's
first day, one for the lead times.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import F, Q, Sum

from plugins.analytics.models import LeadTime
from plugins.analytics.periods import store_today

WINDOWS = (7, 14, 30, 60, 90)
DEFAULT_WINDOW = 30
DEFAULT_TARGET_DAYS = 45
DEFAULT_LEAD_TIME_DAYS = 15
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class PlanningRow:
    """One SKU in one warehouse."""

    variant_id: int
    warehouse_id: int
    sku: str
    product: str
    brand: str
    warehouse: str
    on_hand: int
    reserved: int
    in_transit: int
    #: units sold in the window
    sold: int
    #: days of the window that count (the window less the stock-out days)
    selling_days: int
    stockout_days: int
    #: units per day (``None``: no day of the window counts)
    average: Decimal | None
    #: days the available units last (``None``: no sales)
    coverage: Decimal | None
    lead_time: int
    #: whether the lead time is the screen's default (no lead time for the brand)
    default_lead_time: bool
    minimum_quantity: int
    suggestion: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def suggestion(
    average: Decimal | Fraction | None,
    *,
    available: int,
    in_transit: int,
    target_days: int,
    lead_time: int,
    minimum_quantity: int = 1,
) -> int:
    """Units to buy so that the stock covers ``target_days`` after the
    ``lead_time`` (see the module docstring). ``average`` exact (a
    fraction) rounds up exactly: 4/30 × 60 is 8, not 8.000…1."""
    if not average:
        return 0
    need = average * (target_days + lead_time) - (available + in_transit)
    if need <= 0:
        return 0
    units = math.ceil(need)
    step = max(minimum_quantity, 1)
    return math.ceil(units / step) * step


def _filters(
    *,
    warehouse_ids: Iterable[int] | None,
    category=None,
    brand=None,
) -> Q:
    """What narrows stock levels and movements alike (both carry
    ``warehouse`` and ``variant``)."""
    wanted = Q(variant__active=True)
    if warehouse_ids is not None:
        wanted &= Q(warehouse_id__in=list(warehouse_ids))
    if brand is not None:
        wanted &= Q(variant__product__brand=brand)
    if category is not None:
        from content.models import Product

        tree = category.get_descendants(include_self=True)
        products = Product.objects.filter(
            Q(primary_category__in=tree) | Q(categories__in=tree)
        ).values("pk")
        wanted &= Q(variant__product__in=products)
    return wanted


def plan(
    user,
    *,
    warehouse=None,
    category=None,
    brand=None,
    window: int = DEFAULT_WINDOW,
    target_days: int = DEFAULT_TARGET_DAYS,
    default_lead_time: int = DEFAULT_LEAD_TIME_DAYS,
    only_to_reorder: bool = False,
    today: datetime.date | None = None,
) -> list[PlanningRow]:
    """The planning rows ``user`` sees, by SKU and warehouse (see the module
    docstring). ``warehouse`` out of the user's warehouses gives none."""
    from plugins.stock.analytics import SALE_KINDS, day_bounds, store_day
    from plugins.stock.models import StockLevel, StockMovement
    from plugins.stock.permissions import visible_warehouses

    today = today or store_today()
    first, last = today - window * ONE_DAY, today - ONE_DAY
    visible = set(visible_warehouses(user).values_list("pk", flat=True))
    if warehouse is not None:
        visible &= {warehouse.pk}
    if not visible:
        return []
    wanted = _filters(warehouse_ids=visible, category=category, brand=brand)
    levels = list(
        StockLevel.objects.filter(wanted)
        .values(
            "variant_id",
            "warehouse_id",
            "on_hand",
            "reserved",
            "in_transit",
            sku=F("variant__sku"),
            product=F("variant__product__name"),
            brand_id=F("variant__product__brand_id"),
            brand=F("variant__product__brand__name"),
            warehouse_code=F("warehouse__code"),
        )
        .order_by("variant__sku", "warehouse__priority", "warehouse__code")
    )
    if not levels:
        return []
    since, _until = day_bounds(first, last)
    moved: dict[tuple, dict] = defaultdict(dict)
    rows = (
        StockMovement.objects.filter(wanted, created_at__gte=since)
        .annotate(day=store_day("created_at"))
        .values("variant_id", "warehouse_id", "day")
        .annotate(
            change=Sum("quantity"),
            sold=Sum("quantity", filter=Q(kind__in=SALE_KINDS)),
        )
        .order_by()
    )
    for row in rows:
        moved[row["variant_id"], row["warehouse_id"]][row["day"]] = (
            row["change"] or 0,
            -(row["sold"] or 0),
        )
    lead_times = {
        brand_id: (days, minimum)
        for brand_id, days, minimum in LeadTime.objects.values_list(
            "brand_id", "days", "minimum_quantity"
        )
    }
    result = []
    for level in levels:
        days_moved = moved.get((level["variant_id"], level["warehouse_id"]), {})
        on_hand = level["on_hand"] - sum(change for change, _s in days_moved.values())
        sold = stockout_days = 0
        day = first
        while day <= last:
            change, day_sold = days_moved.get(day, (0, 0))
            on_hand += change
            sold += day_sold
            if on_hand <= 0 and not day_sold:
                stockout_days += 1
            day += ONE_DAY
        selling_days = window - stockout_days
        average = Decimal(sold) / selling_days if selling_days else None
        available = level["on_hand"] - level["reserved"]
        # a sale day is a selling day: with sales there are selling days
        coverage = Decimal(max(available, 0) * selling_days) / sold if sold else None
        lead = lead_times.get(level["brand_id"])
        lead_time, minimum = lead if lead else (default_lead_time, 1)
        units = suggestion(
            Fraction(sold, selling_days) if selling_days else None,
            available=available,
            in_transit=level["in_transit"],
            target_days=target_days,
            lead_time=lead_time,
            minimum_quantity=minimum,
        )
        if only_to_reorder and not units:
            continue
        result.append(
            PlanningRow(
                variant_id=level["variant_id"],
                warehouse_id=level["warehouse_id"],
                sku=level["sku"],
                product=level["product"],
                brand=level["brand"] or "",
                warehouse=level["warehouse_code"],
                on_hand=level["on_hand"],
                reserved=level["reserved"],
                in_transit=level["in_transit"],
                sold=sold,
                selling_days=selling_days,
                stockout_days=stockout_days,
                average=average,
                coverage=coverage,
                lead_time=lead_time,
                default_lead_time=lead is None,
                minimum_quantity=minimum,
                suggestion=units,
            )
        )
    # What to buy first: the suggestions, the shortest coverage first.
    result.sort(
        key=lambda row: (
            not row.suggestion,
            row.coverage is None,
            row.coverage or 0,
            row.sku,
            row.warehouse,
        )
    )
    return result
