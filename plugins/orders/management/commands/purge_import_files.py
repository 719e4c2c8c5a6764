"""Delete uploaded order import files older than the retention period.

Run it periodically (``make run`` does, every minute; daily from cron is
enough in production). An upload is deleted as soon as it is confirmed, and
one nobody confirmed when the next file is uploaded a day later; this job is
the guarantee that no file with customers' data outlives
``RETAGUARDA_IMPORT_FILE_RETENTION_DAYS`` whatever happens (an upload nobody
followed, a crash between import and clean-up).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from plugins.orders.views.imports import remove_expired_uploads


class Command(BaseCommand):
    help = (
        "Delete uploaded order import files older than "
        "RETAGUARDA_IMPORT_FILE_RETENTION_DAYS (default 30)."
    )

    def handle(self, *args, **options):
        days = settings.RETAGUARDA_IMPORT_FILE_RETENTION_DAYS
        deleted = remove_expired_uploads(datetime.timedelta(days=days))
        for path in deleted:
            self.stdout.write(f"deleted {path}", ending="\n")
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"{len(deleted)} import file(s) deleted.")
            )
