"""Shared fixtures of the logistics tests: a shipping origin in São Paulo, a
table carrier with two services and a small freight table covering every
CEP, the shipping desk's clerk (granted the table carrier only), the
logistics manager, and orders ready to ship."""

from __future__ import annotations

from decimal import Decimal

import pytest
from guardian.shortcuts import assign_perm

from plugins.logistics.models import (
    Carrier,
    CarrierKind,
    CarrierService,
    FreightRate,
    ShippingOrigin,
)
from plugins.orders.services import lifecycle
from tests.factories import UserFactory

# The orders plugin's channel and catalog, to place orders to ship.
from tests.plugins.orders.conftest import loja, place, sellable  # noqa: F401


def make_origin(**overrides) -> ShippingOrigin:
    values = {
        "code": "sp-01",
        "name": "CD São Paulo",
        "warehouse_code": "SP-01",
        "sender_name": "Loja Exemplo Ltda",
        "sender_document": "11222333000181",
        "sender_phone": "+55 11 3333-4444",
        "cep": "01310-100",
        "street": "Rua Augusta",
        "number": "100",
        "district": "Consolação",
        "city": "São Paulo",
        "uf": "SP",
        "handling_days": 1,
        "is_default": True,
    }
    values.update(overrides)
    return ShippingOrigin.objects.create(**values)


def make_table_carrier(code: str = "rapidao", name: str = "Rapidão") -> Carrier:
    """A table carrier with "Expresso" (fast, dear) and "Econômico": one
    band up to 1 kg and one up to 5 kg, for São Paulo (01000-000 – 19999-999)
    and the rest of Brazil."""
    carrier = Carrier.objects.create(
        code=code, name=name, kind=CarrierKind.TABLE, tracking_prefix="RP"
    )
    for service_code, service_name, factor, days in (
        ("EXP", "Expresso", Decimal("1.5"), 1),
        ("ECO", "Econômico", Decimal("1.0"), 4),
    ):
        service = CarrierService.objects.create(
            carrier=carrier, code=service_code, name=service_name
        )
        rows = []
        for start, end, base, extra_days in (
            (1_000_000, 19_999_999, Decimal("10.00"), 0),
            (20_000_000, 99_999_999, Decimal("20.00"), 3),
        ):
            for w_from, w_to, add in (
                (0, 1000, Decimal("0")),
                (1001, 5000, Decimal("8")),
            ):
                rows.append(
                    FreightRate(
                        service=service,
                        origin_start=1_000_000,
                        origin_end=99_999_999,
                        destination_start=start,
                        destination_end=end,
                        weight_from_g=w_from,
                        weight_to_g=w_to,
                        price=((base + add) * factor).quantize(Decimal("0.01")),
                        days=days + extra_days,
                    )
                )
        FreightRate.objects.bulk_create(rows)
    return carrier


@pytest.fixture
def origin(db) -> ShippingOrigin:
    return make_origin()


@pytest.fixture
def table_carrier(db) -> Carrier:
    return make_table_carrier()


@pytest.fixture
def other_carrier(db) -> Carrier:
    """A second table carrier, outside the clerk's scope."""
    return make_table_carrier(code="outra", name="Outra Transportadora")


def grant_carrier(user, carrier, *codenames):
    for codename in codenames or ("view_carrier", "ship_carrier"):
        assign_perm(f"logistics.{codename}", user, carrier)


@pytest.fixture
def shipping_clerk(db, table_carrier):
    """A shipping-desk clerk who works the table carrier only."""
    user = UserFactory(username="expedicao", roles=["shipping_desk"])
    grant_carrier(user, table_carrier)
    return user


@pytest.fixture
def logistics_manager(db):
    return UserFactory(username="gerente-logistica", roles=["logistics_manager"])


def make_ready(order):
    """Move a freshly placed order to ready to ship (paid, invoiced,
    prepared), as the system."""
    for name in ("pay", "invoice", "prepare"):
        lifecycle.transition_order(order, name, user=None)
    order.refresh_from_db()
    return order


@pytest.fixture
def ready_order(loja, sellable):  # noqa: F811
    return make_ready(place(loja))
