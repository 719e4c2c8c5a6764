"""Provider credentials are encrypted at rest under keys from the
environment, rotated without losing them, and required outside DEBUG."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from plugins import checks
from plugins.crypto import _fernet
from plugins.finance.models import Provider, ProviderAccount

pytestmark = pytest.mark.django_db


def stored(account, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM finance_provideraccount WHERE id = %s",  # noqa: S608
            [account.pk],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def account():
    return ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        access_token="APP_USR-123456-token-secreto",
        webhook_secret="assinatura-secreta",
    )


@pytest.fixture(autouse=True)
def fresh_keys():
    _fernet.cache_clear()
    yield
    _fernet.cache_clear()


def test_secrets_are_stored_encrypted_and_read_back(account):
    raw = stored(account, "access_token")
    assert raw.startswith("fernet:")
    assert "token-secreto" not in raw
    assert "assinatura" not in stored(account, "webhook_secret")

    again = ProviderAccount.objects.get(pk=account.pk)
    assert again.access_token == "APP_USR-123456-token-secreto"
    assert again.webhook_secret == "assinatura-secreta"


def test_an_empty_secret_stays_empty(db):
    manual = ProviderAccount.objects.create(name="Depósito", provider=Provider.MANUAL)
    assert stored(manual, "access_token") == ""
    assert ProviderAccount.objects.get(pk=manual.pk).access_token == ""


def test_a_new_key_first_then_rotation_keeps_every_secret(account, settings):
    old = list(settings.RETAGUARDA_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.RETAGUARDA_ENCRYPTION_KEYS = [new, *old]
    _fernet.cache_clear()
    before = stored(account, "access_token")

    call_command("rotate_secrets", stdout=io.StringIO())

    after = stored(account, "access_token")
    assert after != before
    # the old key is gone: the secret is still there
    settings.RETAGUARDA_ENCRYPTION_KEYS = [new]
    _fernet.cache_clear()
    assert ProviderAccount.objects.get(pk=account.pk).access_token == (
        "APP_USR-123456-token-secreto"
    )


def test_without_the_key_that_encrypted_it_nothing_is_guessed(account, settings):
    settings.RETAGUARDA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    _fernet.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        ProviderAccount.objects.get(pk=account.pk)


def test_keys_are_required_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.RETAGUARDA_ENCRYPTION_KEYS = []
    assert [e.id for e in checks.check_encryption_keys()] == ["plugins.E003"]

    settings.RETAGUARDA_ENCRYPTION_KEYS = ["not-a-key"]
    assert [e.id for e in checks.check_encryption_keys()] == ["plugins.E004"]

    settings.RETAGUARDA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert checks.check_encryption_keys() == []


def test_with_debug_on_a_key_is_derived_from_the_secret_key(settings, db):
    settings.DEBUG = True
    settings.RETAGUARDA_ENCRYPTION_KEYS = []
    account = ProviderAccount.objects.create(
        name="PagBank", provider=Provider.PAGBANK, access_token="tok"
    )
    assert stored(account, "access_token").startswith("fernet:")
    assert ProviderAccount.objects.get(pk=account.pk).access_token == "tok"
