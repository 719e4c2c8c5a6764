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


def downloaded(response) -> bytes:
    """The bytes of a download (streamed or not)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_export(response) -> list[list[str]]:
    """The rows of a CSV export, checked to be in the one export format:
    UTF-8 with a byte order mark, ``;`` between columns."""
    import csv
    import io

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = downloaded(response)
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) > 1, rows[0]  # ";" splits the header
    return rows


def csv_export_dicts(response) -> list[dict[str, str]]:
    header, *rows = csv_export(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_export(response) -> list[list]:
    """The cells (openpyxl's, with their types) of an XLSX export's sheet."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    return [list(row) for row in sheet.iter_rows()]


def xlsx_export_dicts(response) -> list[dict]:
    """The cells of an XLSX export's rows by the header's names."""
    header, *rows = xlsx_export(response)
    names = [cell.value for cell in header]
    return [dict(zip(names, row, strict=True)) for row in rows]
