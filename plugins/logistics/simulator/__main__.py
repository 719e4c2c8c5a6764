"""``python -m plugins.logistics.simulator [VENDOR ...] [--webhook-url URL]``:
run the carriers' simulators for the demo (Ctrl-C stops them). Without a
vendor, both: Correios on port 8811, the aggregator on 8812."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    import django

    # The simulators speak in the app's tracking statuses: the project's
    # settings (from the project's root, like manage.py).
    site = Path(__file__).resolve().parents[3] / "site"
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.settings")
    django.setup()

    from . import DEMO_PORTS, DEMO_WEBHOOK_SECRET, VENDORS, build

    parser = argparse.ArgumentParser(prog="python -m plugins.logistics.simulator")
    parser.add_argument(
        "vendors", nargs="*", metavar="VENDOR", help=f"{' or '.join(VENDORS)}"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=None, help="with one vendor: its port"
    )
    parser.add_argument(
        "--webhook-url",
        default="",
        help="where tracking pushes go (the carrier's webhook address)",
    )
    parser.add_argument("--webhook-secret", default=DEMO_WEBHOOK_SECRET)
    parser.add_argument(
        "--webhook-delay", type=float, default=1.0, help="seconds before a push"
    )
    options = parser.parse_args(argv)
    vendors = options.vendors or list(VENDORS)
    unknown = set(vendors) - set(VENDORS)
    if unknown:
        parser.error(f"unknown vendors: {', '.join(sorted(unknown))}")
    running = []
    for vendor in vendors:
        port = options.port if options.port is not None and len(vendors) == 1 else 0
        simulator = build(
            vendor,
            port=port or DEMO_PORTS[vendor],
            host=options.host,
            webhook_url=options.webhook_url,
            webhook_secret=options.webhook_secret,
            auto_deliver=True,
            verbose=True,
        )
        simulator.webhooks.delay = options.webhook_delay
        simulator.start()
        simulator.log(f"listening on {simulator.url}")
        running.append(simulator)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for simulator in running:
            simulator.stop()


if __name__ == "__main__":
    main()
