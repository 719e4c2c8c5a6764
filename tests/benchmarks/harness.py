"""What the benchmark scripts share to run the app in a process of its own:
a fresh, migrated database (PostgreSQL or an SQLite file) and a call into
the script's ``--worker`` mode with the app's settings. No Django here: the
scripts import it before setting the app's environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def migrated_database(
    env: dict[str, str], database: str | None, workdir: Path, name: str
) -> dict[str, str]:
    """``env`` with ``DATABASE_URL`` set to a new database: on the server of
    ``database`` (a PostgreSQL URL: ``retaguarda_bench_<name>``, dropped
    first) or an SQLite file in ``workdir``; migrated."""
    if database and database.startswith("postgres"):
        base, _, _db = database.rpartition("/")
        db = f"retaguarda_bench_{name}"
        for sql in (f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}"):
            subprocess.run(["psql", database, "-qc", sql], check=True)
        env["DATABASE_URL"] = f"{base}/{db}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / f'{name}.sqlite3'}"
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return env


def in_app(script: str, env: dict[str, str], mode: str, **options) -> dict:
    """Run ``script --worker mode options`` with ``env``; its last line of
    output, JSON."""
    output = subprocess.run(
        [sys.executable, script, "--worker", mode, json.dumps(options)],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])
