"""Delete uploaded import files older than the retention period.

Run it periodically (``make run`` does, every minute; daily from cron is
enough in production): no uploaded file — an order file holds customers'
personal data — outlives ``RETAGUARDA_IMPORT_FILE_RETENTION_DAYS``, whatever
happens to its job.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from plugins.importing.services import purge_files


class Command(BaseCommand):
    help = (
        "Delete uploaded import files older than "
        "RETAGUARDA_IMPORT_FILE_RETENTION_DAYS (default 30)."
    )

    def handle(self, *args, **options):
        days = settings.RETAGUARDA_IMPORT_FILE_RETENTION_DAYS
        deleted = purge_files(datetime.timedelta(days=days))
        for path in deleted:
            self.stdout.write(f"deleted {path}", ending="\n")
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"{len(deleted)} import file(s) deleted.")
            )
