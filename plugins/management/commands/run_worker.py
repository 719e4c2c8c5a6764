"""The task worker of the database queue (django-tasks-db's ``db_worker``),
which outlives transient database errors: a database that is locked for
longer than its timeout (SQLite while a large import writes), a connection
the server dropped, a server restarting. ``db_worker`` exits on them; this
command logs a warning, closes the connections, waits (1, 2, 4 … up to 30
seconds) and takes up work again. Other errors still end it: a supervisor
(``make run`` in the demo, systemd or the container runtime in production)
starts it again.

Same options as ``db_worker``, plus ``--retry-delay`` (the first wait, in
seconds).
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

logger = logging.getLogger("retaguarda.worker")

#: Errors that pass: the database was busy or out of reach for a moment.
TRANSIENT = (OperationalError, InterfaceError)
MAX_DELAY = 30.0


class Command(DbWorkerCommand):
    help = (
        "Run the database queue's task worker; it survives transient database "
        "errors (locked, disconnected) and resumes."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--retry-delay",
            type=float,
            default=1.0,
            help="Seconds to wait after a transient database error, doubled "
            "after each one in a row (at most 30).",
        )

    def handle(self, *args, **options):
        delay = first = options.pop("retry_delay")
        while True:
            try:
                return super().handle(*args, **options)
            except TRANSIENT as error:
                logger.warning(
                    "Task worker: transient database error (%s); resuming in %.0f s.",
                    error,
                    delay,
                )
            connections.close_all()
            time.sleep(delay)
            delay = min(max(delay, 0.1) * 2, MAX_DELAY) if first else 0
