"""The finance admin forms take amounts and percentages as a Brazilian types
them ("1.234,56", "R$" before the amount), like every other admin form."""

import re
from decimal import Decimal as D

import pytest

from plugins.finance.models import ProviderAccount, Supplier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = {
    "name": "Depósito",
    "provider": "manual",
    "active": "on",
    "accepts_pix": "on",
    "pix_expiry_minutes": "30",
    "boleto_due_days": "3",
    "max_installments": "12",
    "settlement_days": "30",
    "card_fee_percent": "3,99",
    "installment_fee_percent": "0,00",
    "anticipation_fee_percent": "1,99",
    "pix_fee_percent": "0,99",
    "pix_settlement_days": "0",
    "boleto_fee": "1.234,56",
    "boleto_settlement_days": "2",
}


@pytest.fixture
def manager(client):
    user = UserFactory(roles=["finance_manager"])
    client.force_login(user)
    return user


def money_input(page: str, name: str) -> str:
    """The money input of ``name`` with its "R$" prefix."""
    match = re.search(
        r'<span class="br-decimal-input__prefix"[^>]*>R\$</span>\s*<input[^>]*'
        rf'name="{name}"[^>]*>',
        page,
    )
    assert match, f"{name} is not a money input"
    return match.group(0)


def test_a_provider_account_takes_brazilian_amounts(client, manager):
    page = client.get("/admin/finance/accounts/new/").content.decode()
    assert 'type="text"' in money_input(page, "boleto_fee")
    assert 'value="3,49"' in money_input(page, "boleto_fee")  # the default

    response = client.post("/admin/finance/accounts/new/", ACCOUNT)

    assert response.status_code == 302, response.content.decode()[-2000:]
    account = ProviderAccount.objects.get()
    assert account.boleto_fee == D("1234.56")
    assert account.card_fee_percent == D("3.99")
    edit = client.get(f"/admin/finance/accounts/edit/{account.pk}/").content.decode()
    assert 'value="1.234,56"' in money_input(edit, "boleto_fee")
    # the secrets keep their own input, never showing a saved value
    assert 'type="password"' in edit


def test_the_payables_model_forms_are_built_the_same_way(client, manager):
    page = client.get("/admin/finance/suppliers/new/")
    assert page.status_code == 200
    response = client.post(
        "/admin/finance/suppliers/new/",
        {"name": "Gráfica", "document": "11.222.333/0001-81", "active": "on"},
    )
    assert response.status_code == 302
    assert Supplier.objects.get().document == "11222333000181"
