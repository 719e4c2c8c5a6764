from django.core.management.base import BaseCommand

from api.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due (new and retries); run every minute."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{deliver_due()} delivered")
