"""Bulk labels benchmark.

1,000 orders ready to ship (1 to 3 lines each) labelled in one batch through
the shipping desk queue's "Gerar etiquetas": the batch is recorded
(``plugins.logistics.services.labels.start_label_batch``) and its task's work
(``run_label_batch``) runs in a fresh process, as a worker runs it — each
order's shipment created with its default package through the table carrier
(an S10 code from the carrier's serial, under a row lock), then every label
(Code 128 of the tracking code, of the recipient's CEP, a DataMatrix, the
declaration of contents page) drawn into one PDF, stored in the batch.

Three runs, each in a process of its own: the first batch (thermal 10 × 15
cm) creates the 1,000 shipments and prints them; then the same orders are
printed again in the A4 layout and in the thermal layout (their shipments
exist: printing only). For each: wall and CPU seconds, labels/s, the PDF's
size and pages, the process's peak resident memory (``ru_maxrss``) and, in
a separate process with ``tracemalloc`` on (slower), the Python heap's peak
while drawing the PDF. Fails unless every order got one shipment whose S10
code is valid, no code twice.

On SQLite and, with ``--database-url`` naming a PostgreSQL server, on a
scratch database there too (``retaguarda_bench_logistics_labels``).

Usage: python tests/benchmarks/logistics_labels.py [--orders 1000]
       [--database-url postgres://…] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import harness  # noqa: E402  (no Django)
from tests.benchmarks.harness import migrated_database  # noqa: E402

PLUGINS = "orders,logistics"
SKUS = [(f"BENCH-{i:02d}", f"{19.9 + i * 5:.2f}", 200 + 50 * i) for i in range(12)]


# -- inside the app ------------------------------------------------------------------


def generate(orders: int) -> dict:
    """A catalog with weights, a table carrier, the origin, a shipping clerk
    and ``orders`` orders ready to ship."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from guardian.shortcuts import assign_perm

    from content.models import Product, Variant
    from plugins.logistics.models import (
        Carrier,
        CarrierKind,
        CarrierService,
        ShippingOrigin,
    )
    from plugins.orders.models import SalesChannel
    from plugins.orders.services import place_order, transition_order
    from plugins.roles import role_group, sync_roles

    started = time.perf_counter()
    sync_roles()
    for index in range(0, len(SKUS), 3):
        product = Product(slug=f"bench-{index}", name=f"Camiseta {index}")
        product.option1_name = "tamanho"
        product.variants = [
            Variant(
                sku=sku,
                price=Decimal(price),
                option1=sku,
                weight_grams=grams,
                length_cm=Decimal("30"),
                width_cm=Decimal("20"),
                height_cm=Decimal("3"),
            )
            for sku, price, grams in SKUS[index : index + 3]
        ]
        product.live = False
        product.save()
        product.save_revision().publish()
    channel = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    ShippingOrigin.objects.create(
        code="sp-01",
        name="CD São Paulo",
        sender_name="Loja Exemplo Ltda",
        sender_document="11222333000181",
        cep="01310-100",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        uf="SP",
        is_default=True,
    )
    carrier = Carrier.objects.create(
        code="rapidao", name="Rapidão", kind=CarrierKind.TABLE, tracking_prefix="RP"
    )
    CarrierService.objects.create(carrier=carrier, code="ECO", name="Econômico")
    clerk = get_user_model().objects.create_user("expedicao", password="x")
    clerk.groups.add(role_group("shipping_desk"))
    assign_perm("logistics.view_carrier", clerk, carrier)
    assign_perm("logistics.ship_carrier", clerk, carrier)
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
        for name in ("pay", "invoice", "prepare"):
            transition_order(placed, name, user=None)
    return {
        "orders": orders,
        "lines": sum(1 + i % 3 for i in range(orders)),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(options) -> dict:
    """One batch of every order in ``layout``, timed: its task's work."""
    import resource

    from django.contrib.auth import get_user_model
    from django.db import connection

    from plugins.logistics.services.labels import (
        progress,
        run_label_batch,
        start_label_batch,
    )
    from plugins.orders.models import Order

    user = get_user_model().objects.get(username="expedicao")
    orders = list(Order.objects.order_by("pk"))
    batch = start_label_batch(orders, user=user, layout=options["layout"])
    rss_before = _rss_kib()
    cpu, wall = time.process_time(), time.perf_counter()
    batch = run_label_batch(batch.pk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with batch.file.open("rb") as handle:
        pdf = handle.read()
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(pdf))
    return {
        "vendor": connection.vendor,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "status": batch.status,
        "errors": len(batch.errors),
        "pdf_bytes": len(pdf),
        "pages": pages,
        "rss_before_mib": round(rss_before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        **progress(batch).as_dict(),
    }


def heap(options) -> dict:
    """The Python heap's peak (tracemalloc) while drawing every label of the
    shipments into one PDF in ``layout``."""
    import tracemalloc

    from plugins.logistics.documents import labels_for, labels_pdf
    from plugins.logistics.models import Shipment

    shipments = list(Shipment.objects.exclude(status="cancelled").order_by("pk"))
    tracemalloc.start()
    labels = labels_for(shipments)
    pdf = labels_pdf(labels, options["layout"])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "labels": len(labels),
        "heap_peak_mib": round(peak / 2**20, 1),
        "pdf": len(pdf),
    }


def check(_options) -> dict:
    from django.db.models import Count

    from plugins.logistics import s10
    from plugins.logistics.models import Package, Shipment

    codes = list(Package.objects.values_list("tracking_code", flat=True))
    per_order = (
        Shipment.objects.exclude(status="cancelled")
        .values("order")
        .annotate(n=Count("pk"))
    )
    return {
        "shipments": Shipment.objects.count(),
        "codes": len(codes),
        "invalid": sum(1 for c in codes if not s10.is_valid(c)),
        "duplicates": len(codes) - len(set(codes)),
        "orders_with_two": sum(1 for row in per_order if row["n"] > 1),
    }


def worker(mode: str, options: dict) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    output = {"generate": generate, "run": run, "heap": heap, "check": check}[mode](
        options if mode != "generate" else options["orders"]
    )
    print(json.dumps(output))  # noqa: T201


# -- orchestration -------------------------------------------------------------------


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
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
    }
    env.pop("REDIS_URL", None)
    return migrated_database(env, database, workdir, "logistics_labels")


def in_app(env: dict[str, str], mode: str, **options) -> dict:
    return harness.in_app(__file__, env, mode, **options)


def bench(database: str | None, orders: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        env = fresh_database(database, Path(workdir))
        data = in_app(env, "generate", orders=orders)
        runs = {
            "thermal, shipments created": in_app(env, "run", layout="10x15"),
            "A4, printing only": in_app(env, "run", layout="a4"),
            "thermal, printing only": in_app(env, "run", layout="10x15"),
        }
        heaps = {
            layout: in_app(env, "heap", layout=layout) for layout in ("10x15", "a4")
        }
        checked = in_app(env, "check")
    return {"data": data, "runs": runs, "heaps": heaps, "check": checked}


def report(name: str, figures: dict, orders: int) -> list[str]:
    check = figures["check"]
    lines = [
        f"{name}: {orders:,} orders ready to ship ({figures['data']['lines']:,} "
        f"lines), one table carrier; load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    ]
    for label, run in figures["runs"].items():
        rate = run["done"] / run["seconds"] if run["seconds"] else 0
        lines.append(
            f"  {label}: {run['seconds']:.1f} s ({rate:.0f} orders/s), CPU "
            f"{run['cpu_seconds']:.1f} s, {run['pages']:,} pages, "
            f"{run['pdf_bytes'] / 2**20:.1f} MiB PDF, peak RSS "
            f"{run['peak_rss_mib']:.0f} MiB (at start {run['rss_before_mib']:.0f}), "
            f"{run['errors']} errors"
        )
    for layout, heap in figures["heaps"].items():
        lines.append(
            f"  Python heap peak drawing {heap['labels']:,} labels ({layout}): "
            f"{heap['heap_peak_mib']:.1f} MiB"
        )
    found = []
    if check["shipments"] != orders or check["orders_with_two"]:
        found.append(f"{check['shipments']} shipments for {orders} orders")
    if check["invalid"] or check["duplicates"]:
        found.append(
            f"{check['invalid']} invalid, {check['duplicates']} repeated codes"
        )
    lines.append("  OK" if not found else "  FAILED: " + "; ".join(found))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
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
    for name, figures in results.items():
        for line in report(name, figures, args.orders):
            print(line)  # noqa: T201


if __name__ == "__main__":
    main()
