#!/usr/bin/env python
"""Django's command-line utility for Retaguarda."""

import os
import sys
from pathlib import Path


def main() -> None:
    root = Path(__file__).resolve().parent
    # site/ is a source root (like src/); it is never a package, because the
    # standard library owns the module name "site".
    for path in (root / "site", root):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
