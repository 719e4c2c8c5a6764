"""Fixtures of the fiscal admin tests: two emitters (Loja Matriz, granted to
the fiscal clerk; Loja Filial, not), users of the fiscal roles, documents
and test A1 certificates."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plugins.fiscal import certificates
from plugins.fiscal.models import Emitter, FiscalDocument
from tests.factories import UserFactory

MATRIZ_CNPJ = "11222333000181"
FILIAL_CNPJ = "11444777000161"
PASSWORD = "senha-do-certificado"


@functools.cache
def pfx(cnpj: str = MATRIZ_CNPJ, *, days: int = 365, age_days: int = 0) -> bytes:
    """A test A1 certificate of ``cnpj`` valid for ``days`` from
    ``age_days`` ago (generated once per test run)."""
    now = timezone.now() - dt.timedelta(days=age_days)
    return certificates.generate(
        cnpj, "Loja Exemplo Ltda", password=PASSWORD, days=days, now=now
    )


def make_emitter(name: str, cnpj: str, **fields) -> Emitter:
    return Emitter.objects.create(
        legal_name=f"{name} Ltda",
        trade_name=name,
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
        **fields,
    )


_serial = iter(range(1, 10**6))


def make_document(emitter, *, number=None, status="authorised", **fields):
    number = number or next(_serial)
    fields.setdefault("issued_at", timezone.now())
    fields.setdefault("total", Decimal("1234.56"))
    return FiscalDocument.objects.create(
        emitter=emitter,
        operation=fields.pop("operation", "sale"),
        status=status,
        environment="2",
        series=fields.pop("series", 1),
        number=number,
        access_key=fields.pop(
            "access_key",
            f"35260{emitter.cnpj}550010{number:08d}1{number:08d}0"[:44].ljust(44, "0"),
        ),
        recipient_name=fields.pop("recipient_name", "Maria Souza"),
        **fields,
    )


@pytest.fixture
def matriz(db):
    return make_emitter("Loja Matriz", MATRIZ_CNPJ)


@pytest.fixture
def filial(db):
    return make_emitter("Loja Filial", FILIAL_CNPJ)


@pytest.fixture
def clerk(matriz, filial):
    """A fiscal clerk granted Loja Matriz only."""
    user = UserFactory(username="faturista", roles=["fiscal"])
    for perm in ("fiscal.view_emitter", "fiscal.issue_emitter"):
        assign_perm(perm, user, matriz)
    return user


@pytest.fixture
def accountant(db):
    return UserFactory(username="contador", roles=["accountant"])
