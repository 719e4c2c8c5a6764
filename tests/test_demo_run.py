"""`make run`'s task worker: calm (warnings and errors, not a line for every
task it runs), outliving transient database errors, and started again by
`make run` if it exits."""

import re
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers import ROOT, manage

ENQUEUE = (
    "from content.tasks import refresh_product_indexes;"
    "refresh_product_indexes.enqueue([])"
)


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    database = tmp_path_factory.mktemp("worker") / "db.sqlite3"
    env = {
        "DEBUG": "true",
        "RETAGUARDA_DEMO": "true",
        "RETAGUARDA_PLUGINS": "",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    manage("migrate", "--no-input", "-v0", env=env)
    return env, database


def run_worker(env: dict[str, str]) -> str:
    manage("shell", "--no-imports", "-c", ENQUEUE, env=env)
    result = manage(
        "run_worker", "--queue-name", "*", "--batch", "--no-startup-delay", env=env
    )
    return result.stdout + result.stderr


def make_run_lines() -> list[str]:
    return subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()


def test_demo_task_worker_prints_no_line_per_task(demo_env):
    env, _database = demo_env
    # the level make run gives the worker
    worker_line = next(line for line in make_run_lines() if "run_worker" in line)
    assert "LOG_LEVEL=WARNING " in worker_line

    # at that level the worker runs the task without a word
    quiet = run_worker({**env, "LOG_LEVEL": "WARNING"})
    assert "Task id=" not in quiet
    # (at INFO, the default elsewhere, it reports every task)
    assert "Task id=" in run_worker({**env, "LOG_LEVEL": "INFO"})


def test_make_run_starts_the_worker_again_if_it_exits():
    recipe = "\n".join(make_run_lines())
    loop = re.compile(r"while :; do [^\n]*run_worker.*?done \) &", re.DOTALL)
    assert loop.search(recipe), recipe


def test_the_worker_outlives_a_locked_database(demo_env):
    """The database stays locked past the worker's timeout (another process
    writing a large import): the worker says so and resumes once the lock
    is gone, and runs the task; django-tasks-db's own worker dies of it."""
    env, database = demo_env
    env = {**env, "LOG_LEVEL": "WARNING", "SQLITE_TIMEOUT": "0"}
    manage("shell", "--no-imports", "-c", ENQUEUE, env=env)

    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        plain = manage(
            "db_worker",
            "--queue-name",
            "*",
            "--batch",
            "--no-startup-delay",
            env=env,
            check=False,
        )
        assert plain.returncode != 0 and "database is locked" in plain.stderr

        worker = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "run_worker",
                "--queue-name",
                "*",
                "--batch",
                "--no-startup-delay",
                "--retry-delay",
                "0.2",
            ],
            cwd=ROOT,
            env=_env(env),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        # wait (on the pipe) for the worker to meet the lock
        seen = ""
        for line in worker.stderr:
            seen += line
            if "transient database error" in line:
                break
        assert "transient database error" in seen, seen
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    rest = worker.stderr.read()
    assert worker.wait(timeout=120) == 0, seen + rest
    done = (
        sqlite3.connect(database)
        .execute("SELECT status FROM django_tasks_database_dbtaskresult")
        .fetchall()
    )
    assert ("SUCCESSFUL",) in done


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "RETAGUARDA_", "DATABASE_", "PYTEST_"))
    }
    env.update({"DEBUG": "true", "SECURE_SSL_REDIRECT": "false", **extra})
    return env
