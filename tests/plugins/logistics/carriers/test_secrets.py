"""Carriers' credentials are encrypted at rest and rotated with every other
secret (``manage.py rotate_secrets``)."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from plugins.crypto import _fernet
from plugins.logistics.models import Carrier, CarrierKind

pytestmark = pytest.mark.django_db


def stored(carrier, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM logistics_carrier WHERE id = %s",  # noqa: S608
            [carrier.pk],
        )
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def fresh_keys():
    _fernet.cache_clear()
    yield
    _fernet.cache_clear()


@pytest.fixture
def carrier(db):
    return Carrier.objects.create(
        code="correios",
        name="Correios",
        kind=CarrierKind.CORREIOS,
        username="loja",
        access_token="codigo-de-acesso-secreto",
        contract="0067599079",
        webhook_secret="segredo-dos-eventos",
    )


def test_the_columns_hold_ciphertext(carrier):
    for column, plain in (
        ("access_token", "codigo-de-acesso-secreto"),
        ("webhook_secret", "segredo-dos-eventos"),
    ):
        raw = stored(carrier, column)
        assert raw.startswith("fernet:")
        assert plain not in raw
    again = Carrier.objects.get(pk=carrier.pk)
    assert again.access_token == "codigo-de-acesso-secreto"
    assert again.webhook_secret == "segredo-dos-eventos"


def test_rotation_covers_the_carriers(carrier, settings):
    old = list(settings.RETAGUARDA_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.RETAGUARDA_ENCRYPTION_KEYS = [new, *old]
    _fernet.cache_clear()
    before = stored(carrier, "access_token"), stored(carrier, "webhook_secret")

    call_command("rotate_secrets", stdout=io.StringIO())

    assert (stored(carrier, "access_token"), stored(carrier, "webhook_secret")) != (
        before
    )
    settings.RETAGUARDA_ENCRYPTION_KEYS = [new]  # the old key dropped
    _fernet.cache_clear()
    again = Carrier.objects.get(pk=carrier.pk)
    assert again.access_token == "codigo-de-acesso-secreto"
    assert again.webhook_secret == "segredo-dos-eventos"
