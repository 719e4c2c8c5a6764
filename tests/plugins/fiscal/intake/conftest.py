"""Fixtures of the supplier NF-e intake: two emitters of ours (the clerk's and
another), the supplier's test certificate, a small catalog with GTINs, a
fiscal clerk of the first emitter who also moves stock in SP-01, and the
supplier's NF-e built from nfelib's sample.

Error messages are matched in English (the msgids); one test reads the
pt-BR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from plugins.fiscal.certificates import generate, load
from tests.factories import UserFactory

from .nfe import SUPPLIER_CNPJ, SUPPLIER_NAME, Item, build_nfe

OUR_CNPJ = "11222333000181"
OTHER_CNPJ = "11444777000161"
GTIN_CAFE = "7897846902352"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def supplier_certificate():
    """The supplier's A1 (made once: an RSA key takes a moment)."""
    return load(
        generate(SUPPLIER_CNPJ, SUPPLIER_NAME, password="fornecedor"), "fornecedor"
    )


def make_emitter(cnpj: str, name: str):
    from plugins.fiscal.models import Emitter

    return Emitter.objects.create(
        legal_name=name,
        cnpj=cnpj,
        ie="110042490114",
        tax_regime="3",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf="SP",
        cep="01304-000",
    )


@pytest.fixture
def emitter(db):
    return make_emitter(OUR_CNPJ, "Loja Matriz")


@pytest.fixture
def other_emitter(db):
    return make_emitter(OTHER_CNPJ, "Loja Filial")


@pytest.fixture
def sp(db):
    from plugins.stock.models import Warehouse

    return Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)


@pytest.fixture
def rj(db):
    from plugins.stock.models import Warehouse

    return Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro", priority=20)


def grant_emitter(user, emitter):
    assign_perm("fiscal.view_emitter", user, emitter)
    assign_perm("fiscal.issue_emitter", user, emitter)


@pytest.fixture
def clerk(emitter, other_emitter, sp, rj):
    """The fiscal clerk of the first emitter, who also moves stock in SP-01
    (not RJ-01)."""
    user = UserFactory(username="faturista", roles=["fiscal", "stock_clerk"])
    grant_emitter(user, emitter)
    assign_perm("stock.view_warehouse", user, sp)
    assign_perm("stock.operate_warehouse", user, sp)
    return user


@pytest.fixture
def other_clerk(other_emitter):
    """The fiscal clerk of the other emitter only."""
    user = UserFactory(username="faturista-filial", roles=["fiscal"])
    grant_emitter(user, other_emitter)
    return user


@pytest.fixture
def accountant(db):
    return UserFactory(username="contador", roles=["accountant"])


@pytest.fixture
def catalog(db):
    """Café (GTIN 7897846902352), Óleo (no GTIN: the supplier's code 1218 is
    mapped to it) and Xícara."""
    from content.models import Variant
    from plugins.fiscal.models import SupplierProductCode
    from tests.content.conftest import make_product

    make_product("cafe", variants=[("CAF-1", "29.90")])
    make_product("oleo", variants=[("OLE-1", "19.90")])
    make_product("xicara", variants=[("XIC-1", "15.00")])
    Variant.objects.filter(sku="CAF-1").update(gtin=GTIN_CAFE)
    variants = {v.sku: v for v in Variant.objects.all()}
    SupplierProductCode.objects.create(
        supplier_cnpj=SUPPLIER_CNPJ, code="1218", variant=variants["OLE-1"], factor=6
    )
    return variants


ITEMS = [
    Item(
        "1235",
        "CAFE TORRADO 500G",
        gtin=GTIN_CAFE,
        quantity="10.0000",
        unit_value="12.50",
    ),
    Item("1218", "OLEO DE COCO CX 6", quantity="2.0000", unit_value="60.00", unit="CX"),
    Item("7001", "XICARA BRANCA", quantity="4.0000", unit_value="8.75"),
]
#: 125,00 + 120,00 + 35,00
TOTAL = Decimal("280.00")


def due(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def nfe_xml(supplier_certificate):
    """The supplier's NF-e of ITEMS to our emitter, in two duplicatas."""
    return build_nfe(
        certificate=supplier_certificate,
        recipient_cnpj=OUR_CNPJ,
        items=ITEMS,
        installments=[(due(30), "140.00"), (due(60), "140.00")],
    )


@pytest.fixture
def make_nfe(supplier_certificate):
    def make(**kwargs):
        kwargs.setdefault("certificate", supplier_certificate)
        kwargs.setdefault("recipient_cnpj", OUR_CNPJ)
        kwargs.setdefault("items", ITEMS)
        return build_nfe(**kwargs)

    return make
