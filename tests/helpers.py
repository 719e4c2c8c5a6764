"""Running manage.py in a subprocess, with its own environment and database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(
    *args: str, env: dict[str, str] | None = None, check: bool = True, timeout=180
):
    """Run ``manage.py`` with the given environment on top of a clean one."""
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "RETAGUARDA_", "DATABASE_", "PYTEST_"))
    }
    full_env.update({"DEBUG": "true", "SECURE_SSL_REDIRECT": "false"})
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def is_admin_denied(response) -> bool:
    """Wagtail answers a logged-in user's forbidden admin request by redirecting
    to the dashboard with an error message (or 403 for non-GET XHR)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.url == "/admin/"


def page_text(response) -> str:
    """The text a person reads on an HTML page: no scripts, styles or tags,
    whitespace collapsed ("Ativo Sim")."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return " ".join(text.split())


def listing_rows(response) -> list[str]:
    """The text of each row of a listing's table body."""
    html = response.content.decode()
    table = re.search(r'<table\b[^>]*class="[^"]*\blisting\b.*?</table>', html, re.S)
    body = table.group(0).split("<tbody", 1)[-1] if table else ""
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S)
    ]
