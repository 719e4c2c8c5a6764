"""Marketplace intake benchmark.

Sends N generated marketplace orders (1 to 5 lines each, 3 on average) to
``POST /api/v1/orders/import/`` over real HTTP, in batches, from a client in
this process, to the app served by gunicorn (sync workers) on a fresh
database; then sends the same batches again (every order "replayed", none
created). Prints orders/s and lines/s for both runs and writes a report.

The database gets a catalog of sellable SKUs first (1,000 products × 3
variants through the catalog import pipeline, published), two marketplace
channels and an order-desk attendant granted both, whose personal token the
client uses: the permission checks are the real ones (not a superuser's).

The machine may be shared: before each run the benchmark waits (up to
``--patience`` seconds) until other processes use less than ``--idle`` of the
CPU, and it reports the share they took while it ran ("other"), with the CPU
time the app server (and PostgreSQL's backends) spent per order, which other
load disturbs much less than the rates.

Usage: python tests/benchmarks/orders_intake.py [--orders 10000] [--batch 500]
       [--workers 2] [--clients 2] [--database DATABASE_URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.apibench.load import gunicorn  # noqa: E402  (no Django)

REPORTS = Path(__file__).resolve().parent / "reports"
PRODUCTS = 1_000
CHANNELS = ("mercado-livre", "shopee")
# The benchmark measures the orders plugin alone: no stock reservations.
PLUGINS = "orders"


# -- data ------------------------------------------------------------------------


def cpf(n: int) -> str:
    """A CPF with valid check digits (generated, nobody's)."""
    digits = [int(c) for c in f"{100_000_000 + n * 7919 % 899_999_999:09d}"]
    for length in (9, 10):
        total = sum(d * (length + 1 - i) for i, d in enumerate(digits[:length]))
        digits.append(total * 10 % 11 % 10)
    return "".join(map(str, digits))


def catalog_prices() -> dict[str, str]:
    """SKU → price of the generated catalog (see import_catalog.generate)."""
    return {f"SKU-{i:07d}": f"{19 + (i % 300)}.90" for i in range(PRODUCTS * 3)}


def make_order(i: int, prices: dict[str, str]) -> dict:
    skus = list(prices)
    lines = []
    for n in range(1 + i % 5):  # 1..5 lines, 3 on average
        sku = skus[(i * 7 + n * 131) % len(skus)]
        lines.append(
            {
                "sku": sku,
                "quantity": 1 + (i + n) % 3,
                # marketplaces sell at their own prices: 5% off the catalog's
                "unit_price": f"{float(prices[sku]) * 0.95:.2f}",
            }
        )
    placed = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        minutes=i
    )
    return {
        "channel": CHANNELS[i % len(CHANNELS)],
        "external_id": f"MKT-{i:07d}",
        "placed_at": placed.isoformat(),
        "promised_delivery_date": (placed + datetime.timedelta(days=7))
        .date()
        .isoformat(),
        "customer": {
            "name": f"Cliente {i}",
            "email": f"cliente{i % 4000}@example.com",
            "phone": f"+55 11 9{i % 10_000:04d}-{i % 7919:04d}",
            "document": cpf(i % 4000),
        },
        "shipping_address": {
            "recipient": f"Cliente {i}",
            "cep": f"{1000 + i % 9000:05d}-{i % 1000:03d}",
            "street": "Rua das Flores",
            "number": str(1 + i % 2000),
            "complement": "",
            "district": "Centro",
            "city": "São Paulo",
            "uf": "SP",
        },
        "lines": lines,
        "payment_method": ("pix", "boleto", "card")[i % 3],
        "installments": 1 + (i % 6 if i % 3 == 2 else 0),
        "shipping_total": f"{(i % 4) * 5}.90",
        "discount_total": "1.00" if i % 10 == 0 else "0",
    }


# -- inside the app's process ------------------------------------------------------


def setup_worker() -> None:
    """Catalog, channels, the attendant and their token; prints the token."""
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from guardian.shortcuts import assign_perm

    from api.services import issue_staff_token
    from content.importing.importer import run_import
    from plugins.orders.models import SalesChannel
    from plugins.roles import role_group, sync_roles
    from tests.benchmarks.import_catalog import generate

    users = get_user_model().objects
    admin, _ = users.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    report = run_import(generate(PRODUCTS * 3), user=admin, dry_run=False, publish=True)
    assert report.committed and not report.error_count, report.errors[:3]
    sync_roles()
    attendant, _ = users.get_or_create(username="atendente")
    attendant.groups.add(role_group("order_desk"))
    for code in CHANNELS:
        channel = SalesChannel.objects.create(
            code=code,
            name=code.replace("-", " ").title(),
            kind=SalesChannel.Kind.MARKETPLACE,
            marketplace=code,
            accepts_custom_prices=True,
        )
        for perm in ("orders.view_saleschannel", "orders.handle_orders"):
            assign_perm(perm, attendant, channel)
    _token, secret = issue_staff_token(user=attendant, name="benchmark")
    print(json.dumps({"token": secret}))  # noqa: T201


def count_worker() -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    from django.db import connection

    from plugins.orders.models import Order, OrderLine

    print(  # noqa: T201
        json.dumps(
            {
                "orders": Order.objects.count(),
                "lines": OrderLine.objects.count(),
                "vendor": connection.vendor,
            }
        )
    )


# -- orchestration -----------------------------------------------------------------


def figures(run: dict, orders: int, lines: int) -> dict:
    return {
        "seconds": round(run["seconds"], 2),
        "orders_per_second": round(orders / run["seconds"]),
        "lines_per_second": round(lines / run["seconds"]),
        "server_cpu_ms_per_order": round(1000 * run["server_cpu"] / orders, 2),
        "database_cpu_ms_per_order": round(1000 * run["database_cpu"] / orders, 2),
        "other_load": round(run["other_load"], 3),
    }


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
        # Persistent connections, as deployed (and PostgreSQL's backends live
        # long enough for their CPU time to be counted).
        "DATABASE_CONN_MAX_AGE": "600",
    }


def fresh_database(database: str | None, workdir: Path) -> dict[str, str]:
    env = base_env()
    if database and database.startswith("postgres"):
        base, _, _name = database.rpartition("/")
        name = "retaguarda_bench_orders"
        for sql in (
            f"DROP DATABASE IF EXISTS {name}",
            f"CREATE DATABASE {name}",
        ):
            subprocess.run(["psql", database, "-qc", sql], check=True)
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'orders.sqlite3'}"
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return env


def in_app(mode: str, env: dict[str, str]) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", mode],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def wait_for_idle(idle: float, patience: float) -> float:
    """Wait until other processes use less than ``idle`` of the CPU (at most
    ``patience`` seconds); the share they used last."""
    from tests.benchmarks.apibench.load import other_load

    deadline = time.monotonic() + patience
    share = other_load()
    while share >= idle and time.monotonic() < deadline:
        share = other_load(2.0)
    return share


def cpu_snapshot(server_pid: int, database: str | None) -> dict:
    from tests.benchmarks.apibench.load import backends_cpu, machine_cpu, tree_cpu

    busy, total = machine_cpu()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "busy": busy,
        "total": total,
        "server": tree_cpu(server_pid),
        "database": backends_cpu(database) if database else 0.0,
        "client": usage.ru_utime + usage.ru_stime,
    }


def send_all(url: str, token: str, batches: list[list[dict]], clients: int) -> dict:
    """POST every batch (``clients`` at a time); the statuses of the results."""
    import requests

    def send(batch):
        response = requests.post(
            f"{url}/api/v1/orders/import/",
            json={"orders": batch},
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        )
        response.raise_for_status()
        return response.json()

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        bodies = list(pool.map(send, batches))
    seconds = time.perf_counter() - start
    totals = {"created": 0, "replayed": 0, "errors": 0}
    for body in bodies:
        for key in totals:
            totals[key] += body[key]
    errors = [r for body in bodies for r in body["results"] if r["status"] == "error"]
    return {"seconds": seconds, **totals, "first_errors": errors[:3]}


def measure(url, token, batches, clients, server, pg_database) -> dict:
    before = cpu_snapshot(server.pid, pg_database)
    result = send_all(url, token, batches, clients)
    after = cpu_snapshot(server.pid, pg_database)
    delta = {key: after[key] - before[key] for key in before}
    ours = delta["server"] + delta["database"] + delta["client"]
    result["other_load"] = max(0.0, delta["busy"] - ours) / max(1e-9, delta["total"])
    result["server_cpu"] = delta["server"]
    result["database_cpu"] = delta["database"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--clients", type=int, default=2, help="batches in flight at once"
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--idle",
        type=float,
        default=0.25,
        help="wait before each run until other processes use less than this "
        "share of the CPU",
    )
    parser.add_argument("--patience", type=float, default=300, help="seconds")
    parser.add_argument("--worker", choices=["setup", "count"])
    args = parser.parse_args()
    if args.worker == "setup":
        setup_worker()
        return
    if args.worker == "count":
        count_worker()
        return

    prices = catalog_prices()
    orders = [make_order(i, prices) for i in range(args.orders)]
    lines = sum(len(order["lines"]) for order in orders)
    batches = [orders[i : i + args.batch] for i in range(0, len(orders), args.batch)]
    with tempfile.TemporaryDirectory() as tmp:
        env = fresh_database(args.database, Path(tmp))
        token = in_app("setup", env)["token"]
        pg_database = (
            env["DATABASE_URL"].rpartition("/")[2]
            if env["DATABASE_URL"].startswith("postgres")
            else None
        )
        with gunicorn(env, workers=args.workers) as (port, server):
            url = f"http://127.0.0.1:{port}"
            wait_for_idle(args.idle, args.patience)
            first = measure(url, token, batches, args.clients, server, pg_database)
            after_first = in_app("count", env)
            wait_for_idle(args.idle, args.patience)
            replay = measure(url, token, batches, args.clients, server, pg_database)
            after_replay = in_app("count", env)
    vendor = after_first["vendor"]
    assert first["created"] == args.orders, first
    assert after_first["orders"] == args.orders, after_first
    assert after_first["lines"] == lines, after_first
    assert replay["replayed"] == args.orders, replay
    assert after_replay["orders"] == args.orders, after_replay

    result = {
        "vendor": vendor,
        "orders": args.orders,
        "lines": lines,
        "batch": args.batch,
        "gunicorn_workers": args.workers,
        "clients": args.clients,
        "cpus": os.cpu_count(),
        "intake": {
            **figures(first, args.orders, lines),
            "created": first["created"],
        },
        "replay": {
            **figures(replay, args.orders, lines),
            "replayed": replay["replayed"],
            "new_orders": after_replay["orders"] - after_first["orders"],
        },
    }
    for run in ("intake", "replay"):
        r = result[run]
        print(  # noqa: T201
            f"{vendor:<10} {run:<6} {args.orders} orders / {lines} lines in "
            f"{r['seconds']:>6.1f} s: {r['orders_per_second']:>5} orders/s, "
            f"{r['lines_per_second']:>6} lines/s; server CPU "
            f"{r['server_cpu_ms_per_order']:.2f} ms/order"
            + (
                f", PostgreSQL CPU {r['database_cpu_ms_per_order']:.2f} ms/order"
                if pg_database
                else ""
            )
            + f"; other load {r['other_load']:.0%}"
        )
    print(  # noqa: T201
        f"{vendor:<10} replay: {result['replay']['new_orders']} new orders"
    )
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / f"orders_intake-{vendor}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
