"""Every back-office write is in the audit log, with before/after values; the
log is filterable and exportable in the admin."""

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from plugins.audit import describe_changes
from tests.helpers import csv_export_dicts, is_admin_denied, xlsx_export_dicts

URL = "/admin/audit-log/"


@pytest.fixture
def edited_shelf(client, superuser, shelf_a):
    client.force_login(superuser)
    client.post(
        f"/admin/shelves/edit/{shelf_a.pk}/",
        {"code": "a1", "name": "Corredor A1 =HYPERLINK()", "capacity": "10"},
    )
    client.logout()
    return shelf_a


def test_auditor_filters_the_log_by_action(client, auditor, edited_shelf):
    client.force_login(auditor)
    response = client.get(URL + "?action=wagtail.edit")
    assert response.status_code == 200
    entries = list(response.context["object_list"])
    assert entries and {e.action for e in entries} == {"wagtail.edit"}
    assert "Corredor A1 =HYPERLINK()" in response.content.decode()


def test_export_has_the_changes_and_neutralises_formulas(
    client, auditor, superuser, edited_shelf
):
    superuser.first_name = '=HYPERLINK("http://x")'
    superuser.last_name = ""
    superuser.save()
    client.force_login(auditor)
    response = client.get(URL + "?action=wagtail.edit&export=csv")
    rows = csv_export_dicts(response)
    assert len(rows) == 1
    # fields by their pt-BR names
    assert rows[0]["Alterações"] == "Nome: “Corredor A1” → “Corredor A1 =HYPERLINK()”"
    assert rows[0]["Usuário"] == '\'=HYPERLINK("http://x")'
    entry = ModelLogEntry.objects.get(action="wagtail.edit")
    moment = timezone.localtime(entry.timestamp)
    assert rows[0]["Data/Hora"] == moment.strftime("%d/%m/%Y %H:%M")


def test_xlsx_export(client, manager, edited_shelf):
    client.force_login(manager)
    rows = xlsx_export_dicts(client.get(URL + "?action=wagtail.edit&export=xlsx"))
    assert len(rows) == 1
    moment = rows[0]["Data/Hora"]
    assert moment.is_date and moment.number_format == "dd/mm/yyyy hh:mm"
    entry = ModelLogEntry.objects.get(action="wagtail.edit")
    local = timezone.localtime(entry.timestamp).replace(tzinfo=None)
    assert abs(moment.value - local).total_seconds() < 1  # São Paulo time


@pytest.mark.parametrize("fixture", ["editor", "moderator", "shelf_keeper"])
def test_roles_without_audit_permission_are_denied(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert is_admin_denied(client.get(URL))
    assert is_admin_denied(client.get(URL + "?export=csv"))


def test_describe_changes_is_readable():
    assert describe_changes(
        {"changes": {"price": ["10.00", "12.50"], "note": [None, "x"]}}
    ) == ("price: “10.00” → “12.50”; note: ∅ → “x”")


def test_describe_changes_names_fields_and_shows_values_as_the_screens_do(db):
    from content.models import Product
    from plugins.orders.models import SalesChannel

    assert describe_changes(
        {"changes": {"active": [True, False], "kind": ["storefront", "marketplace"]}},
        SalesChannel,
    ) == ("Ativo: Sim → Não; Tipo: “Loja virtual própria” → “Marketplace”")
    assert describe_changes(
        {
            "changes": {
                "variants": {
                    "CAN-AZ": {"price": ["89.90", "99.90"]},
                    "CAN-VD": "new",
                    "CAN-PT": "removed",
                }
            }
        },
        Product,
    ) == (
        "Preço (Variante CAN-AZ): R$ 89,90 → R$ 99,90; Inclusão: Variante CAN-VD; "
        "Exclusão: Variante CAN-PT"
    )


def test_secret_fields_are_masked(db):
    from plugins.audit import _masked

    assert _masked("key_hash", "abc", "def") == ["***", "***"]


def test_user_created_in_wagtail_settings_is_audited_without_the_password(
    client, superuser
):
    from django.contrib.auth import get_user_model

    client.force_login(superuser)
    response = client.post(
        "/admin/users/new/",
        {
            "username": "caixa01",
            "email": "caixa01@loja.com.br",
            "first_name": "Ana",
            "last_name": "Souza",
            "password1": "Uma-senha-longa-9",
            "password2": "Uma-senha-longa-9",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = get_user_model().objects.get(username="caixa01")
    entry = ModelLogEntry.objects.get(action="wagtail.create", object_id=str(user.pk))
    assert entry.user == superuser
    assert entry.data["changes"]["username"] == [None, "caixa01"]
    assert entry.data["changes"]["password1"] == ["***", "***"]
    assert "Uma-senha-longa-9" not in str(entry.data)
