"""Reconciliation benchmark.

Builds a fresh database with open receivables and one bank account's
statement and settlement lines in a realistic mix, then reconciles the
account (``plugins.finance.services.reconciliation.reconcile``) in a fresh
process and prints lines/s and the peak memory of that process; then
reconciles the same lines again (nothing left to match but the lines no
title explains) and prints the time it took.

The mix, for ``--lines`` N (100,000 by default; the shares are those of
100,000):

  id          50%  settlement rows naming the card payment and installment
  reference   20%  Pix txid, boleto nosso número (zero-padded) or order
                   number in the description
  amount      20%  the amount of one title due within the window of days
  batch        1%  one payout for 10 receivables of a provider account due
                   that day, 0.5% short (the acquirer's fee)
  partial      6%  two payments of half a title each, by reference
  unmatched    3%  bank fees, transfers: no title explains them

Usage: python tests/benchmarks/reconciliation.py [--lines 100000]
       [--database-url postgres://postgres@127.0.0.1:5432/postgres]
       [--skip-sqlite]
Targets: ≥ 5,000 lines/s, < 500 MB peak, the second run under a second.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import harness  # noqa: E402  (no Django)
from tests.benchmarks.harness import migrated_database  # noqa: E402

REPORTS = Path(__file__).resolve().parent / "reports"
PLUGINS = "orders,finance"
START = datetime.date(2026, 1, 5)
DAYS = 50
ACQUIRERS = 20
ORDER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def order_number(i: int) -> str:
    chars = []
    for _ in range(8):
        i, digit = divmod(i, len(ORDER_ALPHABET))
        chars.append(ORDER_ALPHABET[digit])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


# -- inside the app ------------------------------------------------------------------


def generate(lines: int) -> dict:
    """Write the receivables and the account's lines; return the counts."""
    from decimal import Decimal as D

    from django.utils import timezone

    from plugins.finance.models import (
        BankAccount,
        Provider,
        ProviderAccount,
        Receivable,
        StatementLine,
    )
    from plugins.orders.models import Order, SalesChannel

    scale = lines / 100_000
    n_id = int(50_000 * scale)
    n_ref = int(20_000 * scale)
    n_amount = int(20_000 * scale)
    n_batch = int(1_000 * scale)
    n_partial = int(3_000 * scale)  # titles; two lines each
    n_unmatched = lines - n_id - n_ref - n_amount - n_batch - 2 * n_partial

    bank = BankAccount.objects.create(
        name="Banco", bank_code="341", agency="0001", number="1-0"
    )
    card = ProviderAccount.objects.create(
        name="Cartões", provider=Provider.MERCADO_PAGO, access_token="t"
    )
    acquirers = [
        ProviderAccount.objects.create(
            name=f"Adquirente {a}", provider=Provider.PAGBANK, access_token="t"
        )
        for a in range(ACQUIRERS)
    ]
    channel = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    titles: list[Receivable] = []
    rows: list[StatementLine] = []

    def due(i: int) -> datetime.date:
        return START + datetime.timedelta(days=i % DAYS)

    def title(net_cents: int, day: datetime.date, **kw) -> None:
        net = D(net_cents) / 100
        titles.append(Receivable(gross=net, net=net, due_date=day, **kw))

    def line(amount_cents: int, day: datetime.date, **kw) -> None:
        rows.append(
            StatementLine(
                account=bank,
                amount=D(amount_cents) / 100,
                date=day,
                fingerprint=f"bench-{len(rows)}",
                **kw,
            )
        )

    # 1. the provider's transaction id and installment (settlement report)
    for i in range(n_id):
        payment, installment = divmod(i, 2)
        ref = f"{7_000_000_000 + payment}"
        cents = 2_000 + (i * 37) % 90_000
        day = due(i)
        title(
            cents,
            day,
            kind="card",
            account=card,
            reference=ref,
            installment=installment + 1,
            installments=2,
        )
        line(
            cents, day, source="settlement", reference=ref, installment=installment + 1
        )

    # 2. a reference in the description: Pix txid, nosso número, order number
    orders = []
    placed = timezone.now()
    for i in range(n_ref):
        cents = 1_550 + (i * 53) % 70_000
        day = due(i)
        if i % 4 < 2:
            txid = f"E{i:031d}X"
            title(cents, day, kind="pix", reference=txid)
            line(cents, day, source="ofx", description=f"PIX RECEBIDO {txid}")
        elif i % 4 == 2:
            nosso = f"{40_000_000 + i}"
            title(
                cents, day + datetime.timedelta(days=-1), kind="boleto", reference=nosso
            )
            line(cents, day, source="cnab", description=f"LIQ BOLETO NN {nosso:0>17}")
        else:
            number = order_number(1_000_000 + i)
            total = D(cents) / 100
            orders.append(
                Order(
                    number=number,
                    channel=channel,
                    customer_name="Cliente",
                    subtotal=total,
                    total=total,
                    placed_at=placed,
                )
            )
            titles.append(
                Receivable(
                    kind="manual",
                    gross=total,
                    net=total,
                    due_date=day,
                    channel=channel,
                    order_id=None,
                    reference="",
                )
            )
            titles[-1]._order_number = number
            line(cents, day, source="ofx", description=f"TED PEDIDO {number} CLIENTE")

    # 3. amount and date (cents .10/.21/.32: at least 11 centavos apart)
    for i in range(n_amount):
        cents = 1_000 + (i // 3) * 100 + 10 + (i % 3) * 11
        day = due(i)
        title(cents, day, kind="manual")
        line(
            cents,
            day + datetime.timedelta(days=i % 3),
            source="ofx",
            description="DEPOSITO",
        )

    # 4. batch payouts: 10 receivables of an acquirer due that day (parts
    # ending in .50), paid 0.5% short with the payout ending in .75
    for b in range(n_batch):
        acquirer, day_index = divmod(b, DAYS) if n_batch >= DAYS else (b, b)
        acquirer %= ACQUIRERS
        day = due(day_index)
        total_reais = int(5_000 * 1.03 ** (acquirer * 7 + day_index % 7))
        part = max(total_reais // 10, 1)
        for _k in range(10):
            title(part * 100 + 50, day, kind="card", account=acquirers[acquirer])
        total = (part * 100 + 50) * 10
        payout = (total * 995 // 1000) // 100 * 100 + 75
        line(
            payout,
            day + datetime.timedelta(days=1),
            source="ofx",
            description="REPASSE",
        )

    # 5. partial payments: two halves of a title, a day apart, by reference
    for i in range(n_partial):
        half = 3_000 + (i * 17) % 40_000
        ref = f"PARC{i:08d}"
        day = due(i)
        title(half * 2, day, kind="boleto", reference=ref)
        line(half, day, source="ofx", reference=ref, description="PAGAMENTO PARCIAL")
        line(half, day + datetime.timedelta(days=1), source="ofx", reference=ref)

    # 6. unmatched: fees and transfers no title explains
    for i in range(n_unmatched):
        cents = 160 + (i * 7) % 840
        line(
            -cents if i % 2 else cents,
            due(i),
            source="ofx",
            description="TARIFA" if i % 2 else "TRANSF MESMA TITULARIDADE",
        )

    Order.objects.bulk_create(orders, batch_size=2000)
    by_number = dict(Order.objects.values_list("number", "pk"))
    for receivable in titles:
        number = getattr(receivable, "_order_number", None)
        if number:
            receivable.order_id = by_number[number]
    Receivable.objects.bulk_create(titles, batch_size=2000)
    StatementLine.objects.bulk_create(rows, batch_size=2000)
    return {
        "lines": len(rows),
        "receivables": len(titles),
        "expected_unmatched": n_unmatched,
        "mix": {
            "id": n_id,
            "reference": n_ref,
            "amount": n_amount,
            "batch": n_batch,
            "partial": 2 * n_partial,
            "unmatched": n_unmatched,
        },
    }


def run(_options) -> dict:
    from django.db import connection

    from plugins.finance.models import BankAccount, Receivable, StatementLine
    from plugins.finance.services.reconciliation import reconcile

    bank = BankAccount.objects.get()
    start = time.perf_counter()
    result = reconcile(bank)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "vendor": connection.vendor,
        "seconds": round(elapsed, 2),
        "lines": result.lines,
        "lines_per_second": round(result.lines / elapsed) if elapsed else None,
        "peak_rss_mb": round(peak),
        "result": result.as_dict(),
        "lines_unmatched": StatementLine.objects.filter(status="unmatched").count(),
        "receivables_open": Receivable.objects.filter(
            status__in=("open", "partial")
        ).count(),
    }


def worker(mode: str, options: dict) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if mode == "generate":
        output = generate(options["lines"])
    else:
        output = run(options)
        output["baseline_rss_mb"] = round(before)
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
    }
    return migrated_database(env, database, workdir, "reconciliation")


def in_app(env: dict[str, str], mode: str, **options) -> dict:
    return harness.in_app(__file__, env, mode, **options)


def bench(database: str | None, lines: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        env = fresh_database(database, Path(workdir))
        data = in_app(env, "generate", lines=lines)
        first = in_app(env, "run")
        second = in_app(env, "run")
    return {"data": data, "first": first, "second": second}


def report(name: str, figures: dict) -> list[str]:
    first, second, data = figures["first"], figures["second"], figures["data"]
    return [
        f"{name}: {data['lines']:,} lines, {data['receivables']:,} open receivables",
        f"  first run:  {first['seconds']:.2f} s, {first['lines_per_second']:,} lines/s"
        f" (target ≥ 5,000), peak {first['peak_rss_mb']} MB"
        f" (process at start {first['baseline_rss_mb']} MB; target < 500 MB)",
        f"  matched per rule: {first['result']['rules']}"
        f"; left {first['lines_unmatched']:,} lines"
        f" (expected {data['expected_unmatched']:,}),"
        f" {first['receivables_open']:,} receivables open",
        f"  second run: {second['seconds']:.2f} s over {second['lines']:,} lines"
        f" still to reconcile, {second['result']['matched']} matched (target < 1 s)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
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
        results["SQLite"] = bench(None, args.lines)
    if args.database_url:
        results["PostgreSQL"] = bench(args.database_url, args.lines)
    lines = []
    for name, figures in results.items():
        lines.extend(report(name, figures))
    print("\n".join(lines))  # noqa: T201
    REPORTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (REPORTS / f"reconciliation-{stamp}.json").write_text(
        json.dumps(results, indent=2, default=str)
    )


if __name__ == "__main__":
    main()
