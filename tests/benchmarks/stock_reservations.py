"""Stock reservations benchmark: a hot SKU under concurrent orders over HTTP,
and a large receipts import.

1. **Hot SKU, sell-out**: N order placements (``POST /api/v1/orders/`` with
   an API key and an idempotency key each, one unit of one SKU) sent at once
   by many client threads over real HTTP to the app served by gunicorn (2
   gthread workers of 2 threads by default; ``--threads 1``: sync workers,
   which close the connection after each response) on a fresh
   database, against one SKU with fewer units than ordered. The workers are
   warmed up first, as a running store's are, with ``--warm-up`` orders of
   another SKU (not counted). Afterwards, in
   the database: no unit oversold (exactly the units available were
   reserved, the rest refused with 409), every placed
   order shipped through the services and its reservation turned into a sale
   movement (no movement lost), the ledger adds up (``stock_verify``), no
   deadlock (PostgreSQL's ``pg_stat_database.deadlocks`` and no 5xx).
2. **Hot SKU, sustained**: the same with enough units for every order, for
   the rate of reservations on one hot row (target: ≥ 300/s) and the p99
   latency.
3. **Hot row, no HTTP**: ``--processes`` processes reserving one unit each
   (cart holds through the reservation service, one transaction each) as
   fast as they can, half of them refused: the rate the hot row itself
   sustains, without the web stack's CPU per request.
4. **Receipts import**: a CSV of N receipt rows (10,000 SKUs × 3 warehouses)
   checked (dry run) and imported through the import pipeline and the ledger
   service: rows/s.

Each part runs on a fresh database (PostgreSQL with ``--database``, else a
SQLite file). Figures are printed and written to
``tests/benchmarks/reports/stock_reservations-<vendor>.json``.

``--trees BEFORE AFTER`` compares two versions of the project (two checkouts)
in one run: the hot-SKU parts run against each tree in turn (its own
gunicorn, its own fresh database), ``--rounds`` times alternating, and the
median reservations/s of each tree and their ratio are printed
(``stock_reservations-compare-<vendor>.json``).

Usage: python tests/benchmarks/stock_reservations.py [--orders 1000]
       [--units 100] [--clients 64] [--warm-up 100] [--workers 2] [--threads 2]
       [--import-rows 100000] [--parts sellout sustained import]
       [--database postgres://postgres@127.0.0.1:5432/postgres]
       [--trees BEFORE AFTER [--rounds 3]]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.apibench.load import gunicorn  # noqa: E402  (no Django)

REPORTS = Path(__file__).resolve().parent / "reports"
PLUGINS = "orders,stock"
HOT_SKU = "HOT-1"
WARM_SKU = "WARM-1"  # the warm-up's orders: another product, plenty of units
CPF = "529.982.247-25"  # valid check digits (generated, not a person)


# -- inside the app (subprocesses with django.setup()) --------------------------------


def app_root() -> Path:
    """The source tree under test: this one, or the one ``--trees`` names."""
    return Path(os.environ.get("BENCH_APP_ROOT") or ROOT)


def _setup_django() -> None:
    root = app_root()
    sys.path[:0] = [str(root / "site"), str(root)]
    import django

    django.setup()


def setup_worker(units: int) -> dict:
    from decimal import Decimal

    from api.services import create_api_key
    from content.models import Product, Variant
    from plugins.orders.models import SalesChannel
    from plugins.stock.models import Warehouse
    from plugins.stock.services import receive_stock

    SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    product = Product(name="Produto quente", slug="produto-quente", live=True)
    product.variants = [Variant(sku=HOT_SKU, price=Decimal("10.00"))]
    product.save()
    warm = Product(name="Aquecimento", slug="aquecimento", live=True)
    warm.variants = [Variant(sku=WARM_SKU, price=Decimal("10.00"))]
    warm.save()
    warehouse = Warehouse.objects.create(code="SP-01", name="CD São Paulo")
    for sku, quantity in ((HOT_SKU, units), (WARM_SKU, 100_000)):
        variant = Variant.objects.get(sku=sku)
        receive_stock(warehouse, variant=variant, quantity=quantity, user=None)
    _key, secret = create_api_key(
        name="Benchmark",
        scopes=["orders:write"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    return {"key": secret}


def check_worker(units: int) -> dict:
    """Count what the run left, then ship every placed order through the
    services and check the sales and the ledger."""
    from django.db import connection

    from plugins.orders.models import Order
    from plugins.orders.services import transition_order
    from plugins.stock.models import Reservation, StockLevel, StockMovement
    from plugins.stock.services import find_drift

    level = StockLevel.objects.get(variant__sku=HOT_SKU)
    orders = list(Order.objects.filter(lines__sku=HOT_SKU))
    reserved_rows = Reservation.objects.filter(status="active", level=level).count()
    result = {
        "orders_placed": len(orders),
        "reserved": level.reserved,
        "on_hand": level.on_hand,
        "oversold": max(0, level.reserved - units),
        "reservation_rows": reserved_rows,
        "drift_before_shipping": len(find_drift()),
    }
    start = time.perf_counter()
    for order in orders:
        for name in ("pay", "invoice", "prepare", "ship"):
            transition_order(order, name, user=None)
    level.refresh_from_db()
    sales = StockMovement.objects.filter(kind="sale", variant__sku=HOT_SKU).count()
    result.update(
        ship_seconds=round(time.perf_counter() - start, 2),
        sale_movements=sales,
        lost_movements=len(orders) - sales,
        on_hand_after_shipping=level.on_hand,
        units_sold=units - level.on_hand,
        drift_after_shipping=len(find_drift()),
        vendor=connection.vendor,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = "
                "current_database()"
            )
            result["pg_deadlocks"] = cursor.fetchone()[0]
    return result


def hotrow_worker(holds: int) -> dict:
    """One process of the hot-row part: ``holds`` cart holds of one unit of
    the hot SKU through the reservation service, each its own transaction."""
    from django.db import connection

    from plugins.stock.exceptions import InsufficientStock
    from plugins.stock.services import create_hold

    placed = refused = 0
    latencies = []
    start_at = float(os.environ["BENCH_START_AT"])
    create_hold  # noqa: B018  (imported before the start)
    connection.ensure_connection()
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(holds):
        started = time.perf_counter()
        try:
            create_hold(lines=[{"sku": HOT_SKU, "quantity": 1}], minutes=30)
            placed += 1
        except InsufficientStock:
            refused += 1
        latencies.append(time.perf_counter() - started)
    ended = time.time()
    connection.close()
    return {
        "placed": placed,
        "refused": refused,
        "latencies": latencies,
        "ended": ended,
    }


def lockhold_worker(count: int) -> dict:
    """How long the hot row stays locked per reservation: sequential
    reservations (no contention), timed from the guarded UPDATE to the end of
    the COMMIT — what each reservation holds the row lock for."""
    from django.db import transaction
    from django.utils import timezone

    from plugins.stock.models import CartHold, Reservation, StockLevel
    from plugins.stock.services.reservations import _apply

    level = StockLevel.objects.get(variant__sku=HOT_SKU)
    hold = CartHold.objects.create(expires_at=timezone.now())
    held = []
    for _ in range(count):
        with transaction.atomic():
            # As reserve() does: the rows first, the guarded UPDATE last.
            Reservation.objects.create(level=level, quantity=1, hold=hold)
            started = time.perf_counter()
            _apply({level.pk: [1, False]})
        held.append(time.perf_counter() - started)
    mean = statistics.mean(held)
    return {
        "lock_hold_ms": round(mean * 1000, 2),
        "lock_bound_reservations_per_second": round(1 / mean),
    }


def hotrow_check(units: int) -> dict:
    from django.db import connection

    from plugins.stock.models import Reservation, StockLevel
    from plugins.stock.services import find_drift

    level = StockLevel.objects.get(variant__sku=HOT_SKU)
    result = {
        "reserved": level.reserved,
        "on_hand": level.on_hand,
        "oversold": max(0, level.reserved - units),
        "reservation_rows": Reservation.objects.filter(status="active").count(),
        "drift": len(find_drift()),
        "vendor": connection.vendor,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = "
                "current_database()"
            )
            result["pg_deadlocks"] = cursor.fetchone()[0]
    return result


def import_worker(rows: int) -> dict:
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection

    from content.models import Product, Variant
    from plugins.importing.engine import run
    from plugins.stock.importers import ReceiptsImporter
    from plugins.stock.models import StockMovement, Warehouse
    from plugins.stock.services import find_drift

    user = get_user_model().objects.create(
        username="bench", is_superuser=True, is_staff=True
    )
    skus = 10_000
    products = Product.objects.bulk_create(
        [Product(name=f"P{i}", slug=f"p-{i}", live=True) for i in range(skus // 5)]
    )
    Variant.objects.bulk_create(
        [
            Variant(product=products[i // 5], sku=f"SKU-{i:06d}", price=Decimal("9.90"))
            for i in range(skus)
        ],
        batch_size=2000,
    )
    codes = ["SP-01", "RJ-01", "MG-01"]
    for code in codes:
        Warehouse.objects.create(code=code, name=code)
    rng = random.Random(7)  # noqa: S311
    lines = ["warehouse;sku;quantity;reference"]
    for i in range(rows):
        lines.append(
            f"{codes[i % 3]};SKU-{rng.randrange(skus):06d};{rng.randint(1, 50)};"
            f"NF {i // 100}"
        )
    data = ("\n".join(lines) + "\n").encode()
    start = time.perf_counter()
    report = run(ReceiptsImporter(user), data, dry_run=True)
    check = time.perf_counter() - start
    assert not report.error_count, report.errors[:3]
    start = time.perf_counter()
    report = run(ReceiptsImporter(user), data, dry_run=False)
    posted = time.perf_counter() - start
    assert report.committed
    movements = StockMovement.objects.count()
    drift = len(find_drift())
    return {
        "rows": rows,
        "check_seconds": round(check, 2),
        "check_rows_per_second": round(rows / check),
        "import_seconds": round(posted, 2),
        "import_rows_per_second": round(rows / posted),
        "movements": movements,
        "drift": drift,
        "vendor": connection.vendor,
    }


# -- orchestration -------------------------------------------------------------------


def base_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retaguarda.settings",
        "SECRET_KEY": "benchmark",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "RETAGUARDA_PLUGINS": PLUGINS,
        "LOG_LEVEL": "WARNING",
    }


def fresh_database(
    database: str | None, workdir: Path, name: str, root: Path = ROOT
) -> dict[str, str]:
    env = {**base_env(), "BENCH_APP_ROOT": str(root)}
    if database and database.startswith("postgres"):
        base, _, _db = database.rpartition("/")
        db = f"retaguarda_bench_{name}"
        for sql in (f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}"):
            subprocess.run(["psql", database, "-qc", sql], check=True)
        env["DATABASE_URL"] = f"{base}/{db}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / f'{name}.sqlite3'}"
    subprocess.run(
        [sys.executable, str(root / "manage.py"), "migrate", "--no-input", "-v0"],
        check=True,
        env=env,
        cwd=root,
    )
    return env


def in_app(env: dict[str, str], *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        check=True,
        env=env,
        cwd=env.get("BENCH_APP_ROOT", ROOT),
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def order_body(i: int, sku: str = HOT_SKU) -> bytes:
    return json.dumps(
        {
            "customer": {"name": f"Cliente {i}", "document": CPF},
            "shipping_address": {
                "recipient": f"Cliente {i}",
                "cep": "01310-100",
                "street": "Avenida Paulista",
                "number": str(1000 + i),
                "district": "Bela Vista",
                "city": "São Paulo",
                "uf": "SP",
            },
            "lines": [{"sku": sku, "quantity": 1}],
            "payment_method": "pix",
        }
    ).encode()


def fire(port: int, key: str, orders: int, clients: int, sku: str = HOT_SKU) -> dict:
    """Send ``orders`` placements of ``sku`` from ``clients`` threads (one
    keep-alive connection each, connected first), all released together;
    times are from the release."""
    bodies = [order_body(i, sku) for i in range(orders)]
    next_index = iter(range(orders))
    lock = threading.Lock()
    results: list[tuple[int, float, float]] = []  # status, started, seconds
    released: list[float] = []  # when every client is ready: the clock starts
    barrier = threading.Barrier(
        clients, action=lambda: released.append(time.perf_counter())
    )

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        connection.connect()  # connected before the release, as a storefront is
        barrier.wait()
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            headers = {
                "Authorization": f"Api-Key {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{uuid.uuid4().hex}",
            }
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders/", bodies[i], headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                status = 0
            with lock:
                results.append((status, started, time.perf_counter() - started))
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    start = released[0]
    wall = time.perf_counter() - start
    statuses: dict[int, int] = {}
    for status, _s, _d in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = sorted(d for _s, _t, d in results)
    placed = sorted(t + d for s, t, d in results if s == 201)
    sellout = (placed[-1] - start) if placed else 0.0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "requests": len(results),
        "statuses": statuses,
        "wall_seconds": round(wall, 2),
        "requests_per_second": round(len(results) / wall),
        "reservations": statuses.get(201, 0),
        "reservations_per_second": round(statuses.get(201, 0) / sellout)
        if sellout
        else 0,
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0,
        "server_errors": sum(n for s, n in statuses.items() if s >= 500 or s == 0),
    }


def hot_sku(
    args, workdir: Path, part: str, units: int, root: Path = ROOT, name: str = ""
) -> dict:
    env = fresh_database(args.database, workdir, name or part, root)
    key = in_app(env, "setup", str(units))["key"]
    with gunicorn(env, workers=args.workers, threads=args.threads, root=root) as (
        port,
        _server,
    ):
        if args.warm_up:
            fire(port, key, args.warm_up, min(args.clients, 8), sku=WARM_SKU)
        run = fire(port, key, args.orders, args.clients)
    check = in_app(env, "check", str(units))
    result = {
        "part": part,
        "orders": args.orders,
        "units": units,
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "warm_up_orders": args.warm_up,
        **run,
        **check,
    }
    expected = min(units, args.orders)
    assert check["orders_placed"] == expected == run["reservations"], result
    assert check["oversold"] == 0 and check["reserved"] == expected, result
    assert check["lost_movements"] == 0 and check["drift_after_shipping"] == 0, result
    assert run["server_errors"] == 0 and check.get("pg_deadlocks", 0) == 0, result
    assert run["statuses"].get(409, 0) == args.orders - expected, result
    return result


def hot_row(args, workdir: Path) -> dict:
    """The hot row without HTTP: ``--processes`` processes reserving one unit
    each, as fast as they can, through the reservation service."""
    total = args.orders
    units = total // 2  # half are refused: the sell-out is part of the run
    env = fresh_database(args.database, workdir, "hotrow")
    in_app(env, "setup", str(units))
    per = total // args.processes
    start_at = time.time() + 4 + args.processes  # once every process is ready
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", "hotrow", str(per)],
            env={**env, "BENCH_START_AT": str(start_at)},
            cwd=env["BENCH_APP_ROOT"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.processes)
    ]
    outputs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = max(o["ended"] for o in outputs) - start_at
    latencies = sorted(x for o in outputs for x in o["latencies"])
    q = statistics.quantiles(latencies, n=100)
    placed = sum(o["placed"] for o in outputs)
    check = in_app(env, "hotrowcheck", str(units))
    env_lock = fresh_database(args.database, workdir, "lockhold")
    in_app(env_lock, "setup", "1000")
    lock = in_app(env_lock, "lockhold", "500")
    result = {
        **lock,
        "part": "hotrow",
        "processes": args.processes,
        "attempts": per * args.processes,
        "units": units,
        "placed": placed,
        "refused": sum(o["refused"] for o in outputs),
        "wall_seconds": round(wall, 2),
        "attempts_per_second": round(per * args.processes / wall),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        **check,
    }
    assert placed == units == check["reserved"] == check["reservation_rows"], result
    assert check["oversold"] == 0 and check["drift"] == 0, result
    assert check.get("pg_deadlocks", 0) == 0, result
    return result


def compare(args) -> None:
    """The hot-SKU parts against each tree of ``--trees`` in turn, ``--rounds``
    times: each tree's median reservations/s and the ratio AFTER / BEFORE."""
    trees = [tree.resolve() for tree in args.trees]
    parts = [part for part in args.parts if part in ("sellout", "sustained")]
    runs: dict[tuple[str, int], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for round_ in range(args.rounds):
            for part in parts:
                units = args.units if part == "sellout" else args.orders
                # Alternate which tree goes first: drifts of the machine's
                # load then weigh on both.
                order = list(enumerate(trees))
                if round_ % 2:
                    order.reverse()
                for i, tree in order:
                    result = hot_sku(
                        args,
                        workdir,
                        part,
                        units,
                        root=tree,
                        name=f"compare_{part}_{i}",
                    )
                    result["tree"] = str(tree)
                    runs.setdefault((part, i), []).append(result)
                    print(  # noqa: T201
                        f"round {round_ + 1} {part:<9} {tree.name:<16} "
                        f"{result['reservations_per_second']} reservations/s, "
                        f"{result['requests_per_second']} req/s, p50 "
                        f"{result['p50_ms']} ms, p99 {result['p99_ms']} ms; oversold "
                        f"{result['oversold']}, 5xx {result['server_errors']}",
                        flush=True,
                    )
    summary = []
    vendor = "none"
    for part in parts:
        medians = []
        for i in range(len(trees)):
            found = runs[(part, i)]
            vendor = found[0]["vendor"]
            medians.append(
                statistics.median(r["reservations_per_second"] for r in found)
            )
        ratio = medians[1] / medians[0] if medians[0] else float("inf")
        summary.append(
            {
                "part": part,
                "before": str(trees[0]),
                "after": str(trees[1]),
                "before_reservations_per_second": medians[0],
                "after_reservations_per_second": medians[1],
                "ratio": round(ratio, 3),
                "oversold": sum(r["oversold"] for i in (0, 1) for r in runs[(part, i)]),
            }
        )
        print(  # noqa: T201
            f"{vendor:<10} {part:<9} median of {args.rounds}: before "
            f"{medians[0]} reservations/s, after {medians[1]} reservations/s, "
            f"after/before {ratio:.3f}",
            flush=True,
        )
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / f"stock_reservations-compare-{vendor}.json").write_text(
        json.dumps(
            {
                "cpus": os.cpu_count(),
                "load": os.getloadavg(),
                "summary": summary,
                "runs": [r for found in runs.values() for r in found],
            },
            indent=2,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--warm-up", type=int, default=100, help="orders of another SKU first"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per worker (1: sync workers)"
    )
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--processes", type=int, default=8, help="processes of the hotrow part"
    )
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["sellout", "sustained", "hotrow", "import"],
        choices=["sellout", "sustained", "hotrow", "import"],
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--trees",
        nargs=2,
        type=Path,
        metavar=("BEFORE", "AFTER"),
        help="compare two checkouts of the project (hot-SKU parts)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --trees")
    parser.add_argument("--worker", nargs="+")
    args = parser.parse_args()
    if args.worker:
        _setup_django()
        mode, value = args.worker[0], int(args.worker[1])
        worker = {
            "setup": setup_worker,
            "check": check_worker,
            "import": import_worker,
            "hotrow": hotrow_worker,
            "hotrowcheck": hotrow_check,
            "lockhold": lockhold_worker,
        }
        print(json.dumps(worker[mode](value)))  # noqa: T201
        return

    if args.trees:
        compare(args)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for part in args.parts:
            if part == "hotrow":
                result = hot_row(args, workdir)
                print(  # noqa: T201
                    f"{result['vendor']:<10} hot row   {result['attempts']} holds / "
                    f"{result['units']} units, {result['processes']} processes, no "
                    f"HTTP: {result['attempts_per_second']} reservations/s (attempts), "
                    f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
                    f"placed {result['placed']}, oversold {result['oversold']}, "
                    f"deadlocks {result.get('pg_deadlocks', 0)}; row locked "
                    f"{result['lock_hold_ms']} ms per reservation (ceiling "
                    f"{result['lock_bound_reservations_per_second']}/s)",
                    flush=True,
                )
            elif part == "import":
                env = fresh_database(args.database, workdir, "import")
                result = {
                    "part": "import",
                    **in_app(env, "import", str(args.import_rows)),
                }
                print(  # noqa: T201
                    f"{result['vendor']:<10} receipts import {result['rows']} rows: "
                    f"check {result['check_seconds']} s "
                    f"({result['check_rows_per_second']} rows/s), import "
                    f"{result['import_seconds']} s "
                    f"({result['import_rows_per_second']} rows/s), "
                    f"{result['movements']} movements, drift {result['drift']}",
                    flush=True,
                )
            else:
                units = args.units if part == "sellout" else args.orders
                result = hot_sku(args, workdir, part, units)
                print(  # noqa: T201
                    f"{result['vendor']:<10} {part:<9} {result['orders']} orders / "
                    f"{units} units, {args.clients} clients, {args.workers}×"
                    f"{args.threads} gunicorn: {result['statuses']}, "
                    f"{result['requests_per_second']} req/s, "
                    f"{result['reservations_per_second']} reservations/s, "
                    f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
                    f"oversold {result['oversold']}, lost movements "
                    f"{result['lost_movements']}, deadlocks "
                    f"{result.get('pg_deadlocks', 0)}, 5xx {result['server_errors']}",
                    flush=True,
                )
            results.append(result)
    REPORTS.mkdir(exist_ok=True)
    vendor = results[0]["vendor"] if results else "none"
    (REPORTS / f"stock_reservations-{vendor}.json").write_text(
        json.dumps(
            {"cpus": os.cpu_count(), "load": os.getloadavg(), "results": results},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
