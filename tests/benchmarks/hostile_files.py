"""Hostile import files benchmark.

Runs every file of the hostile corpus (tests/plugins/importing/hostile.py)
through the check (dry run) of every importer the enabled plugins register,
each in a fresh process, and prints the time to the refusal and the peak
memory of the process; then a genuine 200,000-row catalog workbook (XLSX)
through the same check, which must pass: the limits that refuse the ZIP bomb
do not refuse a large honest file.

Targets: each hostile file refused in under 2 s and under 200 MB (the
memory the check adds to the process, whose baseline holds Django and the
corpus).

Usage: python tests/benchmarks/hostile_files.py [--database DATABASE_URL]
       [--genuine-rows 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from tests.benchmarks.import_catalog import (  # noqa: E402
    fresh_database,
    template_database,
)
from tests.plugins.importing.hostile import SAMPLES  # noqa: E402


def genuine_workbook(rows: int) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(
        ["product_slug", "product_name", "sku", "option1_name", "option1", "price"]
    )
    for i in range(rows):
        sheet.append(
            [
                f"produto-{i // 4}",
                f"Produto {i // 4}",
                f"SKU-{i:07d}",
                "tamanho",
                ("P", "M", "G", "GG")[i % 4],
                f"{19 + i % 300},90",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def worker(importer_key: str, case: str, genuine_rows: int) -> None:
    sys.path[:0] = [str(ROOT / "site")]
    import django

    django.setup()
    import gc

    from django.contrib.auth import get_user_model

    from plugins.importing.base import get_importer
    from plugins.importing.engine import run
    from tests.plugins.importing.hostile import corpus

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    if case == "genuine":
        name, data, expected = "genuino.xlsx", genuine_workbook(genuine_rows), ""
    else:
        header, row = SAMPLES[importer_key]
        hostile = next(h for h in corpus(header, row) if h.name == case)
        name, data, expected = hostile.name, hostile.data, hostile.message
    importer = get_importer(importer_key)(user, {})
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    report = run(importer, data, name=name, dry_run=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    message = report.file_error or "; ".join(e["message"] for e in report.errors[:1])
    if case == "genuine":
        refused = bool(report.file_error or report.error_count)
        ok = not refused and report.valid_rows == genuine_rows
    else:
        ok = expected in message
    print(  # noqa: T201
        json.dumps(
            {
                "importer": importer_key,
                "file": name,
                "bytes": len(data),
                "seconds": round(elapsed, 3),
                "peak_rss_mb": round(peak),
                "growth_mb": round(peak - before),
                "ok": ok,
                "message": message[:90],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--genuine-rows", type=int, default=200_000)
    parser.add_argument("--worker", nargs=2, metavar=("IMPORTER", "CASE"))
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, args.genuine_rows)
        return
    from tests.plugins.importing.hostile import corpus

    cases = [
        (key, hostile.name)
        for key, (header, row) in SAMPLES.items()
        # the test plugin's and the finance plugin's are not enabled here
        if key not in ("shelves.shelves", "finance.settlement")
        for hostile in corpus(header, row)
    ] + [("content.catalog", "genuine")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = template_database(args.database, workdir)
        env["RETAGUARDA_PLUGINS"] = "orders,stock"
        for n, (key, case) in enumerate(cases, start=1):
            run_env = fresh_database(env, args.database, workdir, n)
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    key,
                    case,
                    "--genuine-rows",
                    str(args.genuine_rows),
                ],
                env=run_env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if output.returncode:
                print(output.stderr[-2000:])  # noqa: T201
                continue
            result = json.loads(output.stdout.strip().splitlines()[-1])
            results.append(result)
            print(  # noqa: T201
                f"{result['importer']:16} {result['file']:26} {result['bytes']:>10,} B "
                f"{result['seconds']:>7.3f} s  peak {result['peak_rss_mb']:>4} MB "
                f"(+{result['growth_mb']:>4} MB)  {'ok' if result['ok'] else 'FAILED'}"
                f"  {result['message']}"
            )
    hostile = [r for r in results if r["file"] != "genuino.xlsx"]
    if hostile:
        print(  # noqa: T201
            f"\nhostile files: slowest {max(r['seconds'] for r in hostile):.3f} s "
            f"(target < 2 s), largest memory growth while reading "
            f"{max(r['growth_mb'] for r in hostile)} MB (target < 200 MB; the "
            f"process's baseline holds Django and the whole corpus), all refused "
            f"as expected: "
            f"{all(r['ok'] for r in hostile)}"
        )


if __name__ == "__main__":
    main()
