"""Freight quotes benchmark: ``POST /api/v1/logistics/quote/`` over real HTTP.

A fresh database (SQLite file, or PostgreSQL with ``--database``) with the
``orders``, ``stock`` and ``logistics`` plugins, a storefront channel, a
catalog of ``--products`` products (one variant each, with weight and
dimensions, stocked in one warehouse), a shipping origin for that warehouse
and a freight table of ``--rates`` rows (50,000 by default): 3 table
carriers × 2 services, each service's rows being destination CEP ranges ×
10 weight bands. Served by gunicorn (2 sync workers), loaded by ``wrk``
(Debian's ``wrk``) with a Lua script that posts carts of 1–5 lines:

1. **uncached**: every request a random cart (1–5 random SKUs, 1–3 units
   each) to a random CEP, so the quote cache practically never hits;
2. **cached**: 20 fixed carts and CEPs, quoted once before the run.

Prints requests/s, p50/p99 latency and error counts for both, and the query
count of one quote (uncached) for carts of 1 and of 5 lines, which must be
equal. Targets: ≥ 300 quotes/s uncached, p99 < 100 ms. Figures also go to
``tests/benchmarks/reports/logistics_quotes-<vendor>.json``.

Usage: python tests/benchmarks/logistics_quotes.py [--rates 50000]
       [--products 500] [--seconds 15] [--connections 8] [--threads 2]
       [--database postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.apibench.load import (  # noqa: E402  (no Django)
    gunicorn,
    machine_cpu,
    tree_cpu,
)
from tests.benchmarks.harness import migrated_database  # noqa: E402

REPORTS = Path(__file__).resolve().parent / "reports"
PLUGINS = "orders,stock,logistics"
SERVICES_PER_CARRIER = 2
CARRIERS = 3
BANDS = 10
QUOTE = "/api/v1/logistics/quote/"


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# -- inside the app (a subprocess with django.setup()) ---------------------------------


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


def setup_worker(options: dict) -> dict:
    from decimal import Decimal

    from api.services import create_api_key
    from content.models import Product, Variant
    from plugins.logistics.models import (
        Carrier,
        CarrierService,
        FreightRate,
        ShippingOrigin,
    )
    from plugins.orders.models import SalesChannel
    from plugins.stock.models import StockLevel, Warehouse

    rng = random.Random(20)
    SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    warehouse = Warehouse.objects.create(code="SP-01", name="CD São Paulo")
    skus = []
    for i in range(options["products"]):
        sku = f"SKU-{i:05d}"
        product = Product(name=f"Produto {i}", slug=f"produto-{i}", live=True)
        product.variants = [
            Variant(
                sku=sku,
                price=Decimal(rng.randrange(990, 29990)) / 100,
                weight_grams=rng.randrange(100, 4000),
                length_cm=Decimal(rng.randrange(10, 60)),
                width_cm=Decimal(rng.randrange(10, 40)),
                height_cm=Decimal(rng.randrange(2, 30)),
            )
        ]
        product.save()
        skus.append(sku)
    StockLevel.objects.bulk_create(
        StockLevel(variant=v, warehouse=warehouse, on_hand=1000)
        for v in Variant.objects.all()
    )
    ShippingOrigin.objects.create(
        code="sp-01",
        name="CD São Paulo",
        warehouse_code="SP-01",
        sender_name="Loja",
        cep="01310-100",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        uf="SP",
        is_default=True,
    )
    services = []
    for c in range(CARRIERS):
        carrier = Carrier.objects.create(
            code=f"transp-{c}", name=f"Transportadora {c}", kind="table"
        )
        for s in range(SERVICES_PER_CARRIER):
            services.append(
                CarrierService.objects.create(
                    carrier=carrier,
                    code=f"S{s}",
                    name=f"Serviço {s}",
                    ad_valorem_percent=Decimal("0.300"),
                    gris_percent=Decimal("0.100"),
                    extra_per_kg=Decimal("3.50"),
                    min_price=Decimal("8.00"),
                )
            )
    ranges = max(options["rates"] // (len(services) * BANDS), 1)
    low, high = 1_000_000, 99_999_999
    step = (high - low + 1) // ranges
    band = 30_000 // BANDS
    rows = []
    for service in services:
        for r in range(ranges):
            start = low + r * step
            end = high if r == ranges - 1 else start + step - 1
            for b in range(BANDS):
                rows.append(
                    FreightRate(
                        service=service,
                        origin_start=low,
                        origin_end=high,
                        destination_start=start,
                        destination_end=end,
                        weight_from_g=0 if b == 0 else b * band + 1,
                        weight_to_g=(b + 1) * band,
                        price=Decimal(rng.randrange(1000, 9000)) / 100,
                        days=rng.randrange(1, 12),
                    )
                )
    FreightRate.objects.bulk_create(rows, batch_size=5000)
    _key, secret = create_api_key(
        name="Benchmark",
        scopes=["logistics:quote"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    return {"key": secret, "skus": skus, "rates": FreightRate.objects.count()}


def count_worker(options: dict) -> dict:
    """Queries of one uncached quote through the API (a CEP not quoted
    before), for carts of 1 and 5 lines, after a warm-up request (which
    reads the carriers, origins and rules once), and how many options each
    answered."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Api-Key {options['key']}")
    skus = options["skus"]

    def post(cep: str, size: int):
        body = {
            "destination_cep": cep,
            "lines": [{"sku": sku, "quantity": 2} for sku in skus[:size]],
        }
        return client.post(QUOTE, body, content_type="application/json")

    assert post("20040020", 3).status_code == 200  # warm
    result = {}
    for size, cep in ((1, "30140071"), (5, "40020000")):
        with CaptureQueriesContext(connection) as queries:
            response = post(cep, size)
        result[f"queries_{size}"] = len(queries)
        result[f"options_{size}"] = len(response.json().get("options", []))
    result["vendor"] = connection.vendor
    return result


# -- orchestration -------------------------------------------------------------------


def base_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retaguarda.settings",
        "SECRET_KEY": "benchmark",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "RETAGUARDA_PLUGINS": PLUGINS,
        "LOG_LEVEL": "WARNING",
        # carriers' credentials are encrypted at rest: a key of this run's own
        "RETAGUARDA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


def in_app(env: dict[str, str], mode: str, options: dict) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", mode, json.dumps(options)],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def lua_script(key: str, skus: list[str], bodies: list[str] | None) -> str:
    """wrk's script: POST random carts (``bodies`` None) or cycle through
    ``bodies``; report the summary as JSON."""
    head = f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Api-Key {key}"
"""
    if bodies is None:
        sku_list = ",".join(f'"{s}"' for s in skus)
        body = f"""
local skus = {{{sku_list}}}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
init = function(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end
request = function()
  local n = math.random(1, 5)
  local lines = {{}}
  for i = 1, n do
    lines[i] = string.format('{{"sku":"%s","quantity":%d}}',
      skus[math.random(#skus)], math.random(1, 3))
  end
  local cep = string.format("%08d", math.random(1000000, 99999999))
  return wrk.format(nil, "{QUOTE}", nil, string.format(
    '{{"destination_cep":"%s","lines":[%s]}}', cep, table.concat(lines, ",")))
end
"""
    else:
        encoded = ",".join(json.dumps(b) for b in bodies)
        body = f"""
local bodies = {{{encoded}}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "{QUOTE}", nil, bodies[i])
end
"""
    report = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "socket_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max))
end
"""
    return head + body + report


def run_wrk(port: int, script: str, args, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                file.name,
                f"http://127.0.0.1:{port}{QUOTE}",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(file.name)
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    result = json.loads(line[4:])
    result["requests_per_second"] = round(
        result["requests"] / (result["duration_us"] / 1e6), 1
    )
    return result


def post(port: int, key: str, body: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{QUOTE}",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Api-Key {key}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        json.loads(response.read())
        return response.status


def fixed_bodies(skus: list[str], count: int = 20) -> list[str]:
    rng = random.Random(7)
    bodies = []
    for _ in range(count):
        lines = [
            {"sku": rng.choice(skus), "quantity": rng.randint(1, 3)}
            for _ in range(rng.randint(1, 5))
        ]
        cep = f"{rng.randrange(1_000_000, 99_999_999):08d}"
        bodies.append(json.dumps({"destination_cep": cep, "lines": lines}))
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database")
    parser.add_argument("--worker", nargs=2)
    args = parser.parse_args()
    if args.worker:
        _setup_django()
        mode, options = args.worker[0], json.loads(args.worker[1])
        worker = {"setup": setup_worker, "count": count_worker}[mode]
        say(json.dumps(worker(options)))
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian package wrk).")
    workdir = Path(tempfile.mkdtemp(prefix="bench-quotes-"))
    try:
        started = time.monotonic()
        env = migrated_database(base_env(), args.database, workdir, "quotes")
        data = in_app(env, "setup", {"rates": args.rates, "products": args.products})
        say(
            f"data: {data['rates']} freight rows, {len(data['skus'])} products "
            f"({time.monotonic() - started:.0f} s to build)"
        )
        counts = in_app(env, "count", {"key": data["key"], "skus": data["skus"]})
        say(
            f"queries per uncached quote: {counts['queries_1']} (1 line), "
            f"{counts['queries_5']} (5 lines); options "
            f"{counts['options_1']}/{counts['options_5']}"
        )
        results = {"counts": counts, "rates": data["rates"], "args": vars(args)}
        with gunicorn(env, workers=args.workers, log=workdir / "gunicorn.log") as (
            port,
            process,
        ):
            bodies = fixed_bodies(data["skus"])
            for body in bodies * 2:  # each worker's cache, warm
                post(port, data["key"], body)
            random_script = lua_script(data["key"], data["skus"], None)
            run_wrk(port, random_script, args, 3)  # warm-up
            for case, script in (
                ("uncached", random_script),
                ("cached", lua_script(data["key"], data["skus"], bodies)),
            ):
                cpu_before, (busy_before, total_before) = (
                    tree_cpu(process.pid),
                    machine_cpu(),
                )
                result = run_wrk(port, script, args, args.seconds)
                busy, total = machine_cpu()
                cpu = tree_cpu(process.pid) - cpu_before
                result["app_cpu_ms_per_quote"] = round(
                    1000 * cpu / max(result["requests"], 1), 2
                )
                # the rate two cores would serve if the app had them alone
                result["quotes_per_second_per_2_cores"] = round(
                    2000 / max(result["app_cpu_ms_per_quote"], 0.01), 1
                )
                result["other_load"] = round(
                    max((busy - busy_before) - cpu, 0) / max(total - total_before, 1),
                    2,
                )
                results[case] = result
                say(
                    f"{case:>9}: {result['requests_per_second']:8.1f} quotes/s, "
                    f"p50 {result['p50_us'] / 1000:6.1f} ms, "
                    f"p99 {result['p99_us'] / 1000:6.1f} ms, "
                    f"errors {result['status_errors']} status / "
                    f"{result['socket_errors']} socket / {result['timeouts']} timeouts"
                )
                say(
                    f"{'':>9}  app CPU {result['app_cpu_ms_per_quote']} ms/quote "
                    f"(≈ {result['quotes_per_second_per_2_cores']} quotes/s on 2 "
                    f"idle cores); other processes took "
                    f"{result['other_load']:.0%} of the machine"
                )
        uncached = results["uncached"]
        checks = {
            "uncached ≥ 300 quotes/s": uncached["requests_per_second"] >= 300,
            "uncached p99 < 100 ms": uncached["p99_us"] < 100_000,
            "queries equal for 1 and 5 lines": counts["queries_1"]
            == counts["queries_5"],
        }
        results["checks"] = checks
        results["cached_over_uncached"] = round(
            results["cached"]["requests_per_second"]
            / max(uncached["requests_per_second"], 0.1),
            1,
        )
        say(f"cached / uncached: {results['cached_over_uncached']}×")
        for name, ok in checks.items():
            say(f"  {'ok  ' if ok else 'MISS'} {name}")
        REPORTS.mkdir(exist_ok=True)
        report = REPORTS / f"logistics_quotes-{counts['vendor']}.json"
        report.write_text(json.dumps(results, indent=2))
        say(f"report: {report.relative_to(ROOT)}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
