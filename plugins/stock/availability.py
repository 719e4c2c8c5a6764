"""Availability of SKUs for storefronts, its cache and its invalidation.

``available`` is what can be sold now: per active warehouse, on hand minus
reserved (never below zero), where reservations of cart holds past their
expiry no longer count (the periodic task releases them for good). A SKU
without any stock level is *not tracked*.

Two caches depend on it:

* the availability endpoint caches each SKU under a generation key that every
  committed change of the SKU renews (:func:`availability_changed`);
* the catalog API shows a coarse ``status`` per variant (in stock, low stock,
  out of stock, backorder). Renewing the whole catalog cache on every
  reservation would make it useless under load, so after commit the status is
  recomputed and the catalog is invalidated only when it differs from the
  last status announced for the SKU or from the status before this change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from plugins.cached import Generation

GEN_KEY = "stock:gen:{}"
VALUE_KEY = "stock:avail:{}:{}"
STATUS_KEY = "stock:status:{}"
EPOCH_KEY = "stock:epoch"
TTL = 60 * 60

IN_STOCK = "in_stock"
LOW_STOCK = "low_stock"
OUT_OF_STOCK = "out_of_stock"
BACKORDER = "backorder"
NOT_TRACKED = "not_tracked"
ORDERABLE = {IN_STOCK, LOW_STOCK, BACKORDER}


def low_stock_threshold() -> int:
    return int(getattr(settings, "RETAGUARDA_STOCK_LOW_THRESHOLD", 5))


def sell_untracked() -> bool:
    """Whether SKUs that were never stocked anywhere can be sold (default:
    no — nothing is sold that is not in stock)."""
    return bool(getattr(settings, "RETAGUARDA_STOCK_SELL_UNTRACKED", False))


@dataclass
class Availability:
    sku: str
    available: int = 0
    backorder: bool = False
    tracked: bool = False
    warehouses: list[dict] = field(default_factory=list)
    known: bool = True

    @property
    def status(self) -> str:
        return self.status_at(low_stock_threshold())

    def status_at(self, low_stock: int) -> str:
        if not self.known:
            return "unknown"
        if not self.tracked:
            return NOT_TRACKED
        if self.available <= 0:
            return BACKORDER if self.backorder else OUT_OF_STOCK
        if self.available <= low_stock:
            return LOW_STOCK
        return IN_STOCK

    @property
    def orderable(self) -> bool:
        status = self.status
        return status in ORDERABLE or (status == NOT_TRACKED and sell_untracked())

    def as_dict(self) -> dict:
        return {
            "sku": self.sku,
            "available": max(self.available, 0),
            "status": self.status,
            "orderable": self.orderable,
            "warehouses": self.warehouses,
        }

    def payload(self) -> dict:
        """What the catalog shows per variant: no unit counts, so that the
        catalog cache survives every sale."""
        return {"status": self.status, "orderable": self.orderable}


def expired_hold_units(level=None):
    """Subquery: units of a level (by default the outer query's row) held by
    expired cart holds."""
    from plugins.stock.models import Reservation

    return Coalesce(
        Subquery(
            Reservation.objects.expired_holds(timezone.now())
            .filter(level=level if level is not None else OuterRef("pk"))
            .values("level")
            .annotate(units=Sum("quantity"))
            .values("units"),
            output_field=IntegerField(),
        ),
        0,
    )


def compute(skus: Iterable[str]) -> dict[str, Availability]:
    """Availability of each SKU (one query)."""
    from plugins.stock.models import StockLevel

    skus = list(dict.fromkeys(skus))
    result = {sku: Availability(sku) for sku in skus}
    if not skus:
        return result
    rows = (
        StockLevel.objects.filter(variant__sku__in=skus)
        .annotate(expired=expired_hold_units())
        .order_by("warehouse__priority", "warehouse__code")
        .values_list(
            "variant__sku",
            "on_hand",
            "reserved",
            "expired",
            "warehouse__code",
            "warehouse__active",
            "warehouse__allow_backorders",
        )
    )
    for sku, on_hand, reserved, expired, code, active, backorders in rows:
        item = result[sku]
        item.tracked = True
        if not active:
            continue
        units = max(on_hand - reserved + expired, 0)
        item.available += units
        item.backorder |= bool(backorders)
        item.warehouses.append({"code": code, "available": units})
    return result


# -- the availability endpoint's cache ---------------------------------------------


#: every SKU's generation lives under this one (a warehouse change renews it)
EPOCH = Generation(EPOCH_KEY)


def _epoch(backend=None) -> str:
    return EPOCH.current(backend)


def warehouses_changed(**kwargs) -> None:
    """A warehouse was added, changed (active, backorders) or removed: every
    SKU's availability may differ. After commit, renew every cached entry and
    the catalog's."""

    def renew():
        EPOCH.renew()
        from django.apps import apps

        if apps.is_installed("api"):
            from api.cache import catalog_changed

            catalog_changed()

    transaction.on_commit(renew)


def cached(skus: list[str]) -> list[dict]:
    """``as_dict()`` of each SKU, from the cache when its generation is
    current."""
    epoch = _epoch()
    gen_keys = {sku: GEN_KEY.format(f"{epoch}:{sku}") for sku in skus}
    gens = Generation.current_many(list(gen_keys.values()))
    value_keys = {sku: VALUE_KEY.format(sku, gens[gen_keys[sku]]) for sku in skus}
    hits = cache.get_many(list(value_keys.values()))
    todo = [sku for sku in skus if value_keys[sku] not in hits]
    if todo:
        found = compute(todo)
        untracked = [sku for sku, item in found.items() if not item.tracked]
        if untracked:
            from content.models import Variant

            known = set(
                Variant.objects.filter(sku__in=untracked).values_list("sku", flat=True)
            )
            for sku in untracked:
                found[sku].known = sku in known
        fresh = {sku: item.as_dict() for sku, item in found.items()}
        cache.set_many({value_keys[sku]: fresh[sku] for sku in todo}, TTL)
        hits.update({value_keys[sku]: fresh[sku] for sku in todo})
    return [hits[value_keys[sku]] for sku in skus]


# -- invalidation ----------------------------------------------------------------


def availability_changed(
    deltas: dict[str, int], current: dict[str, Availability] | None = None
) -> None:
    """Call inside the transaction that changed the availability of SKUs
    (``{sku: change in available units}``); after commit, renews their cache
    generations and invalidates the catalog if a shown status changed.
    ``current`` is the availability of SKUs known as this transaction leaves
    it (the others are read after commit)."""
    deltas = {sku: delta for sku, delta in deltas.items() if sku}
    if deltas:
        transaction.on_commit(lambda: _after_commit(deltas, current or {}))


def _after_commit(deltas: dict[str, int], current: dict[str, Availability]) -> None:
    # The backend itself: the ``cache`` proxy looks it up on every use.
    backend = caches[DEFAULT_CACHE_ALIAS]
    epoch = _epoch(backend)
    Generation.renew_many([GEN_KEY.format(f"{epoch}:{sku}") for sku in deltas], backend)
    now = dict(current)
    if len(now) < len(deltas):
        now.update(compute(sku for sku in deltas if sku not in now))
    keys = {sku: STATUS_KEY.format(f"{epoch}:{sku}") for sku in deltas}
    announced = backend.get_many(list(keys.values()))
    changed = {}
    low = low_stock_threshold()
    for sku, item in now.items():
        status = item.status_at(low)
        before = Availability(
            sku,
            available=item.available - deltas[sku],
            backorder=item.backorder,
            tracked=item.tracked,
        ).status_at(low)
        if status != before or announced.get(keys[sku]) != status:
            changed[keys[sku]] = status
    if changed:
        backend.set_many(changed, None)
        from django.apps import apps

        if apps.is_installed("api"):
            from api.cache import catalog_changed

            catalog_changed()


def payload_schema() -> dict:
    """``api.hooks.PRODUCT_PAYLOAD_SCHEMA``: what ``availability`` looks like."""
    return {
        "variant": {
            "availability": {
                "type": "object",
                "description": "Stock availability (no unit counts).",
                "properties": {
                    "status": {
                        "type": "string",
                        "enum": [
                            IN_STOCK,
                            LOW_STOCK,
                            OUT_OF_STOCK,
                            BACKORDER,
                            NOT_TRACKED,
                        ],
                    },
                    "orderable": {"type": "boolean"},
                },
                "required": ["status", "orderable"],
            }
        }
    }


def add_to_product_payloads(*, payloads: list[dict]) -> None:
    """``api.hooks.PRODUCT_PAYLOADS``: ``availability`` on every variant."""
    variants = [v for p in payloads for v in p.get("variants", ())]
    if not variants:
        return
    found = compute(v["sku"] for v in variants)
    for variant in variants:
        variant["availability"] = found[variant["sku"]].payload()
    # Record what the catalog shows, unless a change already announced a
    # status (see _after_commit).
    epoch = _epoch()
    keys = {
        STATUS_KEY.format(f"{epoch}:{sku}"): item.status for sku, item in found.items()
    }
    announced = cache.get_many(list(keys))
    missing = {key: status for key, status in keys.items() if key not in announced}
    if missing:
        cache.set_many(missing, None)
