"""Provider notifications benchmark: signed webhooks, every one repeated,
sent concurrently over HTTP to the finance plugin's endpoint.

1. A payment provider's simulator (Mercado Pago by default, ``--providers
   pagbank`` or both) on loopback, and the app under gunicorn (2 workers of 2
   threads; ``--threads 1``: sync workers) on a fresh database (a SQLite
   file, or PostgreSQL with ``--database``) with the ``orders``, ``stock`` and
   ``finance`` plugins, a storefront channel, a stocked product, an API key
   and a provider account whose API address is the simulator
   (``RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE=true`` lets the app call loopback;
   ``RETAGUARDA_ENCRYPTION_KEYS`` gets a fresh key, DEBUG stays off).
2. ``--orders`` (50) orders placed and as many Pix payments created over
   HTTP (``POST /api/v1/orders/``, then ``POST /api/v1/finance/payments/``),
   every one approved in the simulator. The simulator's notifications (Mercado
   Pago: ``payment.created`` and ``payment.updated`` per payment; PagBank:
   the paid order) are taken from its outbox and each is signed by the
   simulator's own signing, once per delivery (a new ``x-request-id`` and
   timestamp each, as a provider's redelivery has), ``--deliveries`` (2,000)
   deliveries in all over the notifications, shuffled, and sent from
   ``--clients`` (16) threads, a new connection for each delivery as a
   provider opens, to ``POST /api/v1/finance/webhooks/<token>/``.
3. Figures: signed deliveries per second (wall, from the release of the
   client threads to the last answer), p50/p99/max latency, the statuses
   (non-2xx, 5xx), how many were answered as duplicates, and how long after
   the first delivery the last event was applied (the queue's lag, p50/p99
   per event). Then, in the database: every payment approved, every order
   paid, exactly one receivable, one applied event, one finance timeline
   entry, one ``pay`` transition and one status audit entry per payment (no
   double effect); one ProviderEvent per distinct notification (none lost,
   none twice), every one processed; no failed task; no 5xx; on PostgreSQL
   no deadlock (``pg_stat_database.deadlocks``). The run fails unless all
   hold.
4. ``--faults N``: the provider's API answers 503 to the next N requests
   once the deliveries start, i.e. to the status fetches of the first
   events the task workers take up: a provider's passing outage, which must
   delay those events, not lose them.

**Task backend.** The settings have no variable that switches ``TASKS`` to
the immediate backend (``REDIS_URL`` switches to RQ; without it, the
database-backed queue of django-tasks-db). The benchmark keeps that default,
as a store without Redis runs it: ``--task-workers`` (2) processes of
``python manage.py run_worker --queue-name '*'`` beside gunicorn, started
before the first request and polling every 0.1 s. Two workers also apply the
two notifications of one payment at the same time, which is where a double
effect would show; the immediate backend would instead apply each event
inside the request that stored it (and fetch the provider's status there),
which neither measures the endpoint nor the queue as they run.

Each provider runs on its own fresh database. Figures are printed and
written to ``tests/benchmarks/reports/webhooks-<provider>-<database>.json``.

Usage: python tests/benchmarks/webhooks.py [--orders 50] [--deliveries 2000]
       [--clients 16] [--workers 2] [--threads 2] [--task-workers 2]
       [--providers mercadopago pagbank] [--faults 0] [--seed 1]
       [--database postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import harness  # noqa: E402  (no Django)
from tests.benchmarks.apibench.load import gunicorn  # noqa: E402  (no Django)
from tests.benchmarks.harness import migrated_database  # noqa: E402

REPORTS = Path(__file__).resolve().parent / "reports"
PLUGINS = "orders,stock,finance"
SKU = "PIX-1"
CPF = "529.982.247-25"  # valid check digits (generated, not a person)
ACCESS_TOKEN = "TEST-benchmark-access-token"
WEBHOOK_SECRET = "benchmark-webhook-secret"


# -- inside the app (subprocesses with django.setup()) --------------------------------


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


def setup_worker(options: dict) -> dict:
    """The shop: a storefront channel, a stocked product, an API key and the
    provider account at the simulator's address."""
    from decimal import Decimal

    from api.services import create_api_key
    from content.models import Product, Variant
    from plugins.finance.models import ProviderAccount
    from plugins.orders.models import SalesChannel
    from plugins.stock.models import Warehouse
    from plugins.stock.services import receive_stock

    SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    product = Product(name="Produto", slug="produto", live=True)
    product.variants = [Variant(sku=SKU, price=Decimal("89.90"))]
    product.save()
    warehouse = Warehouse.objects.create(code="SP-01", name="CD São Paulo")
    receive_stock(
        warehouse, variant=Variant.objects.get(sku=SKU), quantity=100_000, user=None
    )
    _key, secret = create_api_key(
        name="Benchmark",
        scopes=["orders:write", "orders:read"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    account = ProviderAccount.objects.create(
        name=options["vendor"],
        provider=options["vendor"],
        api_url=options["url"],
        access_token=ACCESS_TOKEN,
        webhook_secret=WEBHOOK_SECRET,
    )
    return {"key": secret, "webhook_token": account.webhook_token}


def drain_worker(options: dict) -> dict:
    """Wait until the task workers have run every queued task (at most
    ``timeout`` seconds); then when each event was received and applied."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from plugins.finance.models import ProviderEvent

    waiting = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    deadline = time.monotonic() + options["timeout"]
    while DBTaskResult.objects.filter(status__in=waiting).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    times = [
        (received.timestamp(), processed.timestamp() if processed else None)
        for received, processed in ProviderEvent.objects.values_list(
            "received_at", "processed_at"
        )
    ]
    return {
        "tasks_waiting": DBTaskResult.objects.filter(status__in=waiting).count(),
        "times": times,
    }


def check_worker(options: dict) -> dict:
    """What the run left in the database."""
    from collections import Counter

    from django.db import connection
    from django.db.models import Count, Q
    from django_tasks_db.models import DBTaskResult
    from wagtail.models import ModelLogEntry

    from plugins.finance.models import Payment, ProviderEvent, Receivable
    from plugins.orders.models import Order, OrderEvent

    payments = Payment.objects.annotate(
        receivables_count=Count("receivables", distinct=True),
        applied=Count("events", filter=Q(events__outcome="applied"), distinct=True),
    )
    orders = Order.objects.annotate(
        finance_entries=Count(
            "events", filter=Q(events__source="finance"), distinct=True
        ),
        transitions=Count(
            "events", filter=Q(events__kind=OrderEvent.Kind.TRANSITION), distinct=True
        ),
    )
    audit = Counter(
        ModelLogEntry.objects.filter(action="finance.payment_status").values_list(
            "object_id", flat=True
        )
    )
    events = ProviderEvent.objects.all()
    result = {
        "vendor": connection.vendor,
        "payments": payments.count(),
        "payments_approved": payments.filter(status="approved").count(),
        "orders": orders.count(),
        "orders_paid": orders.filter(status="paid").count(),
        "receivables": Receivable.objects.count(),
        "payments_without_one_receivable": payments.exclude(
            receivables_count=1
        ).count(),
        "payments_without_one_applied_event": payments.exclude(applied=1).count(),
        "payments_without_one_audit_entry": sum(
            1 for pk in payments.values_list("pk", flat=True) if audit[str(pk)] != 1
        ),
        "orders_without_one_finance_entry": orders.exclude(finance_entries=1).count(),
        "orders_without_one_transition": orders.exclude(transitions=1).count(),
        "events": events.count(),
        "event_ids": sorted(events.values_list("event_id", flat=True)),
        "events_unprocessed": events.filter(processed_at__isnull=True).count(),
        "event_outcomes": dict(Counter(events.values_list("outcome", flat=True))),
        "tasks": {
            f"{path.rpartition('.')[2]} {status}": count
            for (path, status), count in sorted(
                Counter(DBTaskResult.objects.values_list("task_path", "status")).items()
            )
        },
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = "
                "current_database()"
            )
            result["pg_deadlocks"] = cursor.fetchone()[0]
    return result


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
        # the provider account's API address is the simulator, on loopback
        "RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE": "true",
        "RETAGUARDA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "LOG_LEVEL": "WARNING",
    }


def fresh_database(database: str | None, workdir: Path, name: str) -> dict[str, str]:
    return migrated_database(base_env(), database, workdir, name)


def in_app(env: dict[str, str], mode: str, **options) -> dict:
    return harness.in_app(__file__, env, mode, **options)


@contextlib.contextmanager
def task_workers(env: dict[str, str], count: int, log: Path):
    """``count`` processes of the database queue's worker, stopped after."""
    with log.open("ab") as output:
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "run_worker",
                    "--queue-name",
                    "*",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                ],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=output,
            )
            for _ in range(count)
        ]
        try:
            yield processes
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)


def start_simulator(vendor: str):
    """The vendor's simulator in this process (it needs Django's time zone
    machinery only, not the project's settings), webhooks kept in its outbox
    until this script takes them."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="America/Sao_Paulo")
        django.setup()
    from plugins.finance.simulators import SIMULATORS

    return SIMULATORS[vendor](access_token=ACCESS_TOKEN, webhook_secret=WEBHOOK_SECRET)


Request = tuple[str, str, bytes, dict[str, str]]  # method, path, body, headers


def fire(port: int, requests: list[Request], clients: int, *, keep_alive: bool):
    """Send ``requests`` from ``clients`` threads, all released together
    (times from the release). ``keep_alive``: one connection per thread, as a
    storefront keeps; otherwise a new connection per request, as a provider
    delivering a webhook opens. Returns (results in the order of
    ``requests``: (status, seconds, body), wall seconds)."""
    results: list[tuple[int, float, bytes] | None] = [None] * len(requests)
    next_index = iter(range(len(requests)))
    lock = threading.Lock()
    released: list[float] = []
    barrier = threading.Barrier(
        clients, action=lambda: released.append(time.perf_counter())
    )

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        if keep_alive:
            connection.connect()
        barrier.wait()
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            method, path, body, headers = requests[i]
            started = time.perf_counter()
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status, content = 0, str(error).encode()
            if not keep_alive or status == 0:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            results[i] = (status, time.perf_counter() - started, content)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - released[0]


def statuses_of(results) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status, _seconds, _body in results:
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max of ``values`` (seconds) in milliseconds."""
    values = sorted(values)
    if len(values) < 2:
        only = values[0] * 1000 if values else 0.0
        return only, only, only
    q = statistics.quantiles(values, n=100, method="inclusive")
    return round(q[49] * 1000, 1), round(q[98] * 1000, 1), round(values[-1] * 1000, 1)


def order_body(i: int) -> bytes:
    return json.dumps(
        {
            "customer": {
                "name": f"Cliente {i}",
                "email": f"cliente{i}@example.com",
                "document": CPF,
            },
            "shipping_address": {
                "recipient": f"Cliente {i}",
                "cep": "01310-100",
                "street": "Avenida Paulista",
                "number": str(1000 + i),
                "district": "Bela Vista",
                "city": "São Paulo",
                "uf": "SP",
            },
            "lines": [{"sku": SKU, "quantity": 1}],
            "payment_method": "pix",
        }
    ).encode()


def approve_all(simulator) -> int:
    """The payer pays every Pix code the simulator issued."""
    if simulator.vendor == "pagbank":
        ids = list(simulator.orders)
    else:
        ids = list(simulator.payments)
    for provider_id in ids:
        simulator.approve(provider_id)
    return len(ids)


def signed_deliveries(simulator, total: int, rng: random.Random):
    """``total`` deliveries over the notifications in the simulator's outbox
    (which they leave), as evenly as they divide, each signed by the
    simulator as it signs each attempt; shuffled."""
    with simulator.lock:
        notifications = list(simulator.outbox)
        simulator.outbox.clear()
    copies, extra = divmod(total, len(notifications))
    requests: list[Request] = []
    for n, notification in enumerate(notifications):
        for _ in range(copies + (n < extra)):
            url, headers = simulator.sign(notification)
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            requests.append(("POST", path, notification.body, headers))
    rng.shuffle(requests)
    return notifications, requests


def run(args, vendor: str, workdir: Path) -> dict:
    rng = random.Random(args.seed)
    logs = workdir / vendor
    logs.mkdir()
    with start_simulator(vendor) as simulator:
        env = fresh_database(args.database, workdir, f"webhooks_{vendor}")
        shop = in_app(env, "setup", vendor=vendor, url=simulator.url)
        storefront = {
            "Authorization": f"Api-Key {shop['key']}",
            "Content-Type": "application/json",
        }
        with (
            task_workers(env, args.task_workers, logs / "workers.log"),
            gunicorn(
                env,
                workers=args.workers,
                threads=args.threads,
                log=logs / "gunicorn.log",
            ) as (port, _server),
        ):
            placed, orders_wall = fire(
                port,
                [
                    (
                        "POST",
                        "/api/v1/orders/",
                        order_body(i),
                        {**storefront, "Idempotency-Key": f"bench-{uuid.uuid4()}"},
                    )
                    for i in range(args.orders)
                ],
                min(args.clients, args.orders),
                keep_alive=True,
            )
            assert all(s == 201 for s, _t, _b in placed), statuses_of(placed)
            tokens = [
                json.loads(body)["status_url"].rstrip("/").rsplit("/", 1)[-1]
                for _s, _t, body in placed
            ]
            created, payments_wall = fire(
                port,
                [
                    (
                        "POST",
                        "/api/v1/finance/payments/",
                        json.dumps({"order": token, "method": "pix"}).encode(),
                        storefront,
                    )
                    for token in tokens
                ],
                min(args.clients, args.orders),
                keep_alive=True,
            )
            assert all(s == 201 for s, _t, _b in created), statuses_of(created)
            approved = approve_all(simulator)
            notifications, requests = signed_deliveries(simulator, args.deliveries, rng)
            if args.faults:
                # the provider's API answers 503 to the next status fetches
                simulator.faults.fail(status=503, times=args.faults)
            started_at = time.time()
            results, wall = fire(port, requests, args.clients, keep_alive=False)
            drained = in_app(env, "drain", timeout=args.drain_timeout)
        check = in_app(env, "check")

    statuses = statuses_of(results)
    acknowledged = [json.loads(b) for s, _t, b in results if 200 <= s < 300]
    p50, p99, slowest = percentiles([t for _s, t, _b in results])
    processed = [p for _r, p in drained["times"] if p is not None]
    lag_p50, lag_p99, lag_max = percentiles(
        [p - r for r, p in drained["times"] if p is not None]
    )
    expected_ids = sorted(n.id for n in notifications)
    result = {
        "provider": vendor,
        "orders": args.orders,
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "task_workers": args.task_workers,
        "provider_faults": args.faults,
        "orders_per_second": round(args.orders / orders_wall, 1),
        "orders_statuses": statuses_of(placed),
        "payments_per_second": round(args.orders / payments_wall, 1),
        "payments_statuses": statuses_of(created),
        "approved_in_simulator": approved,
        "notifications": len(notifications),
        "deliveries": len(requests),
        "statuses": statuses,
        "wall_seconds": round(wall, 2),
        "deliveries_per_second": round(len(requests) / wall, 1),
        "p50_ms": p50,
        "p99_ms": p99,
        "max_ms": slowest,
        "non_2xx": sum(n for s, n in statuses.items() if not 200 <= s < 300),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500 or s == 0),
        "answered_new": sum(1 for a in acknowledged if not a.get("duplicate")),
        "answered_duplicate": sum(1 for a in acknowledged if a.get("duplicate")),
        "all_applied_seconds": round(max(processed) - started_at, 2)
        if processed
        else None,
        "queue_lag_p50_ms": lag_p50,
        "queue_lag_p99_ms": lag_p99,
        "queue_lag_max_ms": lag_max,
        "tasks_left_waiting": drained["tasks_waiting"],
        **check,
        "event_ids_match": vendor != "mercadopago"
        or check["event_ids"] == expected_ids,
    }
    result.pop("event_ids")
    print_result(result)
    problems = failures(result, args.orders)
    result["failures"] = problems
    if problems:
        for name in ("gunicorn.log", "workers.log"):
            text = (logs / name).read_text(errors="replace")
            print(f"--- {name} (last 3000 characters)\n{text[-3000:]}")  # noqa: T201
    return result


def failures(result: dict, orders: int) -> list[str]:
    """What went wrong: a 5xx, a lost event, a double effect."""
    expected = {
        "payments": orders,
        "payments_approved": orders,
        "orders_paid": orders,
        "receivables": orders,
        "payments_without_one_receivable": 0,
        "payments_without_one_applied_event": 0,
        "payments_without_one_audit_entry": 0,
        "orders_without_one_finance_entry": 0,
        "orders_without_one_transition": 0,
        "events": result["notifications"],
        "answered_new": result["notifications"],
        "events_unprocessed": 0,
        "tasks_left_waiting": 0,
        "non_2xx": 0,
        "server_errors": 0,
        "event_ids_match": True,
    }
    problems = [
        f"{name}: {result[name]} (expected {value})"
        for name, value in expected.items()
        if result[name] != value
    ]
    failed = {k: n for k, n in result["tasks"].items() if k.endswith(" FAILED")}
    if failed:
        problems.append(f"failed tasks: {failed}")
    if result.get("pg_deadlocks"):
        problems.append(f"deadlocks: {result['pg_deadlocks']}")
    return problems


def print_result(r: dict) -> None:
    lines = [
        f"{r['vendor']:<10} {r['provider']}: {r['orders']} orders "
        f"({r['orders_per_second']}/s) and {r['orders']} Pix payments "
        f"({r['payments_per_second']}/s) over HTTP, {r['approved_in_simulator']} "
        f"approved in the simulator",
        f"  {r['deliveries']} signed deliveries of {r['notifications']} "
        f"notifications, shuffled, {r['clients']} clients, gunicorn "
        f"{r['gunicorn_workers']}×{r['gunicorn_threads']}, "
        f"{r['task_workers']} task workers",
        f"  {r['deliveries_per_second']} signed events/s (wall {r['wall_seconds']} "
        f"s), p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms; "
        f"statuses {r['statuses']}, non-2xx {r['non_2xx']}, 5xx "
        f"{r['server_errors']}; {r['answered_new']} new, "
        f"{r['answered_duplicate']} duplicates",
        f"  every event applied {r['all_applied_seconds']} s after the first "
        f"delivery; receipt → applied p50 {r['queue_lag_p50_ms']} ms, p99 "
        f"{r['queue_lag_p99_ms']} ms, max {r['queue_lag_max_ms']} ms",
        f"  payments approved {r['payments_approved']}/{r['payments']}, orders "
        f"paid {r['orders_paid']}/{r['orders']}, receivables {r['receivables']} "
        f"(payments without exactly one: {r['payments_without_one_receivable']}), "
        f"applied events per payment ≠ 1: "
        f"{r['payments_without_one_applied_event']}, audit ≠ 1: "
        f"{r['payments_without_one_audit_entry']}, timeline ≠ 1: "
        f"{r['orders_without_one_finance_entry']}, transitions ≠ 1: "
        f"{r['orders_without_one_transition']}",
        f"  ProviderEvent rows {r['events']} for {r['notifications']} distinct "
        f"notifications (ids match: {r['event_ids_match']}), unprocessed "
        f"{r['events_unprocessed']}, outcomes {r['event_outcomes']}, tasks "
        f"{r['tasks']}, deadlocks {r.get('pg_deadlocks', 'n/a')}",
    ]
    print("\n".join(lines), flush=True)  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per worker (1: sync workers)"
    )
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=120,
        help="seconds to wait for the task workers after the last delivery",
    )
    parser.add_argument(
        "--providers",
        nargs="+",
        default=["mercadopago"],
        choices=["mercadopago", "pagbank"],
    )
    parser.add_argument(
        "--faults",
        type=int,
        default=0,
        help="the provider's API answers 503 to this many status fetches",
    )
    parser.add_argument("--seed", type=int, default=1, help="of the shuffle")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--worker", nargs=2)
    args = parser.parse_args()
    if args.worker:
        _setup_django()
        mode, options = args.worker[0], json.loads(args.worker[1])
        worker = {"setup": setup_worker, "drain": drain_worker, "check": check_worker}
        print(json.dumps(worker[mode](options)))  # noqa: T201
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for vendor in args.providers:
            results.append(run(args, vendor, Path(tmp)))
    REPORTS.mkdir(exist_ok=True)
    database = results[0]["vendor"]
    for result in results:
        (REPORTS / f"webhooks-{result['provider']}-{database}.json").write_text(
            json.dumps(
                {"cpus": os.cpu_count(), "load": os.getloadavg(), "result": result},
                indent=2,
            )
        )
    failed = [r for r in results if r["failures"]]
    for result in failed:
        print(f"FAILED {result['provider']}: {'; '.join(result['failures'])}")  # noqa: T201
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
