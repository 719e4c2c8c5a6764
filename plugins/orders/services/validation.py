"""Checking an order request: the parts that do not need the catalog."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import orjson
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from content.validators import (
    normalise_document,
    only_digits,
    strip_invisible_characters,
    validate_cep,
    validate_identifier_text,
)
from plugins.orders.models import (
    ADDRESS_FIELDS,
    MAX_INSTALLMENTS,
    UF_CHOICES,
    PaymentMethod,
    validate_document,
)
from plugins.orders.money import ZERO, to_money

# Bounds of an order request.
MAX_LINES = 200
MAX_QUANTITY = 10_000
# The largest amount a money column holds (12 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("9999999999.99")
# A customer's id in a channel's own system (``CustomerReference.reference``).
MAX_REFERENCE = 80


# How the services name a line's field in their errors: ``lines[0].sku``.
LINE_ERROR_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def line_key(index: int, field: str) -> str:
    """The error key of ``field`` of the line at ``index``."""
    return f"lines[{index}].{field}"


def parse_line_key(key: str) -> tuple[int, str] | None:
    """``(index, field)`` of a line's error key, or ``None`` for another key."""
    if match := LINE_ERROR_KEY.match(key):
        return int(match.group(1)), match.group(2)
    return None


# -- Placing orders ---------------------------------------------------------------


@dataclass
class _Clean:
    """A validated order request."""

    customer: dict
    shipping_address: dict
    billing_address: dict
    lines: list[dict]
    payment_method: str
    installments: int
    shipping_total: Decimal
    discount_total: Decimal
    promised_delivery_date: datetime.date | None
    note: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: the freight quote the customer chose (``place_order``'s
    #: ``shipping_quote``), part of the fingerprint when named
    shipping_quote: str = ""

    def fingerprint(self) -> str:
        # Without a reference, the customer as fingerprinted before references
        # existed (a replay of an order placed then is still a replay).
        customer = {
            key: value
            for key, value in self.customer.items()
            if key != "reference" or value
        }
        data = {
            "customer": customer,
            "shipping": self.shipping_address,
            "billing": self.billing_address,
            "lines": [
                {k: line[k] for k in ("sku", "quantity", "unit_price", "discount")}
                for line in self.lines
            ],
            "payment": [self.payment_method, self.installments],
            "amounts": [self.shipping_total, self.discount_total],
        }
        if self.shipping_quote:
            data["shipping_quote"] = self.shipping_quote
        body = orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(body).hexdigest()


def _money(value, errors, key, *, default=ZERO) -> Decimal:
    if value in (None, ""):
        return default
    try:
        amount = to_money(Decimal(str(value).replace(",", ".")))
        if not amount.is_finite():
            raise ValueError(value)
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(_("Not an amount: “%s”.") % value)
        return default
    if amount < 0:
        errors.setdefault(key, []).append(_("Cannot be negative."))
        return default
    return amount


def clean_address(data: dict | None, errors: dict, prefix: str) -> dict:
    data = data or {}
    # Free text loses invisible characters; the CEP, an identifier, is refused
    # with them.
    address = {
        key: str(data.get(key) or "").strip()
        if key == "cep"
        else strip_invisible_characters(str(data.get(key) or "")).strip()
        for key in ADDRESS_FIELDS
    }
    for key in ("recipient", "cep", "street", "number", "district", "city", "uf"):
        if not address[key]:
            errors.setdefault(f"{prefix}.{key}", []).append(_("Required."))
    if address["cep"]:
        try:
            validate_cep(address["cep"])
        except ValidationError as error:
            errors.setdefault(f"{prefix}.cep", []).extend(error.messages)
        else:
            cep = only_digits(address["cep"])
            address["cep"] = f"{cep[:5]}-{cep[5:]}"
    address["uf"] = address["uf"].upper()
    if address["uf"] and address["uf"] not in dict(UF_CHOICES):
        errors.setdefault(f"{prefix}.uf", []).append(
            _("“%s” is not a Brazilian state (UF).") % address["uf"]
        )
    return address


def clean_customer(data: dict | None, errors: dict) -> dict:
    data = data or {}
    customer = {
        "name": strip_invisible_characters(str(data.get("name") or "")).strip(),
        "email": str(data.get("email") or "").strip().lower(),
        "phone": strip_invisible_characters(str(data.get("phone") or "")).strip(),
        "document": normalise_document(str(data.get("document") or "")),
        "accepts_marketing": bool(data.get("accepts_marketing", False)),
        "reference": str(data.get("reference") or "").strip(),
    }
    if len(customer["reference"]) > MAX_REFERENCE:
        errors.setdefault("customer.reference", []).append(
            _("At most %(max)d characters.") % {"max": MAX_REFERENCE}
        )
    if not customer["name"]:
        errors.setdefault("customer.name", []).append(_("Required."))
    if customer["email"]:
        try:
            validate_identifier_text(customer["email"])
            validate_email(customer["email"])
        except ValidationError as error:
            errors.setdefault("customer.email", []).append(
                error.messages[0]
                if error.code == "invisible_characters"
                else _("Not a valid e-mail address.")
            )
    if customer["document"] or data.get("document"):
        try:
            validate_document(customer["document"])
        except ValidationError as error:
            errors.setdefault("customer.document", []).extend(error.messages)
    return customer


def clean_order_request(
    *,
    customer: dict,
    lines: list[dict],
    shipping_address: dict,
    billing_address: dict | None = None,
    payment_method: str,
    installments: int = 1,
    shipping_total=None,
    discount_total=None,
    promised_delivery_date=None,
    note: str = "",
) -> _Clean:
    """Check the parts of an order request that do not need the catalog."""
    errors: dict[str, list[str]] = {}
    cleaned_lines = []
    if not lines:
        errors.setdefault("lines", []).append(_("An order needs at least one line."))
    if len(lines or []) > MAX_LINES:
        errors.setdefault("lines", []).append(
            _("At most %(max)d lines per order.") % {"max": MAX_LINES}
        )
    for i, line in enumerate((lines or [])[:MAX_LINES]):
        sku = str(line.get("sku") or "").strip()
        if not sku:
            errors.setdefault(line_key(i, "sku"), []).append(_("Required."))
        try:
            validate_identifier_text(sku)
        except ValidationError as error:
            errors.setdefault(line_key(i, "sku"), []).extend(error.messages)
        try:
            quantity = int(line.get("quantity"))
        except (TypeError, ValueError):
            quantity = 0
        if not 0 < quantity <= MAX_QUANTITY:
            errors.setdefault(line_key(i, "quantity"), []).append(
                _("Quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
            )
        unit_price = line.get("unit_price")
        cleaned_lines.append(
            {
                "sku": sku,
                "quantity": quantity,
                "unit_price": None
                if unit_price in (None, "")
                else _money(unit_price, errors, line_key(i, "unit_price")),
                "discount": _money(
                    line.get("discount"), errors, line_key(i, "discount")
                ),
            }
        )
    skus = [line["sku"] for line in cleaned_lines if line["sku"]]
    if len(set(skus)) != len(skus):
        errors.setdefault("lines", []).append(
            _("Each SKU appears once per order; add up the quantities.")
        )
    if payment_method not in PaymentMethod.values:
        errors.setdefault("payment_method", []).append(
            _("Choose one of: %s.") % ", ".join(PaymentMethod.values)
        )
    try:
        installments = int(installments or 1)
    except (TypeError, ValueError):
        installments = 0
    max_installments = MAX_INSTALLMENTS if payment_method == PaymentMethod.CARD else 1
    if not 1 <= installments <= max_installments:
        errors.setdefault("installments", []).append(
            _("Installments: 1 to %(max)d for this payment method.")
            % {"max": max_installments}
        )
    if isinstance(promised_delivery_date, str) and promised_delivery_date:
        try:
            promised_delivery_date = datetime.date.fromisoformat(promised_delivery_date)
        except ValueError:
            errors.setdefault("promised_delivery_date", []).append(
                _("Use the format YYYY-MM-DD.")
            )
            promised_delivery_date = None
    shipping = clean_address(shipping_address, errors, "shipping_address")
    billing = (
        clean_address(billing_address, errors, "billing_address")
        if billing_address
        else dict(shipping)
    )
    return _Clean(
        customer=clean_customer(customer, errors),
        shipping_address=shipping,
        billing_address=billing,
        lines=cleaned_lines,
        payment_method=payment_method,
        installments=installments,
        shipping_total=_money(shipping_total, errors, "shipping_total"),
        discount_total=_money(discount_total, errors, "discount_total"),
        promised_delivery_date=promised_delivery_date or None,
        note=strip_invisible_characters(note or "").strip(),
        errors=errors,
    )
