from django.core.management.base import BaseCommand

from plugins.finance.services.events import STALE_MINUTES, requeue_stale


class Command(BaseCommand):
    help = (
        "Queue again the provider notifications stored but never processed "
        "(their queuing failed after they were saved) for more than --minutes "
        f"(default {STALE_MINUTES}). Run it every minute from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes", type=int, default=STALE_MINUTES, metavar="MINUTES"
        )

    def handle(self, *args, minutes=STALE_MINUTES, **options):
        queued = requeue_stale(max(minutes, 1))
        if options["verbosity"]:
            self.stdout.write(f"Queued {len(queued)} provider notifications again.")
