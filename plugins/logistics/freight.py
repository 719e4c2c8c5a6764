"""Freight from our own tables: what a cart weighs and measures, how it is
split into volumes, and what each service of a table carrier charges for
them. Pure functions over plain values, plus the two reads the quote needs
(the variants' sizes, the rates for one origin and destination).

The rules, each in one place:

- **Billed weight** of a volume: the greater of its actual weight and its
  cubic weight, length × width × height (cm) ÷ the carrier's cubic factor, in
  kg (:func:`cubic_weight_g`, rounded up to the gram).
- **Volumes**: a cart's units are packed greedily, heaviest first, stacking
  each unit on the current box (its longest sides side by side, its
  shortest stacked) while the box stays within the carrier's maximum
  weight, side and sum of sides; otherwise a new box starts. A unit larger
  than the carrier's limits alone makes that carrier unable to take the
  cart (:class:`TooLarge`), not an error of the quote.
- **Sizes** come from the catalog variant (weight in g, sides in cm); a
  variant without them counts as :data:`DEFAULT_ITEM` per unit.
- **Price of a volume**: the table row whose origin range holds the origin
  CEP, destination range the destination CEP and weight band the billed
  weight (the narrowest destination range when rows overlap); above the
  last band, the last band's price plus the service's ``extra_per_kg`` for
  each kg or part of a kg above it. Then the ad valorem and the GRIS, each
  a percent of the declared value of the volume (the cart's declared value
  split equally over its volumes, to the centavo), rounded half up to the
  centavo; at least the service's minimum price. A service's price is the
  sum over volumes; its days, the most of any volume plus the service's
  ``extra_days``.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from plugins.logistics.carriers.base import QuoteOption, QuoteRequest, Volume
from plugins.logistics.regions import cep_number

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ItemSize:
    """One unit of a variant: weight in grams, sides in centimetres."""

    weight_g: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal

    def sides(self) -> tuple[Decimal, Decimal, Decimal]:
        """Longest first."""
        return tuple(sorted((self.length_cm, self.width_cm, self.height_cm))[::-1])


#: What a unit of a variant without weight or dimensions in the catalog
#: counts as: a small parcel, 300 g and 16 × 11 × 6 cm (the Correios minimum
#: box). Each missing value alone is taken from here.
DEFAULT_ITEM = ItemSize(300, Decimal(16), Decimal(11), Decimal(6))


class TooLarge(Exception):
    """A unit does not fit the carrier's limits alone."""

    def __init__(self, sku: str):
        super().__init__(sku)
        self.sku = sku


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# -- weights and volumes ------------------------------------------------------------


def cubic_weight_g(
    length_cm: Decimal | int,
    width_cm: Decimal | int,
    height_cm: Decimal | int,
    factor: int,
) -> int:
    """Cubic weight in grams: L × W × H (cm) ÷ ``factor`` kg, rounded up."""
    grams = Decimal(length_cm) * Decimal(width_cm) * Decimal(height_cm) * 1000 / factor
    return int(grams.to_integral_value(rounding=ROUND_CEILING))


def billed_weight_g(volume: Volume, factor: int) -> int:
    """The greater of the volume's actual and cubic weight, in grams."""
    return max(
        volume.weight_g,
        cubic_weight_g(volume.length_cm, volume.width_cm, volume.height_cm, factor),
    )


@dataclass(frozen=True)
class Limits:
    max_weight_g: int
    max_side_cm: int
    max_sum_cm: int

    @classmethod
    def of(cls, carrier) -> Limits:
        return cls(carrier.max_weight_g, carrier.max_side_cm, carrier.max_sum_cm)

    def fits(self, weight_g: int, sides: tuple[Decimal, Decimal, Decimal]) -> bool:
        return (
            weight_g <= self.max_weight_g
            and max(sides) <= self.max_side_cm
            and sum(sides) <= self.max_sum_cm
        )


def _ceil_cm(value: Decimal) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_CEILING))


def split_volumes(
    units: Iterable[tuple[str, ItemSize, int]], limits: Limits
) -> tuple[Volume, ...]:
    """Pack ``units`` (``(sku, size, quantity)``) into volumes within
    ``limits``: heaviest first, each unit stacked on the current box while it
    fits, else a new box. Sides are rounded up to the centimetre.

    Raises :class:`TooLarge` naming the SKU of a unit that does not fit alone.
    """
    expanded: list[tuple[str, ItemSize]] = []
    for sku, size, quantity in units:
        if not limits.fits(size.weight_g, size.sides()):
            raise TooLarge(sku)
        expanded.extend([(sku, size)] * quantity)
    expanded.sort(key=lambda unit: (-unit[1].weight_g, unit[0]))
    volumes: list[Volume] = []
    weight, long, wide, high = 0, Decimal(0), Decimal(0), Decimal(0)
    started = False
    for _sku, size in expanded:
        a, b, c = size.sides()
        grown = (max(long, a), max(wide, b), high + c)
        if started and limits.fits(weight + size.weight_g, grown):
            weight += size.weight_g
            long, wide, high = grown
            continue
        if started:
            volumes.append(_volume(weight, long, wide, high))
        weight, long, wide, high, started = size.weight_g, a, b, c, True
    if started:
        volumes.append(_volume(weight, long, wide, high))
    return tuple(volumes)


def _volume(weight: int, long: Decimal, wide: Decimal, high: Decimal) -> Volume:
    return Volume(
        weight_g=weight,
        length_cm=_ceil_cm(long),
        width_cm=_ceil_cm(wide),
        height_cm=_ceil_cm(high),
    )


def item_size(row: dict) -> ItemSize:
    """A unit of a variant as :func:`content.queries.variant_sizes_by_sku`
    reads it; a value missing in the catalog is :data:`DEFAULT_ITEM`'s."""
    d = DEFAULT_ITEM
    return ItemSize(
        row["weight_grams"] or d.weight_g,
        row["length_cm"] or d.length_cm,
        row["width_cm"] or d.width_cm,
        row["height_cm"] or d.height_cm,
    )


def item_sizes(skus: Iterable[str]) -> dict[str, ItemSize]:
    """The unit size of each SKU's variant, in one query (:func:`item_size`).
    SKUs not in the catalog are absent."""
    from content.queries import variant_sizes_by_sku

    rows = variant_sizes_by_sku(sorted(set(skus)))
    return {sku: item_size(row) for sku, row in rows.items()}


# -- rates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    destination_width: int
    weight_from_g: int
    weight_to_g: int
    price: Decimal
    days: int


class RateBook:
    """The freight-table rows of some services for one origin and one
    destination CEP, by service id: read in one query
    (:func:`load_rates`), looked up in memory for every volume."""

    def __init__(self, origin_cep: int, destination_cep: int, rows: Iterable[tuple]):
        self.origin_cep = origin_cep
        self.destination_cep = destination_cep
        self.by_service: dict[int, list[Rate]] = defaultdict(list)
        for service_id, d_start, d_end, w_from, w_to, price, days in rows:
            self.by_service[service_id].append(
                Rate(d_end - d_start, w_from, w_to, Decimal(price), days)
            )
        for rates in self.by_service.values():
            rates.sort(key=lambda r: (r.destination_width, r.weight_to_g))
        self.loaded: set[int] = set()

    def rate_for(self, service_id: int, weight_g: int) -> tuple[Rate, int] | None:
        """The band holding ``weight_g`` (the narrowest destination range
        first) and 0; or, above the last band, the last band and the grams
        above it; ``None`` when the service has no row for the weight."""
        rates = self.by_service.get(service_id)
        if not rates:
            return None
        for rate in rates:
            if rate.weight_from_g <= weight_g <= rate.weight_to_g:
                return rate, 0
        last = max(rates, key=lambda r: (r.weight_to_g, -r.destination_width))
        if weight_g > last.weight_to_g:
            return last, weight_g - last.weight_to_g
        return None


#: Destination ranges wider than this are "wide" (a state, the rest of the
#: country): :class:`RateLayout` lists them apart so that the narrow ones
#: are found by a short index range.
WIDE_RANGE = 2_000_000
#: More wide rows than this and the lookup does not bound its range.
MAX_WIDE_ROWS = 500


@dataclass(frozen=True)
class RateLayout:
    """How wide the freight tables' destination ranges are: the widest of
    the narrow ones, and the ids of the wide ones (``None``: too many to
    list; the lookup then reads every row whose range starts at or before
    the CEP)."""

    max_narrow_width: int
    wide_ids: tuple[int, ...] | None

    @classmethod
    def read(cls) -> RateLayout:
        """Two queries over the whole table (callers cache the result while
        the tables do not change)."""
        from django.db.models import F, Max

        from plugins.logistics.models import FreightRate

        width = F("destination_end") - F("destination_start")
        rates = FreightRate.objects.annotate(width=width).order_by()
        narrow = rates.filter(width__lte=WIDE_RANGE).aggregate(m=Max("width"))["m"]
        wide = list(
            rates.filter(width__gt=WIDE_RANGE).values_list("pk", flat=True)[
                : MAX_WIDE_ROWS + 1
            ]
        )
        return cls(
            max_narrow_width=narrow or 0,
            wide_ids=tuple(sorted(wide)) if len(wide) <= MAX_WIDE_ROWS else None,
        )


def load_rates(
    service_ids: Iterable[int],
    origin_cep: int,
    destination_cep: int,
    layout: RateLayout | None = None,
) -> RateBook:
    """Every table row of ``service_ids`` for the origin and destination, in
    one query. With the tables' ``layout``, the rows are found by a short
    range of the destination index (a narrow range starts at most
    ``max_narrow_width`` before the CEP) plus the wide rows by id, instead of
    every row that starts before the CEP."""
    from django.db import connection

    from plugins.logistics.models import FreightRate as R
    from plugins.sql import column, table

    ids = sorted(set(service_ids))
    if not ids:
        return RateBook(origin_cep, destination_cep, [])
    where = [
        f"{column(R, 'destination_start')} <= %s",
        f"{column(R, 'destination_end')} >= %s",
        f"{column(R, 'origin_start')} <= %s",
        f"{column(R, 'origin_end')} >= %s",
    ]
    params: list = [destination_cep, destination_cep, origin_cep, origin_cep]
    if layout is not None and layout.wide_ids is not None:
        near = f"{column(R, 'destination_start')} >= %s"
        params.append(destination_cep - layout.max_narrow_width)
        if layout.wide_ids:
            marks = ", ".join(["%s"] * len(layout.wide_ids))
            near = f"({near} OR {column(R, 'pk')} IN ({marks}))"
            params.extend(layout.wide_ids)
        where.append(near)
        # The services are picked below rather than in the query: SQLite,
        # without statistics, would read every row of the services through
        # their foreign key's index instead of the short range.
    else:
        where.append(f"{column(R, 'service')} IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    sql = f"""
        SELECT {column(R, "service")}, {column(R, "destination_start")},
               {column(R, "destination_end")}, {column(R, "weight_from_g")},
               {column(R, "weight_to_g")}, CAST({column(R, "price")} AS TEXT),
               {column(R, "days")}
        FROM {table(R)} WHERE {" AND ".join(where)}
    """  # noqa: S608  (names from the model; values are parameters)
    # Written out: it runs for every quote, and building it through the ORM
    # cost more than running it. The price is read as text, so that SQLite
    # (which keeps decimals as floating point) gives exact cents.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    wanted = set(ids)
    book = RateBook(
        origin_cep, destination_cep, (row for row in found if row[0] in wanted)
    )
    book.loaded.update(ids)
    return book


_BOOK: contextvars.ContextVar[RateBook | None] = contextvars.ContextVar(
    "logistics_rate_book", default=None
)


@contextlib.contextmanager
def preloaded(book: RateBook) -> Iterator[RateBook]:
    """Within the block, :func:`quote_table` prices from ``book`` (read once
    for every carrier of a quote) instead of reading its own rows."""
    token = _BOOK.set(book)
    try:
        yield book
    finally:
        _BOOK.reset(token)


def split_equally(amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` in ``parts`` that differ by at most a centavo and add up."""
    cents = int(money(amount) / CENT)
    base, extra = divmod(cents, parts)
    return [Decimal(base + (1 if i < extra else 0)) * CENT for i in range(parts)]


def percent_of(value: Decimal, percent: Decimal) -> Decimal:
    return money(Decimal(value) * Decimal(percent) / HUNDRED)


def volume_price(service, rate: Rate, grams_above: int, declared: Decimal) -> Decimal:
    """One volume's price (see the module's docstring)."""
    price = rate.price
    if grams_above:
        price += Decimal(math.ceil(grams_above / 1000)) * service.extra_per_kg
    price = (
        money(price)
        + percent_of(declared, service.ad_valorem_percent)
        + percent_of(declared, service.gris_percent)
    )
    return max(price, money(service.min_price))


def price_service(
    service,
    book: RateBook,
    volumes: tuple[Volume, ...],
    declared_value: Decimal,
    factor: int,
) -> tuple[Decimal, int] | None:
    """(price, days) of ``service`` for ``volumes``; ``None`` when its table
    does not cover them."""
    if not volumes:
        return None
    total, days = ZERO, 0
    shares = split_equally(declared_value, len(volumes))
    for volume, declared in zip(volumes, shares, strict=True):
        found = book.rate_for(service.pk, billed_weight_g(volume, factor))
        if found is None:
            return None
        rate, above = found
        total += volume_price(service, rate, above, declared)
        days = max(days, rate.days)
    return money(total), days + service.extra_days


# -- the table and pickup carriers' quote ---------------------------------------------


def _active_services(carrier, codes: tuple[str, ...]):
    # ``carrier.services`` may be prefetched (the quote reads every carrier's
    # services at once): filter in memory then.
    services = [s for s in carrier.services.all() if s.active]
    if codes:
        services = [s for s in services if s.code in codes]
    return sorted(services, key=lambda s: (s.name, s.pk))


def quote_table(carrier, request: QuoteRequest) -> list[QuoteOption]:
    """Options of a table carrier's active services for ``request`` (its
    volumes already split by the carrier's limits); services whose table
    does not cover the destination or weight are left out. Prices come from
    the rate book :func:`preloaded` by the caller, or from one query."""
    services = _active_services(carrier, request.services)
    if not services:
        return []
    origin, destination = (
        cep_number(request.origin_cep),
        cep_number(request.destination_cep),
    )
    book = _BOOK.get()
    ids = {s.pk for s in services}
    if (
        book is None
        or (book.origin_cep, book.destination_cep) != (origin, destination)
        or not ids <= book.loaded
    ):
        book = load_rates(ids, origin, destination)
    options = []
    for service in services:
        priced = price_service(
            service, book, request.volumes, request.declared_value, carrier.cubic_factor
        )
        if priced is None:
            continue
        price, days = priced
        options.append(
            QuoteOption(
                service_code=service.code,
                service_name=service.name,
                price=price,
                days=days,
                raw={"service_id": service.pk},
            )
        )
    return options


def quote_pickup(carrier, request: QuoteRequest) -> list[QuoteOption]:
    """Store pickup: each active service, free, ready after the handling time."""
    return [
        QuoteOption(
            service_code=service.code,
            service_name=service.name,
            price=ZERO,
            days=0,
            raw={"service_id": service.pk},
        )
        for service in _active_services(carrier, request.services)
    ]
