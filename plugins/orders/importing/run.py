"""Placing the orders of a sheet: dry run and import, in one transaction."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.importing.errors import FileProblem, RowError
from plugins.orders.exceptions import IdempotencyConflict, InvalidOrder
from plugins.orders.importing.sheet import COLUMNS, OrderGroup, read_orders
from plugins.orders.models import Order, SalesChannel
from plugins.orders.permissions import order_policy

IMPORT_LOG_ACTION = "orders.import"
MAX_STORED_ERRORS = 500
#: Where the service's error keys point in the sheet.
SERVICE_KEYS = {
    "customer.name": "customer_name",
    "customer.email": "customer_email",
    "customer.phone": "customer_phone",
    "customer.document": "customer_document",
    "lines": "sku",
}
LINE_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
LINE_FIELDS = {"discount": "line_discount"}


@dataclass
class OrderImportReport:
    total_rows: int = 0
    orders: int = 0
    new_orders: int = 0
    existing_orders: int = 0
    invalid_orders: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)
    file_error: str = ""
    committed: bool = False
    dry_run: bool = True
    created: list[str] = field(default_factory=list)  # order numbers
    existing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    def as_dict(self) -> dict:
        return asdict(self)


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
    for key, messages in errors.items():
        row, column = group.first, SERVICE_KEYS.get(key, key)
        if match := LINE_KEY.match(key):
            index, name = int(match.group(1)), match.group(2)
            row = group.rows[min(index, len(group.rows) - 1)]
            column = LINE_FIELDS.get(name, name)
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
    clean = clean_order_request(**request)
    taken = {(e.row, e.column) for row in group.rows for e in row.errors}
    taken |= {(e.row, e.column) for e in group.errors}
    for error in _service_errors(group, clean.errors):
        if (error.row, error.column) not in taken:
            group.errors.append(error)
            taken.add((error.row, error.column))


def _place(group: OrderGroup, user, report: OrderImportReport) -> None:
    from plugins.orders.services import place_order

    try:
        placement = place_order(channel=group.channel, user=user, **group.request())
    except InvalidOrder as exc:
        group.errors.extend(_service_errors(group, exc.errors))
    except IdempotencyConflict as exc:
        group.errors.append(RowError(group.first.number, "external_id", exc.message))
    except PermissionDenied:
        group.errors.append(
            RowError(
                group.first.number,
                "channel",
                _("You may not add orders to the channel “%s”.") % group.channel_code,
            )
        )
    except RetaguardaError as exc:  # a hook refused (e.g. not enough stock)
        group.errors.append(RowError(group.first.number, "", exc.message))
    else:
        group.number, group.created = placement.order.number, placement.created
        numbers = report.created if placement.created else report.existing
        numbers.append(placement.order.number)


def run_order_import(
    data: bytes, *, user, dry_run: bool = True, filename: str = ""
) -> OrderImportReport:
    """Check (``dry_run``) or import a file of marketplace orders; see the
    module docstring. Never raises for bad input: the report says what is
    wrong. Needs ``add`` on each row's channel; audited per channel."""
    report = OrderImportReport(dry_run=dry_run)
    try:
        rows, groups = read_orders(data)
    except FileProblem as exc:
        report.file_error = str(exc)
        return report
    report.total_rows, report.orders = len(rows), len(groups)
    _resolve_channels(groups, user)
    errors: list[RowError] = []
    with transaction.atomic():
        for group in groups:
            if not group.errors and not any(row.errors for row in group.rows):
                _place(group, user, report)
            else:
                _check(group)
            if group.errors or any(row.errors for row in group.rows):
                report.invalid_orders += 1
        errors = [e for row in rows for e in row.errors] + [
            e for group in groups for e in group.errors
        ]
        if dry_run or errors:
            # On-commit work (webhooks, e-mails) registered meanwhile is dropped.
            transaction.set_rollback(True)
        else:
            _audit(groups, user, filename)
            report.committed = True
    errors.sort(key=lambda e: (e.row, _column_position(e.column)))
    report.error_count = len(errors)
    report.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    report.new_orders = len(report.created)
    report.existing_orders = len(report.existing)
    if not report.committed:
        report.created = []  # rolled back: those numbers do not exist
    return report


def _column_position(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else -1


def _audit(groups: list[OrderGroup], user, filename: str) -> None:
    """One audit entry per channel: the file, the orders it created and how
    many it found already imported."""
    by_channel: dict[int, tuple[SalesChannel, list[str], list[str]]] = {}
    for group in groups:
        channel, created, existing = by_channel.setdefault(
            group.channel.pk, (group.channel, [], [])
        )
        (created if group.created else existing).append(group.number)
    for channel, created, existing in by_channel.values():
        log_change(
            channel,
            IMPORT_LOG_ACTION,
            user=user,
            file=filename[:255],
            created=sorted(created),
            already_imported=len(existing),
        )
