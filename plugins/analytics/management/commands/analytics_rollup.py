"""Roll up the reports' daily facts: what changed (run it from cron), or
every day again with ``--rebuild``."""

from django.core.management.base import BaseCommand

from plugins.analytics import rollups


class Command(BaseCommand):
    help = "Roll up the reports' daily facts (what changed, or --rebuild everything)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Roll up every day again."
        )
        parser.add_argument(
            "--source",
            action="append",
            dest="sources",
            help="Only this source (repeatable), e.g. --source orders.",
        )

    def handle(self, *args, rebuild=False, sources=None, **options):
        verbose = options["verbosity"] > 1

        def progress(source, start, end, rows):
            if verbose or rebuild:
                self.stdout.write(
                    f"{source.key}: {start:%d/%m/%Y}–{end:%d/%m/%Y} ({rows} rows)"
                )

        run = rollups.rebuild if rebuild else rollups.refresh
        result = run(keys=sources, progress=progress)
        total = sum(result.days.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} day(s) rolled up"
                + (f": {result.days}" if result.days else "")
            )
        )
