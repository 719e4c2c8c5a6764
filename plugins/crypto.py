"""Secrets at rest: provider credentials are stored encrypted, under keys
from the environment, and read back only by the code that calls the
provider.

``RETAGUARDA_ENCRYPTION_KEYS`` holds one or more Fernet keys (AES-128-CBC
with an HMAC-SHA256, from the ``cryptography`` library), comma-separated,
newest first: values are encrypted with the first and read with any of them,
so a key is rotated by putting the new one first and running
``manage.py rotate_secrets`` before the old one is dropped. Generate a key
with ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``.

Without keys, and only with ``DEBUG`` on (development, the demo, the tests),
a key is derived from ``SECRET_KEY``; with ``DEBUG`` off a system check
(``plugins.E003``) stops the server before a secret could be stored.

:class:`EncryptedTextField` is a text column whose value is encrypted on the
way to the database and decrypted on the way back; the admin never shows it
again after saving (see ``plugins.finance.forms``).
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX = "fernet:"  # marks a stored ciphertext


def configured_keys() -> list[str]:
    return [key.strip() for key in settings.RETAGUARDA_ENCRYPTION_KEYS if key.strip()]


@functools.cache
def _fernet(keys: tuple[str, ...], secret_key: str, debug: bool) -> MultiFernet:
    if not keys:
        if not debug:
            raise ImproperlyConfigured(
                "RETAGUARDA_ENCRYPTION_KEYS must be set when DEBUG is off."
            )
        derived = hashlib.sha256(f"retaguarda-secrets:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "RETAGUARDA_ENCRYPTION_KEYS: each key must be 32 url-safe base64-"
            "encoded bytes (Fernet.generate_key())."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(configured_keys()), settings.SECRET_KEY, settings.DEBUG)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ImproperlyConfigured(
            "A secret column holds a value that is not encrypted."
        )
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with RETAGUARDA_ENCRYPTION_KEYS "
            "(was the key that encrypted it removed?)."
        ) from error


def rotate(stored: str) -> str:
    """``stored`` encrypted again under the first key."""
    if not stored:
        return ""
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted (:func:`encrypt`); the Python value is the
    plain text. Not searchable or orderable by its value, by design."""

    description = _("Encrypted text")

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""
