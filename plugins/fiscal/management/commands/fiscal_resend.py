from django.core.management.base import BaseCommand

from plugins.fiscal.services.authorisation import resend_due


class Command(BaseCommand):
    help = (
        "Send again the NF-e waiting for the authoriser whose next attempt is "
        "due (it could not be reached, or their batch was still being "
        "processed). Run it every minute from cron."
    )

    def handle(self, *args, **options):
        sent = resend_due()
        if options["verbosity"]:
            self.stdout.write(
                f"Authorised {len(sent.authorised)}, rejected {len(sent.rejected)}, "
                f"denied {len(sent.denied)}, waiting {len(sent.waiting)}."
            )
