import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plugins import hooks
from plugins.hooks import DEMO_DATA
from plugins.roles import declared_roles, role_group

DEMO_USERNAMES = {
    "content_editor": "editor",
    "content_moderator": "moderador",
    "manager": "gerente",
    "auditor": "auditor",
}


class Command(BaseCommand):
    help = (
        "Demo mode only (DEBUG and RETAGUARDA_DEMO on): create an administrator and "
        "one user per role with fresh passwords, printed, then every app's demo data."
    )

    def handle(self, *args, **options):
        if not (settings.DEBUG and settings.RETAGUARDA_DEMO):
            raise CommandError(
                "seed_demo creates users with printed passwords: it runs only with "
                "DEBUG=true and RETAGUARDA_DEMO=true, never with production settings."
            )
        User = get_user_model()
        credentials = []
        with transaction.atomic():
            accounts = [("admin", None, "Administrador")]
            for key, role in declared_roles().items():
                accounts.append((DEMO_USERNAMES.get(key, key), key, role.name))
            for username, role_key, label in accounts:
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={"email": f"{username}@demo.retaguarda.local"},
                )
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.is_active = True
                user.first_name = label
                if role_key is None:
                    user.is_staff = user.is_superuser = True
                user.save()
                if role_key is not None and (group := role_group(role_key)):
                    user.groups.add(group)
                credentials.append((username, password, label))
            hooks.call(DEMO_DATA, stdout=self.stdout)

        self.stdout.write(
            self.style.SUCCESS("\nDemo users (passwords change on every run):")
        )
        for username, password, label in credentials:
            self.stdout.write(f"  {username:<16} {password:<14} {label}")
