"""``python -m plugins.fiscal.simulator --port N [--state FILE]``: run the
local SEFAZ for the demo (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    import django
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        # Only Django's translation machinery is needed, not the project.
        settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="America/Sao_Paulo")
    django.setup()

    from . import serve

    parser = argparse.ArgumentParser(prog="python -m plugins.fiscal.simulator")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="a JSON file that keeps what it authorised when it restarts",
    )
    options = parser.parse_args(argv)
    serve(options.port, host=options.host, state_file=options.state)


if __name__ == "__main__":
    main()
