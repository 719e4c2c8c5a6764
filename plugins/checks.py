"""System checks of the plugin framework."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core import checks


def enabled_plugins():
    return [
        cfg
        for cfg in apps.get_app_configs()
        if getattr(cfg, "is_retaguarda_plugin", False)
    ]


def check_plugin_requirements(app_configs=None, **kwargs):
    """plugins.E001: a plugin requires another that is not enabled."""
    enabled = {cfg.label for cfg in enabled_plugins()}
    errors = []
    for cfg in enabled_plugins():
        for required in cfg.requires:
            if required not in enabled:
                errors.append(
                    checks.Error(
                        f"Plugin '{cfg.label}' requires plugin '{required}', "
                        f"which is not enabled.",
                        hint=f"Add '{required}' to RETAGUARDA_PLUGINS, or remove "
                        f"'{cfg.label}' from it.",
                        obj=cfg.name,
                        id="plugins.E001",
                    )
                )
    return errors


def check_role_templates(app_configs=None, **kwargs):
    """plugins.E002: a scoped model that does not exist; plugins.W001: a role
    permission name that is not ``app_label.codename``."""
    errors = []
    for cfg in apps.get_app_configs():
        for label in getattr(cfg, "scoped_models", ()):
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                errors.append(
                    checks.Error(
                        f"App '{cfg.label}' declares unknown scoped model '{label}'.",
                        obj=cfg.name,
                        id="plugins.E002",
                    )
                )
        for role in getattr(cfg, "roles", ()):
            for name in (*role.permissions, *role.collection_permissions):
                if name.count(".") != 1:
                    errors.append(
                        checks.Warning(
                            f"Role '{role.key}' of app '{cfg.label}' lists "
                            f"permission '{name}', not in 'app_label.codename' form.",
                            obj=cfg.name,
                            id="plugins.W001",
                        )
                    )
    return errors


def check_encryption_keys(app_configs=None, **kwargs):
    """plugins.E003/E004: stored secrets (provider credentials, certificates)
    need valid keys from the environment outside development, when an
    enabled app stores any."""
    from plugins.crypto import EncryptedTextField, configured_keys, fernet

    stores_secrets = any(
        isinstance(field, EncryptedTextField)
        for model in apps.get_models()
        for field in model._meta.get_fields()
    )
    if not stores_secrets:
        return []
    if not settings.DEBUG and not configured_keys():
        return [
            checks.Error(
                "RETAGUARDA_ENCRYPTION_KEYS is not set: credentials and "
                "certificates cannot be stored encrypted.",
                hint='Generate a key with: python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())"',
                id="plugins.E003",
            )
        ]
    if configured_keys():
        try:
            fernet()
        except Exception as error:  # noqa: BLE001  (reported, not raised)
            return [checks.Error(str(error), id="plugins.E004")]
    return []
