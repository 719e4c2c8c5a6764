"""Read-only roles (the auditor) and sensitive view permissions: the role sync,
the object-permission grants and Wagtail's group editor all refuse giving a
read-only role a write permission, and existing installs are cleaned."""

import pytest
from django.contrib.auth.models import Group, Permission
from guardian.models import GroupObjectPermission
from guardian.shortcuts import assign_perm
from wagtail.models import GroupPagePermission, ModelLogEntry, Page

from plugins.roles import ReadOnlyRoleError, role_group, sync_roles
from plugins.services import grant_object_permission
from tests.plugins.test_roles import perms_of

GROUP_FORMSETS = (
    "page_permissions",
    "collection_permissions",
    "image_permissions",
    "document_permissions",
)


def perm(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_auditor_does_not_see_cost_prices_but_the_manager_does(db):
    # given the roles as synced after migrate
    # then every view permission reaches the auditor except the cost prices
    auditor = perms_of(role_group("auditor"))
    assert "content.view_product" in auditor and "stock.view_warehouse" in auditor
    assert "content.view_cost_price" not in auditor
    assert "content.view_cost_price" in perms_of(role_group("manager"))


def test_sync_removes_what_a_read_only_role_may_never_hold(db, shelf_a):
    # given an install whose auditor group got write and sensitive permissions
    # (as older versions gave it the cost prices)
    group = role_group("auditor")
    group.permissions.add(perm("content.view_cost_price"), perm("shelves.change_shelf"))
    GroupPagePermission.objects.create(
        group=group,
        page=Page.get_first_root_node(),
        permission=Permission.objects.get(codename="publish_page"),
    )
    assign_perm("shelves.restock_shelf", group, shelf_a)
    assign_perm("shelves.view_shelf", group, shelf_a)
    # when the roles are synced
    result = {r.key: r for r in sync_roles()}["auditor"]
    # then those are gone, the read permissions stay, and the sync says so
    perms = perms_of(group)
    assert "content.view_cost_price" not in perms
    assert "shelves.change_shelf" not in perms
    assert "shelves.view_shelf" in perms and "plugins.view_audit_log" in perms
    assert not GroupPagePermission.objects.filter(group=group).exists()
    assert list(
        GroupObjectPermission.objects.filter(group=group).values_list(
            "permission__codename", flat=True
        )
    ) == ["view_shelf"]
    assert result.removed == [
        "content.view_cost_price",
        "shelves.change_shelf",
        "object:shelves.restock_shelf",
        "page:wagtailcore.publish_page",
    ]
    entry = ModelLogEntry.objects.filter(action="retaguarda.roles.sync").latest(
        "timestamp"
    )
    assert entry.data["removed"] == result.removed
    # and a second sync has nothing left to do
    again = {r.key: r for r in sync_roles()}["auditor"]
    assert again.removed == [] and again.added == []


def test_sync_keeps_what_an_administrator_added_to_other_roles(db):
    # given a hand-added write permission on a role that is not read-only
    group = role_group("content_editor")
    group.permissions.add(perm("content.view_cost_price"))
    # when the roles are synced
    sync_roles()
    # then it is kept (reported, never removed)
    assert "content.view_cost_price" in perms_of(group)


def test_grant_service_refuses_a_write_permission_to_the_auditor_group(
    manager, shelf_a
):
    # when a manager grants restock on a shelf to the auditor group
    with pytest.raises(ReadOnlyRoleError):
        grant_object_permission(
            shelf_a,
            permission=perm("shelves.restock_shelf"),
            holder=role_group("auditor"),
            by=manager,
        )
    # then nothing was granted
    assert not GroupObjectPermission.objects.exists()
    # while a view permission may be granted
    grant_object_permission(
        shelf_a,
        permission=perm("shelves.view_shelf"),
        holder=role_group("auditor"),
        by=manager,
    )
    assert GroupObjectPermission.objects.count() == 1


def _editable(client, group):
    """The group's permissions that the group editor lists (its choices)."""
    form = client.get(f"/admin/groups/edit/{group.pk}/").context["form"]
    return list(form.fields["permissions"].queryset.filter(group=group))


def _group_post(group, permissions):
    data = {"name": group.name, "permissions": [p.pk for p in permissions]}
    for prefix in GROUP_FORMSETS:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_group_editor_refuses_a_write_permission_for_the_auditor(client, superuser):
    # given the auditor group in Wagtail's group editor
    client.force_login(superuser)
    group = role_group("auditor")
    before = perms_of(group)
    kept = _editable(client, group)
    # when someone ticks "change shelf" and saves
    response = client.post(
        f"/admin/groups/edit/{group.pk}/",
        _group_post(group, [*kept, perm("shelves.change_shelf")]),
    )
    # then the form comes back with the reason, and nothing changed
    assert response.status_code == 200
    assert "somente leitura" in response.content.decode()
    assert "shelves.change_shelf" in response.content.decode()
    assert perms_of(group) == before


def test_group_editor_still_saves_read_permissions_and_other_groups(client, superuser):
    client.force_login(superuser)
    auditor = role_group("auditor")
    kept = [p for p in _editable(client, auditor) if p.codename != "view_shelf"]
    response = client.post(
        f"/admin/groups/edit/{auditor.pk}/", _group_post(auditor, kept)
    )
    assert response.status_code == 302
    assert "shelves.view_shelf" not in perms_of(auditor)
    team = Group.objects.create(name="Equipe")
    response = client.post(
        f"/admin/groups/edit/{team.pk}/",
        _group_post(team, [perm("shelves.change_shelf")]),
    )
    assert response.status_code == 302
    assert perms_of(team) == {"shelves.change_shelf"}
