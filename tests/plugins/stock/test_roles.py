"""Stock roles: the auditor's group never receives a stock write permission,
reorder points are the stock manager's, and another warehouse's screens do not
exist for a clerk (404)."""

import pytest
from django.contrib.auth.models import Permission
from guardian.models import GroupObjectPermission

from plugins.roles import role_group
from tests.plugins.orders.conftest import staff_client
from tests.plugins.stock.conftest import level

GRANT_URL = "/admin/object-permissions/grant/stock.warehouse/"
RECEIPT = {"warehouse": "SP-01", "sku": "CAM-M", "quantity": 4, "reference": "NF"}


def warehouse_perm(codename):
    return Permission.objects.get(content_type__app_label="stock", codename=codename)


def test_manager_cannot_grant_operate_warehouse_to_the_auditor_group(
    stocked, client, manager, auditor, sp
):
    # given a manager on Configurações › Permissões por objeto
    client.force_login(manager)
    # when they grant "operate" on SP-01 to the auditor group
    response = client.post(
        GRANT_URL,
        {
            "object": sp.pk,
            "permission": warehouse_perm("operate_warehouse").pk,
            "group": role_group("auditor").pk,
        },
    )
    # then the screen refuses it, in Portuguese, and grants nothing
    assert response.status_code == 200
    assert "é somente leitura" in response.content.decode()
    assert not GroupObjectPermission.objects.exists()
    # and the auditor's token still cannot post a receipt
    api = staff_client(auditor)
    response = api.post("/api/v1/stock/receipts/", RECEIPT, format="json")
    assert response.status_code == 403
    assert level("CAM-M", sp).on_hand == 2


def test_a_view_grant_to_the_auditor_group_is_accepted(stocked, client, manager, sp):
    client.force_login(manager)
    response = client.post(
        GRANT_URL,
        {
            "object": sp.pk,
            "permission": warehouse_perm("view_warehouse").pk,
            "group": role_group("auditor").pk,
        },
    )
    assert response.status_code == 302
    assert GroupObjectPermission.objects.get().permission.codename == "view_warehouse"


def test_clerk_reorder_points_are_not_writable_through_the_api(stocked, clerk_sp, sp):
    # the API reads reorder points; it has no route that writes them
    api = staff_client(clerk_sp)
    for method in (api.patch, api.put):
        response = method("/api/v1/stock/levels/", {"reorder_point": 9}, format="json")
        assert response.status_code == 405
    assert level("CAM-P", sp).reorder_point == 0


@pytest.mark.parametrize("view", ["inspect", "history", "usage"])
def test_another_warehouses_screens_answer_404(stocked, client, clerk_sp, rj, view):
    # given a clerk of SP-01 only
    client.force_login(clerk_sp)
    # then RJ-01's warehouse screens do not exist for them
    response = client.get(f"/admin/stock/warehouses/{view}/{rj.pk}/")
    assert response.status_code == 404


def test_clerk_sees_their_warehouse_but_may_not_edit_any(
    stocked, client, clerk_sp, sp, rj
):
    from tests.helpers import is_admin_denied

    client.force_login(clerk_sp)
    assert client.get(f"/admin/stock/warehouses/inspect/{sp.pk}/").status_code == 200
    # editing warehouses is nobody's job in this role: the screen is denied
    # for every id alike (their own, another's, one that does not exist)
    for pk in (sp.pk, rj.pk, 999_999):
        assert is_admin_denied(client.get(f"/admin/stock/warehouses/edit/{pk}/"))


def test_write_permissions_that_reach_the_auditor_group_anyway_are_ignored(
    stocked, auditor, sp
):
    from guardian.shortcuts import assign_perm

    # given write permissions put on the auditor group behind the checks' back
    # (e.g. in a shell): on one warehouse and for every warehouse
    group = role_group("auditor")
    assign_perm("stock.operate_warehouse", group, sp)
    group.permissions.add(warehouse_perm("operate_warehouse"))
    # when the auditor posts a receipt with their token
    api = staff_client(auditor)
    response = api.post("/api/v1/stock/receipts/", RECEIPT, format="json")
    # then it is refused and nothing moved
    assert response.status_code == 403
    assert level("CAM-M", sp).on_hand == 2


def test_a_user_granted_directly_still_operates_despite_being_an_auditor(
    stocked, auditor, sp
):
    from guardian.shortcuts import assign_perm

    # an auditor who is also granted a warehouse as a person keeps that grant
    assign_perm("stock.operate_warehouse", auditor, sp)
    assign_perm("stock.view_warehouse", auditor, sp)
    api = staff_client(auditor)
    response = api.post("/api/v1/stock/receipts/", RECEIPT, format="json")
    assert response.status_code == 201
