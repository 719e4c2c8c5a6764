"""What the stock plugin reports to the catalog's admin screens
(:data:`content.hooks.PRODUCT_STOCK`)."""

from __future__ import annotations

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from plugins.stock.availability import expired_hold_units, sell_untracked


def product_available_units():
    """Units of the outer query's product available for sale now: for each
    stock level of its active variants in an active warehouse, on hand minus
    reserved (expired cart holds no longer count), never below zero, summed —
    as :func:`plugins.stock.availability.compute` counts them per SKU. A
    product none of whose active variants was ever stocked has 0, or NULL
    (not tracked) where untracked SKUs are sold
    (``RETAGUARDA_STOCK_SELL_UNTRACKED``)."""
    from plugins.stock.models import StockLevel

    levels = StockLevel.objects.filter(
        variant__product=OuterRef("pk"), variant__active=True
    )
    per_level = Greatest(F("on_hand") - F("reserved") + expired_hold_units(), Value(0))
    available = Coalesce(
        Subquery(
            levels.filter(warehouse__active=True)
            .values("variant__product")
            .annotate(units=Sum(per_level))
            .values("units"),
            output_field=IntegerField(),
        ),
        0,
    )
    return Case(
        When(Exists(levels), then=available),
        default=Value(None if sell_untracked() else 0),
        output_field=IntegerField(),
    )
