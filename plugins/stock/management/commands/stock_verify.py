import sys

from django.core.management.base import BaseCommand

from plugins.stock.services import find_drift, repair_drift


class Command(BaseCommand):
    help = (
        "Check that every stock level adds up: on hand = the sum of its "
        "movements, reserved = its active reservations, in transit = its "
        "transfers on the way. Exits 1 on drift; --repair corrects it with "
        "audited corrections (a correction movement for on hand)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Correct the drift found."
        )

    def handle(self, *args, repair=False, **options):
        drift = find_drift()
        if not drift:
            self.stdout.write(self.style.SUCCESS("No drift: the ledger adds up."))
            return
        for item in drift:
            self.stdout.write(str(item))
        if repair:
            fixed = repair_drift(drift)
            self.stdout.write(self.style.SUCCESS(f"Repaired {fixed} drifts."))
            return
        self.stdout.write(
            self.style.ERROR(f"{len(drift)} drifts. Run with --repair to correct.")
        )
        sys.exit(1)
