"""Fixtures of the orders plugin: channels, a small sellable catalog, order
desk attendants granted one channel, and a helper to place orders."""

from decimal import Decimal

import pytest
from guardian.shortcuts import assign_perm

from plugins.orders.models import SalesChannel
from plugins.orders.services import place_order
from tests.content.conftest import make_product
from tests.factories import UserFactory

# Valid check digits (generated, not real people or companies).
CPF = "529.982.247-25"
CNPJ = "11.222.333/0001-81"

ADDRESS = {
    "recipient": "Maria da Silva",
    "cep": "01310-100",
    "street": "Avenida Paulista",
    "number": "1000",
    "complement": "ap. 12",
    "district": "Bela Vista",
    "city": "São Paulo",
    "uf": "SP",
}
CUSTOMER = {
    "name": "Maria da Silva",
    "email": "maria@example.com",
    "phone": "+55 11 91234-5678",
    "document": CPF,
}


@pytest.fixture
def loja(db):
    return SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )


@pytest.fixture
def mercado_livre(db):
    return SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind=SalesChannel.Kind.MARKETPLACE,
        marketplace="Mercado Livre",
        accepts_custom_prices=True,
    )


@pytest.fixture
def sellable(db):
    """Two live products: CAM-P/CAM-M at 49.90, CAN-1 at 39.90; and one draft
    product and one inactive variant that are not for sale."""
    camiseta = make_product(
        "camiseta-basica", variants=[("CAM-P", "49.90"), ("CAM-M", "49.90")]
    )
    make_product("caneca", variants=[("CAN-1", "39.90")])
    make_product("rascunho", variants=[("RAS-1", "10.00")], live=False)
    inactive = make_product("velha", variants=[("VEL-1", "10.00")])
    inactive.variants.update(active=False)
    return camiseta


def grant_channel(user, channel, *codenames):
    for codename in codenames or ("view_saleschannel", "handle_orders"):
        assign_perm(f"orders.{codename}", user, channel)


@pytest.fixture
def attendant(db, loja, mercado_livre):
    """An order-desk attendant who works the storefront channel only."""
    user = UserFactory(username="atendente", roles=["order_desk"])
    grant_channel(user, loja)
    return user


def order_request(**overrides):
    data = {
        "customer": dict(CUSTOMER),
        "lines": [{"sku": "CAM-P", "quantity": 2}, {"sku": "CAN-1", "quantity": 1}],
        "shipping_address": dict(ADDRESS),
        "payment_method": "pix",
        "shipping_total": Decimal("15.00"),
    }
    data.update(overrides)
    return data


def place(channel, user=None, **overrides):
    return place_order(channel=channel, user=user, **order_request(**overrides)).order


# -- API clients ------------------------------------------------------------------


@pytest.fixture
def key_client(db):
    """Makes API clients holding a storefront API key with the given scopes."""
    from rest_framework.test import APIClient

    from api.services import create_api_key

    def make(*scopes):
        _key, secret = create_api_key(
            name="Loja",
            scopes=list(scopes),
            allowed_origins=[],
            rate_limit=0,
            user=None,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        return client

    return make


@pytest.fixture
def storefront(key_client):
    """A storefront's API client: places orders and reads them by token."""
    return key_client("orders:write", "orders:read")


def staff_client(user):
    """An API client sending ``user``'s personal token."""
    from rest_framework.test import APIClient

    from api.services import issue_staff_token

    _token, secret = issue_staff_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def privacy_officer(db):
    """The Encarregado de dados: the LGPD actions on every customer."""
    return UserFactory(username="encarregado", roles=["privacy_officer"])
