"""Tracking pushes over real HTTP: 100,000 carrier events ingested.

A fresh database (the ``orders`` and ``logistics`` plugins) holds
``--orders`` orders (2,000) shipped with a table carrier, each shipment of
``--packages`` volumes (2), and each volume gets ``--events`` events (25:
posted, in-transit scans, out for delivery, delivered) — 100,000 in all.
The events are shuffled across every parcel (so a delivered often arrives
before the scans that preceded it), cut into pushes of ``--batch`` events
(100) in the carrier push format, signed (HMAC-SHA256 over timestamp and
body) at the moment each is sent, and a share ``--repeat`` (10 %) of the
pushes is sent a second time, in a shuffled order; ``--clients`` (8)
threads post them to ``POST /api/v1/logistics/webhooks/<token>/`` on
gunicorn (2 workers of 2 threads).

Prints events/s (first copies only and all sent), pushes/s, p50/p99 per
push, and fails unless no event was lost (one stored row per distinct
event), none applied twice (the endpoint's "new" counts add up to the
distinct events exactly, and the stored rows are unique), every shipment
ended delivered and every order delivered exactly once (one transition
each), with no 5xx and (PostgreSQL) no deadlock.

``python tests/benchmarks/logistics_tracking.py`` (SQLite), and PostgreSQL
too when ``--database`` or ``DATABASE_URL`` names one
(``retaguarda_bench_tracking``; ``--skip-sqlite`` for PostgreSQL only).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import harness  # noqa: E402  (no Django)
from tests.benchmarks.apibench.load import gunicorn  # noqa: E402  (no Django)

REPORTS = Path(__file__).resolve().parent / "reports"
PLUGINS = "orders,logistics"
WEBHOOK_SECRET = "benchmark-tracking-secret"  # noqa: S105


# -- inside the app (subprocesses with django.setup()) ----------------------------


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


def setup_worker(options: dict) -> dict:
    """Orders ready to ship, placed and moved through the orders service,
    then shipped; a table carrier with a webhook secret; a handed-over
    shipment per order with its packages (the shipments service's rows)."""
    from decimal import Decimal

    from content.models import Product, Variant
    from plugins.logistics import s10
    from plugins.logistics.models import (
        Carrier,
        CarrierKind,
        CarrierService,
        Package,
        Shipment,
        ShipmentStatus,
    )
    from plugins.orders.models import SalesChannel
    from plugins.orders.services.lifecycle import transition_order
    from plugins.orders.services.placing import place_order

    channel = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    product = Product(name="Caneca", slug="caneca", live=True)
    product.variants = [Variant(sku="CAN-1", price=Decimal("49.90"))]
    product.save()
    carrier = Carrier.objects.create(
        code="rapidao",
        name="Rapidão",
        kind=CarrierKind.TABLE,
        tracking_prefix="RP",
        webhook_secret=WEBHOOK_SECRET,
    )
    service = CarrierService.objects.create(
        carrier=carrier, code="EXP", name="Expresso"
    )
    request = {
        "customer": {
            "name": "Maria da Silva",
            "email": "maria@example.com",
            "document": "529.982.247-25",
        },
        "shipping_address": {
            "recipient": "Maria da Silva",
            "cep": "22021-001",
            "street": "Avenida Atlântica",
            "number": "1702",
            "district": "Copacabana",
            "city": "Rio de Janeiro",
            "uf": "RJ",
        },
        "lines": [{"sku": "CAN-1", "quantity": 1}],
        "payment_method": "pix",
    }
    codes = []
    serial = 1
    handed = datetime.now(tz=UTC) - timedelta(days=10)
    for _ in range(options["orders"]):
        order = place_order(channel=channel, user=None, **request).order
        for name in ("pay", "invoice", "prepare", "ship"):
            transition_order(order, name, user=None)
        shipment = Shipment.objects.create(
            order=order,
            carrier=carrier,
            service=service,
            status=ShipmentStatus.HANDED_OVER,
            declared_value=Decimal("49.90"),
            handed_over_at=handed,
        )
        packages = []
        for number in range(1, options["packages"] + 1):
            code = s10.make("RP", serial)
            serial += 1
            codes.append(code)
            packages.append(
                Package(
                    shipment=shipment,
                    number=number,
                    tracking_code=code,
                    weight_g=500,
                    length_cm=20,
                    width_cm=15,
                    height_cm=10,
                )
            )
        Package.objects.bulk_create(packages)
    return {"webhook_token": carrier.webhook_token, "codes": codes}


def check_worker(options: dict) -> dict:
    from django.db import connection
    from django.db.models import Count

    from plugins.logistics.models import Shipment, TrackingEvent, TrackingInbound
    from plugins.orders.models import Order, OrderEvent

    delivered_transitions = dict(
        OrderEvent.objects.filter(kind="transition", to_status="delivered")
        .values("order_id")
        .annotate(n=Count("pk"))
        .values_list("order_id", "n")
    )
    result = {
        "stored_events": TrackingEvent.objects.count(),
        "distinct_stored": TrackingEvent.objects.values("carrier", "event_id")
        .distinct()
        .count(),
        "inbound_rows": TrackingInbound.objects.count(),
        "shipments_not_delivered": Shipment.objects.exclude(status="delivered").count(),
        "orders_not_delivered": Order.objects.exclude(status="delivered").count(),
        "orders_without_one_delivery": sum(
            1
            for pk in Order.objects.values_list("pk", flat=True)
            if delivered_transitions.get(pk, 0) != 1
        ),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = "
                "current_database()"
            )
            result["pg_deadlocks"] = cursor.fetchone()[0]
    return result


# -- the load (no Django) ----------------------------------------------------------


def base_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retaguarda.settings",
        "SECRET_KEY": "benchmark",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "RETAGUARDA_PLUGINS": PLUGINS,
        "RETAGUARDA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "LOG_LEVEL": "WARNING",
    }


def events_for(codes: list[str], per_package: int) -> list[dict]:
    start = datetime.now(tz=UTC) - timedelta(days=9)
    events = []
    for code in codes:
        for i in range(per_package):
            if i == 0:
                status = "posted"
            elif i == per_package - 1:
                status = "delivered"
            elif i == per_package - 2:
                status = "out_for_delivery"
            else:
                status = "in_transit"
            events.append(
                {
                    "id": f"{code}-{i:03d}",
                    "tracking_code": code,
                    "status": status,
                    "occurred_at": (start + timedelta(hours=i)).isoformat(),
                    "place": "Cajamar / SP",
                }
            )
    return events


def signed(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(
        WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Retaguarda-Timestamp": timestamp,
        "X-Retaguarda-Signature": f"sha256={digest}",
    }


def fire(port: int, path: str, bodies: list[bytes], clients: int):
    """Post ``bodies`` from ``clients`` threads with keep-alive, each signed
    when sent; returns ([(status, seconds, body)], wall seconds)."""
    results: list = [None] * len(bodies)
    indexes = iter(range(len(bodies)))
    lock = threading.Lock()
    released: list[float] = []
    barrier = threading.Barrier(
        clients, action=lambda: released.append(time.perf_counter())
    )

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        barrier.wait()
        while True:
            with lock:
                i = next(indexes, None)
            if i is None:
                break
            started = time.perf_counter()
            try:
                connection.request("POST", path, bodies[i], signed(bodies[i]))
                response = connection.getresponse()
                content, status = response.read(), response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                status, content = 0, str(error).encode()
            results[i] = (status, time.perf_counter() - started, content)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - released[0]


def percentiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return round(q[49] * 1000, 1), round(q[98] * 1000, 1)


def run(args, database: str | None, workdir: Path) -> dict:
    rng = random.Random(args.seed)
    label = "postgresql" if database else "sqlite"
    env = harness.migrated_database(base_env(), database, workdir, "tracking")
    started = time.perf_counter()
    shop = harness.in_app(
        __file__, env, "setup", orders=args.orders, packages=args.packages
    )
    setup_seconds = time.perf_counter() - started
    events = events_for(shop["codes"], args.events)
    rng.shuffle(events)
    batches = [
        json.dumps(events[i : i + args.batch]).encode()
        for i in range(0, len(events), args.batch)
    ]
    repeats = rng.sample(batches, int(len(batches) * args.repeat))
    bodies = batches + repeats
    rng.shuffle(bodies)
    path = f"/api/v1/logistics/webhooks/{shop['webhook_token']}/"
    log = workdir / f"gunicorn-{label}.log"
    with gunicorn(env, workers=args.workers, threads=args.threads, log=log) as (
        port,
        _server,
    ):
        results, wall = fire(port, path, bodies, args.clients)
    check = harness.in_app(__file__, env, "check")
    statuses: dict[int, int] = {}
    for status, _s, _b in results:
        statuses[status] = statuses.get(status, 0) + 1
    answers = [json.loads(b) for s, _t, b in results if s == 200]
    p50, p99 = percentiles([t for _s, t, _b in results])
    result = {
        "database": label,
        "orders": args.orders,
        "distinct_events": len(events),
        "events_sent": sum(len(json.loads(b)) for b in bodies),
        "pushes": len(bodies),
        "repeated_pushes": len(repeats),
        "setup_seconds": round(setup_seconds, 1),
        "wall_seconds": round(wall, 2),
        "events_per_second": round(len(events) / wall, 1),
        "events_sent_per_second": round(
            sum(len(json.loads(b)) for b in bodies) / wall, 1
        ),
        "pushes_per_second": round(len(bodies) / wall, 1),
        "p50_ms": p50,
        "p99_ms": p99,
        "statuses": statuses,
        "answered_new": sum(a["new"] for a in answers),
        "answered_repeated": sum(a["repeated"] for a in answers),
        "answered_unmatched": sum(a["unmatched"] for a in answers),
        **check,
    }
    result["lost"] = len(events) - result["distinct_stored"]
    # every distinct event answered "new" once: more would be applied twice
    result["applied_twice"] = max(0, result["answered_new"] - len(events))
    problems = []
    if set(statuses) != {200}:
        problems.append(f"statuses {statuses}")
    if result["lost"]:
        problems.append(f"{result['lost']} events lost")
    if result["answered_new"] != len(events):
        problems.append(
            f"{result['answered_new']} answered new for {len(events)} distinct events"
        )
    if result["stored_events"] != result["distinct_stored"]:
        problems.append("an event stored twice")
    for name in (
        "shipments_not_delivered",
        "orders_not_delivered",
        "orders_without_one_delivery",
    ):
        if result[name]:
            problems.append(f"{name}: {result[name]}")
    if result.get("pg_deadlocks"):
        problems.append(f"{result['pg_deadlocks']} deadlocks")
    result["failures"] = problems
    print(  # noqa: T201
        f"{label}: {result['distinct_events']:,} events ({result['events_sent']:,} "
        f"sent in {result['pushes']} pushes of {args.batch}, "
        f"{result['repeated_pushes']} repeated) in {result['wall_seconds']} s: "
        f"{result['events_per_second']:,} events/s "
        f"({result['events_sent_per_second']:,} sent/s, "
        f"{result['pushes_per_second']} pushes/s), p50 {p50} ms, p99 {p99} ms; "
        f"lost {result['lost']}, applied twice "
        f"{result['applied_twice']}, statuses {statuses}, "
        f"orders not delivered {result['orders_not_delivered']}"
        + (f", deadlocks {result['pg_deadlocks']}" if "pg_deadlocks" in result else ""),
        flush=True,
    )
    if problems:
        print(f"FAILED: {'; '.join(problems)}")  # noqa: T201
        print(log.read_text(errors="replace")[-3000:])  # noqa: T201
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--packages", type=int, default=2)
    parser.add_argument("--events", type=int, default=25, help="per package")
    parser.add_argument("--batch", type=int, default=100, help="events per push")
    parser.add_argument("--repeat", type=float, default=0.1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL URL: run there too",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--worker", nargs=2)
    args = parser.parse_args()
    if args.worker:
        _setup_django()
        mode, options = args.worker[0], json.loads(args.worker[1])
        worker = {"setup": setup_worker, "check": check_worker}
        print(json.dumps(worker[mode](options)))  # noqa: T201
        return
    targets = [] if args.skip_sqlite else [None]
    if args.database.startswith("postgres"):
        targets.append(args.database)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for database in targets:
            results.append(run(args, database, Path(tmp)))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "logistics_tracking.json").write_text(
        json.dumps(
            {"cpus": os.cpu_count(), "load": os.getloadavg(), "results": results},
            indent=2,
        )
    )
    if len(results) == 2 and results[0]["events_per_second"]:
        print(  # noqa: T201
            "PostgreSQL / SQLite events/s: "
            f"{results[1]['events_per_second'] / results[0]['events_per_second']:.2f}"
        )
    sys.exit(1 if any(r["failures"] for r in results) else 0)


if __name__ == "__main__":
    main()
