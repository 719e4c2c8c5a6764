"""Serving with gunicorn, loading with wrk, and watching the machine's CPU.

No Django here: the benchmark's orchestrator imports it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TICK = os.sysconf("SC_CLK_TCK")

# wrk prints its summary through this script: exact counts and percentiles.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "bytes": %d, "socket_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A gunicorn configuration whose hook marks each worker ready once it has
# loaded the application: the master listens before its workers have, and
# requests sent then would wait for Django to start.
READY_HOOK = """
import os, pathlib

def post_worker_init(worker):
    pathlib.Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
"""


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int,
    threads: int = 1,
    log: Path | None = None,
    root: Path = ROOT,
):
    """The project served by gunicorn (``workers`` sync workers, or gthread
    with ``threads``) on a free port; yields (port, process) once every worker
    has loaded the application, stops it after. ``root``: the source tree
    served (another checkout of the project, to compare two versions)."""
    port = free_port()
    with contextlib.ExitStack() as stack:
        ready = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        config = ready / "gunicorn.conf.py"
        config.write_text(READY_HOOK)
        output = stack.enter_context(log.open("ab")) if log else None
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(config),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread" if threads > 1 else "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--pythonpath",
                f"{root / 'site'},{root}",
                "--chdir",
                str(root),
                "--log-level",
                "warning",
                "--timeout",
                "300",
                "retaguarda.wsgi:application",
            ],
            env={**env, "BENCH_READY_DIR": str(ready)},
            cwd=root,
            stdout=output,
            stderr=output,
        )
        try:
            deadline = time.monotonic() + 120
            while len([p for p in ready.iterdir() if p.name.isdigit()]) < workers:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start" + (f"; see {log}" if log else "")
                    )
                time.sleep(0.1)
            yield port, process
        finally:
            process.terminate()
            process.wait(timeout=60)


@contextlib.contextmanager
def server(env: dict[str, str], *, cache: str, workers: int, log: Path):
    """gunicorn with ``workers`` sync workers, ``BENCH_CACHE`` set to
    ``cache``; yields (port, pid) once every worker is ready."""
    with gunicorn({**env, "BENCH_CACHE": cache}, workers=workers, log=log) as (
        port,
        process,
    ):
        if fetch(port, "/healthz")[0] != 200:
            raise RuntimeError(f"gunicorn does not answer /healthz; see {log}")
        yield port, process.pid


def fetch(port: int, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wrk(port: int, path: str, headers: dict, args, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        script.name,
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    try:
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split()[1:9]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICK, sum(fields) / TICK


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn and its workers)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2]
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        utime, stime = stat.split()[11:13]
        total += (int(utime) + int(stime)) / TICK
        pending.extend(int(child) for child in children.split())
    return total


def backends_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to ``database``."""
    total = 0.0
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            title = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if title.startswith("postgres:") and f" {database} " in title:
                stat = (process / "stat").read_text().rpartition(")")[2]
                utime, stime = stat.split()[11:13]
                total += (int(utime) + int(stime)) / TICK
        except OSError:
            continue
    return total


def other_load(seconds: float = 1.0) -> float:
    """Share of the machine's CPU used over ``seconds`` (nothing of ours runs)."""
    busy, total = machine_cpu()
    time.sleep(seconds)
    busy_after, total_after = machine_cpu()
    return (busy_after - busy) / max(1e-9, total_after - total)
