"""Placing orders: the one way orders come in (storefront API, the admin's
"new order" screen, marketplace intake)."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins import hooks
from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.money import format_brl
from plugins.orders import hooks as order_hooks
from plugins.orders.exceptions import (
    IdempotencyConflict,
    InvalidOrder,
)
from plugins.orders.models import (
    Customer,
    CustomerReference,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    SalesChannel,
)
from plugins.orders.money import ZERO, allocate, to_money
from plugins.orders.permissions import order_policy
from plugins.orders.services.history import (
    History,
    StockChoice,
    apply_to_order,
    clean_history,
    timeline,
    write_history,
)
from plugins.orders.services.lifecycle import emit_order_event
from plugins.orders.services.validation import (
    MAX_AMOUNT,
    _Clean,
    clean_order_request,
    line_key,
)

# Order numbers: 8 characters without look-alikes (0/O, 1/I/L), read over the
# phone as "ABCD-EFGH". They identify, they do not authorise: the customer's
# status page uses ``customer_token``.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_order_number() -> str:
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


@dataclass
class Placement:
    order: Order
    created: bool


def _catalog_rows(skus: list[str]) -> dict[str, dict]:
    """The variants of ``skus`` with their product's name and status, by SKU."""
    from content.queries import variants_by_sku

    rows = variants_by_sku(skus)
    for row in rows.values():
        row["price"] = to_money(row["price"])
    return rows


@dataclass(frozen=True)
class StatedAmounts:
    """Which amounts the caller of ``place_order`` may state itself."""

    unit_prices: bool  # unit prices other than the catalog's
    discounts_and_shipping: bool  # line discounts, the order discount, shipping


def stated_amounts(channel: SalesChannel, *, user, api_key) -> StatedAmounts:
    """The one rule on amounts a request states: the server decides prices,
    discounts and shipping; a caller states them only where this allows.

    - A storefront (an API key) never does, on any channel: it chooses
      products and quantities and the server prices them. Until promotions
      and freight rules compute discounts and shipping on the server, a
      storefront order has none.
    - Staff (the admin's new order, marketplace intake and the import, with a
      staff token or session) state them only on channels that sell at their
      own prices (``SalesChannel.accepts_custom_prices``: marketplaces, B2B),
      where ``place_order`` has checked that they may add orders.
    - The system (``user=None`` without a key: another plugin, the demo) is
      the server itself; it states discounts and shipping, and unit prices
      where the channel sells at its own.
    """
    own_prices = channel.accepts_custom_prices
    if api_key is not None:
        return StatedAmounts(unit_prices=False, discounts_and_shipping=False)
    if user is not None:
        return StatedAmounts(unit_prices=own_prices, discounts_and_shipping=own_prices)
    return StatedAmounts(unit_prices=own_prices, discounts_and_shipping=True)


def _refuse_stated_amounts(
    channel: SalesChannel, clean: _Clean, allowed: StatedAmounts
) -> None:
    """Errors for the discounts and shipping the caller may not state (zero is
    not stating one). Unit prices are checked against the catalog when the
    lines are priced."""
    if allowed.discounts_and_shipping:
        return
    discount = _(
        "Discounts on the channel “%s” are computed by the server: do not send one."
    )
    for i, line in enumerate(clean.lines):
        if line["discount"]:
            clean.errors.setdefault(line_key(i, "discount"), []).append(
                discount % channel.code
            )
    if clean.discount_total:
        clean.errors.setdefault("discount_total", []).append(discount % channel.code)
    if clean.shipping_total:
        clean.errors.setdefault("shipping_total", []).append(
            _("Shipping on the channel “%s” is computed by the server: do not send it.")
            % channel.code
        )


def _price_lines(
    channel: SalesChannel,
    clean: _Clean,
    allowed: StatedAmounts,
    *,
    sold_before: bool = False,
) -> list[dict]:
    """Check the lines against the live catalog and price them. An order sold
    before it came in (``sold_before``: a marketplace's shipped, delivered or
    cancelled order) may name variants no longer for sale."""
    skus = [line["sku"] for line in clean.lines if line["sku"]]
    variants = _catalog_rows(skus) if skus else {}
    priced = []
    for i, line in enumerate(clean.lines):
        if line_key(i, "sku") in clean.errors:
            continue  # already refused as it was written
        variant = variants.get(line["sku"])
        if variant is None:
            clean.errors.setdefault(line_key(i, "sku"), []).append(
                _("Unknown SKU “%s”.") % line["sku"]
            )
            continue
        if not (variant["active"] and variant["live"]) and not sold_before:
            clean.errors.setdefault(line_key(i, "sku"), []).append(
                _("“%s” is not for sale.") % line["sku"]
            )
            continue
        price = variant["price"]
        if line["unit_price"] is not None and line["unit_price"] != price:
            if not allowed.unit_prices:
                clean.errors.setdefault(line_key(i, "unit_price"), []).append(
                    _("The price of “%(sku)s” is %(price)s, not %(given)s.")
                    % {
                        "sku": line["sku"],
                        "price": format_brl(price),
                        "given": format_brl(line["unit_price"]),
                    }
                )
                continue
            price = line["unit_price"]
        gross = to_money(price * line["quantity"])
        if line["discount"] > gross:
            clean.errors.setdefault(line_key(i, "discount"), []).append(
                _("The discount exceeds the line's amount.")
            )
            continue
        priced.append(
            {
                "variant_id": variant["pk"],
                "sku": line["sku"],
                "product_name": variant["product_name"],
                "variant_name": " / ".join(variant["options"]),
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


def _shipping_quote(channel: SalesChannel, clean: _Clean, priced, *, api_key):
    """The server's shipping for the order (``SHIPPING_QUOTE``): its price
    and promised date go into ``clean``; a refusal is an error on
    ``shipping_quote``. Returns what the hook gave (its ``record(order)``
    runs in the transaction), or None."""
    net = sum((line["gross"] - line["discount"] for line in priced), ZERO)
    try:
        found = hooks.collect(
            order_hooks.SHIPPING_QUOTE,
            channel=channel,
            quote_id=clean.shipping_quote,
            destination_cep=clean.shipping_address.get("cep", ""),
            lines=[
                {"sku": line["sku"], "quantity": line["quantity"]}
                for line in clean.lines
            ],
            order_value=max(net - clean.discount_total, ZERO),
            api_key=api_key,
        )
    except RetaguardaError as error:
        clean.errors.setdefault("shipping_quote", []).append(str(error.message))
        return None
    if not found:
        if clean.shipping_quote:
            clean.errors.setdefault("shipping_quote", []).append(
                _("Freight quotes are not available.")
            )
        return None
    choice = found[0]
    if clean.shipping_total and clean.shipping_total != choice.price:
        clean.errors.setdefault("shipping_total", []).append(
            _("Send either a freight quote or a shipping total, not both.")
        )
        return None
    clean.shipping_total = to_money(choice.price)
    if clean.promised_delivery_date is None:
        clean.promised_delivery_date = choice.promised_date
    return choice


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


def _new_customer(data: dict) -> int:
    return Customer.objects.create(
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        document=data["document"],
        accepts_marketing=data["accepts_marketing"],
        consent_updated_at=timezone.now(),
    ).pk


def _referenced_customer(channel: SalesChannel, data: dict) -> int:
    """The customer holding the channel's ``reference``; a new customer holding
    it if there is none (or if its customer was anonymised: the reference
    moves to the new one)."""
    reference = data["reference"]
    found = (
        CustomerReference.objects.filter(channel=channel, reference=reference)
        .values_list("pk", "customer_id", "customer__anonymised_at")
        .first()
    )
    if found is not None and found[2] is None:
        return found[1]
    customer_id = _new_customer(data)
    if found is not None:
        CustomerReference.objects.filter(pk=found[0]).update(customer_id=customer_id)
        return customer_id
    try:
        with transaction.atomic():
            CustomerReference.objects.create(
                customer_id=customer_id, channel=channel, reference=reference
            )
    except IntegrityError:
        # A concurrent order with the same new reference committed first
        # (the unique index made this insert wait for it): join its customer.
        Customer.objects.filter(pk=customer_id).delete()
        return CustomerReference.objects.values_list("customer_id", flat=True).get(
            channel=channel, reference=reference
        )
    return customer_id


def _customer_id(channel: SalesChannel, data: dict, *, trusted: bool) -> int:
    """The customer an order joins. Only a verified identity joins an existing
    customer:

    - ``customer.reference``, the customer's id in the channel's own system
      (the storefront's account id of a customer it authenticated, a
      marketplace's buyer id), unique per channel: the order joins the
      customer holding it;
    - otherwise, for staff and the system (``trusted``: the admin's new
      order, marketplace intake and import with staff credentials of the
      channel), the customer with the CPF/CNPJ given, the document the
      order's invoice is issued to;
    - otherwise a new customer of its own, with the order's data: a
      storefront order without a reference never joins anyone's record (an
      e-mail or a CPF is what anyone can type). Staff merge customers who
      turn out to be the same person (``merge_customers``)."""
    if data["reference"]:
        return _referenced_customer(channel, data)
    if trusted and data["document"]:
        found = (
            Customer.objects.filter(
                anonymised_at__isnull=True, document=data["document"]
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            return found
    return _new_customer(data)


def _chosen_customer_ok(customer_id, user) -> bool:
    """Whether staff ``user`` may join an order to the customer they chose:
    one they may see, not anonymised. Never for a storefront or the system
    (``user=None``): they identify customers by reference."""
    from plugins.orders.permissions import customer_policy

    if user is None:
        return False
    return (
        customer_policy()
        .filter_queryset(
            Customer.objects.filter(anonymised_at__isnull=True), user, ["view"]
        )
        .filter(pk=customer_id)
        .exists()
    )


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
    customer_id: int | None = None,
    history: dict | None = None,
    stock: str = StockChoice.TO_SHIP,
    shipping_quote: str = "",
    user=None,
    api_key=None,
) -> Placement:
    """Place an order: the one way orders come in (storefront API, the
    admin's "new order" screen, marketplace intake).

    Who places it: ``api_key`` (the ``api.models.ApiKey`` of a storefront),
    ``user`` (staff: the admin, marketplace intake and import; they must be
    allowed to add orders on the channel), or neither (the system).

    Validates the customer (CPF/CNPJ check digits), addresses (CEP, UF), and
    the lines against the live catalog (known SKU, active variant of a live
    product, the catalog's price), and refuses the amounts the caller may not
    state (:func:`stated_amounts`: unit prices other than the catalog's,
    discounts, shipping). Then writes the order, its lines and snapshots,
    joins it to a customer (:func:`_customer_id`: only a verified identity
    joins an existing one), and calls ``ORDER_PLACED`` inside the
    transaction (stock may refuse). Idempotent: a replay with the
    same ``external_id`` (marketplaces) or ``idempotency_key`` (API) on the
    channel returns the first order (``created=False``), also when replays
    race; the same key with different contents raises IdempotencyConflict.

    ``customer_id``: staff (``user``) chose the customer the order joins,
    among those they may see (the admin's new order: a customer found by
    name or e-mail may have no CPF/CNPJ to match); one they may not see, or
    anonymised, is refused on ``customer`` like one that does not exist.

    ``history`` (staff and the system: marketplace intake and the order
    import): the order's status, timestamps, payments, fees and rating in
    the marketplace (:mod:`.history`), recorded without running today's side
    effects of those steps; ``stock`` chooses whether such an order moves
    stock (:class:`~.history.StockChoice`). Not part of the replay's
    fingerprint: sending the order again with a later status is a replay.

    ``shipping_quote``: the freight option the customer chose (a quote id
    of the plugin that quotes freight). The ``SHIPPING_QUOTE`` hook, called
    with it (and for every storefront order, which may have to name one),
    gives the server's shipping price and promised date, which the order
    takes; the hook's ``record(order)`` runs inside the transaction. A
    refused quote is an error on ``shipping_quote``.

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
    clean.shipping_quote = (shipping_quote or "").strip()
    fingerprint = clean.fingerprint()
    past: History | None = None
    if history is not None:
        if api_key is not None:
            clean.errors.setdefault("status", []).append(
                _("A storefront's order starts pending payment.")
            )
        past = clean_history(history, clean.errors, stock=stock)
    if external_id:
        # Marketplaces resend their orders as a rule: look first. A storefront
        # replays only after a lost response, so its key is looked up when
        # the insert meets the unique index (or the request is refused).
        existing = _existing(channel, external_id, idempotency_key)
        if existing is not None:
            return _replay(existing, fingerprint)
    if not channel.active:
        clean.errors.setdefault("channel", []).append(
            _("The channel “%s” is not active.") % channel.code
        )
    if customer_id is not None and not _chosen_customer_ok(customer_id, user):
        clean.errors.setdefault("customer", []).append(
            _("Choose the customer again: this one is not available.")
        )
    allowed = stated_amounts(channel, user=user, api_key=api_key)
    _refuse_stated_amounts(channel, clean, allowed)
    # the lines are checked against the catalog even when something else is
    # wrong: every error shows at once
    priced = _price_lines(
        channel, clean, allowed, sold_before=past is not None and past.sold_before
    )
    shipping = None
    if (clean.shipping_quote or api_key is not None) and not clean.errors:
        shipping = _shipping_quote(channel, clean, priced, api_key=api_key)
    subtotal, discount, total = (
        _totals(clean, priced) if not clean.errors else (ZERO,) * 3
    )
    if clean.errors:
        existing = _existing(channel, external_id, idempotency_key)
        if existing is not None:
            return _replay(existing, fingerprint)
        raise InvalidOrder(_("The order is not valid."), clean.errors)
    for attempt in range(5):
        number = new_order_number()
        try:
            with transaction.atomic():
                order = _write_order(
                    channel,
                    clean,
                    priced,
                    number=number,
                    subtotal=subtotal,
                    discount=discount,
                    total=total,
                    external_id=external_id,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    placed_at=placed_at or timezone.now(),
                    user=user,
                    trusted_customer=api_key is None,
                    customer_id=customer_id,
                    history=past,
                    shipping=shipping,
                )
        except IntegrityError:
            # A replay (perhaps concurrent: the other transaction wrote the
            # order first): return that one.
            existing = _existing(channel, external_id, idempotency_key)
            if existing is not None:
                return _replay(existing, fingerprint)
            # The number was taken (one in 31⁸): try another.
            if attempt < 4 and Order.objects.filter(number=number).exists():
                continue
            raise
        return Placement(order, True)
    raise AssertionError("unreachable")  # pragma: no cover


def _write_order(
    channel,
    clean: _Clean,
    priced,
    *,
    number,
    subtotal,
    discount,
    total,
    external_id,
    idempotency_key,
    fingerprint,
    placed_at,
    user,
    trusted_customer,
    customer_id=None,
    history: History | None = None,
    shipping=None,
) -> Order:
    if customer_id is None:
        customer_id = _customer_id(channel, clean.customer, trusted=trusted_customer)
    order = Order(
        number=number,
        channel=channel,
        external_id=external_id,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        customer_id=customer_id,
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
    if history is not None:
        apply_to_order(history, order)
    Order.objects.bulk_create([order])
    lines = OrderLine.objects.bulk_create(
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
            to_status=OrderStatus.PENDING_PAYMENT if history else order.status,
            message=channel.name,
            user=user,
            created_at=placed_at,
            imported=history is not None,
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
    if history is not None:
        events.extend(timeline(history, order, user=user))
    OrderEvent.objects.bulk_create(events)
    if history is not None:
        write_history(history, order)
    # What the order was written with, where a read would put it
    # (``Prefetch(..., to_attr=...)``): the response needs no query.
    order.fetched_lines = lines
    order.fetched_events = events
    if history is None:
        order.fetched_survey = None  # issued on delivery
    log_change(
        order,
        "orders.place",
        user=user,
        channel=channel.code,
        total=str(total),
        external_id=external_id,
        **({"status": order.status, "imported": True} if history else {}),
    )
    if shipping is not None:
        shipping.record(order)
    emit_order_event("order.placed", order)
    if history is not None:
        hooks.call(order_hooks.ORDER_IMPORTED, order=order)
    # Last: a hook that reserves stock holds its rows locked until the
    # commit, so as little as possible comes after it.
    if history is None or history.moves_stock:
        hooks.call(order_hooks.ORDER_PLACED, order=order)
    return order
