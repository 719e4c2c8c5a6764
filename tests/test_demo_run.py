"""`make run`'s task worker: calm (warnings and errors, not a line for every
task it runs), outliving transient database errors, and started again by
`make run` if it exits; and the payment providers' simulators it starts on
loopback for the demo's finance, and the local SEFAZ for its NF-e: answering
on their ports, started again if they exit, knowing the payments made
before."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from plugins.finance.providers import Credentials, MercadoPagoProvider, PaymentMethod
from plugins.finance.simulators import DEMO_ACCESS_TOKEN, DEMO_WEBHOOK_SECRET
from tests.helpers import ROOT, manage
from tests.plugins.finance.charges import charge_request

# Every test here starts make, manage.py or the simulators in a subprocess.
pytestmark = pytest.mark.slow

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


def make_run_lines(*variables: str) -> list[str]:
    return subprocess.run(
        ["make", "-n", "run", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


SIMULATOR_LOOP = (
    r"\( while :; do [^\n]*plugins\.finance\.simulators {vendor} --port {port}"
    r".*?done \) &"
)
SEFAZ_LOOP = (
    r"\( while :; do [^\n]*plugins\.fiscal\.simulator --port {port}.*?done \) &"
)


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


def test_make_run_starts_the_simulators_again_if_they_exit():
    recipe = "\n".join(make_run_lines())
    for vendor, port in (("mercadopago", 8701), ("pagbank", 8702)):
        loop = SIMULATOR_LOOP.format(vendor=vendor, port=port)
        assert re.search(loop, recipe, re.DOTALL), recipe
        assert f"--state var/simulators/{vendor}.json" in recipe
    # and the local SEFAZ
    assert re.search(SEFAZ_LOOP.format(port=8703), recipe, re.DOTALL), recipe
    assert "--state var/simulators/sefaz.json" in recipe


def test_make_run_cron_resends_the_nfe_waiting_for_the_authoriser():
    jobs = next(line for line in make_run_lines() if "while sleep 60" in line)
    assert " fiscal_resend " in f"{jobs.replace(';', ' ')} "


def test_make_run_cron_pulls_the_parcels_tracking():
    jobs = next(line for line in make_run_lines() if "while sleep 60" in line)
    assert " logistics_track " in f"{jobs.replace(';', ' ')} "


def test_make_run_cron_rolls_up_the_reports_and_sends_the_goals_email():
    jobs = next(line for line in make_run_lines() if "while sleep 60" in line)
    for job in ("analytics_rollup", "analytics_digest"):
        assert f" {job} " in f"{jobs.replace(';', ' ')} "


def test_the_demo_is_seeded_for_the_simulators_ports():
    # other ports: the simulators move, and the seeding points the demo
    # accounts there and the webhooks at the app's own address
    lines = make_run_lines(
        "MERCADOPAGO_PORT=9701", "PAGBANK_PORT=9702", "SEFAZ_PORT=9703", "PORT=9000"
    )
    recipe = "\n".join(lines)
    assert re.search(
        SIMULATOR_LOOP.format(vendor="mercadopago", port=9701), recipe, re.S
    )
    assert re.search(SIMULATOR_LOOP.format(vendor="pagbank", port=9702), recipe, re.S)
    assert re.search(SEFAZ_LOOP.format(port=9703), recipe, re.S)
    seed = next(line for line in lines if "seed_demo" in line)
    for variable in (
        "RETAGUARDA_DEMO_MERCADOPAGO_PORT=9701",
        "RETAGUARDA_DEMO_PAGBANK_PORT=9702",
        # every NF-e authoriser is the local SEFAZ, for the app and the seeding
        "RETAGUARDA_FISCAL_AUTHORISER_URL=http://127.0.0.1:9703",
        "RETAGUARDA_DEMO_SIMULATORS_DIR=var/simulators",
        "WAGTAILADMIN_BASE_URL=http://127.0.0.1:9000",
    ):
        assert f"{variable} " in seed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ]


def test_the_simulators_make_run_starts_answer_and_come_back(tmp_path):
    """The simulators' loops of `make run`'s recipe, run by the shell: both
    answer on their ports; one that exits is started again, with the
    payments made before."""
    ports = {"mercadopago": _free_port(), "pagbank": _free_port()}
    sefaz_port = _free_port()
    recipe = "\n".join(
        make_run_lines(
            f"VENV={sys.prefix}",
            f"MERCADOPAGO_PORT={ports['mercadopago']}",
            f"PAGBANK_PORT={ports['pagbank']}",
            f"SEFAZ_PORT={sefaz_port}",
            f"SIMULATORS_DIR={tmp_path}",
        )
    )
    loops = [
        re.search(SIMULATOR_LOOP.format(vendor=vendor, port=port), recipe, re.S)[0]
        for vendor, port in ports.items()
    ]
    loops.append(re.search(SEFAZ_LOOP.format(port=sefaz_port), recipe, re.S)[0])
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    shell = subprocess.Popen(
        ["sh", "-c", "\n".join([*loops, "wait"])],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []

    def wait_for(text: str, since: int = 0) -> None:
        """Until a line from ``since`` on has ``text`` (read on the pipe)."""
        while not any(text in line for line in lines[since:]):
            line = shell.stderr.readline()
            if not line:
                raise AssertionError("".join(lines))
            lines.append(line)

    try:
        for port in ports.values():
            wait_for(f"listening on http://127.0.0.1:{port}")
            control = f"http://127.0.0.1:{port}/_simulator/deliveries"
            assert requests.get(control, timeout=5).json() == []
        # the local SEFAZ too, with its controls
        wait_for(f"listening on http://127.0.0.1:{sefaz_port}")
        sefaz = requests.get(f"http://127.0.0.1:{sefaz_port}/_control", timeout=5)
        assert sefaz.json()["documents"] == 0
        # a payment at Mercado Pago, with the demo's credentials
        url = f"http://127.0.0.1:{ports['mercadopago']}"
        provider = MercadoPagoProvider(
            Credentials(url, DEMO_ACCESS_TOKEN, DEMO_WEBHOOK_SECRET)
        )
        pix = provider.create_charge(charge_request(PaymentMethod.PIX))

        # when the Mercado Pago simulator exits
        mark = len(lines)
        simulator = next(
            child
            for loop in _children(shell.pid)
            for child in _children(loop)
            if b"mercadopago" in Path(f"/proc/{child}/cmdline").read_bytes()
        )
        os.kill(simulator, signal.SIGTERM)

        # then it is started again, and still knows the payment
        wait_for("The Mercado Pago simulator exited", mark)
        wait_for(f"listening on {url}", mark)
        assert provider.fetch_status(pix.provider_id).amount == pix.amount
        approve = f"{url}/_simulator/payments/{pix.provider_id}/approve"
        assert requests.post(approve, timeout=5).status_code == 200
    finally:
        os.killpg(shell.pid, signal.SIGTERM)
        shell.wait(timeout=30)
        shell.stderr.close()


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
