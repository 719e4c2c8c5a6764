from django.core.management.base import BaseCommand

from plugins.stock.services import release_expired_holds


class Command(BaseCommand):
    help = (
        "Release the cart holds past their expiry. Run it every few minutes "
        "from cron, or once with --every N to queue a task that runs every N "
        "minutes on the task worker (backends that can defer tasks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="MINUTES")

    def handle(self, *args, every=0, **options):
        if every:
            from plugins.stock.tasks import release_expired_holds_task

            release_expired_holds_task.enqueue(every)
            self.stdout.write(f"Queued: releases expired holds every {every} min.")
            return
        released = release_expired_holds()
        if options["verbosity"]:
            self.stdout.write(f"Released {released} expired cart holds.")
