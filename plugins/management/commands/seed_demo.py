import logging
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def _quiet_logs(verbosity: int):
    """Below -v2, keep the per-object INFO logs (Wagtail's "Published: ...",
    task runs) out of the output: the apps print a summary each."""
    if verbosity >= 2:
        yield
        return
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = (
        "Demo mode only (DEBUG and RETAGUARDA_DEMO on): create an administrator and "
        "one user per role with fresh passwords, then every app's demo data; print "
        "a summary per app, then the users and the demo API key (also written to "
        "var/demo-credentials.txt)."
    )

    def handle(self, *args, **options):
        if not (settings.DEBUG and settings.RETAGUARDA_DEMO):
            raise CommandError(
                "seed_demo creates users with printed passwords: it runs only with "
                "DEBUG=true and RETAGUARDA_DEMO=true, never with production settings."
            )
        # The core API app's demo key (its DEMO_DATA hook creates or keeps it).
        from api.demo import demo_api_key_secret

        with _quiet_logs(options["verbosity"]), transaction.atomic():
            credentials = self.create_users()
            hooks.call(DEMO_DATA, stdout=self.stdout)
            api_key = demo_api_key_secret()

        text = self.credentials_text(credentials, api_key)
        # var/demo-credentials.txt by default (git-ignored)
        path = Path(settings.RETAGUARDA_DEMO_CREDENTIALS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by the owner only: it holds passwords.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(path, 0o600)  # also when an older file was readable by others
        self.stdout.write("\n" + text, ending="")
        self.stdout.write(self.style.SUCCESS(f"(também em {_shown(path)})"))

    def create_users(self) -> list[tuple[str, str, str]]:
        User = get_user_model()
        credentials = []
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
        return credentials

    @staticmethod
    def credentials_text(credentials, api_key: str | None) -> str:
        lines = ["Usuários de demonstração (as senhas mudam a cada execução):"]
        lines += [
            f"  {username:<16} {password:<14} {label}"
            for username, password, label in credentials
        ]
        if api_key:
            lines += [
                "",
                "Chave de API da loja de demonstração (todos os escopos; origem "
                "localhost:3000; a mesma a cada execução neste banco de dados):",
                f"  {api_key}",
                f"  por exemplo: curl -H 'Authorization: Api-Key {api_key}' "
                f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/api/v1/catalog/products/",
            ]
        return "\n".join(lines) + "\n"
