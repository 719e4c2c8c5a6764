"""Freight quotes for a cart, and the signed quote ids a storefront sends
back with its order.

:func:`quote_cart` asks every active carrier's adapter
(:func:`plugins.logistics.carriers.adapter_for`) for its options from the
origin that would ship the cart (:func:`choose_origin`), applies the
free-shipping rules and the origin's handling time, and signs each option
(:func:`sign_option`): the id carries the service, the origin, the
destination CEP, the cart's fingerprint, the channel and the price, and
expires after ``RETAGUARDA_FREIGHT_QUOTE_TTL`` seconds. A carrier that fails
(an HTTP carrier down, timing out) is left out and logged; the quote goes on
with the others.

:func:`resolve_quote` is what an order uses: it checks the id and prices the
chosen service again from today's tables — the server decides the price,
never the storefront.

Queries per quote do not grow with the cart: the cart's variants (1), the
stock levels when the stock plugin is on (1), the rates of every table
service for the destination (1) and the products' tags only when a
free-shipping rule names a tag (1). The carriers, their services, the
origins and the free-shipping rules are read once and cached
(:func:`freight_setup`). Answers are cached (Django's cache) by channel,
CEP, cart and :func:`freight_version`, which changes whenever carriers,
services, rates, origins or free-shipping rules do.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.cached import Generation
from plugins.exceptions import RetaguardaError
from plugins.logistics import freight
from plugins.logistics.carriers import adapter_for
from plugins.logistics.carriers.base import QuoteRequest
from plugins.logistics.carriers.errors import CarrierError
from plugins.logistics.models import (
    Carrier,
    CarrierKind,
    CarrierService,
    FreeShippingRule,
    ShippingOrigin,
)
from plugins.logistics.regions import uf_for_cep

logger = logging.getLogger(__name__)

SALT = "plugins.logistics.freight-quote"
DEFAULT_TTL = 1800
#: Seconds a cart's options stay cached (their ids are signed when cached,
#: so this is kept well under the ids' lifetime).
CACHE_SECONDS = 300
#: Lines a quote may have, and units a line.
MAX_LINES = 100
MAX_QUANTITY = 10_000
#: Business days between the earliest and the latest delivery date.
DELIVERY_WINDOW_DAYS = 2


# -- errors --------------------------------------------------------------------------


class InvalidQuoteRequest(RetaguardaError):
    """The cart or the CEP cannot be quoted (``errors`` by field)."""

    status = 400
    code = "invalid-freight-quote-request"


class InvalidQuote(RetaguardaError):
    """A quote id that is not ours, was altered, or names another channel,
    CEP or cart."""

    status = 400
    code = "invalid-freight-quote"


class QuoteExpired(InvalidQuote):
    code = "freight-quote-expired"


class QuoteUnavailable(InvalidQuote):
    """The chosen service no longer delivers the cart (changed tables,
    carrier turned off)."""

    status = 409
    code = "freight-quote-unavailable"


class QuoteRequired(RetaguardaError):
    status = 400
    code = "freight-quote-required"


# -- the pieces ----------------------------------------------------------------------


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int


@dataclass
class Option:
    """One way to ship the cart, as the storefront shows it."""

    quote_id: str
    carrier_id: int
    carrier_code: str
    carrier_name: str
    service_id: int
    service_code: str
    service_name: str
    origin_id: int
    #: what the customer pays (0 when free)
    price: Decimal
    #: what the carrier charges the store
    carrier_price: Decimal
    free: bool
    #: business days: the origin's handling time plus the carrier's days
    delivery_days: int
    handling_deadline: datetime.date
    delivery_date_from: datetime.date
    delivery_date_to: datetime.date
    extra: dict = field(default_factory=dict)


def clean_cep(cep: str) -> str:
    """The CEP's 8 digits; InvalidQuoteRequest for anything else."""
    digits = "".join(c for c in str(cep or "") if c.isdigit())
    stripped = str(cep or "").strip().replace("-", "").replace(".", "")
    if len(digits) != 8 or digits != stripped or digits == "00000000":
        raise InvalidQuoteRequest(
            _("The CEP is not valid."),
            errors={"destination_cep": [_("A CEP has 8 digits, e.g. 01310-100.")]},
        )
    return digits


def clean_lines(lines: Iterable) -> list[CartLine]:
    """The cart's lines merged by SKU (``{"sku", "quantity"}`` dicts or
    :class:`CartLine`); InvalidQuoteRequest for an empty or too long cart or a
    bad quantity."""
    merged: dict[str, int] = {}
    raw = list(lines or [])
    errors: dict[str, list[str]] = {}
    if not raw:
        errors["lines"] = [_("The cart is empty.")]
    elif len(raw) > MAX_LINES:
        errors["lines"] = [
            _("A quote takes at most %(max)s lines.") % {"max": MAX_LINES}
        ]
    for i, line in enumerate(raw if not errors else []):
        sku = (line.sku if isinstance(line, CartLine) else line.get("sku")) or ""
        quantity = line.quantity if isinstance(line, CartLine) else line.get("quantity")
        sku = str(sku).strip()
        if not sku:
            errors.setdefault(f"lines[{i}].sku", []).append(_("Name the SKU."))
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            errors.setdefault(f"lines[{i}].quantity", []).append(
                _("The quantity is a whole number from 1 to %(max)s.")
                % {"max": MAX_QUANTITY}
            )
            continue
        if sku:
            merged[sku] = merged.get(sku, 0) + quantity
    if errors:
        raise InvalidQuoteRequest(_("The cart cannot be quoted."), errors=errors)
    return [CartLine(sku, merged[sku]) for sku in sorted(merged)]


def cart_fingerprint(lines: Iterable[CartLine]) -> str:
    """What identifies a cart for a quote: its SKUs and quantities."""
    body = "\n".join(f"{line.sku}\t{line.quantity}" for line in lines)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def quote_ttl() -> int:
    return int(getattr(settings, "RETAGUARDA_FREIGHT_QUOTE_TTL", DEFAULT_TTL))


#: Renewed whenever carriers, services, rates, origins or free-shipping
#: rules change: cached quotes and the cached set-up are keyed by it.
FREIGHT = Generation("logistics:freight:generation")


def freight_version() -> str:
    """A token that changes whenever freight does (:func:`bump_freight_version`)."""
    return FREIGHT.current()


def bump_freight_version(**kwargs) -> None:
    """Forget every cached quote and the cached set-up: now, for the
    transaction's own reads, and after commit (also a signal receiver).
    Writes that send no signal (``update()``, ``bulk_create``) call it."""
    FREIGHT.renew_now_and_on_commit()


@dataclass
class Setup:
    """What every quote reads that staff seldom change: the active carriers
    with their active services (credentials left unloaded: an HTTP
    carrier's adapter reads them when it calls out), the origins, the
    active free-shipping rules and the tables' layout."""

    carriers: list[Carrier]
    origins: list[ShippingOrigin]
    rules: list[FreeShippingRule]
    layout: freight.RateLayout


def _load_setup() -> Setup:
    carriers = (
        Carrier.objects.filter(active=True)
        .defer("access_token", "webhook_secret")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=CarrierService.objects.filter(active=True).order_by(
                    "name", "pk"
                ),
            )
        )
        .order_by("name", "pk")
    )
    return Setup(
        carriers=list(carriers),
        origins=list(ShippingOrigin.objects.order_by("name", "pk")),
        rules=list(FreeShippingRule.objects.filter(active=True).order_by("pk")),
        layout=freight.RateLayout.read(),
    )


def freight_setup() -> Setup:
    """The :class:`Setup`, cached (Django's cache) under :func:`freight_version`."""
    key = f"logistics:freight-setup:{freight_version()}"
    setup = cache.get(key)
    if setup is None:
        setup = _load_setup()
        cache.set(key, setup, 3600)
    return setup


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """``days`` business days after ``start`` (Saturdays and Sundays skipped;
    0: ``start`` itself)."""
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


# -- the cart ------------------------------------------------------------------------


@dataclass
class Cart:
    lines: list[CartLine]
    sizes: dict[str, freight.ItemSize]
    variant_ids: dict[str, int]
    product_ids: set[int]
    value: Decimal


def read_cart(lines: list[CartLine]) -> Cart:
    """The cart's variants (one query): sizes, ids and its value at the
    catalog's prices. InvalidQuoteRequest names unknown SKUs and those not
    for sale."""
    from content.queries import variant_sizes_by_sku

    found = variant_sizes_by_sku([line.sku for line in lines])
    errors: dict[str, list[str]] = {}
    sizes, ids, products, value = {}, {}, set(), freight.ZERO
    for i, line in enumerate(lines):
        row = found.get(line.sku)
        if row is None:
            errors[f"lines[{i}].sku"] = [_("Unknown SKU “%s”.") % line.sku]
            continue
        if not (row["active"] and row["live"]):
            errors[f"lines[{i}].sku"] = [_("“%s” is not for sale.") % line.sku]
            continue
        sizes[line.sku] = freight.item_size(row)
        ids[line.sku] = row["pk"]
        products.add(row["product_id"])
        value += freight.money(row["price"] * line.quantity)
    if errors:
        raise InvalidQuoteRequest(_("The cart cannot be quoted."), errors=errors)
    return Cart(lines, sizes, ids, products, value)


def choose_origin(channel, cart: Cart, origins: list[ShippingOrigin]):
    """The origin that would ship the cart: with the stock plugin on, the
    origin of the warehouse its reservation would take the cart from
    (``StockLevel.objects.shipping_warehouse``); otherwise, or when no origin
    is that warehouse's, the default origin (the first one when none is)."""
    if not origins:
        return None
    if apps.is_installed("plugins.stock") and any(o.warehouse_code for o in origins):
        from plugins.stock.models import StockLevel

        needs = {cart.variant_ids[line.sku]: line.quantity for line in cart.lines}
        code = StockLevel.objects.shipping_warehouse(needs, channel.code)
        match = next((o for o in origins if code and o.warehouse_code == code), None)
        if match is not None:
            return match
    return next((o for o in origins if o.is_default), origins[0])


def _carriers(setup: Setup, only_service_id: int | None = None) -> list[Carrier]:
    if only_service_id is None:
        return setup.carriers
    return [
        carrier
        for carrier in setup.carriers
        if any(service.pk == only_service_id for service in carrier.services.all())
    ]


def _cart_tags(cart: Cart) -> set[str]:
    from content.models.catalog import ProductTag

    rows = ProductTag.objects.filter(
        content_object_id__in=sorted(cart.product_ids)
    ).values_list("tag__name", "tag__slug")
    return {value.casefold() for row in rows for value in row}


def free_rule_applies(
    rule, *, channel_code: str, uf: str, order_value: Decimal, tags
) -> bool:
    """Whether an order meets every condition ``rule`` sets (blank: any)."""
    if rule.channel_code and rule.channel_code != channel_code:
        return False
    states = {s.strip().upper() for s in rule.states.split(",") if s.strip()}
    if states and uf not in states:
        return False
    if rule.min_order_value is not None and order_value < rule.min_order_value:
        return False
    return not (rule.product_tag and rule.product_tag.strip().casefold() not in tags)


# -- quoting -------------------------------------------------------------------------


def sign_option(
    option: Option, *, channel_code: str, destination_cep: str, fingerprint: str
) -> str:
    return signing.dumps(
        {
            "s": option.service_id,
            "o": option.origin_id,
            "c": destination_cep,
            "f": fingerprint,
            "ch": channel_code,
            "p": str(option.price),
        },
        salt=SALT,
        compress=True,
    )


def _compute(
    channel,
    cep: str,
    lines: list[CartLine],
    *,
    order_value: Decimal | None,
    only_service_id: int | None = None,
    origin_id: int | None = None,
) -> list[Option]:
    cart = read_cart(lines)
    setup = freight_setup()
    origins = setup.origins
    if origin_id is not None:
        origin = next((o for o in origins if o.pk == origin_id), None)
    else:
        origin = choose_origin(channel, cart, origins)
    if origin is None:
        return []
    carriers = _carriers(setup, only_service_id)
    value = cart.value if order_value is None else freight.money(order_value)
    origin_cep = f"{origin.cep_number:08d}"
    table_services = [
        s.pk for c in carriers if c.kind == CarrierKind.TABLE for s in c.services.all()
    ]
    book = freight.load_rates(table_services, origin.cep_number, int(cep), setup.layout)
    units = [(line.sku, cart.sizes[line.sku], line.quantity) for line in lines]
    raw: list[tuple[Carrier, CarrierService, object]] = []
    with freight.preloaded(book):
        for carrier in carriers:
            services = {s.code: s for s in carrier.services.all()}
            if only_service_id is not None:
                services = {
                    c: s for c, s in services.items() if s.pk == only_service_id
                }
            if not services:
                continue
            try:
                volumes = (
                    ()
                    if carrier.kind == CarrierKind.PICKUP
                    else freight.split_volumes(units, freight.Limits.of(carrier))
                )
            except freight.TooLarge as error:
                logger.info("%s cannot take %s: too large", carrier.code, error.sku)
                continue
            request = QuoteRequest(
                origin_cep=origin_cep,
                destination_cep=cep,
                volumes=volumes,
                declared_value=value,
                services=tuple(sorted(services)),
            )
            try:
                answered = adapter_for(carrier).quote(request)
            except CarrierError as error:
                logger.warning("Freight quote of %s failed: %s", carrier.code, error)
                continue
            except Exception:  # an adapter's bug must not take the others down
                logger.exception("Freight quote of %s failed", carrier.code)
                continue
            for answer in answered:
                service = services.get(answer.service_code)
                if service is not None:
                    raw.append((carrier, service, answer))
    service_ids = {service.pk for _c, service, _a in raw}
    rules = [rule for rule in setup.rules if rule.service_id in service_ids]
    tags = _cart_tags(cart) if any(rule.product_tag for rule in rules) else set()
    uf = uf_for_cep(cep)
    today = timezone.localdate()
    handling = origin.handling_days
    deadline = add_business_days(today, handling)
    options = []
    for carrier, service, answer in raw:
        free = any(
            rule.service_id == service.pk
            and free_rule_applies(
                rule, channel_code=channel.code, uf=uf, order_value=value, tags=tags
            )
            for rule in rules
        )
        days = answer.days
        earliest = max(days - DELIVERY_WINDOW_DAYS, min(days, 1))
        options.append(
            Option(
                quote_id="",
                carrier_id=carrier.pk,
                carrier_code=carrier.code,
                carrier_name=carrier.name,
                service_id=service.pk,
                service_code=service.code,
                service_name=service.name,
                origin_id=origin.pk,
                price=freight.ZERO if free else freight.money(answer.price),
                carrier_price=freight.money(answer.price),
                free=free or answer.price == 0,
                delivery_days=handling + days,
                handling_deadline=deadline,
                delivery_date_from=add_business_days(today, handling + earliest),
                delivery_date_to=add_business_days(today, handling + days),
            )
        )
    options.sort(
        key=lambda o: (o.price, o.delivery_days, o.carrier_name, o.service_name)
    )
    return options


def quote_cart(
    channel, destination_cep: str, lines, *, order_value: Decimal | None = None
) -> list[Option]:
    """The options to ship ``lines`` (``{"sku", "quantity"}``) to
    ``destination_cep`` on ``channel``, cheapest first, each with its signed
    ``quote_id``. ``order_value``: the value free-shipping rules and the
    declared value use (default: the cart at the catalog's prices).

    Cached for :data:`CACHE_SECONDS` by channel, CEP, cart, order value, day
    and :func:`freight_version`. Raises InvalidQuoteRequest (bad CEP, empty
    or too long cart, unknown SKU). A failing carrier is left out (logged).
    """
    cep = clean_cep(destination_cep)
    cart_lines = clean_lines(lines)
    fingerprint = cart_fingerprint(cart_lines)
    key = ":".join(
        (
            "logistics:quote",
            freight_version(),
            channel.code,
            cep,
            fingerprint,
            "" if order_value is None else str(freight.money(order_value)),
            timezone.localdate().isoformat(),
        )
    )
    options = cache.get(key)
    if options is not None:
        return options
    options = _compute(channel, cep, cart_lines, order_value=order_value)
    options = [
        replace(
            option,
            quote_id=sign_option(
                option,
                channel_code=channel.code,
                destination_cep=cep,
                fingerprint=fingerprint,
            ),
        )
        for option in options
    ]
    cache.set(key, options, min(CACHE_SECONDS, quote_ttl()))
    return options


def read_quote_id(quote_id: str) -> dict:
    """The contents of a quote id; InvalidQuote or QuoteExpired."""
    try:
        data = signing.loads(str(quote_id or ""), salt=SALT, max_age=quote_ttl())
    except signing.SignatureExpired:
        raise QuoteExpired(
            _("This freight quote has expired: quote the freight again."),
            errors={"shipping_quote": [_("Expired: quote the freight again.")]},
        ) from None
    except signing.BadSignature:
        raise InvalidQuote(
            _("This freight quote is not valid."),
            errors={"shipping_quote": [_("Not a valid freight quote.")]},
        ) from None
    if not isinstance(data, dict) or not {"s", "o", "c", "f", "ch", "p"} <= set(data):
        raise InvalidQuote(_("This freight quote is not valid."))
    return data


def resolve_quote(
    quote_id: str,
    *,
    channel,
    destination_cep: str,
    lines,
    order_value: Decimal | None = None,
) -> Option:
    """The option ``quote_id`` names, priced again by the server from today's
    tables (same service, same origin). Raises InvalidQuote for an id that is
    altered or not ours, or that was made for another channel, CEP or cart;
    QuoteExpired; QuoteUnavailable when the service no longer takes the
    cart there."""
    data = read_quote_id(quote_id)

    def refuse(message: str):
        return InvalidQuote(message, errors={"shipping_quote": [message]})

    if data["ch"] != channel.code:
        raise refuse(_("This freight quote was made for another sales channel."))
    try:
        cep = clean_cep(destination_cep)
    except InvalidQuoteRequest:
        raise refuse(_("This freight quote was made for another CEP.")) from None
    if data["c"] != cep:
        raise refuse(_("This freight quote was made for another CEP."))
    cart_lines = clean_lines(lines)
    fingerprint = cart_fingerprint(cart_lines)
    if data["f"] != fingerprint:
        raise refuse(_("This freight quote was made for another cart."))
    options = _compute(
        channel,
        cep,
        cart_lines,
        order_value=order_value,
        only_service_id=data["s"],
        origin_id=data["o"],
    )
    option = next((o for o in options if o.service_id == data["s"]), None)
    if option is None:
        message = _("The chosen freight option is no longer available: quote again.")
        raise QuoteUnavailable(message, errors={"shipping_quote": [message]})
    option.quote_id = quote_id
    return option


def quotes_required(channel) -> bool:
    """Whether a storefront order on ``channel`` must name a freight quote:
    whenever an active carrier has an active service."""
    return CarrierService.objects.filter(active=True, carrier__active=True).exists()


# -- orders --------------------------------------------------------------------------


@dataclass
class ChosenShipping:
    """What an order takes from the freight option it was placed with."""

    option: Option

    @property
    def price(self) -> Decimal:
        return self.option.price

    @property
    def promised_date(self) -> datetime.date:
        return self.option.delivery_date_to

    def record(self, order) -> None:
        """Write the order's :class:`~plugins.logistics.models.OrderShipping`
        (inside ``place_order``'s transaction)."""
        from plugins.logistics.models import OrderShipping

        option = self.option
        OrderShipping.objects.create(
            order=order,
            service_id=option.service_id,
            origin_id=option.origin_id,
            price=option.price,
            free=option.free,
            delivery_days=option.delivery_days,
            handling_deadline=option.handling_deadline,
            promised_date=option.delivery_date_to,
            quoted_at=timezone.now(),
        )


def shipping_for_order(
    *, channel, quote_id, destination_cep, lines, order_value, api_key
) -> ChosenShipping | None:
    """The orders plugin's ``SHIPPING_QUOTE``: the server's price and promised
    date of the option ``quote_id`` names (:func:`resolve_quote`). A
    storefront order (``api_key``) without one is refused while the store
    quotes freight (:func:`quotes_required`); otherwise its shipping is 0.
    Staff and the system state shipping as before unless they name a quote."""
    if not quote_id:
        if api_key is not None and quotes_required(channel):
            message = _(
                "Choose a freight option: send the quote_id of one of the "
                "options quoted for this cart as shipping_quote."
            )
            raise QuoteRequired(message, errors={"shipping_quote": [message]})
        return None
    return ChosenShipping(
        resolve_quote(
            quote_id,
            channel=channel,
            destination_cep=destination_cep,
            lines=lines,
            order_value=order_value,
        )
    )


def connect_freight_signals() -> None:
    """Bump :func:`freight_version` when a freight row is saved or deleted
    (bulk writes, such as the freight table import, bump it themselves)."""
    from django.db.models.signals import post_delete, post_save

    from plugins.logistics.models import FreightRate

    for model in (
        Carrier,
        CarrierService,
        FreightRate,
        ShippingOrigin,
        FreeShippingRule,
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                bump_freight_version,
                sender=model,
                dispatch_uid=f"freight-{model.__name__}",
            )
