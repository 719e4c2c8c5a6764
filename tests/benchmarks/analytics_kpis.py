"""Analytics benchmark: the dashboard's KPI panel, the rollups' refresh after
a burst of orders and their full rebuild, on two years of orders.

A fresh database (SQLite file, or PostgreSQL with ``--database``) with the
``orders``, ``finance`` and ``analytics`` plugins, 6 sales channels (the
storefront, an app, three marketplaces and B2B), a catalog of 40 categories,
30 brands and 1,000 products × 2 variants, a few back-office sellers, and
``--orders`` orders (1,000,000 by default) placed over the last 730 days:
more on weekdays and in the evening, growing over the two years, with Black
Friday and December peaks and today's orders up to now; 1 to 5 lines each (3
on average), mostly delivered, some cancelled, returned, pending or on their
way; payment methods, the customer's UF in the shipping address, the amounts
adding up as the orders' constraints require, and a "placed" timeline entry
each. Rows are written in large batches (SQLite: ``executemany``;
PostgreSQL: ``COPY``); the generation time is printed, not measured.

Then, each in a fresh process:

1. **full rebuild**: ``plugins.analytics.rollups.rebuild()``, timed;
2. **KPI panel**: what the dashboard's panel computes for a superuser with
   every KPI they see (``plugins.analytics.engine.compute``): "this month vs
   last month" (two calls: the period and the same days of last month) and
   "year to date by channel" (one call grouped by channel, one by day for
   the chart); p50/p99 over ``--iterations`` requests after a warm-up, and
   the queries of each (the same requests over 730 days must run as many).
   When the reports screen (URL ``analytics:dashboard``) is installed, the
   full page through ``django.test.Client`` too;
3. **burst**: 10,000 marketplace orders (with lines and "placed" entries)
   placed over the last 3 days arrive, and 1,000 orders placed 4 to 60 days
   ago are cancelled (status, ``cancelled_at`` and a transition entry now);
   as the app's hooks do, their days are marked for the rollup. The panel is
   timed once more while those days wait (computed live), then
   ``plugins.analytics.rollups.refresh()`` is timed, and the figures after
   it are compared with the same figures computed from the orders alone
   (the rollups disabled): "equal: yes/no". Then 1,000 more cancellations
   spread over the whole two years, and the refresh again.

Targets: panel p99 < 200 ms with a constant number of queries; the refresh
after the burst < 10 s. Figures also go to
``tests/benchmarks/reports/analytics_kpis-<vendor>.json``.

Usage: python tests/benchmarks/analytics_kpis.py [--orders 1000000]
       [--iterations 200] [--database postgres://postgres@127.0.0.1:5432/postgres]
       [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REPORTS = Path(__file__).resolve().parent / "reports"
KEPT = ROOT / "var" / "benchmarks" / "analytics_kpis"
PLUGINS = "orders,finance,analytics"
DAYS = 730
BATCH_ORDERS = 50_000
CHANNELS = [
    # code, name, kind, marketplace, share of the orders
    ("loja", "Loja virtual", "storefront", "", 0.34),
    ("app", "Aplicativo", "storefront", "", 0.12),
    ("mercado-livre", "Mercado Livre", "marketplace", "Mercado Livre", 0.26),
    ("amazon", "Amazon", "marketplace", "Amazon", 0.12),
    ("shopee", "Shopee", "marketplace", "Shopee", 0.11),
    ("b2b", "Televendas B2B", "b2b", "", 0.05),
]
CATEGORIES = 40
BRANDS = 30
PRODUCTS = 1_000
VARIANTS_PER_PRODUCT = 2
SELLERS = 5
UF_WEIGHTS = {
    "SP": 30, "RJ": 12, "MG": 11, "RS": 6, "PR": 6, "SC": 4, "BA": 5, "DF": 3,
    "GO": 3, "PE": 3, "CE": 3, "ES": 2, "PA": 2, "MT": 1.5, "MS": 1.2, "AM": 1.2,
    "MA": 1, "RN": 1, "PB": 1, "AL": 0.8, "PI": 0.7, "SE": 0.6, "RO": 0.5,
    "TO": 0.4, "AC": 0.2, "AP": 0.2, "RR": 0.2,
}  # fmt: skip
PAYMENT_WEIGHTS = {
    "pix": 40, "card": 38, "boleto": 10, "debit_card": 5, "voucher": 2,
    "transfer": 1, "cod": 1, "terms": 3,
}  # fmt: skip
#: Local hours of the day: quiet at night, peaks at lunch and in the evening.
HOUR_WEIGHTS = [
    1.2, 0.7, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4.2, 4.6,
    5.0, 4.8, 4.5, 4.4, 4.5, 4.7, 5.0, 5.6, 6.2, 6.4, 5.2, 3.0,
]  # fmt: skip
WEEKDAY_WEIGHTS = [1.10, 1.06, 1.02, 1.00, 0.95, 0.80, 0.86]  # Monday first


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def note(text: str) -> None:
    """Progress inside a worker (its standard output carries the result)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# -- inside the app (a subprocess with django.setup()) ---------------------------------


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


class Rows:
    """Raw inserts of many rows of one model: the columns given per row,
    every other column its field's default (or NULL). SQLite through the
    driver's ``executemany``, PostgreSQL through ``COPY``; values are what
    the database stores (datetimes as :meth:`stamp` strings, money as
    :func:`cents` strings, JSON as text)."""

    def __init__(self, model, given: list[str]):
        from django.db import connection

        self.vendor = connection.vendor
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.given = given
        constants = {}
        for attname, field in fields.items():
            if attname in given or field.primary_key:
                continue
            value = field.get_default()
            if value is None and not field.null:
                raise ValueError(f"{self.table}.{attname} needs a value")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            elif isinstance(value, bool) and self.vendor == "sqlite":
                value = int(value)
            constants[fields[attname].column] = value
        self.columns = [fields[a].column for a in given] + list(constants)
        self.constants = tuple(constants.values())

    def write(self, rows) -> int:
        from django.db import connection

        constants = self.constants
        count = 0
        if self.vendor == "postgresql":
            columns = ", ".join(f'"{c}"' for c in self.columns)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(
                    f'COPY "{self.table}" ({columns}) FROM STDIN'
                ) as copy:
                    for row in rows:
                        copy.write_row(row + constants)
                        count += 1
            return count
        placeholders = ", ".join("?" for _ in self.columns)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        sql = f'INSERT INTO "{self.table}" ({columns}) VALUES ({placeholders})'  # noqa: S608
        connection.ensure_connection()
        materialised = [row + constants for row in rows]
        connection.connection.executemany(sql, materialised)
        return len(materialised)


def stamp_function():
    """Epoch seconds → the text the database stores for a datetime."""
    from django.db import connection

    gmtime, strftime = time.gmtime, time.strftime
    if connection.vendor == "postgresql":
        return lambda ts: strftime("%Y-%m-%d %H:%M:%S+00", gmtime(ts))
    return lambda ts: strftime("%Y-%m-%d %H:%M:%S", gmtime(ts))


class Generator:
    """The orders of a store: see the module docstring."""

    def __init__(self, seed: int):
        import random
        from zoneinfo import ZoneInfo

        from django.conf import settings

        self.random = random.Random(seed)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = time.time()
        self.today = datetime.datetime.fromtimestamp(self.now, self.zone).date()
        self.stamp = stamp_function()
        self.ufs = list(UF_WEIGHTS)
        self.uf_cum = _cumulative(UF_WEIGHTS.values())
        self.addresses = {
            uf: json.dumps({"uf": uf, "city": "Cidade", "cep": "01310-100"})
            for uf in self.ufs
        }
        self.payments = list(PAYMENT_WEIGHTS)
        self.payment_cum = _cumulative(PAYMENT_WEIGHTS.values())
        self.hour_cum = _cumulative(HOUR_WEIGHTS)

    def load(self):
        from content.models import Variant
        from plugins.orders.models import SalesChannel

        channels = {c.code: c for c in SalesChannel.objects.all()}
        self.channels = [
            (channels[code].pk, name, kind) for code, name, kind, _m, _s in CHANNELS
        ]
        self.channel_cum = _cumulative(share for *_x, share in CHANNELS)
        self.sellers = list(self._seller_ids())
        variants = list(Variant.objects.select_related("product").order_by("pk"))
        self.variants = [
            (
                v.pk,
                v.sku,
                v.product.name,
                v.option1,
                int(v.price * 100),
            )
            for v in variants
        ]
        # a few best sellers, a long tail (Zipf-like)
        self.variant_cum = _cumulative(
            1 / (rank + 10) for rank in range(len(self.variants))
        )

    def _seller_ids(self):
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(username__startswith="vendedor")
            .values_list("pk", flat=True)
        )

    def day_weights(self, first, days):
        """Relative orders per local day: growth, weekdays, the season."""

        weights = []
        for offset in range(days):
            day = first + datetime.timedelta(days=offset)
            weight = (1 + 0.5 * offset / max(days - 1, 1)) * WEEKDAY_WEIGHTS[
                day.weekday()
            ]
            if day.month == 11:
                thanksgiving = next(
                    datetime.date(day.year, 11, d)
                    for d in range(22, 29)
                    if datetime.date(day.year, 11, d).weekday() == 3
                )
                black_friday = thanksgiving + datetime.timedelta(days=1)
                if day == black_friday:
                    weight *= 4
                elif (
                    0 < (black_friday - day).days <= 6
                    or 0 < (day - black_friday).days <= 3
                ):
                    weight *= 1.7
            elif day.month == 12:
                weight *= 1.4 if day.day <= 20 else 0.7
            elif day.month == 1:
                weight *= 0.85
            elif day.month == 5 and 4 <= day.day <= 12:
                weight *= 1.3  # Mother's Day
            weights.append(weight)
        return weights

    def instants(self, day, count, until=None):
        """``count`` sorted epoch seconds within the local ``day`` (before
        ``until`` when given)."""

        midnight = datetime.datetime.combine(day, datetime.time(), self.zone)
        start = midnight.timestamp()
        end = (
            datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(), self.zone
            ).timestamp()
            if until is None
            else until
        )
        rng = self.random
        hours = rng.choices(range(24), cum_weights=self.hour_cum, k=count)
        seconds = []
        span = end - start
        for hour in hours:
            moment = hour * 3600 + rng.random() * 3600
            if moment >= span:  # today: squeeze into the hours gone by
                moment = rng.random() * span
            seconds.append(int(start + moment))
        seconds.sort()
        return seconds

    def status(self, age: int):
        """A status for an order placed ``age`` days ago."""
        r = self.random.random()
        if age >= 15:
            table = (
                (0.845, "delivered"),
                (0.925, "cancelled"),
                (0.955, "returned"),
                (0.970, "shipped"),
                (0.980, "pending_payment"),
                (0.990, "invoiced"),
                (1.000, "paid"),
            )
        elif age >= 5:
            table = (
                (0.55, "delivered"),
                (0.80, "shipped"),
                (0.86, "ready_to_ship"),
                (0.89, "invoiced"),
                (0.91, "paid"),
                (0.94, "pending_payment"),
                (1.00, "cancelled"),
            )
        elif age >= 1:
            table = (
                (0.10, "delivered"),
                (0.45, "shipped"),
                (0.60, "ready_to_ship"),
                (0.72, "invoiced"),
                (0.85, "paid"),
                (0.95, "pending_payment"),
                (1.00, "cancelled"),
            )
        else:
            table = (
                (0.35, "paid"),
                (0.45, "invoiced"),
                (0.95, "pending_payment"),
                (1.00, "cancelled"),
            )
        for limit, status in table:
            if r < limit:
                return status
        return table[-1][1]

    def orders(self, first_id: int, instants, *, channels=None, imported=None):
        """Rows of orders (one per epoch second in ``instants``), their lines
        and their "placed" entries: three lists of tuples in the order of
        :data:`ORDER_COLUMNS`, :data:`LINE_COLUMNS`, :data:`EVENT_COLUMNS`."""

        rng = self.random
        random_, choices, randint = rng.random, rng.choices, rng.randint
        stamp = self.stamp
        now = int(self.now)
        today = self.today
        zone = self.zone
        channel_list = channels or self.channels
        channel_cum = None if channels else self.channel_cum
        orders, lines, events = [], [], []
        chosen_channels = choices(
            channel_list, cum_weights=channel_cum, k=len(instants)
        )
        ufs = choices(self.ufs, cum_weights=self.uf_cum, k=len(instants))
        payments = choices(self.payments, cum_weights=self.payment_cum, k=len(instants))
        counts = choices((1, 2, 3, 4, 5), (15, 20, 30, 20, 15), k=len(instants))
        variants, variant_cum = self.variants, self.variant_cum
        day_of = {}
        for index, placed in enumerate(instants):
            pk = first_id + index
            channel_id, channel_name, kind = chosen_channels[index]
            payment = payments[index]
            if kind == "b2b":
                payment = "terms" if random_() < 0.6 else "boleto"
            elif payment == "terms":
                payment = "pix"
            day_key = placed // 3600
            day = day_of.get(day_key)
            if day is None:
                day = datetime.datetime.fromtimestamp(placed, zone).date()
                day_of[day_key] = day
            status = self.status((today - day).days)
            # lines
            subtotal = 0
            gross_lines = []
            for variant in choices(variants, cum_weights=variant_cum, k=counts[index]):
                quantity = 1 if random_() < 0.78 else randint(2, 4)
                gross = variant[4] * quantity
                subtotal += gross
                gross_lines.append((variant, quantity, gross))
            discount = (
                int(subtotal * (0.05 + 0.1 * random_())) if random_() < 0.15 else 0
            )
            left = discount
            for position, (variant, quantity, gross) in enumerate(gross_lines):
                share = (
                    left
                    if position == len(gross_lines) - 1
                    else discount * gross // subtotal
                )
                left -= share
                lines.append(
                    (
                        pk,
                        variant[0],
                        variant[1],
                        variant[2],
                        variant[3],
                        quantity,
                        cents(variant[4]),
                        cents(share),
                        cents(gross - share),
                    )
                )
            shipping = 0 if subtotal > 29900 or random_() < 0.2 else randint(990, 4990)
            total = subtotal - discount + shipping
            # the steps it took
            paid = invoiced = ready = shipped = delivered = cancelled = returned = None
            if status != "pending_payment" and not (
                status == "cancelled" and random_() < 0.5
            ):
                paid = placed + (randint(86400, 172800) if payment == "boleto" else 90)
            if status in (
                "invoiced",
                "ready_to_ship",
                "shipped",
                "delivered",
                "returned",
            ):
                invoiced = (paid or placed) + 4 * 3600
            if status in ("ready_to_ship", "shipped", "delivered", "returned"):
                ready = invoiced + 4 * 3600
            if status in ("shipped", "delivered", "returned"):
                shipped = ready + 12 * 3600
            if status in ("delivered", "returned"):
                delivered = shipped + randint(2, 7) * 86400
            if status == "returned":
                returned = delivered + 7 * 86400
            if status == "cancelled":
                cancelled = placed + randint(3600, 3 * 86400)
            steps = [
                None if moment is None else stamp(min(moment, now))
                for moment in (
                    paid,
                    invoiced,
                    ready,
                    shipped,
                    delivered,
                    cancelled,
                    returned,
                )
            ]
            placed_text = stamp(placed)
            marketplace = kind == "marketplace"
            orders.append(
                (
                    pk,
                    f"B{pk:09d}",
                    channel_id,
                    f"MP{pk}" if marketplace else "",
                    f"bt{pk:010d}",
                    f"Cliente {pk}",
                    self.addresses[ufs[index]],
                    cents(subtotal),
                    cents(discount),
                    cents(shipping),
                    cents(total),
                    payment,
                    randint(1, 10) if payment == "card" else 1,
                    status,
                    placed_text,
                    *steps,
                )
            )
            seller = (
                self.sellers[pk % len(self.sellers)]
                if kind == "b2b" and self.sellers
                else None
            )
            events.append(
                (
                    pk,
                    "placed",
                    "pending_payment" if marketplace else status,
                    channel_name,
                    seller,
                    placed_text,
                    marketplace if imported is None else imported,
                )
            )
        return orders, lines, events


ORDER_COLUMNS = [
    "id",
    "number",
    "channel_id",
    "external_id",
    "customer_token",
    "customer_name",
    "shipping_address",
    "subtotal",
    "discount_total",
    "shipping_total",
    "total",
    "payment_method",
    "installments",
    "status",
    "placed_at",
    "paid_at",
    "invoiced_at",
    "ready_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "returned_at",
]
LINE_COLUMNS = [
    "order_id",
    "variant_id",
    "sku",
    "product_name",
    "variant_name",
    "quantity",
    "unit_price",
    "discount",
    "total",
]
EVENT_COLUMNS = [
    "order_id",
    "kind",
    "to_status",
    "message",
    "user_id",
    "created_at",
    "imported",
]


def _cumulative(weights):
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def _allocate(total: int, weights: list[float]) -> list[int]:
    """``total`` split over ``weights`` in whole numbers that add up to it."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    left = total - sum(counts)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[
        :left
    ]:
        counts[i] += 1
    return counts


class Writers:
    def __init__(self):
        from plugins.orders.models import Order, OrderEvent, OrderLine

        self.orders = Rows(Order, ORDER_COLUMNS)
        self.lines = Rows(OrderLine, LINE_COLUMNS)
        self.events = Rows(OrderEvent, EVENT_COLUMNS)
        if self.events.vendor == "sqlite":
            # imported is a boolean: SQLite stores 0/1
            self.event_fix = lambda rows: [(*r[:-1], int(r[-1])) for r in rows]
        else:
            self.event_fix = lambda rows: rows

    def write(self, orders, lines, events) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.orders.write(orders)
            self.lines.write(lines)
            self.events.write(self.event_fix(events))


def reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from plugins.orders.models import Order, OrderEvent, OrderLine

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Order, OrderLine, OrderEvent]
        ):
            cursor.execute(sql)


def make_catalog(seed: int) -> None:
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from content.models import Brand, Category, Product, Variant
    from plugins.orders.models import SalesChannel

    rng = random.Random(seed)
    SalesChannel.objects.bulk_create(
        SalesChannel(
            code=code,
            name=name,
            kind=kind,
            marketplace=marketplace,
            accepts_custom_prices=kind != "storefront",
        )
        for code, name, kind, marketplace, _share in CHANNELS
    )
    categories = Category.objects.bulk_create(
        Category(name=f"Categoria {i}", slug=f"categoria-{i}", path=f"categoria-{i}")
        for i in range(CATEGORIES)
    )
    brands = Brand.objects.bulk_create(
        Brand(name=f"Marca {i}", slug=f"marca-{i}") for i in range(BRANDS)
    )
    products = Product.objects.bulk_create(
        Product(
            name=f"Produto {i}",
            slug=f"produto-{i}",
            brand=brands[rng.randrange(BRANDS)],
            primary_category=categories[rng.randrange(CATEGORIES)],
            option1_name="Tamanho",
        )
        for i in range(PRODUCTS)
    )
    variants = []
    for product in products:
        base = int(rng.lognormvariate(4.5, 0.8) * 100) + 990
        for v in range(VARIANTS_PER_PRODUCT):
            price = Decimal(base + v * 500) / 100
            variants.append(
                Variant(
                    product=product,
                    sort_order=v,
                    sku=f"SKU-{product.pk:05d}-{v}",
                    option1=("P", "G", "M", "GG")[v % 4],
                    price=price,
                    cost_price=(price * Decimal("0.55")).quantize(Decimal("0.01")),
                )
            )
    Variant.objects.bulk_create(variants)
    users = get_user_model().objects
    users.create_superuser("gestor", "gestor@example.com", "benchmark")
    for i in range(SELLERS):
        users.create_user(f"vendedor{i}", f"vendedor{i}@example.com", is_staff=True)


def generate_worker(options: dict) -> dict:

    from django.db import connection

    started = time.monotonic()
    make_catalog(options["seed"])
    generator = Generator(options["seed"])
    generator.load()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    first = generator.today - datetime.timedelta(days=DAYS - 1)
    weights = generator.day_weights(first, DAYS)
    # today counts for the part of it gone by
    midnight = datetime.datetime.combine(
        generator.today, datetime.time(), generator.zone
    ).timestamp()
    weights[-1] *= max((generator.now - midnight) / 86400, 0.01)
    per_day = _allocate(options["orders"], weights)
    writers = Writers()
    pk = 1
    pending: list = []
    written = lines_written = 0
    for offset, count in enumerate(per_day):
        day = first + datetime.timedelta(days=offset)
        until = generator.now - 60 if day == generator.today else None
        pending.extend(generator.instants(day, count, until))
        last = offset == len(per_day) - 1
        if len(pending) >= BATCH_ORDERS or (last and pending):
            orders, lines, events = generator.orders(pk, pending)
            writers.write(orders, lines, events)
            pk += len(orders)
            written += len(orders)
            lines_written += len(lines)
            pending = []
            note(
                f"  {written:,} orders, {lines_written:,} lines "
                f"({time.monotonic() - started:.0f} s)"
            )
    reset_sequences()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have
        elif options["analyze"]:
            cursor.execute("ANALYZE")
    return {
        "orders": written,
        "lines": lines_written,
        "first_day": first.isoformat(),
        "today": generator.today.isoformat(),
        "seconds": round(time.monotonic() - started, 1),
    }


def _counts() -> dict:
    from plugins.analytics.models import DailyFact
    from plugins.orders.models import Order, OrderEvent, OrderLine

    return {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "events": OrderEvent.objects.count(),
        "facts": DailyFact.objects.count(),
    }


def rebuild_worker(options: dict) -> dict:
    from django.db import connection

    from plugins.analytics import rollups

    stopwatch = Stopwatch()
    result = rollups.rebuild()
    spent = stopwatch.stop()
    if connection.vendor == "postgresql":
        # the rollups' statistics, as autovacuum would gather them soon after
        # (a server may run without it: the planner would think them empty)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE analytics_dailyfact")
    return {
        **spent,
        "days": result.days,
        "rows": result.rows,
        **_counts(),
    }


# -- the KPI panel ---------------------------------------------------------------------


class Panel:
    """What the dashboard's KPI panel computes for one request."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from plugins.analytics import periods

        self.user = get_user_model().objects.get(username="gestor")
        self.today = periods.store_today()
        self.month = periods.preset("this_month", self.today)
        self.previous = periods.comparison(self.month, "previous", "this_month")
        self.ytd = periods.preset("ytd", self.today)
        self.two_years = periods.Period(
            self.today - datetime.timedelta(days=DAYS - 1), self.today
        )
        # two years up to the comparison period's last day: the "previous"
        # call of the month panel over two years
        self.two_years_before = periods.Period(
            self.previous.end - datetime.timedelta(days=DAYS - 1), self.previous.end
        )

    def kpis(self):
        from plugins.analytics import engine

        return engine.visible_kpis(self.user)

    def month_vs_previous(self, month=None, previous=None):
        from plugins.analytics import engine

        month, previous = month or self.month, previous or self.previous
        kpis = self.kpis()
        return (
            engine.compute(self.user, list(kpis), month.start, month.end, kpis=kpis),
            engine.compute(
                self.user, list(kpis), previous.start, previous.end, kpis=kpis
            ),
        )

    def by_channel(self, period=None):
        from plugins.analytics import engine

        period = period or self.ytd
        kpis = self.kpis()
        return (
            engine.compute(
                self.user,
                list(kpis),
                period.start,
                period.end,
                group_by="channel",
                kpis=kpis,
            ),
            engine.compute(
                self.user,
                list(kpis),
                period.start,
                period.end,
                group_by="day",
                kpis=kpis,
            ),
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[index]


def backend_pid() -> int | None:
    """The PostgreSQL backend serving this process (``None`` on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def run_ns(pid: int | None) -> int:
    """Nanoseconds a process has run on a CPU (``/proc/<pid>/schedstat``)."""
    if pid is None:
        return 0
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split()[1:9]]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / tick, sum(fields) / tick


class Stopwatch:
    """Seconds by the clock and by the CPU of this process and its
    PostgreSQL backend, and the share of the machine others took."""

    def __init__(self):
        self.backend = backend_pid()
        self.wall, self.cpu = time.monotonic(), time.process_time()
        self.backend_ns, self.machine = run_ns(self.backend), machine_busy()

    def stop(self) -> dict:
        wall = time.monotonic() - self.wall
        cpu = time.process_time() - self.cpu
        cpu += (run_ns(self.backend) - self.backend_ns) / 1e9
        busy, total = machine_busy()
        other = max(busy - self.machine[0] - cpu, 0) / max(
            total - self.machine[1], 1e-9
        )
        return {
            "seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "other_load": round(other, 2),
        }


def timed(call, iterations: int, warmup: int, budget: float = 180) -> dict:
    """p50/p99 of ``iterations`` calls after ``warmup`` (fewer when they
    take longer than ``budget`` seconds in all): by the clock, and by the
    CPU this process and its PostgreSQL backend spent on each (what the
    clock would show on an idle machine), with the share of the machine
    other processes took meanwhile."""
    for _ in range(warmup):
        call()
    backend = backend_pid()
    times, cpu = [], []
    deadline = time.monotonic() + budget
    cpu_before, (busy_before, total_before) = time.process_time(), machine_busy()
    backend_before = run_ns(backend)
    for _ in range(iterations):
        started = time.perf_counter()
        started_cpu, started_backend = time.process_time(), run_ns(backend)
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append(
            (time.process_time() - started_cpu) * 1000
            + (run_ns(backend) - started_backend) / 1e6
        )
        if time.monotonic() > deadline:
            break
    busy, total = machine_busy()
    ours = time.process_time() - cpu_before + (run_ns(backend) - backend_before) / 1e9
    return {
        "p50_ms": round(percentile(times, 0.50), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
        "cpu_p50_ms": round(percentile(cpu, 0.50), 1),
        "cpu_p99_ms": round(percentile(cpu, 0.99), 1),
        "iterations": len(times),
        "other_load": round(
            max(busy - busy_before - ours, 0) / max(total - total_before, 1e-9), 2
        ),
        "loadavg": os.getloadavg()[0],
    }


def queries_of(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def dashboard_url() -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("analytics:dashboard")
    except NoReverseMatch:
        return None


def page_figures(panel: Panel, iterations: int, warmup: int) -> dict | None:
    """The reports screen through the test client, when it is installed."""
    from django.conf import settings
    from django.test import override_settings

    url = dashboard_url()
    if url is None:
        return None
    # the admin's static files by name (no collectstatic manifest here)
    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=storages):
        return _page_figures(panel, url, iterations, warmup)


def _page_figures(panel: Panel, url: str, iterations: int, warmup: int) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(panel.user)
    result = {"url": url}
    for name, query in (
        ("month", "period=this_month&compare=previous"),
        ("ytd", "period=ytd&group_by=channel"),
    ):

        def get(query=query):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, response.status_code
            return response

        result[name] = {**timed(get, iterations, warmup), "queries": queries_of(get)}
    return result


def panel_worker(options: dict) -> dict:
    from django.db import connection

    panel = Panel()
    iterations, warmup = options["iterations"], options["warmup"]
    month = {**timed(panel.month_vs_previous, iterations, warmup)}
    month["queries"] = queries_of(panel.month_vs_previous)
    ytd = {**timed(panel.by_channel, iterations, warmup)}
    ytd["queries"] = queries_of(panel.by_channel)
    # the same requests over two years: as many queries
    two_years = {
        "month_panel_queries": queries_of(
            lambda: panel.month_vs_previous(panel.two_years, panel.two_years_before)
        ),
        "channel_panel_queries": queries_of(lambda: panel.by_channel(panel.two_years)),
    }
    two_years.update(
        timed(lambda: panel.by_channel(panel.two_years), max(iterations // 4, 10), 2)
    )
    return {
        "vendor": connection.vendor,
        "kpis": len(panel.kpis()),
        "month": month,
        "ytd": ytd,
        "two_years": two_years,
        "periods": {
            "month": [str(panel.month), str(panel.previous)],
            "ytd": str(panel.ytd),
        },
        "page": page_figures(panel, iterations, warmup),
    }


# -- the burst -------------------------------------------------------------------------


def burst(generator: Generator, new_orders: int, cancel: int, changed_within) -> dict:
    """``new_orders`` marketplace orders placed over the last 3 days, and
    ``cancel`` orders placed ``changed_within`` (min, max) days ago
    cancelled now; their days marked as the app's hooks do."""

    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from plugins.analytics.rollups import mark_changed
    from plugins.orders.models import Order, OrderEvent

    started = time.monotonic()
    rng = generator.random
    days: set = set()
    if new_orders:
        now = generator.now
        instants = sorted(
            int(now - rng.random() * 3 * 86400) for _ in range(new_orders)
        )
        marketplaces = [c for c in generator.channels if c[2] == "marketplace"]
        first_id = (Order.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        orders, lines, events = generator.orders(
            first_id, instants, channels=marketplaces, imported=True
        )
        Writers().write(orders, lines, events)
        reset_sequences()
        zone = generator.zone
        days |= {datetime.datetime.fromtimestamp(t, zone).date() for t in instants}
    changed_days: set = set()
    if cancel:
        low, high = changed_within
        since, until = (
            timezone.now() - datetime.timedelta(days=high),
            timezone.now() - datetime.timedelta(days=low),
        )
        candidates = list(
            Order.objects.filter(placed_at__gte=since, placed_at__lt=until)
            .exclude(status__in=("cancelled", "returned"))
            .values_list("pk", flat=True)
        )
        picked = rng.sample(candidates, min(cancel, len(candidates)))
        chosen = list(
            Order.objects.filter(pk__in=picked).values_list("pk", "status", "placed_at")
        )
        moment = timezone.now()
        with transaction.atomic():
            Order.objects.filter(pk__in=[pk for pk, _s, _p in chosen]).update(
                status="cancelled", cancelled_at=moment
            )
            OrderEvent.objects.bulk_create(
                OrderEvent(
                    order_id=pk,
                    kind=OrderEvent.Kind.TRANSITION,
                    from_status=status,
                    to_status="cancelled",
                    message="Cancelado",
                    created_at=moment,
                )
                for pk, status, _placed in chosen
            )
        changed_days = {
            timezone.localtime(placed, generator.zone).date()
            for _pk, _s, placed in chosen
        }
    with transaction.atomic():
        mark_changed("orders", days | changed_days)
    return {
        "new_orders": new_orders,
        "cancelled": cancel,
        "days_marked": len({d for d in days | changed_days if d < generator.today}),
        "seconds": round(time.monotonic() - started, 1),
    }


#: Figures compared between the rollups and the orders alone: (name, period
#: attribute, group_by).
CHECKS = [
    ("this month", "month", None),
    ("last month", "previous", None),
    ("YTD by channel", "ytd", "channel"),
    ("2 years by channel", "two_years", "channel"),
    ("2 years by category", "two_years", "category"),
    ("2 years by UF", "two_years", "uf"),
    ("2 years by day", "two_years", "day"),
]


def figures(panel: Panel) -> dict:
    from plugins.analytics import engine

    kpis = panel.kpis()
    found = {}
    for name, attribute, group_by in CHECKS:
        period = getattr(panel, attribute)
        results = engine.compute(
            panel.user,
            list(kpis),
            period.start,
            period.end,
            group_by=group_by,
            kpis=kpis,
        )
        found[name] = {
            key: (result.value, {str(m): v for m, _label, v in result.groups})
            for key, result in results.items()
        }
    return found


def raw_figures(panel: Panel) -> dict:
    """:func:`figures` from the orders alone: without the rollups' progress
    every day is computed from the source's own tables."""
    from django.db import transaction

    from plugins.analytics.models import RollupState

    with transaction.atomic():
        RollupState.objects.all().delete()
        found = figures(panel)
        transaction.set_rollback(True)
    return found


def rounded(found: dict) -> dict:
    """Figures as shown: to the centavo, or 0.01 of a count or rate."""
    cent = Decimal("0.01")

    def r(value):
        return None if value is None else value.quantize(cent)

    return {
        name: {
            key: (r(value), {m: r(v) for m, v in groups.items()})
            for key, (value, groups) in kpis.items()
        }
        for name, kpis in found.items()
    }


def compare(rolled: dict, raw: dict) -> tuple[list[str], list[str]]:
    """Where the two differ as shown (to 0.01), and where they differ at
    all (names of the checks)."""
    shown, exact = rounded(rolled), rounded(raw)
    return (
        [name for name in rolled if shown[name] != exact[name]],
        [name for name in rolled if rolled[name] != raw[name]],
    )


def burst_worker(options: dict) -> dict:
    from django.db import connection

    from plugins.analytics import rollups
    from plugins.analytics.models import DirtyDay

    generator = Generator(options["seed"] + 1)
    generator.load()
    panel = Panel()
    result: dict = {"vendor": connection.vendor}
    stages = [("burst", (options["burst"], options["cancel"], (4, 60)))]
    if options["spread"]:
        stages.append(("spread", (0, options["cancel"], (4, DAYS - 1))))
    for stage, (new_orders, cancel, within) in stages:
        figures_of: dict = {"stage": stage}
        figures_of["write"] = burst(generator, new_orders, cancel, within)
        figures_of["dirty_days"] = DirtyDay.objects.count()
        # the panel while the changed days wait for the rollup (live)
        # (a few requests: each computes every waiting day of its period)
        figures_of["stale_month"] = {
            **timed(panel.month_vs_previous, 5, 0, budget=60),
            "queries": queries_of(panel.month_vs_previous),
        }
        figures_of["stale_ytd"] = {
            **timed(panel.by_channel, 5, 0, budget=60),
            "queries": queries_of(panel.by_channel),
        }
        stopwatch = Stopwatch()
        run = rollups.refresh()
        spent = stopwatch.stop()
        figures_of["refresh_seconds"] = spent["seconds"]
        figures_of["refresh_cpu_seconds"] = spent["cpu_seconds"]
        figures_of["refresh_other_load"] = spent["other_load"]
        figures_of["refresh_days"] = run.days
        figures_of["refresh_rows"] = run.rows
        note(f"  {stage}: refresh {figures_of['refresh_seconds']} s; comparing…")
        started = time.monotonic()
        rolled, raw = figures(panel), raw_figures(panel)
        differ, inexact = compare(rolled, raw)
        figures_of["equal"] = not differ
        figures_of["differ"] = differ
        figures_of["exact"] = not inexact
        figures_of["inexact"] = inexact
        figures_of["compare_seconds"] = round(time.monotonic() - started, 1)
        result[stage] = figures_of
    result["counts"] = _counts()
    return result


# -- orchestration -------------------------------------------------------------------


def base_env(plugins: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retaguarda.settings",
        "SECRET_KEY": "benchmark",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "RETAGUARDA_PLUGINS": plugins,
        "LOG_LEVEL": "WARNING",
        "RETAGUARDA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


def database_url(database: str | None, orders: int, directory: Path) -> str:
    """The benchmark's database: on the server of a PostgreSQL URL (the
    database named there, or ``retaguarda_bench_analytics`` when it names
    ``postgres``), else an SQLite file in ``directory``."""
    if database and database.startswith("postgres"):
        base, _, name = database.rpartition("/")
        if name in ("", "postgres"):
            name = "retaguarda_bench_analytics"
        return f"{base}/{name}"
    return f"sqlite:///{directory / f'analytics-{orders}.sqlite3'}"


def exists(url: str) -> bool:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).exists()
    base, _, name = url.rpartition("/")
    found = subprocess.run(
        [
            "psql",
            f"{base}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",  # noqa: S608
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


def fresh(url: str, env: dict[str, str]) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        base, _, name = url.rpartition("/")
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
    migrate(env)


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def in_app(env: dict[str, str], mode: str, options: dict) -> dict:
    """Run this script's ``--worker mode`` in a fresh process; its progress
    goes to our standard error, its result is the last line of its output."""
    output = subprocess.run(
        [sys.executable, __file__, "--worker", mode, json.dumps(options)],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def line(name: str, figures: dict, target_ms: float | None = 200) -> str:
    text = (
        f"{name:<34} p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms"
        f"  (CPU p50 {figures['cpu_p50_ms']:6.1f}  p99 {figures['cpu_p99_ms']:6.1f})"
    )
    if "queries" in figures:
        text += f"  {figures['queries']:4d} queries"
    if target_ms is not None:
        text += "  ok" if figures["p99_ms"] < target_ms else "  MISS"
    text += f"  [other load {figures['other_load']:.0%}, n={figures['iterations']}]"
    return text


def run_rebuild(env: dict[str, str]) -> dict:
    rebuild = in_app(env, "rebuild", {})
    say(
        f"full rebuild: {rebuild['seconds']:.1f} s "
        f"(CPU {rebuild['cpu_seconds']:.1f} s, "
        f"other load {rebuild['other_load']:.0%}) "
        f"({sum(rebuild['days'].values())} source-days, "
        f"{sum(rebuild['rows'].values()):,} rollup rows; "
        f"{rebuild['orders']:,} orders, {rebuild['lines']:,} lines)"
    )
    return rebuild


def run_panel(env: dict[str, str], args, checks: dict) -> dict:
    options = {"iterations": args.iterations, "warmup": args.warmup}
    panel = in_app(env, "panel", options)
    say(
        f"KPI panel, {panel['kpis']} KPIs, {args.iterations} requests each "
        f"({panel['vendor']}):"
    )
    say(line(f"this month vs last ({panel['periods']['month'][0]})", panel["month"]))
    say(line(f"YTD by channel + by day ({panel['periods']['ytd']})", panel["ytd"]))
    two = panel["two_years"]
    say(
        line("2 years by channel + by day", two, None)
        + f"  queries: month panel {two['month_panel_queries']}, "
        f"channel panel {two['channel_panel_queries']}"
    )
    if panel["page"]:
        say(line("page: this month vs previous", panel["page"]["month"]))
        say(line("page: YTD by channel", panel["page"]["ytd"]))
        checks["page p99 < 200 ms (this month)"] = (
            panel["page"]["month"]["p99_ms"] < 200
        )
        checks["page p99 < 200 ms (YTD)"] = panel["page"]["ytd"]["p99_ms"] < 200
    else:
        say("page: the reports screen (analytics:dashboard) is not installed")
    checks["month panel p99 < 200 ms"] = panel["month"]["p99_ms"] < 200
    checks["YTD panel p99 < 200 ms"] = panel["ytd"]["p99_ms"] < 200
    checks["queries constant (1 month / YTD vs 2 years)"] = (
        two["month_panel_queries"] == panel["month"]["queries"]
        and two["channel_panel_queries"] == panel["ytd"]["queries"]
    )
    return panel


def run_burst(env: dict[str, str], args, checks: dict) -> dict:
    burst = in_app(
        env,
        "burst",
        {
            "iterations": args.iterations,
            "seed": args.seed,
            "burst": args.burst,
            "cancel": args.cancel,
            "spread": args.spread,
        },
    )
    for stage, label in (
        ("burst", f"{args.burst:,} new orders + {args.cancel:,} cancelled (4–60 d)"),
        ("spread", f"{args.cancel:,} cancelled over the 2 years"),
    ):
        if stage not in burst:
            continue
        figures = burst[stage]
        say(f"{label}: {figures['dirty_days']} days marked")
        say(line("  panel meanwhile: month", figures["stale_month"], None))
        say(line("  panel meanwhile: YTD", figures["stale_ytd"], None))
        say(
            f"  refresh: {figures['refresh_seconds']:.1f} s "
            f"(CPU {figures['refresh_cpu_seconds']:.1f} s, "
            f"other load {figures['refresh_other_load']:.0%}) "
            f"({sum(figures['refresh_days'].values())} source-days)"
            + ("  ok" if figures["refresh_seconds"] < 10 else "  MISS")
            + f"; equal: {'yes' if figures['equal'] else 'no'}"
            + f" (exact: {'yes' if figures['exact'] else 'no'})"
            + (
                f" (differ: {', '.join(figures['differ'])})"
                if figures["differ"]
                else ""
            )
        )
    checks["refresh after the burst < 10 s"] = burst["burst"]["refresh_seconds"] < 10
    checks["figures equal after refresh"] = all(
        burst[stage]["equal"] for stage in ("burst", "spread") if stage in burst
    )
    return burst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--cancel", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--plugins", default=PLUGINS)
    parser.add_argument(
        "--spread",
        action="store_true",
        help="then cancel --cancel orders spread over the two years, and refresh",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="SQLite: run ANALYZE after generating (the app never does)",
    )
    parser.add_argument("--database")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database afterwards (SQLite: in var/benchmarks/analytics_kpis/)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the kept database of this size when there is one (implies --keep)",
    )
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=("rebuild", "panel", "burst"),
        default=["rebuild", "panel", "burst"],
        help="what to measure (with --reuse, the panel alone needs no rebuild)",
    )
    parser.add_argument("--worker", nargs=2)
    args = parser.parse_args()
    if args.worker:
        _setup_django()
        mode, options = args.worker[0], json.loads(args.worker[1])
        worker = {
            "generate": generate_worker,
            "rebuild": rebuild_worker,
            "panel": panel_worker,
            "burst": burst_worker,
        }[mode]
        say(json.dumps(worker(options), default=str))
        return
    keep = args.keep or args.reuse
    if keep:
        KEPT.mkdir(parents=True, exist_ok=True)
    workdir = KEPT if keep else Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    url = database_url(args.database, args.orders, workdir)
    env = {**base_env(args.plugins), "DATABASE_URL": url}
    results: dict = {"args": vars(args)}
    try:
        if args.reuse and exists(url):
            say(f"data: reusing {url.rsplit('/', 1)[-1]}")
            migrate(env)
            results["generation"] = None
        else:
            fresh(url, env)
            say(f"generating {args.orders:,} orders over {DAYS} days…")
            data = in_app(
                env,
                "generate",
                {"orders": args.orders, "seed": args.seed, "analyze": args.analyze},
            )
            results["generation"] = data
            say(
                f"data: {data['orders']:,} orders, {data['lines']:,} lines, "
                f"{data['first_day']} to {data['today']} "
                f"({data['seconds']:.0f} s to generate, not a measured figure)"
            )
        checks: dict[str, bool] = {}
        if "rebuild" in args.parts:
            results["rebuild"] = run_rebuild(env)
        if "panel" in args.parts:
            results["panel"] = run_panel(env, args, checks)
        if "burst" in args.parts:
            results["burst"] = run_burst(env, args, checks)
        results["checks"] = checks
        for name, ok in checks.items():
            say(f"  {'ok  ' if ok else 'MISS'} {name}")
        REPORTS.mkdir(exist_ok=True)
        vendor = "postgresql" if url.startswith("postgres") else "sqlite"
        report = REPORTS / f"analytics_kpis-{vendor}.json"
        report.write_text(json.dumps(results, indent=2, default=str))
        say(f"report: {report.relative_to(ROOT)}")
    finally:
        if not keep:
            if not url.startswith("sqlite"):
                base, _, name = url.rpartition("/")
                subprocess.run(
                    [
                        "psql",
                        f"{base}/postgres",
                        "-qc",
                        f"DROP DATABASE IF EXISTS {name}",
                    ],
                    check=False,
                )
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
