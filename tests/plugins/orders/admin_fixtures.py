"""Fixtures of the order desk's admin screens (imported by their test modules):
orders on two channels, users with different grants, and small helpers."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from plugins.orders.models import Order
from tests.factories import UserFactory
from tests.helpers import is_admin_denied
from tests.plugins.orders.conftest import grant_channel, place


@pytest.fixture
def order(sellable, loja):
    """A storefront order, pending payment."""
    return place(loja)


@pytest.fixture
def ml_order(sellable, mercado_livre):
    """A Mercado Livre order: out of the attendant's channel."""
    return place(
        mercado_livre,
        external_id="MLB-1",
        customer={"name": "João Souza", "email": "joao@example.com"},
    )


@pytest.fixture
def viewer(loja, mercado_livre):
    """Order desk with a view-only grant on the storefront."""
    user = UserFactory(username="so-ve", roles=["order_desk"])
    grant_channel(user, loja, "view_saleschannel")
    return user


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def force_status(order: Order, status: str) -> Order:
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


def messages_of(response) -> list[str]:
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    """The response's visible text, tags stripped, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|svg|template)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


__all__ = [
    "force_status",
    "is_admin_denied",
    "login",
    "messages_of",
    "ml_order",
    "order",
    "text",
    "viewer",
]
