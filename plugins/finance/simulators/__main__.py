"""``python -m plugins.finance.simulators VENDOR --port N [--state FILE]``:
run a payment provider's simulator for the demo (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    import django
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        # The simulators need only Django's translation and time zone
        # machinery, not the project's settings.
        settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="America/Sao_Paulo")
    django.setup()

    from . import DEMO_ACCESS_TOKEN, DEMO_WEBHOOK_SECRET, SIMULATORS, serve

    parser = argparse.ArgumentParser(prog="python -m plugins.finance.simulators")
    parser.add_argument("vendor", choices=sorted(SIMULATORS))
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEMO_ACCESS_TOKEN)
    parser.add_argument("--webhook-secret", default=DEMO_WEBHOOK_SECRET)
    parser.add_argument(
        "--webhook-delay", type=float, default=1.0, help="seconds before a webhook"
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="a JSON file that keeps the payments when the simulator restarts",
    )
    options = parser.parse_args(argv)
    serve(
        options.vendor,
        options.port,
        host=options.host,
        access_token=options.token,
        webhook_secret=options.webhook_secret,
        webhook_delay=options.webhook_delay,
        state_file=options.state,
    )


if __name__ == "__main__":
    main()
