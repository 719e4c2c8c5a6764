"""NF-e build benchmark.

Builds, validates against the official XSD and signs NF-e of 10 lines (regime
normal, CST 00 with PIS, COFINS and the IBS/CBS groups, freight and a
discount) on one core, and prints documents per second (target ≥ 50/s) and
the time of each stage per document:

  build      the neutral data to nfelib's bindings, the access key, totals
  serialise  the bindings to an lxml tree (plugins.fiscal.bindings)
  validate   against nfe_v4.00.xsd, parsed once and kept
  sign       XMLDSig RSA-SHA1 over infNFe, serialised once

Side by side in the same run, what those stages cost done the default way:
xsdata's own serializer for the bindings, and nfelib's ``schema_validation``
(which parses the XSD at every call); and the whole document built that way.
Then the signed cancellation event, for scale.

Usage: python tests/benchmarks/fiscal_build.py [--documents 500] [--rounds 3]
       [--cpu N]  (pins the process to CPU N)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "site", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

REPORTS = Path(__file__).resolve().parent / "reports"
TARGET = 50  # documents per second
LINES = 10
ISSUED_AT = dt.datetime(2026, 8, 3, 14, 30, tzinfo=dt.UTC)
CNPJ = "11222333000181"


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()


def emitter():
    from plugins.fiscal.models import Emitter

    return Emitter(
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
    )


def document(number: int):
    """A sale of 10 lines to a consumer in Campinas, paid by Pix."""
    from plugins.fiscal import nfe
    from plugins.fiscal.taxation import LineTaxes, ReformTaxes, TaxInput

    D = Decimal
    lines = []
    total = D(0)
    for index in range(LINES):
        quantity = D(1 + index % 3)
        price = D("19.90") + index * 10
        discount = D("1.00") * (index % 2)
        freight = D("1.50")
        value = price * quantity - discount
        item = TaxInput(
            sku=f"SKU-{index:04d}",
            ncm="61091000",
            origin="0",
            quantity=quantity,
            unit_price=price,
            total=value,
            discount=discount,
            freight=freight,
            gtin="7891234567895" if index % 2 else "",
            description=f"Camiseta básica modelo {index} – algodão",
        )
        base = value + freight
        icms = (base * D("0.18")).quantize(D("0.01"))
        rest = base - icms
        taxes = LineTaxes(
            cfop="5102",
            icms_cst="00",
            icms_base=base,
            icms_rate=D("18"),
            icms_value=icms,
            pis_cst="01",
            pis_base=rest,
            pis_rate=D("1.65"),
            pis_value=(rest * D("0.0165")).quantize(D("0.01")),
            cofins_cst="01",
            cofins_base=rest,
            cofins_rate=D("7.6"),
            cofins_value=(rest * D("0.076")).quantize(D("0.01")),
            reform=ReformTaxes(
                cst="000",
                classification="000001",
                base=base,
                ibs_state_rate=D("0.1"),
                ibs_state_value=(base * D("0.001")).quantize(D("0.01")),
                ibs_city_rate=D("0"),
                ibs_city_value=D("0"),
                cbs_rate=D("0.9"),
                cbs_value=(base * D("0.009")).quantize(D("0.01")),
            ),
        )
        lines.append(nfe.Line(item, taxes))
        total += base
    return nfe.NFeData(
        emitter=emitter(),
        recipient=nfe.Recipient(
            name="Maria da Silva",
            document="52998224725",
            address=nfe.Address(
                street="Rua Barão de Jaguara",
                number="1000",
                district="Centro",
                city="Campinas",
                uf="SP",
                cep="13015-001",
            ),
            email="maria@example.com",
        ),
        lines=lines,
        number=number,
        series=1,
        issued_at=ISSUED_AT,
        transport=nfe.Transport(mode=nfe.FreightMode.SENDER),
        payments=[nfe.Payment(kind=nfe.PaymentKind.PIX, amount=total)],
        additional_info=f"Pedido {number}.",
    )


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (Linux /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(f) for f in fields]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(function, count: int) -> tuple[float, float]:
    """Wall and CPU seconds per call of ``function(i)`` over ``count`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(count):
        function(index)
    return (
        (time.perf_counter() - wall) / count,
        (time.process_time() - cpu) / count,
    )


def measure(documents: int, certificate) -> dict:
    from lxml import etree
    from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    from plugins.fiscal import events, keys, nfe, signing, xsd

    data = [document(1000 + i) for i in range(documents)]
    drafts = [nfe.prepare(d) for d in data]
    trees = [draft.tree() for draft in drafts]
    texts = [etree.tostring(tree, encoding="utf-8") for tree in trees]
    xsdata = XmlSerializer(config=SerializerConfig(indent="", xml_declaration=False))
    namespace = {None: xsd.NS}

    def whole(i):
        nfe.build_nfe(data[i], certificate=certificate)

    def default_way(i):
        # xsdata's serializer, nfelib's validation (the XSD parsed each time)
        draft = nfe.prepare(data[i])
        text = xsdata.render(draft.binding, ns_map=namespace)
        tree = etree.fromstring(text.encode())
        placeholder = etree.fromstring(xsd._PLACEHOLDER.encode())
        tree.append(placeholder)
        errors = Nfe.schema_validation(etree.tostring(tree, encoding="unicode"))
        assert not errors, errors
        tree.remove(placeholder)
        signing.sign(
            etree.tostring(tree),
            reference_id=draft.reference_id,
            certificate=certificate,
        )

    def default_validation(i):
        tree = trees[i]
        placeholder = etree.fromstring(xsd._PLACEHOLDER.encode())
        tree.append(placeholder)
        assert not Nfe.schema_validation(etree.tostring(tree, encoding="unicode"))
        tree.remove(placeholder)

    key = str(
        keys.make_key(
            uf="SP",
            issued_at=ISSUED_AT,
            cnpj=CNPJ,
            series=1,
            number=1000,
            numeric_code="48261930",
        )
    )

    def cancellation(i):
        events.cancellation(
            emitter=data[i].emitter,
            access_key=key,
            protocol="135260000012345",
            justification="Cliente desistiu da compra antes do envio",
            issued_at=ISSUED_AT,
            certificate=certificate,
        )

    # warm up: the XSD parsed and kept, the binding plans made
    for i in range(min(20, documents)):
        whole(i)
        default_way(i)
    stages = {
        "build": timed(lambda i: nfe.prepare(data[i]), documents),
        "serialise": timed(lambda i: drafts[i].tree(), documents),
        "validate": timed(
            lambda i: xsd.validate(trees[i], xsd.NFE, signed=False), documents
        ),
        "sign": timed(
            lambda i: signing.sign(
                texts[i], reference_id=drafts[i].reference_id, certificate=certificate
            ),
            documents,
        ),
    }
    whole_time = timed(whole, documents)
    few = max(documents // 10, 20)
    return {
        "stages": stages,
        "whole": whole_time,
        "xsdata_serialise": timed(
            lambda i: xsdata.render(drafts[i].binding, ns_map=namespace), documents
        ),
        "nfelib_validate": timed(default_validation, few),
        "default_way": timed(default_way, few),
        "cancellation": timed(cancellation, min(documents, 200)),
        "bytes": len(texts[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    setup()
    from plugins.fiscal import certificates

    password = "benchmark"
    certificate = certificates.load(
        certificates.generate(CNPJ, "Loja Exemplo", password=password), password
    )
    load = os.getloadavg()[0]
    busy, wall, own = machine_busy(), time.perf_counter(), time.process_time()
    rounds = [measure(args.documents, certificate) for _ in range(args.rounds)]
    wall = time.perf_counter() - wall
    other = (machine_busy() - busy - (time.process_time() - own)) / wall

    def median(pick) -> tuple[float, float]:
        values = [pick(r) for r in rounds]
        return (
            statistics.median(v[0] for v in values),
            statistics.median(v[1] for v in values),
        )

    whole = median(lambda r: r["whole"])
    rate, rate_cpu = 1 / whole[0], 1 / whole[1]
    stages = {
        name: median(lambda r, n=name: r["stages"][n]) for name in rounds[0]["stages"]
    }
    xsdata = median(lambda r: r["xsdata_serialise"])
    nfelib_validate = median(lambda r: r["nfelib_validate"])
    default_way = median(lambda r: r["default_way"])
    cancellation = median(lambda r: r["cancellation"])
    ms = 1000
    lines = [
        f"NF-e of {LINES} lines ({rounds[0]['bytes']:,} bytes unsigned), one process "
        f"on one core, median of {args.rounds} rounds × {args.documents} documents; "
        f"load average before {load:.2f}, other processes took {other:.2f} cores "
        f"of {os.cpu_count()} meanwhile",
        f"  build + validate + sign: {rate:,.0f} documents/s "
        f"({whole[0] * ms:.2f} ms each; by CPU time {rate_cpu:,.0f}/s) — target ≥ "
        f"{TARGET}/s: {rate / TARGET:.1f}× the target",
    ]
    for name, (wall, cpu_time) in stages.items():
        lines.append(
            f"    {name:<10} {wall * ms:6.2f} ms  (CPU {cpu_time * ms:6.2f} ms)"
        )
    lines += [
        "  side by side, the default way:",
        f"    serialise with xsdata's serializer {xsdata[0] * ms:6.2f} ms "
        f"vs ours {stages['serialise'][0] * ms:.2f} ms: "
        f"{xsdata[0] / stages['serialise'][0]:.1f}× slower",
        f"    validate with nfelib (XSD parsed each time) "
        f"{nfelib_validate[0] * ms:6.2f} ms vs cached {stages['validate'][0] * ms:.2f}"
        f" ms: {nfelib_validate[0] / stages['validate'][0]:.0f}× slower",
        f"    whole document that way: {1 / default_way[0]:,.0f} documents/s "
        f"({default_way[0] * ms:.2f} ms): ours is {default_way[0] / whole[0]:.1f}× "
        "faster",
        f"  cancellation event (build + validate + sign): "
        f"{1 / cancellation[0]:,.0f} events/s ({cancellation[0] * ms:.2f} ms)",
    ]
    print("\n".join(lines))  # noqa: T201
    REPORTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (REPORTS / f"fiscal_build-{stamp}.json").write_text(
        json.dumps(
            {
                "documents_per_second": rate,
                "documents_per_cpu_second": rate_cpu,
                "stages_ms": {k: v[0] * ms for k, v in stages.items()},
                "xsdata_serialise_ms": xsdata[0] * ms,
                "nfelib_validate_ms": nfelib_validate[0] * ms,
                "default_way_documents_per_second": 1 / default_way[0],
                "cancellations_per_second": 1 / cancellation[0],
                "load_before": load,
                "other_cores": other,
                "rounds": rounds,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
