"""System checks of the finance plugin."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def encryption_keys(app_configs=None, **kwargs):
    """Stored secrets need keys from the environment outside development."""
    from plugins.finance.crypto import configured_keys, fernet

    errors = []
    if not settings.DEBUG and not configured_keys():
        errors.append(
            Error(
                "RETAGUARDA_ENCRYPTION_KEYS is not set: provider credentials "
                "cannot be stored encrypted.",
                hint='Generate a key with: python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())"',
                id="finance.E001",
            )
        )
    elif configured_keys():
        try:
            fernet()
        except Exception as error:  # noqa: BLE001  (reported, not raised)
            errors.append(Error(str(error), id="finance.E002"))
    return errors
