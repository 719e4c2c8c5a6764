"""Reads of stock that carry meaning."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def hold_expired(now=None) -> Q:
    """The rule of cart-hold expiry, for a hold or a reservation of one (which
    carries its hold's ``expires_at``): expired from ``expires_at`` on. Its
    units then stop counting as reserved (availability), an order can no
    longer take the hold over, and the periodic task releases it."""
    return Q(expires_at__lte=now or timezone.now())


def hold_expired_sql(model, alias: str) -> str:
    """:func:`hold_expired` for a query written out over ``model`` (CartHold or
    Reservation) aliased ``alias``; its one parameter is the time."""
    from plugins.sql import column

    return f"{alias}.{column(model, 'expires_at')} <= %s"


def is_expired(expires_at, now=None) -> bool:
    """:func:`hold_expired` for a hold in hand."""
    return expires_at <= (now or timezone.now())


class WarehouseQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class StockLevelQuerySet(models.QuerySet):
    def available_in(self, warehouse):
        """Levels of ``warehouse`` with units available (on hand, not reserved)."""
        return self.filter(warehouse=warehouse, on_hand__gt=F("reserved"))

    def below_reorder_point(self):
        """Levels whose available units fell to their reorder point (levels
        without a reorder point never alert)."""
        return self.filter(reorder_point__gt=0).filter(
            on_hand__lte=F("reserved") + F("reorder_point")
        )

    def shipping_warehouse(self, needs: dict[int, int], channel_code: str) -> str:
        """The code of the warehouse an order of ``needs`` ({variant id:
        units}) on the channel would reserve from, read only (freight quotes
        ship from it): in the reservation's order (the channel's preferred
        warehouse, then by priority, then code), the first active warehouse
        with every line's units available; else the one that would supply the
        first units of the most lines; "" when no variant is stocked. One
        query."""
        from django.apps import apps
        from django.db import connections

        from plugins.sql import column, table

        # the models through the app registry: they import this module
        Warehouse = apps.get_model("stock", "Warehouse")  # noqa: N806
        ChannelWarehouse = apps.get_model("stock", "ChannelWarehouse")  # noqa: N806

        # Written out (it runs for every freight quote: the ORM's cost of
        # building the query was most of its time); it reads the levels of
        # ``needs`` whatever this queryset was filtered to.
        level, house, link = self.model, Warehouse, ChannelWarehouse
        warehouse = column(level, "warehouse")
        ids = sorted(needs)
        if not ids:
            return ""
        sql = f"""
            SELECT l.{column(level, "variant")}, w.{column(house, "code")},
                   w.{column(house, "priority")},
                   EXISTS(
                       SELECT 1 FROM {table(link)} cw
                       WHERE cw.{column(link, "channel_code")} = %s
                         AND cw.{column(link, "warehouse")} = l.{warehouse}
                   ),
                   l.{column(level, "on_hand")}, l.{column(level, "reserved")}
            FROM {table(level)} l
            JOIN {table(house)} w
              ON w.{column(house, "pk")} = l.{column(level, "warehouse")}
            WHERE w.{column(house, "active")} = %s
              AND l.{column(level, "variant")} IN ({", ".join(["%s"] * len(ids))})
        """  # noqa: S608  (names from the models; values are parameters)
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [channel_code, True, *ids])
            rows = cursor.fetchall()
        order: dict[str, tuple] = {}
        free: dict[str, dict[int, int]] = {}
        for variant_id, code, priority, is_preferred, on_hand, reserved in rows:
            order[code] = (not is_preferred, priority, code)
            free.setdefault(code, {})[variant_id] = max(on_hand - reserved, 0)
        ranked = sorted(order, key=order.__getitem__)
        for code in ranked:
            if all(free[code].get(v, 0) >= units for v, units in needs.items()):
                return code
        supplies: dict[str, int] = {}
        for variant_id in needs:
            first = next((c for c in ranked if free[c].get(variant_id, 0) > 0), None)
            if first is not None:
                supplies[first] = supplies.get(first, 0) + 1
        if supplies:
            return min(supplies, key=lambda c: (-supplies[c], order[c]))
        return ranked[0] if ranked else ""

    def out_of_stock(self):
        """Levels with nothing available."""
        return self.filter(on_hand__lte=F("reserved"))

    def in_category(self, category):
        """Levels of variants whose product is in ``category`` or below it
        (primary or extra category)."""
        tree = category.get_descendants(include_self=True)
        return self.filter(
            Q(variant__product__primary_category__in=tree)
            | Q(variant__product__categories__in=tree)
        ).distinct()

    def in_active_warehouses(self):
        return self.filter(warehouse__active=True)

    def with_available(self):
        return self.annotate(available_units=F("on_hand") - F("reserved"))


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Stock movements are immutable.")

    def delete(self):
        raise TypeError("Stock movements are immutable.")

    def for_reference(self, reference_type: str, reference: str):
        return self.filter(reference_type=reference_type, reference=reference)


class ReservationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")

    def expired_holds(self, now=None):
        """Active cart-hold reservations past their expiry: not counted as
        reserved by availability, released by the periodic task."""
        return self.filter(hold_expired(now), status="active", hold__isnull=False)

    def for_order(self, order_id: int):
        return self.filter(order_id=order_id)


class CartHoldQuerySet(models.QuerySet):
    def live(self, now=None):
        """Active holds not yet expired (:func:`hold_expired`)."""
        return self.filter(status="active").exclude(hold_expired(now))

    def expired(self, now=None):
        """Active holds past their expiry, for the periodic task to release."""
        return self.filter(hold_expired(now), status="active")


class TransferQuerySet(models.QuerySet):
    def in_transit(self):
        return self.filter(status="sent")

    def involving(self, warehouse_ids):
        """Transfers from or to any of ``warehouse_ids``."""
        return self.filter(
            Q(source_id__in=warehouse_ids) | Q(destination_id__in=warehouse_ids)
        )


class InventoryCountQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status="open")
