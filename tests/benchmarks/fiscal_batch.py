"""Bulk NF-e benchmark.

1,000 paid orders (1 to 3 lines each, to another state, by a consumer)
invoiced by one emitter through the order listing's bulk "Emitir NF-e": the
job is recorded (``plugins.fiscal.services.bulk.start_bulk_issue``) and its
task's work (``run_bulk_issue``) runs in a fresh process, as a worker runs
it — each order's taxes, number, NF-e built from nfelib's bindings,
validated against the XSD and signed, then the NF-e sent in batches of 50
(one ``enviNFe`` each, its receipt fetched) to the local SEFAZ, started by
the script as a subprocess on loopback, which checks each NF-e's schema and
signature; each answer recorded (the ``nfeProc``, the archive, the audit
entry, the order moved to invoiced). Prints the wall time, NF-e/s, the CPU
of the worker and of the simulator, and fails unless every order got one
authorised NF-e, numbered 1 to 1,000 with no gap and no duplicate. Then the
same selection is run again by two workers at once: every order must be
skipped (it has its NF-e) and no number taken.

On SQLite and, with ``--database-url`` (default: ``DATABASE_URL``) naming a
PostgreSQL server, on a scratch database there too
(``retaguarda_bench_fiscal_batch``). The customers' e-mails (DANFE and XML)
are queued as tasks of the database queue and not sent (no worker runs).

Usage: python tests/benchmarks/fiscal_batch.py [--orders 1000]
       [--database-url postgres://postgres@127.0.0.1:5432/postgres]
       [--skip-sqlite]
Target: 1,000 NF-e in under 60 s.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import harness  # noqa: E402  (no Django)
from tests.benchmarks.harness import migrated_database  # noqa: E402

REPORTS = Path(__file__).resolve().parent / "reports"
PLUGINS = "orders,fiscal"
TARGET_SECONDS = 60
CNPJ = "11222333000181"
PASSWORD = "benchmark"
SKUS = [(f"BENCH-{i:02d}", "61091000", f"{19.9 + i * 5:.2f}") for i in range(12)]


# -- inside the app ------------------------------------------------------------------


def generate(orders: int) -> dict:
    """A catalog with NCM, an emitter with its A1, a fiscal clerk and
    ``orders`` paid orders to Rio de Janeiro."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from guardian.shortcuts import assign_perm

    from content.models import Product, Variant
    from plugins.fiscal import certificates
    from plugins.fiscal.models import Emitter
    from plugins.fiscal.tax_defaults import install_defaults
    from plugins.orders.models import SalesChannel
    from plugins.orders.services import pay_order, place_order
    from plugins.roles import role_group, sync_roles

    started = time.perf_counter()
    install_defaults()
    sync_roles()
    for index in range(0, len(SKUS), 3):
        product = Product(slug=f"bench-{index}", name=f"Camiseta {index}")
        product.option1_name = "tamanho"
        product.variants = [
            Variant(sku=sku, price=Decimal(price), option1=sku, ncm=ncm)
            for sku, ncm, price in SKUS[index : index + 3]
        ]
        product.live = False
        product.save()
        product.save_revision().publish()
    channel = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    pkcs12 = certificates.generate(CNPJ, "Loja Exemplo", password=PASSWORD)
    emitter = Emitter.objects.create(
        legal_name="Loja Exemplo Comercio de Roupas Ltda",
        trade_name="Loja Exemplo",
        cnpj=CNPJ,
        ie="110042490114",
        tax_regime="3",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf="SP",
        cep="01304-000",
        environment="2",
        certificate=base64.b64encode(pkcs12).decode(),
        certificate_password=PASSWORD,
    )
    clerk = get_user_model().objects.create_user("faturamento", password="x")
    clerk.groups.add(role_group("fiscal"))
    assign_perm("fiscal.view_emitter", clerk, emitter)
    assign_perm("fiscal.issue_emitter", clerk, emitter)
    address = {
        "recipient": "Maria da Silva",
        "cep": "20040-002",
        "street": "Avenida Rio Branco",
        "number": "100",
        "district": "Centro",
        "city": "Rio de Janeiro",
        "uf": "RJ",
    }
    for index in range(orders):
        lines = [
            {"sku": SKUS[(index + n) % len(SKUS)][0], "quantity": 1 + n}
            for n in range(1 + index % 3)
        ]
        placed = place_order(
            channel=channel,
            customer={
                "name": "Maria da Silva",
                "email": "maria@example.com",
                "phone": "+55 21 91234-5678",
                "document": "529.982.247-25",
            },
            lines=lines,
            shipping_address=address,
            payment_method="pix",
            shipping_total=Decimal("15.00"),
        ).order
        pay_order(placed, user=None)
    return {
        "orders": orders,
        "lines": sum(1 + i % 3 for i in range(orders)),
        "seconds": round(time.perf_counter() - started, 1),
    }


def start(_options) -> dict:
    """The bulk issue of every order (the listing's "select all"), as the
    bulk action records it."""
    from django.contrib.auth import get_user_model

    from plugins.fiscal.models import Emitter
    from plugins.fiscal.services.bulk import start_bulk_issue
    from plugins.orders.models import Order

    user = get_user_model().objects.get(username="faturamento")
    orders = list(Order.objects.order_by("pk"))
    job = start_bulk_issue(orders, emitter=Emitter.objects.get(), user=user)
    return {"job": str(job.pk), "orders": len(orders)}


def run(options) -> dict:
    """The task's work for one job, timed."""
    from django.db import connection

    from plugins.fiscal.services.bulk import progress, run_bulk_issue

    cpu, wall = time.process_time(), time.perf_counter()
    job = run_bulk_issue(options["job"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "vendor": connection.vendor,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "status": job.status,
        **progress(job).as_dict(),
    }


def check(_options) -> dict:
    """Numbers without gap or duplicate; one live NF-e per order."""
    from django.db.models import Count

    from plugins.fiscal.models import FiscalDocument
    from plugins.fiscal.services.issuing import LIVE_STATUSES
    from plugins.orders.models import Order

    numbers = list(
        FiscalDocument.objects.order_by("number").values_list("number", flat=True)
    )
    duplicates = len(numbers) - len(set(numbers))
    top = max(numbers, default=0)
    gaps = len(set(range(1, top + 1)) - set(numbers))
    per_order = (
        FiscalDocument.objects.filter(status__in=LIVE_STATUSES)
        .values("order")
        .annotate(n=Count("pk"))
    )
    return {
        "documents": len(numbers),
        "authorised": FiscalDocument.objects.filter(status="authorised").count(),
        "duplicates": duplicates,
        "gaps": gaps,
        "orders_with_two_live": sum(1 for row in per_order if row["n"] > 1),
        "orders_invoiced": Order.objects.filter(status="invoiced").count(),
    }


def worker(mode: str, options: dict) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    output = {"generate": generate, "start": start, "run": run, "check": check}[mode](
        options if mode != "generate" else options["orders"]
    )
    print(json.dumps(output))  # noqa: T201


# -- orchestration -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(f) for f in fields]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class Simulator:
    """The local SEFAZ in a process of its own, on loopback."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "plugins.fiscal.simulator",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env={k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_control", timeout=1):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the local SEFAZ did not start")

    def cpu(self) -> float:
        return process_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def fresh_database(database: str | None, workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retaguarda.settings",
        "SECRET_KEY": "benchmark",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "RETAGUARDA_PLUGINS": PLUGINS,
        "RETAGUARDA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return migrated_database(env, database, workdir, "fiscal_batch")


def in_app(env: dict[str, str], mode: str, **options) -> dict:
    return harness.in_app(__file__, env, mode, **options)


def in_app_at_once(env: dict[str, str], mode: str, jobs: list[str]) -> list[dict]:
    """``mode`` for each job in processes of their own, at the same time."""
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", mode, json.dumps({"job": job})],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    results = []
    for process in processes:
        out, _err = process.communicate(timeout=1800)
        if process.returncode:
            raise RuntimeError(f"worker failed ({process.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def bench(database: str | None, orders: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        env = fresh_database(database, Path(workdir))
        data = in_app(env, "generate", orders=orders)
        simulator = Simulator(env)
        env["RETAGUARDA_FISCAL_AUTHORISER_URL"] = simulator.url
        try:
            job = in_app(env, "start")["job"]
            load = os.getloadavg()
            busy, wall = machine_busy(), time.perf_counter()
            sefaz_cpu = simulator.cpu()
            first = in_app(env, "run", job=job)
            wall = time.perf_counter() - wall
            first["simulator_cpu_seconds"] = round(simulator.cpu() - sefaz_cpu, 2)
            first["process_seconds"] = round(wall, 2)
            first["other_cores"] = round(
                (machine_busy() - busy - first["cpu_seconds"]) / wall
                - first["simulator_cpu_seconds"] / wall,
                2,
            )
            first["load_before"] = [round(x, 2) for x in load]
            checked = in_app(env, "check")
            # the same selection again, by two workers at once
            again_jobs = [in_app(env, "start")["job"] for _ in range(2)]
            again = in_app_at_once(env, "run", again_jobs)
            after = in_app(env, "check")
        finally:
            simulator.stop()
    return {
        "data": data,
        "first": first,
        "check": checked,
        "again": again,
        "after": after,
    }


def problems(figures: dict, orders: int) -> list[str]:
    first, check, after = figures["first"], figures["check"], figures["after"]
    found = []
    if first["authorised"] != orders or check["authorised"] != orders:
        found.append(f"{orders - check['authorised']} orders without an NF-e")
    if check["gaps"] or check["duplicates"]:
        found.append(f"{check['gaps']} gaps, {check['duplicates']} duplicates")
    if check["orders_with_two_live"] or after["orders_with_two_live"]:
        found.append("an order with two live NF-e")
    if after["documents"] != check["documents"]:
        found.append(
            f"running again took {after['documents'] - check['documents']} numbers"
        )
    skipped = sum(run["skipped"] for run in figures["again"])
    if skipped != 2 * orders:
        found.append(f"running again skipped {skipped} of {2 * orders}")
    return found


def report(name: str, figures: dict, orders: int) -> list[str]:
    first, check = figures["first"], figures["check"]
    rate = first["authorised"] / first["seconds"] if first["seconds"] else 0
    found = problems(figures, orders)
    again = figures["again"]
    return [
        f"{name}: {orders:,} paid orders ({figures['data']['lines']:,} lines), "
        f"one emitter, batches of 50; load average before "
        f"{'/'.join(str(x) for x in first['load_before'])}, other processes"
        f"{' (the database server included)' if name == 'PostgreSQL' else ''} "
        f"took {first['other_cores']:.2f} of {os.cpu_count()} cores meanwhile",
        f"  {first['authorised']:,} NF-e authorised in {first['seconds']:.1f} s: "
        f"{rate:.1f} NF-e/s (target: {orders:,} in under {TARGET_SECONDS} s: "
        f"{'met' if first['seconds'] < TARGET_SECONDS else 'NOT met'}); "
        f"worker CPU {first['cpu_seconds']:.1f} s, "
        f"local SEFAZ CPU {first['simulator_cpu_seconds']:.1f} s",
        f"  numbers 1–{check['documents']:,}: {check['gaps']} gaps, "
        f"{check['duplicates']} duplicates; {check['orders_invoiced']:,} orders "
        "invoiced",
        f"  the same selection again, two workers at once: "
        f"{' and '.join(str(run['skipped']) for run in again)} orders skipped "
        f"(already invoiced) in {max(run['seconds'] for run in again):.1f} s, "
        f"{figures['after']['documents'] - check['documents']} numbers taken",
        "  OK" if not found else "  FAILED: " + "; ".join(found),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a PostgreSQL server's URL: runs there as well as on SQLite",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    results = {}
    if not args.skip_sqlite:
        results["SQLite"] = bench(None, args.orders)
    if args.database_url and args.database_url.startswith("postgres"):
        results["PostgreSQL"] = bench(args.database_url, args.orders)
    lines = []
    for name, figures in results.items():
        lines.extend(report(name, figures, args.orders))
    print("\n".join(lines))  # noqa: T201
    REPORTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (REPORTS / f"fiscal_batch-{stamp}.json").write_text(
        json.dumps(results, indent=2, default=str)
    )
    if any(problems(figures, args.orders) for figures in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
