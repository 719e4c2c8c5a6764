"""Reactions to Django's own events (the only use of signals here)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes


def sync_roles_after_migrate(sender, using="default", verbosity=1, plan=None, **kwargs):
    """Sync role groups once per ``migrate``, after the last app's post_migrate.

    Content types and permissions of every app are created first (Django does
    that per app, in app order), so roles can reference any app's permissions.
    """
    from plugins.roles import sync_roles

    # post_migrate is sent only for apps that have a models module.
    last_app = [a for a in apps.get_app_configs() if a.models_module is not None][-1]
    if sender is not last_app:
        return
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    results = sync_roles()
    if verbosity >= 1:
        created = [r.group_name for r in results if r.created]
        if created:
            print("Roles created: " + ", ".join(created))  # noqa: T201
