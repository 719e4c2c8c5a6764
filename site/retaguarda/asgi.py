"""ASGI entry point."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
for path in (ROOT / "site", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
