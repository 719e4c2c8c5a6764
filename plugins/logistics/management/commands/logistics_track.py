"""``manage.py logistics_track [--carrier CODE ...] [--batch N] [--enqueue]``:
pull the carriers' tracking events for the shipments on the way."""

from django.core.management.base import BaseCommand, CommandError

from plugins.logistics.models import Carrier


class Command(BaseCommand):
    help = (
        "Pull tracking events from the carriers' APIs for shipments handed over "
        "and not yet delivered or returned, carrier by carrier, in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--carrier", action="append", default=[], help="a carrier's code"
        )
        parser.add_argument("--batch", type=int, default=None)
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the background task instead of pulling now",
        )

    def handle(self, *args, **options):
        from plugins.logistics.services.tracking import PULL_BATCH, pull_tracking
        from plugins.logistics.tasks import pull_tracking_task

        carriers = None
        if options["carrier"]:
            carriers = list(Carrier.objects.filter(code__in=options["carrier"]))
            unknown = set(options["carrier"]) - {c.code for c in carriers}
            if unknown:
                raise CommandError(f"Unknown carriers: {', '.join(sorted(unknown))}")
        if options["enqueue"]:
            pull_tracking_task.enqueue([c.pk for c in carriers] if carriers else None)
            self.stdout.write("Tracking pull queued.")
            return
        result = pull_tracking(carriers, batch_size=options["batch"] or PULL_BATCH)
        for code, count in result.shipments.items():
            line = (
                f"{code}: {count} shipment(s) on the way, "
                f"{result.new[code]} new event(s)"
            )
            if code in result.errors:
                line += f"; stopped: {result.errors[code]}"
            self.stdout.write(line)
        if result.errors:
            raise CommandError("Some carriers could not be reached (see above).")
