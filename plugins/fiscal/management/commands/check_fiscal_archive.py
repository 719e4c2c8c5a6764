from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from plugins.fiscal.archive import tampered
from plugins.fiscal.models import ArchivedXml


class Command(BaseCommand):
    help = (
        "Check every XML of the fiscal archive against the SHA-256 it was "
        "stored with and list those whose content no longer matches (changed "
        "outside the system). Exits with an error when any is found. Run it "
        "from cron, e.g. nightly."
    )

    def handle(self, *args, **options):
        total = ArchivedXml.objects.count()
        damaged = 0
        for row in tampered():
            damaged += 1
            self.stderr.write(
                _("Changed: #%(pk)s %(kind)s %(key)s (no. %(number)s, %(issued)s)")
                % {
                    "pk": row.pk,
                    "kind": row.get_kind_display(),
                    "key": row.access_key,
                    "number": row.number or "—",
                    "issued": row.issued_at.date().isoformat(),
                }
            )
        if damaged:
            raise CommandError(
                _("%(damaged)s of %(total)s archived XML no longer match their hash.")
                % {"damaged": damaged, "total": total}
            )
        if options["verbosity"]:
            self.stdout.write(
                _("%(total)s archived XML checked: all intact.") % {"total": total}
            )
