"""Send the goals e-mails due today (run it every morning from cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from plugins.analytics.digest import send_digests


class Command(BaseCommand):
    help = (
        "Send the goals e-mail to the users who asked for it: daily ones, and "
        "weekly ones on Mondays; at most once a day each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Send as on this day (dd/mm/aaaa) instead of today.",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                day, month, year = (int(part) for part in date.split("/"))
                today = datetime.date(year, month, day)
            except ValueError as exc:
                raise CommandError(f"--date: dd/mm/aaaa, not {date!r}") from exc
        sent = send_digests(today)
        self.stdout.write(self.style.SUCCESS(f"{sent} e-mail(s) sent"))
