"""`make run` is calm: its task worker prints warnings and errors, not a line
for every task it runs."""

import subprocess

from tests.helpers import ROOT, manage

ENQUEUE = (
    "from content.tasks import refresh_product_indexes;"
    "refresh_product_indexes.enqueue([])"
)


def run_worker(env: dict[str, str]) -> str:
    manage("shell", "--no-imports", "-c", ENQUEUE, env=env)
    result = manage(
        "db_worker", "--queue-name", "*", "--batch", "--no-startup-delay", env=env
    )
    return result.stdout + result.stderr


def test_demo_task_worker_prints_no_line_per_task(tmp_path):
    env = {
        "DEBUG": "true",
        "RETAGUARDA_DEMO": "true",
        "RETAGUARDA_PLUGINS": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    manage("migrate", "--no-input", "-v0", env=env)
    # the level make run gives the worker
    dry_run = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    worker_line = next(line for line in dry_run.splitlines() if "db_worker" in line)
    assert worker_line.startswith("LOG_LEVEL=WARNING ")

    # at that level the worker runs the task without a word
    quiet = run_worker({**env, "LOG_LEVEL": "WARNING"})
    assert "Task id=" not in quiet
    # (at INFO, the default elsewhere, it reports every task)
    assert "Task id=" in run_worker({**env, "LOG_LEVEL": "INFO"})
