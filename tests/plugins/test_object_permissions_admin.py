"""The manager's screen for granting and revoking permissions on single objects."""

import pytest
from django.contrib.auth.models import Group, Permission
from guardian.models import GroupObjectPermission, UserObjectPermission
from wagtail.models import ModelLogEntry

from plugins.exceptions import RetaguardaError
from plugins.services import grant_object_permission
from tests.helpers import is_admin_denied

URL = "/admin/object-permissions/"
GRANT_URL = URL + "grant/shelves.shelf/"


def perm(codename):
    return Permission.objects.get(content_type__app_label="shelves", codename=codename)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_manager_grants_a_permission_on_one_shelf(
    manager_client, manager, shelf_keeper, shelf_a, shelf_b
):
    response = manager_client.post(
        GRANT_URL,
        {
            "object": shelf_a.pk,
            "permission": perm("change_shelf").pk,
            "user": shelf_keeper.pk,
        },
    )
    assert response.status_code == 302
    grant = UserObjectPermission.objects.get()
    assert (grant.user, grant.object_pk, grant.permission.codename) == (
        shelf_keeper,
        str(shelf_a.pk),
        "change_shelf",
    )
    entry = ModelLogEntry.objects.get(action="retaguarda.object_permission.grant")
    assert entry.user == manager
    assert entry.object_id == str(shelf_a.pk)
    assert entry.data == {
        "permission": "shelves.change_shelf",
        "holder_type": "user",
        "holder": "repositor",
    }

    # the grant shows in the listing, which says who holds what
    page = manager_client.get(URL).content.decode()
    assert "repositor" in page and "Corredor A1" in page
    assert "Pode alterar prateleira" in page


def test_grant_to_a_group(manager_client, shelf_b):
    team = Group.objects.create(name="Equipe noturna")
    response = manager_client.post(
        GRANT_URL,
        {"object": shelf_b.pk, "permission": perm("view_shelf").pk, "group": team.pk},
    )
    assert response.status_code == 302
    assert GroupObjectPermission.objects.get().group == team


def test_user_and_group_together_is_a_form_error(manager_client, shelf_keeper, shelf_a):
    team = Group.objects.create(name="Equipe")
    response = manager_client.post(
        GRANT_URL,
        {
            "object": shelf_a.pk,
            "permission": perm("view_shelf").pk,
            "user": shelf_keeper.pk,
            "group": team.pk,
        },
    )
    assert response.status_code == 200
    assert "Choose either a user or a group." in str(
        response.context["form"].errors
    ) or ("Escolha um usuário ou um grupo." in str(response.context["form"].errors))
    assert not UserObjectPermission.objects.exists()
    assert not GroupObjectPermission.objects.exists()


def test_permission_of_another_model_is_rejected(manager_client, shelf_keeper, shelf_a):
    other = Permission.objects.get(codename="change_group")
    response = manager_client.post(
        GRANT_URL,
        {"object": shelf_a.pk, "permission": other.pk, "user": shelf_keeper.pk},
    )
    assert response.status_code == 200
    assert "permission" in response.context["form"].errors
    assert not UserObjectPermission.objects.exists()


def test_inactive_user_cannot_receive_a_grant(manager, shelf_keeper, shelf_a):
    shelf_keeper.is_active = False
    shelf_keeper.save()
    with pytest.raises(RetaguardaError):
        grant_object_permission(
            shelf_a, permission=perm("view_shelf"), holder=shelf_keeper, by=manager
        )
    assert not UserObjectPermission.objects.exists()


def test_granting_twice_changes_nothing(manager, shelf_keeper, shelf_a):
    first = grant_object_permission(
        shelf_a, permission=perm("view_shelf"), holder=shelf_keeper, by=manager
    )
    second = grant_object_permission(
        shelf_a, permission=perm("view_shelf"), holder=shelf_keeper, by=manager
    )
    assert first.created and not second.created
    assert UserObjectPermission.objects.count() == 1
    assert (
        ModelLogEntry.objects.filter(
            action="retaguarda.object_permission.grant"
        ).count()
        == 1
    )


def test_manager_revokes_a_grant(manager_client, keeper_of_a, shelf_a):
    grant = UserObjectPermission.objects.get(permission__codename="change_shelf")
    response = manager_client.post(f"{URL}revoke/user/{grant.pk}/")
    assert response.status_code == 302
    assert not UserObjectPermission.objects.filter(pk=grant.pk).exists()
    entry = ModelLogEntry.objects.get(action="retaguarda.object_permission.revoke")
    assert entry.data["permission"] == "shelves.change_shelf"
    # and the keeper lost the edit screen for that shelf
    manager_client.force_login(keeper_of_a)
    assert is_admin_denied(manager_client.get(f"/admin/shelves/edit/{shelf_a.pk}/"))


def test_revoke_needs_post(manager_client, keeper_of_a):
    grant = UserObjectPermission.objects.first()
    assert manager_client.get(f"{URL}revoke/user/{grant.pk}/").status_code == 405


def test_listing_filters_by_holder(manager_client, keeper_of_a, shelf_b):
    team = Group.objects.create(name="Equipe noturna")
    GroupObjectPermission.objects.assign_perm("view_shelf", team, shelf_b)
    page = manager_client.get(URL + "?q=noturna").content.decode()
    assert "Equipe noturna" in page and "repositor" not in page


@pytest.mark.parametrize("fixture", ["editor", "auditor", "shelf_keeper"])
def test_others_cannot_open_or_post_the_grant_screen(client, request, fixture, shelf_a):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    assert is_admin_denied(client.get(URL))
    assert is_admin_denied(client.get(GRANT_URL))
    response = client.post(
        GRANT_URL,
        {"object": shelf_a.pk, "permission": perm("change_shelf").pk, "user": user.pk},
    )
    assert is_admin_denied(response)
    assert not UserObjectPermission.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_unknown_model_is_404(manager_client):
    assert manager_client.get(URL + "grant/auth.user/").status_code == 404
