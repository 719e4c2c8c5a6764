"""WSGI entry point: ``gunicorn retaguarda.wsgi`` (with site/ on the path)."""

import gc
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
for path in (ROOT / "site", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def _warm_up() -> None:
    """Do now what Django would do on the first requests: import the URLconf
    (every view module; with Wagtail's admin, 0.2 s), index it for reversing
    (0.1 s per language) and load the translations. A server starting or
    renewing a worker then answers its first requests as fast as the rest,
    instead of making the requests queued behind them wait."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018
            translation.gettext("Orders")
    # What is loaded now lives as long as the worker: out of the garbage
    # collector's sight, its full collections no longer walk it (a pause of
    # tens of milliseconds in some request, with Wagtail's admin loaded).
    gc.collect()
    gc.freeze()


_warm_up()
