"""The finance tests match error messages in English (the msgids); each module
also has a test that reads one message in pt-BR, the project's language.

The payment providers' simulators and a stand-in for our webhook endpoint run
on loopback for the tests that use them."""

import pytest
from django.utils import translation

from plugins.finance.simulators import MercadoPagoSimulator, PagBankSimulator

from .receiver import WebhookReceiver


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# -- Payment providers' simulators ------------------------------------------------

MP_TOKEN = "TEST-mp-access-token"
MP_SECRET = "mp-webhook-secret"
PAGBANK_TOKEN = "pagbank-account-token"


@pytest.fixture
def webhook_receiver():
    """Our webhook endpoint's stand-in on loopback (see ``receiver.py``)."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def mercadopago_simulator():
    """A local Mercado Pago taking ``MP_TOKEN`` and signing with ``MP_SECRET``;
    webhooks go out when the test calls ``deliver()``."""
    with MercadoPagoSimulator(access_token=MP_TOKEN, webhook_secret=MP_SECRET) as sim:
        yield sim


@pytest.fixture
def pagbank_simulator():
    """A local PagBank taking ``PAGBANK_TOKEN``, which also signs its webhooks."""
    with PagBankSimulator(access_token=PAGBANK_TOKEN) as sim:
        yield sim
