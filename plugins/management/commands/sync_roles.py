from django.core.management.base import BaseCommand

from plugins.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Create or complete one group per role declared by the core and the enabled "
        "plugins. Adds missing permissions; reports permissions added by hand "
        "(kept), except on read-only roles, whose write and sensitive permissions "
        "are removed."
    )

    def handle(self, *args, **options):
        for result in sync_roles():
            status = "created" if result.created else "ok"
            self.stdout.write(f"{result.key:<20} {result.group_name:<32} {status}")
            if result.added:
                self.stdout.write(
                    self.style.SUCCESS(f"    added: {', '.join(result.added)}")
                )
            if result.extra:
                self.stdout.write(
                    self.style.WARNING(
                        "    added by hand (kept): " + ", ".join(result.extra)
                    )
                )
            if result.removed:
                self.stdout.write(
                    self.style.WARNING(
                        "    removed (read-only role): " + ", ".join(result.removed)
                    )
                )
            if result.unknown:
                self.stdout.write(
                    self.style.WARNING(
                        "    not installed (skipped): " + ", ".join(result.unknown)
                    )
                )
