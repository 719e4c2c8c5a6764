"""Marketplace orders from a spreadsheet, on the import framework
(:mod:`plugins.importing`): one row per order line, rows grouped into orders
by ``(channel, external_id)``, each order placed through
:func:`plugins.orders.services.place_order`.

The check places every batch's orders and rolls the batch back, so that it
applies the service's own rules (catalog prices, check digits, stock hooks)
while holding the database's write lock for one batch at a time, never for
the whole file. Re-importing a file creates nothing new: ``place_order`` is
idempotent by ``(channel, external_id)``, and the report counts those orders
as already imported."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.exceptions import RetaguardaError
from plugins.importing.base import Column, Importer, Row
from plugins.orders.exceptions import IdempotencyConflict, InvalidOrder
from plugins.orders.importing.run import _check, _resolve_channels, _service_errors
from plugins.orders.importing.sheet import (
    COLUMNS,
    REQUIRED_COLUMNS,
    OrderGroup,
    group_rows,
    parse_row,
)
from plugins.orders.permissions import order_policy


class OrdersImporter(Importer):
    key = "orders.marketplace"
    verbose_name = gettext_lazy("Import marketplace orders")
    permission = "orders.import_order"
    help_text = gettext_lazy(
        "One row per order line; rows with the same channel and external_id "
        "are one order. Orders already imported are recognised and not "
        "created again."
    )
    columns = tuple(Column(name, required=name in REQUIRED_COLUMNS) for name in COLUMNS)
    group_by = ("channel", "external_id")
    dry_run_writes = True
    counters = {
        "new_orders": gettext_lazy("New orders"),
        "existing_orders": gettext_lazy("Orders already imported"),
    }

    @classmethod
    def user_can_import(cls, user) -> bool:
        return user.is_active and order_policy().user_has_permission(user, "import")

    def check_row(self, row: Row) -> None:
        names = list(row.values)
        parsed = parse_row(row.number, names, [row.values[n] for n in names])
        row.errors.extend(parsed.errors)
        parsed.errors = []
        row.cleaned["parsed"] = parsed

    def _groups(self, rows: list[Row]) -> list[OrderGroup]:
        by_number = {row.number: row for row in rows}
        parsed = [row.cleaned["parsed"] for row in rows]
        groups = group_rows(parsed)
        _resolve_channels(groups, self.user)
        for item in parsed:  # what group_rows found (orders' columns differ)
            by_number[item.number].errors.extend(item.errors)
            item.errors = []
        for group in groups:
            self._move_errors(group, by_number)
        return groups

    @staticmethod
    def _move_errors(group: OrderGroup, by_number: dict[int, Row]) -> None:
        for error in group.errors:
            by_number[error.row].errors.append(error)
        group.errors = []

    def check_batch(self, rows: list[Row]) -> None:
        by_number = {row.number: row for row in rows}
        for group in self._groups(rows):
            if any(not by_number[r.number].valid for r in group.rows):
                # the service's checks that need no catalog: one upload shows
                # every error of the order
                _check(group)
                self._move_errors(group, by_number)

    def write_batch(self, rows: list[Row]) -> None:
        by_number = {row.number: row for row in rows}
        for group in self._groups(rows):
            if any(not by_number[r.number].valid for r in group.rows):
                continue
            self._place(group)
            self._move_errors(group, by_number)

    def _place(self, group: OrderGroup) -> None:
        from plugins.orders.services import place_order

        first = group.first.number
        try:
            with transaction.atomic():
                placement = place_order(
                    channel=group.channel, user=self.user, **group.request()
                )
        except InvalidOrder as exc:
            group.errors.extend(_service_errors(group, exc.errors))
        except IdempotencyConflict as exc:
            group.error_at(first, "external_id", exc.message)
        except PermissionDenied:
            group.error_at(
                first,
                "channel",
                _("You may not add orders to the channel “%s”.") % group.channel_code,
            )
        except RetaguardaError as exc:  # a hook refused (e.g. not enough stock)
            group.error_at(first, "", exc.message)
        else:
            self.counts["new_orders" if placement.created else "existing_orders"] += 1

    def result_url(self, job) -> str:
        return reverse("orders:index")
