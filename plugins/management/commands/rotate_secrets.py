"""Encrypt every stored secret again under the first key of
``RETAGUARDA_ENCRYPTION_KEYS`` (after putting a new key first; drop the old
key only after this ran)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from plugins.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Encrypt stored secrets again under the newest encryption key."

    def handle(self, *args, **options):
        total = 0
        with transaction.atomic():
            for model in apps.get_models():
                fields = [
                    f.name
                    for f in model._meta.get_fields()
                    if isinstance(f, EncryptedTextField)
                ]
                if not fields:
                    continue
                for obj in model._default_manager.select_for_update().iterator():
                    # read with any key, written with the first
                    obj.save(update_fields=fields)
                    total += 1
        self.stdout.write(f"{total} record(s) encrypted again.")
