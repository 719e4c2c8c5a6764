"""Reading order sheets: columns, cells (Brazilian numbers and dates, codes a
spreadsheet turned into numbers), rows grouped into orders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from content.resources import parse_decimal
from plugins.importing.base import cell_text as _text
from plugins.importing.errors import RowError
from plugins.orders.models import PaymentMethod, SalesChannel

#: Columns that describe the order: equal on every row of one order.
ORDER_COLUMNS = (
    "channel",
    "external_id",
    "placed_at",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_document",
    "recipient",
    "cep",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "uf",
    "payment_method",
    "installments",
    "shipping_total",
    "discount_total",
    "promised_delivery_date",
    "note",
)
#: Columns of one order line.
LINE_COLUMNS = ("sku", "quantity", "unit_price", "line_discount")
COLUMNS = ORDER_COLUMNS + LINE_COLUMNS
REQUIRED_COLUMNS = (
    "channel",
    "external_id",
    "customer_name",
    "cep",
    "street",
    "number",
    "district",
    "city",
    "uf",
    "payment_method",
    "sku",
    "quantity",
)
AMOUNT_COLUMNS = {"shipping_total", "discount_total", "unit_price", "line_discount"}
PAYMENT_ALIASES = {
    "pix": PaymentMethod.PIX,
    "boleto": PaymentMethod.BOLETO,
    "card": PaymentMethod.CARD,
    "cartao": PaymentMethod.CARD,
    "cartão": PaymentMethod.CARD,
    "cartao de credito": PaymentMethod.CARD,
    "cartão de crédito": PaymentMethod.CARD,
    "credit card": PaymentMethod.CARD,
}


@dataclass
class ParsedRow:
    number: int  # the spreadsheet's row number (the header is row 1)
    values: dict
    errors: list[RowError] = field(default_factory=list)


@dataclass
class OrderGroup:
    """The rows of one order in the file."""

    channel_code: str
    external_id: str
    rows: list[ParsedRow]
    channel: SalesChannel | None = None
    errors: list[RowError] = field(default_factory=list)
    number: str = ""  # the order placed (or found already imported)
    created: bool = False

    @property
    def first(self) -> ParsedRow:
        return self.rows[0]

    def error_at(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def request(self) -> dict:
        """The keyword arguments of ``place_order`` (without channel and user)."""
        head = self.first.values
        return {
            "external_id": self.external_id,
            "placed_at": head.get("placed_at"),
            "customer": {
                "name": head.get("customer_name") or "",
                "email": head.get("customer_email") or "",
                "phone": head.get("customer_phone") or "",
                "document": head.get("customer_document") or "",
            },
            "shipping_address": {
                "recipient": head.get("recipient") or head.get("customer_name") or "",
                **{
                    key: head.get(key) or ""
                    for key in (
                        "cep",
                        "street",
                        "number",
                        "complement",
                        "district",
                        "city",
                        "uf",
                    )
                },
            },
            "payment_method": head.get("payment_method") or "",
            "installments": head.get("installments") or 1,
            "shipping_total": head.get("shipping_total"),
            "discount_total": head.get("discount_total"),
            "promised_delivery_date": head.get("promised_delivery_date"),
            "note": head.get("note") or "",
            "lines": [
                {
                    "sku": row.values.get("sku") or "",
                    "quantity": row.values.get("quantity"),
                    "unit_price": row.values.get("unit_price"),
                    "discount": row.values.get("line_discount"),
                }
                for row in self.rows
            ],
        }


# -- reading cells -----------------------------------------------------------------


def _digits_cell(value, width: int | None = None) -> str:
    """A code a spreadsheet may have turned into a number (CEP, CPF/CNPJ):
    put back the leading zeros it dropped."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
        if width is None:
            width = 11 if len(text) <= 11 else 14
        return text.zfill(width)
    return _text(value)


def _amount(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    try:
        return parse_decimal(str(value))
    except ValueError:
        raise ValueError(_("Not an amount: “%s”.") % value) from None


def _integer(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = _amount(value)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value():
        raise ValueError(_("Not a whole number: “%s”.") % value)
    return int(number)


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(_("Not a date (DD/MM/YYYY): “%s”.") % text)


def _datetime(value) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(12))
    else:
        text = str(value).strip()
        moment = None
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                moment = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    _("Not a date and time (DD/MM/YYYY HH:MM): “%s”.") % text
                ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + datetime.timedelta(minutes=5):
        raise ValueError(_("The order cannot be placed in the future."))
    return moment


def _payment(value) -> str:
    text = _text(value).lower()
    return PAYMENT_ALIASES.get(text, text)


PARSERS = {
    "placed_at": _datetime,
    "promised_delivery_date": _date,
    "installments": _integer,
    "quantity": _integer,
    "payment_method": _payment,
    "cep": lambda v: _digits_cell(v, 8),
    "customer_document": _digits_cell,
    "channel": lambda v: _text(v).lower(),
    **dict.fromkeys(AMOUNT_COLUMNS, _amount),
}


def parse_row(number: int, columns: list[str], cells: list) -> ParsedRow | None:
    """One row's values by column; ``None`` for an empty row."""
    if all(_text(cell) == "" for cell in cells):
        return None
    row = ParsedRow(number, {})
    for index, column in enumerate(columns):
        raw = cells[index] if index < len(cells) else None
        try:
            row.values[column] = PARSERS.get(column, _text)(raw)
        except ValueError as exc:
            row.errors.append(RowError(number, column, str(exc)))
            row.values[column] = None
    for column in ("channel", "external_id"):
        if not row.values.get(column) and not _has_error(row, column):
            row.errors.append(RowError(number, column, _("Required.")))
    return row


def _has_error(row: ParsedRow, column: str) -> bool:
    return any(error.column == column for error in row.errors)


def group_rows(rows: list[ParsedRow]) -> list[OrderGroup]:
    """Rows grouped into orders by (channel, external id), in file order; the
    order's own columns must agree on every row of the order."""
    groups: dict[tuple[str, str], OrderGroup] = {}
    for row in rows:
        channel, external_id = row.values.get("channel"), row.values.get("external_id")
        if not channel or not external_id:
            continue
        key = (channel, external_id)
        group = groups.get(key)
        if group is None:
            groups[key] = OrderGroup(channel, external_id, [row])
            continue
        head = group.first
        for column in ORDER_COLUMNS:
            if column in row.values and row.values[column] != head.values.get(column):
                if _has_error(row, column) or _has_error(head, column):
                    continue
                row.errors.append(
                    RowError(
                        row.number,
                        column,
                        _(
                            "Differs from row %(row)s of the same order "
                            "(%(channel)s, %(external_id)s)."
                        )
                        % {
                            "row": head.number,
                            "channel": channel,
                            "external_id": external_id,
                        },
                    )
                )
        group.rows.append(row)
    return list(groups.values())
