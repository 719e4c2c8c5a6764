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

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.exceptions import RetaguardaError
from plugins.importing.base import Column, Importer, Row
from plugins.importing.errors import RowError
from plugins.orders.exceptions import IdempotencyConflict, InvalidOrder
from plugins.orders.importing.sheet import (
    COLUMNS,
    REQUIRED_COLUMNS,
    OrderGroup,
    group_rows,
    parse_row,
)
from plugins.orders.models import Order, SalesChannel
from plugins.orders.permissions import order_policy
from plugins.orders.services.history import StockChoice, clean_history
from plugins.orders.services.validation import parse_line_key

#: Where the service's error keys point in the sheet.
SERVICE_KEYS = {
    "customer.name": "customer_name",
    "customer.email": "customer_email",
    "customer.phone": "customer_phone",
    "customer.document": "customer_document",
    "customer.reference": "buyer_id",
    "lines": "sku",
    "payments": "payment_type",
    "rating.stars": "rating",
    "rating.rated_at": "rated_at",
}
LINE_FIELDS = {"discount": "line_discount"}
PAYMENT_FIELDS = {
    "method": "payment_type",
    "value": "payment_value",
    "installments": "payment_installments",
    "status": "payment_status",
    "provider_id": "payment_id",
}
PAYMENT_ERROR_KEY = re.compile(r"^payments\[(\d+)\]\.(\w+)$")


class StockForm(forms.Form):
    stock = forms.ChoiceField(
        label=gettext_lazy("Stock"),
        choices=(
            (
                StockChoice.TO_SHIP,
                gettext_lazy(
                    "Orders still to be shipped reserve stock; shipped, "
                    "delivered and cancelled orders do not move it"
                ),
            ),
            (StockChoice.NONE, gettext_lazy("No imported order moves stock")),
        ),
        initial=StockChoice.TO_SHIP,
        required=False,  # left out: the default
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


def _resolve_channels(groups: list[OrderGroup], user) -> None:
    """Find each order's channel; the user must be able to add orders there."""
    codes = {group.channel_code for group in groups}
    channels = {c.code: c for c in SalesChannel.objects.filter(code__in=codes)}
    policy = order_policy()
    for group in groups:
        channel = channels.get(group.channel_code)
        if channel is None:
            message = _("Unknown sales channel “%s”.") % group.channel_code
        elif user is not None and not (
            policy.user_has_permission_for_instance(user, "add", Order(channel=channel))
        ):
            message = (
                _("You may not add orders to the channel “%s”.") % group.channel_code
            )
        else:
            group.channel = channel
            continue
        group.errors.extend(
            RowError(row.number, "channel", message) for row in group.rows
        )


def _service_errors(group: OrderGroup, errors: dict[str, list[str]]) -> list[RowError]:
    """InvalidOrder.errors (``lines[1].sku``, ``customer.document`` ...) as row
    errors pointing at the right row and column."""
    found = []
    lines, payments = group.line_rows or group.rows, group.payment_rows or group.rows
    for key, messages in errors.items():
        row, column = group.first, SERVICE_KEYS.get(key, key)
        if line := parse_line_key(key):
            index, name = line
            row = lines[min(index, len(lines) - 1)]
            column = LINE_FIELDS.get(name, name)
        elif payment := PAYMENT_ERROR_KEY.match(key):
            index, name = int(payment.group(1)), payment.group(2)
            row = payments[min(index, len(payments) - 1)]
            column = PAYMENT_FIELDS.get(name, name)
        elif key.startswith("shipping_address."):
            column = key.split(".", 1)[1]
        found.extend(RowError(row.number, column, str(m)) for m in messages)
    return found


def _check(group: OrderGroup) -> None:
    """For an order that cannot be placed as it is: the service's checks that
    need no catalog, so that one upload shows all of the order's errors."""
    from plugins.orders.services import clean_order_request

    request = group.request()
    for key in ("external_id", "placed_at"):
        request.pop(key)
    history = request.pop("history", None)
    clean = clean_order_request(**request)
    if history is not None:
        clean_history(history, clean.errors)
    taken = {(e.row, e.column) for row in group.rows for e in row.errors}
    taken |= {(e.row, e.column) for e in group.errors}
    for error in _service_errors(group, clean.errors):
        if (error.row, error.column) not in taken:
            group.errors.append(error)
            taken.add((error.row, error.column))


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
    group_label = gettext_lazy("order")
    dry_run_writes = True
    options_form = StockForm
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
                    channel=group.channel,
                    user=self.user,
                    stock=self.options.get("stock") or StockChoice.TO_SHIP,
                    **group.request(),
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
