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
from plugins.orders.models import (
    STEP_TIMESTAMPS,
    OrderPayment,
    OrderStatus,
    PaymentMethod,
    SalesChannel,
)
from plugins.orders.services.history import main_payment

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
    # the order's history in the marketplace (plugins.orders.services.history)
    "status",
    *STEP_TIMESTAMPS,
    "buyer_id",
    "marketplace_fee",
    "marketplace_freight",
    "rating",
    "rating_comment",
    "rated_at",
)
#: Columns of one order line.
LINE_COLUMNS = ("sku", "quantity", "unit_price", "line_discount")
#: Columns of one payment of the order: a row may hold a line, a payment or
#: both (an order with one line and two payments has two rows).
PAYMENT_COLUMNS = (
    "payment_type",
    "payment_value",
    "payment_installments",
    "payment_status",
    "payment_id",
)
COLUMNS = ORDER_COLUMNS + LINE_COLUMNS + PAYMENT_COLUMNS
TIMESTAMP_COLUMNS = (*STEP_TIMESTAMPS, "rated_at")
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
    "sku",
    "quantity",
)
AMOUNT_COLUMNS = {
    "shipping_total",
    "discount_total",
    "unit_price",
    "line_discount",
    "marketplace_fee",
    "marketplace_freight",
    "payment_value",
}
PAYMENT_ALIASES = {
    "pix": PaymentMethod.PIX,
    "boleto": PaymentMethod.BOLETO,
    "card": PaymentMethod.CARD,
    "cartao": PaymentMethod.CARD,
    "cartão": PaymentMethod.CARD,
    "cartao de credito": PaymentMethod.CARD,
    "cartão de crédito": PaymentMethod.CARD,
    "credit card": PaymentMethod.CARD,
    "credit_card": PaymentMethod.CARD,
    "debit_card": PaymentMethod.DEBIT_CARD,
    "debit card": PaymentMethod.DEBIT_CARD,
    "cartao de debito": PaymentMethod.DEBIT_CARD,
    "cartão de débito": PaymentMethod.DEBIT_CARD,
    "voucher": PaymentMethod.VOUCHER,
    "vale": PaymentMethod.VOUCHER,
    "cupom": PaymentMethod.VOUCHER,
    "transfer": PaymentMethod.TRANSFER,
    "transferencia": PaymentMethod.TRANSFER,
    "transferência": PaymentMethod.TRANSFER,
    "ted": PaymentMethod.TRANSFER,
    "cod": PaymentMethod.CASH_ON_DELIVERY,
    "na entrega": PaymentMethod.CASH_ON_DELIVERY,
    "pagamento na entrega": PaymentMethod.CASH_ON_DELIVERY,
    "terms": PaymentMethod.TERMS,
    "faturado": PaymentMethod.TERMS,
    "boleto faturado": PaymentMethod.TERMS,
}
#: Statuses as marketplaces and people write them.
STATUS_ALIASES = {
    **{status.value: status.value for status in OrderStatus},
    **{str(status.label).lower(): status.value for status in OrderStatus},
    "aguardando pagamento": OrderStatus.PENDING_PAYMENT,
    "created": OrderStatus.PENDING_PAYMENT,
    "pending": OrderStatus.PENDING_PAYMENT,
    "pago": OrderStatus.PAID,
    "aprovado": OrderStatus.PAID,
    "approved": OrderStatus.PAID,
    "faturado": OrderStatus.INVOICED,
    "pronto para envio": OrderStatus.READY_TO_SHIP,
    "enviado": OrderStatus.SHIPPED,
    "entregue": OrderStatus.DELIVERED,
    "cancelado": OrderStatus.CANCELLED,
    "canceled": OrderStatus.CANCELLED,
    "devolvido": OrderStatus.RETURNED,
}
PAYMENT_STATUS_ALIASES = {
    **{status.value: status.value for status in OrderPayment.Status},
    "aprovado": OrderPayment.Status.APPROVED,
    "pago": OrderPayment.Status.APPROVED,
    "paid": OrderPayment.Status.APPROVED,
    "pendente": OrderPayment.Status.PENDING,
    "recusado": OrderPayment.Status.REFUSED,
    "estornado": OrderPayment.Status.REFUNDED,
    "reembolsado": OrderPayment.Status.REFUNDED,
    "cancelado": OrderPayment.Status.CANCELLED,
    "canceled": OrderPayment.Status.CANCELLED,
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

    @property
    def line_rows(self) -> list[ParsedRow]:
        """The rows that hold an order line."""
        return [row for row in self.rows if _holds(row, LINE_COLUMNS)]

    @property
    def payment_rows(self) -> list[ParsedRow]:
        """The rows that hold a payment."""
        return [row for row in self.rows if _holds(row, PAYMENT_COLUMNS)]

    def request(self) -> dict:
        """The keyword arguments of ``place_order`` (without channel and user)."""
        head = self.first.values
        payments = [
            {
                "method": row.values.get("payment_type") or "",
                "value": row.values.get("payment_value"),
                "installments": row.values.get("payment_installments") or 1,
                "status": row.values.get("payment_status") or "",
                "provider_id": row.values.get("payment_id") or "",
            }
            for row in self.payment_rows
        ]
        method, installments = head.get("payment_method"), head.get("installments")
        if not method and (main := main_payment(payments)):
            method, installments = main
        request = {
            "external_id": self.external_id,
            "placed_at": head.get("placed_at"),
            "customer": {
                "name": head.get("customer_name") or "",
                "email": head.get("customer_email") or "",
                "phone": head.get("customer_phone") or "",
                "document": head.get("customer_document") or "",
                "reference": head.get("buyer_id") or "",
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
            "payment_method": method or "",
            "installments": installments or 1,
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
                for row in self.line_rows
            ],
        }
        if self.has_history:
            request["history"] = {
                "status": head.get("status") or "",
                **{
                    name: head.get(name)
                    for name in STEP_TIMESTAMPS
                    if head.get(name) is not None
                },
                "payments": payments,
                "marketplace_fee": head.get("marketplace_fee"),
                "marketplace_freight": head.get("marketplace_freight"),
                "rating": {
                    "stars": head.get("rating"),
                    "comment": head.get("rating_comment") or "",
                    "rated_at": head.get("rated_at"),
                },
            }
        return request

    @property
    def has_history(self) -> bool:
        """Whether the file states the order's history (a status, a timestamp,
        a payment, a fee or a rating): otherwise it is placed as a new order."""
        head = self.first.values
        history_columns = ORDER_COLUMNS[ORDER_COLUMNS.index("status") :]
        return bool(self.payment_rows) or any(
            head.get(name) not in (None, "") and name != "buyer_id"
            for name in history_columns
        )


def _holds(row: ParsedRow, columns) -> bool:
    return any(row.values.get(name) not in (None, "") for name in columns)


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
        raise ValueError(_("Cannot be in the future."))
    return moment


def _payment(value) -> str:
    text = _text(value).lower()
    return PAYMENT_ALIASES.get(text, text)


def _status(value) -> str:
    text = " ".join(_text(value).lower().split())
    return STATUS_ALIASES.get(text, text)


def _payment_status(value) -> str:
    text = _text(value).lower()
    return PAYMENT_STATUS_ALIASES.get(text, text)


PARSERS = {
    "placed_at": _datetime,
    "promised_delivery_date": _date,
    "installments": _integer,
    "quantity": _integer,
    "payment_installments": _integer,
    "rating": _integer,
    "payment_method": _payment,
    "payment_type": _payment,
    "status": _status,
    "payment_status": _payment_status,
    **dict.fromkeys(TIMESTAMP_COLUMNS, _datetime),
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
