"""``python -m plugins.logistics.simulator [VENDOR ...] [--webhook-url URL]``:
run the carriers' simulators for the demo (Ctrl-C stops them). Without a
vendor, both: Correios on port 8811, the aggregator on 8812."""

from __future__ import annotations

import argparse
import os
import threading


def main(argv: list[str] | None = None) -> None:
    import django
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        # The simulators need only Django's translation and time zone
        # machinery, not the project's settings.
        settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="America/Sao_Paulo")
    django.setup()

    from . import DEMO_PORTS, DEMO_WEBHOOK_SECRET, SIMULATORS, build

    parser = argparse.ArgumentParser(prog="python -m plugins.logistics.simulator")
    parser.add_argument("vendors", nargs="*", choices=sorted(SIMULATORS))
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
    vendors = options.vendors or sorted(SIMULATORS)
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
