"""Business operations on orders: placing them, moving them through their
lifecycle, notes and timeline entries. Admin screens, the API, imports and
other plugins all go through these functions.

``user=None`` means the system acting on its own behalf (a storefront with an
API key, a payment gateway, another plugin); with a user, the order's channel
must be one they may work (see ``permissions.py``).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from content.validators import only_digits
from plugins import hooks
from plugins.audit import log_change
from plugins.orders import hooks as order_hooks
from plugins.orders.exceptions import (
    IdempotencyConflict,
    IllegalTransition,
    InvalidOrder,
)
from plugins.orders.models import (
    ADDRESS_FIELDS,
    UF_CHOICES,
    Customer,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    SalesChannel,
    validate_document,
)
from plugins.orders.money import ZERO, allocate, to_money
from plugins.orders.permissions import order_policy

S = OrderStatus

# Order numbers: 8 characters without look-alikes (0/O, 1/I/L), read over the
# phone as "ABCD-EFGH". They identify, they do not authorise: the customer's
# status page uses ``customer_token``.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_LINES = 200
MAX_QUANTITY = 10_000
# The largest amount a money column holds (12 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("9999999999.99")


def new_order_number() -> str:
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


# -- Transitions ------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One edge of the order lifecycle."""

    name: str
    label: str  # lazy: translated when shown
    sources: tuple[str, ...]
    target: str
    timestamp: str
    hook: hooks.Hook
    needs_reason: bool = False

    @property
    def action(self) -> str:
        """The permission-policy action (``orders.<action>_order``)."""
        return TRANSITION_ACTIONS[self.name]


TRANSITION_ACTIONS = {
    "pay": "pay",
    "invoice": "invoice",
    "prepare": "prepare",
    "ship": "ship",
    "deliver": "deliver",
    "cancel": "cancel",
    "return": "return",
}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "pay",
            gettext_lazy("Confirm payment"),
            (S.PENDING_PAYMENT,),
            S.PAID,
            "paid_at",
            order_hooks.ORDER_PAID,
        ),
        Transition(
            "invoice",
            gettext_lazy("Mark invoiced"),
            (S.PAID,),
            S.INVOICED,
            "invoiced_at",
            order_hooks.ORDER_INVOICED,
        ),
        Transition(
            "prepare",
            gettext_lazy("Ready to ship"),
            (S.INVOICED,),
            S.READY_TO_SHIP,
            "ready_at",
            order_hooks.ORDER_READY_TO_SHIP,
        ),
        Transition(
            "ship",
            gettext_lazy("Mark shipped"),
            (S.READY_TO_SHIP,),
            S.SHIPPED,
            "shipped_at",
            order_hooks.ORDER_SHIPPED,
        ),
        Transition(
            "deliver",
            gettext_lazy("Mark delivered"),
            (S.SHIPPED,),
            S.DELIVERED,
            "delivered_at",
            order_hooks.ORDER_DELIVERED,
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel"),
            (S.PENDING_PAYMENT, S.PAID),
            S.CANCELLED,
            "cancelled_at",
            order_hooks.ORDER_CANCELLED,
            needs_reason=True,
        ),
        Transition(
            "return",
            gettext_lazy("Mark returned"),
            (S.DELIVERED,),
            S.RETURNED,
            "returned_at",
            order_hooks.ORDER_RETURNED,
            needs_reason=True,
        ),
    )
}


def can_transition(order: Order, name: str, user) -> bool:
    """Whether ``user`` may apply transition ``name`` to ``order`` now (the
    buttons the order desk shows)."""
    transition = TRANSITIONS.get(name)
    if transition is None or order.status not in transition.sources:
        return False
    return user is None or order_policy().user_has_permission_for_instance(
        user, transition.action, order
    )


def allowed_transitions(order: Order, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if can_transition(order, t.name, user)]


@transaction.atomic
def transition_order(
    order: Order,
    name: str,
    *,
    user,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Order:
    """Move ``order`` along transition ``name`` (``pay``, ``invoice``,
    ``prepare``, ``ship``, ``deliver``, ``cancel``, ``return``).

    Guards: the user may apply it on this order's channel (``user=None``: the
    system); the order is in one of the transition's source statuses, checked
    under a row lock so that two clerks cannot both apply it; cancel and
    return need a reason. Then the transition's hook runs inside the
    transaction (another plugin may refuse), a timeline entry and an audit
    entry are written, and ``order.<status>`` webhooks are sent after commit.

    Raises IllegalTransition, PermissionDenied or a hook's Refused.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise IllegalTransition(
            _("Unknown transition “%(name)s”.") % {"name": name},
            transitions=sorted(TRANSITIONS),
        )
    if user is not None and not order_policy().user_has_permission_for_instance(
        user, transition.action, order
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise IllegalTransition(_("Give a reason."), field="reason")
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status not in transition.sources:
        raise IllegalTransition(
            _(
                "Order %(number)s is “%(status)s”: “%(transition)s” is not possible "
                "(only from %(sources)s)."
            )
            % {
                "number": locked.number,
                "status": locked.get_status_display(),
                "transition": transition.label,
                "sources": ", ".join(str(S(s).label) for s in transition.sources),
            },
            status_now=locked.status,
        )
    now = at or timezone.now()
    before = locked.status
    locked.status = transition.target
    setattr(locked, transition.timestamp, now)
    fields = ["status", transition.timestamp]
    if transition.name == "cancel":
        locked.cancel_reason = reason[:300]
        fields.append("cancel_reason")
    locked.save(update_fields=fields)
    hooks.call(transition.hook, order=locked, user=user)
    OrderEvent.objects.create(
        order=locked,
        kind=OrderEvent.Kind.TRANSITION,
        from_status=before,
        to_status=locked.status,
        message=reason,
        user=user,
        created_at=now,
    )
    log_change(
        locked,
        f"orders.{transition.name}",
        user=user,
        changes={"status": [before, locked.status]},
        reason=reason,
    )
    if transition.name == "deliver":
        from plugins.orders.surveys import issue_survey

        issue_survey(locked)
    _emit_after_commit(f"order.{locked.status}", locked)
    order.__dict__.update(
        {f: getattr(locked, f) for f in ("status", "cancel_reason", *_TIMESTAMPS)}
    )
    return locked


_TIMESTAMPS = tuple(t.timestamp for t in TRANSITIONS.values())


def pay_order(order, *, user):
    return transition_order(order, "pay", user=user)


def invoice_order(order, *, user):
    return transition_order(order, "invoice", user=user)


def mark_ready_to_ship(order, *, user):
    return transition_order(order, "prepare", user=user)


def ship_order(order, *, user):
    return transition_order(order, "ship", user=user)


def deliver_order(order, *, user):
    return transition_order(order, "deliver", user=user)


def cancel_order(order, *, user, reason: str):
    return transition_order(order, "cancel", user=user, reason=reason)


def return_order(order, *, user, reason: str):
    return transition_order(order, "return", user=user, reason=reason)


@transaction.atomic
def cancel_order_by_customer(order: Order, *, reason: str = "") -> Order:
    """The customer cancels their own order (the storefront's status page):
    only while payment is pending, checked under the row lock that
    ``transition_order`` then keeps; a paid order is the order desk's to
    cancel. ``reason`` defaults to "Cancelled by the customer".

    Raises IllegalTransition (or a hook's Refused).
    """
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != S.PENDING_PAYMENT:
        raise IllegalTransition(
            _(
                "Order %(number)s is “%(status)s”: only orders pending payment "
                "can be cancelled here. Please contact us."
            )
            % {"number": locked.number, "status": locked.get_status_display()},
            status_now=locked.status,
        )
    reason = (reason or "").strip() or _("Cancelled by the customer")
    return transition_order(locked, "cancel", user=None, reason=reason)


# -- Timeline ---------------------------------------------------------------------


@transaction.atomic
def add_note(order: Order, text: str, *, user) -> OrderEvent:
    """An internal note on the order's timeline. Needs ``change`` on the order."""
    if not order_policy().user_has_permission_for_instance(user, "change", order):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise InvalidOrder(_("The note is empty."), {"text": [_("Write a note.")]})
    event = OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.NOTE,
        message=text[:5000],
        user=user,
        created_at=timezone.now(),
    )
    log_change(order, "orders.note", user=user, note=text[:200])
    return event


def record_event(
    order: Order,
    *,
    source: str,
    message: str,
    data: dict | None = None,
    user=None,
    at: datetime.datetime | None = None,
) -> OrderEvent:
    """For other plugins: add an entry to the order's timeline (a payment
    confirmed, an NF-e authorised, a tracking code)."""
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.PLUGIN,
        source=source,
        message=message,
        data=data or {},
        user=user,
        created_at=at or timezone.now(),
    )


# -- Placing orders ---------------------------------------------------------------


@dataclass
class Placement:
    order: Order
    created: bool


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

    def fingerprint(self) -> str:
        data = {
            "customer": self.customer,
            "shipping": self.shipping_address,
            "billing": self.billing_address,
            "lines": [
                {k: line[k] for k in ("sku", "quantity", "unit_price", "discount")}
                for line in self.lines
            ],
            "payment": [self.payment_method, self.installments],
            "amounts": [self.shipping_total, self.discount_total],
        }
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
    address = {key: str(data.get(key) or "").strip() for key in ADDRESS_FIELDS}
    for key in ("recipient", "cep", "street", "number", "district", "city", "uf"):
        if not address[key]:
            errors.setdefault(f"{prefix}.{key}", []).append(_("Required."))
    if address["cep"]:
        cep = only_digits(address["cep"])
        if len(cep) != 8:
            errors.setdefault(f"{prefix}.cep", []).append(_("CEP must have 8 digits."))
        address["cep"] = f"{cep[:5]}-{cep[5:]}" if len(cep) == 8 else address["cep"]
    address["uf"] = address["uf"].upper()
    if address["uf"] and address["uf"] not in dict(UF_CHOICES):
        errors.setdefault(f"{prefix}.uf", []).append(
            _("“%s” is not a Brazilian state (UF).") % address["uf"]
        )
    return address


def clean_customer(data: dict | None, errors: dict) -> dict:
    data = data or {}
    customer = {
        "name": str(data.get("name") or "").strip(),
        "email": str(data.get("email") or "").strip().lower(),
        "phone": str(data.get("phone") or "").strip(),
        "document": only_digits(str(data.get("document") or "")),
        "accepts_marketing": bool(data.get("accepts_marketing", False)),
    }
    if not customer["name"]:
        errors.setdefault("customer.name", []).append(_("Required."))
    if customer["email"]:
        try:
            validate_email(customer["email"])
        except ValidationError:
            errors.setdefault("customer.email", []).append(
                _("Not a valid e-mail address.")
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
        key = f"lines[{i}]"
        sku = str(line.get("sku") or "").strip()
        if not sku:
            errors.setdefault(f"{key}.sku", []).append(_("Required."))
        try:
            quantity = int(line.get("quantity"))
        except (TypeError, ValueError):
            quantity = 0
        if not 0 < quantity <= MAX_QUANTITY:
            errors.setdefault(f"{key}.quantity", []).append(
                _("Quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
            )
        unit_price = line.get("unit_price")
        cleaned_lines.append(
            {
                "sku": sku,
                "quantity": quantity,
                "unit_price": None
                if unit_price in (None, "")
                else _money(unit_price, errors, f"{key}.unit_price"),
                "discount": _money(line.get("discount"), errors, f"{key}.discount"),
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
    max_installments = 24 if payment_method == PaymentMethod.CARD else 1
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
        note=(note or "").strip(),
        errors=errors,
    )


def _price_lines(channel: SalesChannel, clean: _Clean) -> list[dict]:
    """Check the lines against the live catalog and price them."""
    from content.models import Variant

    skus = [line["sku"] for line in clean.lines]
    variants = {
        row["sku"]: row
        for row in Variant.objects.filter(sku__in=skus).values(
            "pk",
            "sku",
            "price",
            "active",
            "option1",
            "option2",
            "option3",
            "product__name",
            "product__live",
        )
    }
    priced = []
    for i, line in enumerate(clean.lines):
        key = f"lines[{i}]"
        variant = variants.get(line["sku"])
        if variant is None:
            clean.errors.setdefault(f"{key}.sku", []).append(
                _("Unknown SKU “%s”.") % line["sku"]
            )
            continue
        if not (variant["active"] and variant["product__live"]):
            clean.errors.setdefault(f"{key}.sku", []).append(
                _("“%s” is not for sale.") % line["sku"]
            )
            continue
        price = variant["price"]
        if line["unit_price"] is not None and line["unit_price"] != price:
            if not channel.accepts_custom_prices:
                clean.errors.setdefault(f"{key}.unit_price", []).append(
                    _("The price of “%(sku)s” is %(price)s, not %(given)s.")
                    % {"sku": line["sku"], "price": price, "given": line["unit_price"]}
                )
                continue
            price = line["unit_price"]
        gross = to_money(price * line["quantity"])
        if line["discount"] > gross:
            clean.errors.setdefault(f"{key}.discount", []).append(
                _("The discount exceeds the line's amount.")
            )
            continue
        priced.append(
            {
                "variant_id": variant["pk"],
                "sku": line["sku"],
                "product_name": variant["product__name"],
                "variant_name": " / ".join(
                    v for v in (variant[f"option{n}"] for n in (1, 2, 3)) if v
                ),
                "quantity": line["quantity"],
                "unit_price": to_money(price),
                "discount": line["discount"],
                "gross": gross,
            }
        )
    return priced


def _totals(clean: _Clean, priced: list[dict]) -> tuple[Decimal, Decimal, Decimal]:
    """Spread the order discount over the lines; return (subtotal, discount,
    total). Subtotal is the sum of the lines before any discount."""
    net = [line["gross"] - line["discount"] for line in priced]
    if clean.discount_total > sum(net, ZERO):
        clean.errors.setdefault("discount_total", []).append(
            _("The discount exceeds the order's amount.")
        )
        return ZERO, ZERO, ZERO
    for line, share in zip(priced, allocate(clean.discount_total, net), strict=True):
        line["discount"] += share
        line["total"] = line["gross"] - line["discount"]
    subtotal = sum((line["gross"] for line in priced), ZERO)
    discount = sum((line["discount"] for line in priced), ZERO)
    total = subtotal - discount + clean.shipping_total
    if max(subtotal, total) > MAX_AMOUNT:
        clean.errors.setdefault("lines", []).append(
            _("The order's amounts exceed %(max)s.") % {"max": MAX_AMOUNT}
        )
        return ZERO, ZERO, ZERO
    return subtotal, discount, total


def _existing(channel, external_id: str, idempotency_key: str) -> Order | None:
    # The lookups repeat the conditions of the partial unique indexes
    # (``external_id <> ''``), so that SQLite uses them (PostgreSQL infers it):
    # otherwise each lookup scans the channel's orders, and an intake of N
    # orders costs N². No ORDER BY: there is at most one.
    if external_id:
        lookup = Q(channel=channel, external_id=external_id) & ~Q(external_id="")
    elif idempotency_key:
        lookup = Q(channel=channel, idempotency_key=idempotency_key) & ~Q(
            idempotency_key=""
        )
    else:
        return None
    return next(iter(Order.objects.filter(lookup).order_by()[:1]), None)


def _replay(order: Order, fingerprint: str) -> Placement:
    if order.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            _(
                "Order %(number)s was already placed with this key, with other "
                "contents. Use a new idempotency key for a new order."
            )
            % {"number": order.number},
            order=order.number,
        )
    return Placement(order, False)


def _find_or_create_customer(data: dict) -> Customer:
    customer = None
    if data["document"]:
        customer = Customer.objects.filter(
            document=data["document"], anonymised_at__isnull=True
        ).first()
    if customer is None and data["email"]:
        customer = Customer.objects.filter(
            email=data["email"], anonymised_at__isnull=True
        ).first()
    if customer is None:
        customer = Customer.objects.create(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            document=data["document"],
            accepts_marketing=data["accepts_marketing"],
            consent_updated_at=timezone.now(),
        )
    return customer


def place_order(
    *,
    channel: SalesChannel,
    customer: dict,
    lines: list[dict],
    shipping_address: dict,
    payment_method: str,
    billing_address: dict | None = None,
    installments: int = 1,
    shipping_total=None,
    discount_total=None,
    external_id: str = "",
    idempotency_key: str = "",
    promised_delivery_date=None,
    placed_at: datetime.datetime | None = None,
    note: str = "",
    user=None,
) -> Placement:
    """Place an order: the one way orders come in (storefront API, the
    admin's "new order" screen, marketplace intake).

    Validates the customer (CPF/CNPJ check digits), addresses (CEP, UF), and
    the lines against the live catalog (known SKU, active variant of a live
    product, the catalog's price unless the channel sells at its own), then
    writes the order, its lines and snapshots, and calls ``ORDER_PLACED``
    inside the transaction (stock may refuse). Idempotent: a replay with the
    same ``external_id`` (marketplaces) or ``idempotency_key`` (API) on the
    channel returns the first order (``created=False``), also when replays
    race; the same key with different contents raises IdempotencyConflict.

    Raises InvalidOrder (with ``errors`` by field), IdempotencyConflict,
    PermissionDenied, or a hook's Refused.
    """
    if user is not None and not order_policy().user_has_permission_for_instance(
        user, "add", Order(channel=channel)
    ):
        raise PermissionDenied
    external_id = (external_id or "").strip()[:80]
    idempotency_key = (idempotency_key or "").strip()[:80]
    clean = clean_order_request(
        customer=customer,
        lines=lines,
        shipping_address=shipping_address,
        billing_address=billing_address,
        payment_method=payment_method,
        installments=installments,
        shipping_total=shipping_total,
        discount_total=discount_total,
        promised_delivery_date=promised_delivery_date,
        note=note,
    )
    fingerprint = clean.fingerprint()
    existing = _existing(channel, external_id, idempotency_key)
    if existing is not None:
        return _replay(existing, fingerprint)
    if not channel.active:
        clean.errors.setdefault("channel", []).append(
            _("The channel “%s” is not active.") % channel.code
        )
    priced = _price_lines(channel, clean) if not clean.errors else []
    subtotal, discount, total = (
        _totals(clean, priced) if not clean.errors else (ZERO,) * 3
    )
    if clean.errors:
        raise InvalidOrder(_("The order is not valid."), clean.errors)
    try:
        with transaction.atomic():
            order = _write_order(
                channel,
                clean,
                priced,
                subtotal=subtotal,
                discount=discount,
                total=total,
                external_id=external_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                placed_at=placed_at or timezone.now(),
                user=user,
            )
    except IntegrityError:
        # A concurrent replay wrote the order first: return that one.
        existing = _existing(channel, external_id, idempotency_key)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return Placement(order, True)


def _write_order(
    channel,
    clean: _Clean,
    priced,
    *,
    subtotal,
    discount,
    total,
    external_id,
    idempotency_key,
    fingerprint,
    placed_at,
    user,
) -> Order:
    customer = _find_or_create_customer(clean.customer)
    order = Order(
        channel=channel,
        external_id=external_id,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        customer=customer,
        customer_name=clean.customer["name"],
        customer_email=clean.customer["email"],
        customer_phone=clean.customer["phone"],
        customer_document=clean.customer["document"],
        shipping_address=clean.shipping_address,
        billing_address=clean.billing_address,
        subtotal=subtotal,
        discount_total=discount,
        shipping_total=clean.shipping_total,
        total=total,
        payment_method=clean.payment_method,
        installments=clean.installments,
        placed_at=placed_at,
        promised_delivery_date=clean.promised_delivery_date,
    )
    for attempt in range(5):
        order.number = new_order_number()
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            break
        except IntegrityError:
            if Order.objects.filter(number=order.number).exists() and attempt < 4:
                order.pk = None
                continue
            raise
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                variant_id=line["variant_id"],
                sku=line["sku"],
                product_name=line["product_name"],
                variant_name=line["variant_name"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                discount=line["discount"],
                total=line["total"],
            )
            for line in priced
        ]
    )
    events = [
        OrderEvent(
            order=order,
            kind=OrderEvent.Kind.PLACED,
            to_status=order.status,
            message=channel.name,
            user=user,
            created_at=placed_at,
        )
    ]
    if clean.note:
        events.append(
            OrderEvent(
                order=order,
                kind=OrderEvent.Kind.NOTE,
                message=clean.note,
                user=user,
                created_at=placed_at,
            )
        )
    OrderEvent.objects.bulk_create(events)
    hooks.call(order_hooks.ORDER_PLACED, order=order)
    log_change(
        order,
        "orders.place",
        user=user,
        channel=channel.code,
        total=str(total),
        external_id=external_id,
    )
    _emit_after_commit("order.placed", order)
    return order


def _emit_after_commit(event: str, order: Order) -> None:
    from django.apps import apps

    if not apps.is_installed("api"):
        return
    from api.webhooks import emit

    emit(
        event,
        {
            "number": order.number,
            "channel": order.channel.code if order.channel_id else None,
            "external_id": order.external_id,
            "status": order.status,
            "total": str(order.total),
        },
    )
