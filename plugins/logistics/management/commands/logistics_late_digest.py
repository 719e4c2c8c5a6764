"""E-mail each shipping clerk the late parcels of their carriers (run once
a day)."""

from django.core.management.base import BaseCommand

from plugins.logistics.alerts import send_digests


class Command(BaseCommand):
    help = "E-mail each shipping clerk the late parcels of their carriers."

    def handle(self, *args, **options):
        sent = send_digests()
        if options["verbosity"]:
            self.stdout.write(f"{sent} digest(s) sent.")
