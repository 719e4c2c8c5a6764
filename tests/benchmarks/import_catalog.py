"""Catalog import benchmark.

Imports N generated variant rows (3 variants per product) three ways, each in a
fresh process and a fresh database, and prints rows/s and peak memory:

  ours     the admin's importer (content.importing.importer.run_import: read,
           validate, classify, write products, variants, revisions and audit
           entries, publish)
  ceiling  csv.reader + bulk_create of the same products and variants
  default  django-import-export ModelResources with default settings (the same
           products and variants, row by row)

Usage: python tests/benchmarks/import_catalog.py [--rows 10000 100000]
       [--methods ours ceiling default] [--database DATABASE_URL]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(__file__).resolve().parent / "reports"
HEADER = [
    "product_slug",
    "product_name",
    "option1_name",
    "option2_name",
    "sku",
    "option1",
    "option2",
    "price",
    "compare_at_price",
    "gtin",
    "weight_grams",
    "ncm",
    "active",
]


def generate(rows: int) -> bytes:
    from content.validators import gtin_check_digit

    lines = [";".join(HEADER)]
    for i in range(rows):
        product = i // 3
        body = f"789{i:09d}"
        gtin = body + str(gtin_check_digit(body))
        price = f"{19 + (i % 300)}.90"
        lines.append(
            ";".join(
                [
                    f"produto-{product:06d}",
                    f"Produto de teste {product}",
                    "cor",
                    "tamanho",
                    f"SKU-{i:07d}",
                    ("azul", "verde", "preto")[i % 3],
                    "M",
                    price,
                    "",
                    gtin,
                    str(100 + i % 900),
                    "61091000",
                    "sim",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode()


# -- the three ways, run inside a worker process -----------------------------------


def run_ours(data: bytes) -> None:
    from django.contrib.auth import get_user_model

    from content.importing.importer import run_import

    user = get_user_model().objects.get(username="bench")
    report = run_import(data, user=user, dry_run=False, publish=True)
    assert report.committed and not report.error_count, (
        report.errors[:3] or report.file_error
    )


def run_ceiling(data: bytes) -> None:
    import csv
    import io
    from decimal import Decimal

    from content.models import Product, Variant

    reader = csv.reader(io.StringIO(data.decode()), delimiter=";")
    next(reader)
    rows = list(reader)
    products: dict[str, Product] = {}
    for row in rows:
        if row[0] not in products:
            products[row[0]] = Product(
                slug=row[0],
                name=row[1],
                option1_name=row[2],
                option2_name=row[3],
                live=True,
            )
    Product.objects.bulk_create(list(products.values()))
    Variant.objects.bulk_create(
        [
            Variant(
                product=products[row[0]],
                sku=row[4],
                option1=row[5],
                option2=row[6],
                price=Decimal(row[7]),
                gtin=row[9],
                weight_grams=int(row[10]),
                ncm=row[11],
                active=True,
            )
            for row in rows
        ]
    )


def run_default(data: bytes) -> None:
    import tablib
    from import_export import fields, resources, widgets

    from content.models import Product, Variant

    class ProductResource(resources.ModelResource):
        class Meta:
            model = Product
            import_id_fields = ["slug"]
            fields = ["slug", "name", "option1_name", "option2_name"]

    class VariantResource(resources.ModelResource):
        product = fields.Field(
            attribute="product",
            column_name="product",
            widget=widgets.ForeignKeyWidget(Product, field="slug"),
        )

        class Meta:
            model = Variant
            import_id_fields = ["sku"]
            fields = [
                "product",
                "sku",
                "option1",
                "option2",
                "price",
                "gtin",
                "weight_grams",
                "ncm",
                "active",
            ]

    dataset = tablib.Dataset().load(data.decode(), format="csv", delimiter=";")
    products = tablib.Dataset(headers=["slug", "name", "option1_name", "option2_name"])
    seen = set()
    for row in dataset.dict:
        if row["product_slug"] not in seen:
            seen.add(row["product_slug"])
            products.append(
                [row["product_slug"], row["product_name"], "cor", "tamanho"]
            )
    variants = tablib.Dataset(headers=VariantResource.Meta.fields)
    for row in dataset.dict:
        variants.append(
            [
                row["product_slug"],
                row["sku"],
                row["option1"],
                row["option2"],
                row["price"],
                row["gtin"],
                row["weight_grams"],
                row["ncm"],
                "1",
            ]
        )
    result = ProductResource().import_data(products, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    result = VariantResource().import_data(variants, dry_run=False, raise_errors=True)
    assert not result.has_errors()


METHODS = {"ours": run_ours, "ceiling": run_ceiling, "default": run_default}


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backends_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving ``database`` (a server
    on this machine): with other work on the machine, the CPU each way takes
    varies less than its time."""
    from tests.benchmarks.apibench.load import backends_cpu

    return backends_cpu(database)


def worker(method: str, rows: int) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    import gc

    from django.contrib.auth import get_user_model
    from django.db import connection

    get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    data = generate(rows)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    database = connection.settings_dict["NAME"]
    postgres = connection.vendor == "postgresql"
    cpu = process_cpu()
    db_cpu = backends_cpu(database) if postgres else 0.0
    start = time.perf_counter()
    METHODS[method](data)
    elapsed = time.perf_counter() - start
    cpu = process_cpu() - cpu
    db_cpu = backends_cpu(database) - db_cpu if postgres else 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from content.models import Variant

    assert Variant.objects.count() == rows
    print(  # noqa: T201
        json.dumps(
            {
                "method": method,
                "rows": rows,
                "seconds": round(elapsed, 2),
                "rows_per_second": round(rows / elapsed),
                "peak_rss_mb": round(peak),
                "baseline_rss_mb": round(before),
                "cpu_seconds": round(cpu, 2),
                "database_cpu_seconds": round(db_cpu, 2),
                "vendor": connection.vendor,
            }
        )
    )


# -- orchestration ---------------------------------------------------------------


def database_prefix(database: str) -> str:
    """The names of the benchmark's databases: after the one given (two runs
    on different databases do not collide), ``retaguarda_bench`` for the
    server's maintenance database."""
    name = database.rpartition("/")[2].partition("?")[0]
    return "retaguarda_bench" if name in ("", "postgres") else name


def template_database(database: str | None, workdir: Path) -> dict[str, str]:
    """Migrate once; each run gets a copy (SQLite file or PostgreSQL template)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retaguarda.settings",
        "SECRET_KEY": "benchmark",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "RETAGUARDA_PLUGINS": "",
        "LOG_LEVEL": "WARNING",
    }
    if database and database.startswith("postgres"):
        base, _, _name = database.rpartition("/")
        template = f"{database_prefix(database)}_template"
        env["DATABASE_URL"] = f"{base}/{template}"
        subprocess.run(
            ["psql", database, "-qc", f"DROP DATABASE IF EXISTS {template}"],
            check=True,
        )
        subprocess.run(
            ["psql", database, "-qc", f"CREATE DATABASE {template}"], check=True
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'template.sqlite3'}"
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return env


def fresh_database(
    env: dict[str, str], database: str | None, workdir: Path, n: int
) -> dict:
    env = dict(env)
    if database and database.startswith("postgres"):
        base, _, _name = database.rpartition("/")
        prefix = database_prefix(database)
        name = f"{prefix}_{n}"
        subprocess.run(
            ["psql", database, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True
        )
        subprocess.run(
            [
                "psql",
                database,
                "-qc",
                f"CREATE DATABASE {name} TEMPLATE {prefix}_template",
            ],
            check=True,
        )
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        target = workdir / f"run-{n}.sqlite3"
        shutil.copy(workdir / "template.sqlite3", target)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    return env


def total_cpu(result: dict) -> float:
    return result["cpu_seconds"] + result["database_cpu_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--methods", nargs="+", default=list(METHODS), choices=list(METHODS)
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--worker", choices=list(METHODS))
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.rows[0])
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = template_database(args.database, workdir)
        run = 0
        for rows in args.rows:
            for method in args.methods:
                run += 1
                run_env = fresh_database(env, args.database, workdir, run)
                load = os.getloadavg()[0]
                output = subprocess.run(
                    [sys.executable, __file__, "--worker", method, "--rows", str(rows)],
                    check=True,
                    env=run_env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                )
                result = json.loads(output.stdout.strip().splitlines()[-1])
                results.append(result)
                print(  # noqa: T201
                    f"{result['vendor']:<10} {method:<8} {rows:>7} rows "
                    f"{result['seconds']:>8.2f} s "
                    f"{result['rows_per_second']:>7} rows/s "
                    f"peak {result['peak_rss_mb']:>5} MB "
                    f"cpu {result['cpu_seconds']:>7.2f} s "
                    f"(database {result['database_cpu_seconds']:.2f} s) "
                    f"(load {load:.2f} before)",
                    flush=True,
                )
    lines = [
        "",
        "rows     ours/ceiling  ours/default  ours peak MB  by CPU: ours/ceiling",
    ]
    for rows in args.rows:
        by = {r["method"]: r for r in results if r["rows"] == rows}
        ours = by.get("ours")
        if not ours:
            continue
        ceiling = by.get("ceiling")
        default = by.get("default")
        ratio_c = (
            f"{ours['rows_per_second'] / ceiling['rows_per_second']:.2f}x"
            if ceiling
            else "-"
        )
        ratio_d = (
            f"{ours['rows_per_second'] / default['rows_per_second']:.1f}x"
            if default
            else "-"
        )
        cpu_c = (
            f"{total_cpu(ceiling) / total_cpu(ours):.2f}x"
            if ceiling and total_cpu(ours)
            else "-"
        )
        lines.append(
            f"{rows:<8} {ratio_c:>12}  {ratio_d:>12}  {ours['peak_rss_mb']:>11}"
            f"  {cpu_c:>20}"
        )
    summary = "\n".join(lines)
    print(summary)  # noqa: T201
    REPORTS.mkdir(exist_ok=True)
    vendor = results[0]["vendor"] if results else "none"
    (REPORTS / f"import_catalog-{vendor}.json").write_text(
        json.dumps(results, indent=2)
    )


if __name__ == "__main__":
    main()
