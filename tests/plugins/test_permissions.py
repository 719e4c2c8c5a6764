import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import get_objects_for_user

from plugins.permissions import ScopedPermissionPolicy, policy_for
from tests.conftest import grant
from tests.factories import UserFactory
from tests.shelves_plugin.models import Shelf


@pytest.fixture
def policy():
    return policy_for(Shelf)


def test_the_registered_policy_is_the_scoped_one(policy):
    assert isinstance(policy, ScopedPermissionPolicy)


def test_grant_on_one_object_allows_that_object_only(
    policy, keeper_of_a, shelf_a, shelf_b
):
    assert list(policy.instances_user_has_permission_for(keeper_of_a, "view")) == [
        shelf_a
    ]
    assert policy.user_has_permission_for_instance(keeper_of_a, "change", shelf_a)
    assert not policy.user_has_permission_for_instance(keeper_of_a, "change", shelf_b)
    assert not policy.user_has_permission_for_instance(keeper_of_a, "delete", shelf_a)


def test_a_grant_makes_the_screen_reachable_but_not_creation(policy, keeper_of_a):
    assert policy.user_has_permission(keeper_of_a, "change")
    assert not policy.user_has_permission(keeper_of_a, "add")


def test_change_implies_view(policy, shelf_keeper, shelf_a):
    grant(shelf_keeper, "change_shelf", shelf_a)
    assert policy.user_has_permission_for_instance(shelf_keeper, "view", shelf_a)


def test_group_grant_applies_to_its_members(policy, shelf_a, shelf_b):
    team = Group.objects.create(name="Equipe A")
    member = UserFactory(username="membro")
    member.groups.add(team)
    grant(team, "view_shelf", shelf_b)
    assert list(policy.instances_user_has_permission_for(member, "view")) == [shelf_b]


def test_inactive_user_gets_nothing_even_with_grants(policy, keeper_of_a, shelf_a):
    keeper_of_a.is_active = False
    keeper_of_a.save()
    # guardian alone still hands the object to an inactive user ...
    assert list(
        get_objects_for_user(keeper_of_a, "shelves.view_shelf", klass=Shelf)
    ) == [shelf_a]
    # ... the policy does not.
    assert not policy.instances_user_has_permission_for(keeper_of_a, "view").exists()
    assert not policy.user_has_permission_for_instance(keeper_of_a, "view", shelf_a)
    assert not policy.user_has_permission(keeper_of_a, "view")


def test_model_level_permission_covers_every_object(policy, auditor, shelf_a, shelf_b):
    assert set(policy.instances_user_has_permission_for(auditor, "view")) == {
        shelf_a,
        shelf_b,
    }
    assert not policy.user_has_permission_for_instance(auditor, "change", shelf_a)


def test_user_without_anything_sees_nothing(policy, editor, shelf_a):
    assert not policy.user_has_permission(editor, "view")
    assert not policy.instances_user_has_permission_for(editor, "view").exists()


def test_users_with_permission_includes_object_grant_holders(
    policy, keeper_of_a, shelf_a, editor
):
    assert keeper_of_a in policy.users_with_permission("change")
    assert editor not in policy.users_with_permission("change")
    assert keeper_of_a in policy.users_with_permission_for_instance("change", shelf_a)


def test_scope_objects_are_the_choices_for_forms(
    policy, keeper_of_a, shelf_a, superuser, shelf_b
):
    assert list(policy.scope_objects(keeper_of_a, "change")) == [shelf_a]
    assert set(policy.scope_objects(superuser, "change")) == {shelf_a, shelf_b}


def test_child_rows_are_scoped_through_their_shelf(
    keeper_of_a, shelf_a, shelf_b, auditor
):
    from tests.shelves_plugin.models import ShelfItem

    item_a = ShelfItem.objects.create(shelf=shelf_a, sku="CAM-001")
    item_b = ShelfItem.objects.create(shelf=shelf_b, sku="CAM-002")
    item_policy = policy_for(ShelfItem)
    assert list(item_policy.instances_user_has_permission_for(keeper_of_a, "view")) == [
        item_a
    ]
    assert item_policy.user_has_permission_for_instance(keeper_of_a, "change", item_a)
    assert not item_policy.user_has_permission_for_instance(
        keeper_of_a, "change", item_b
    )
    # adding rows needs the scope permission on some shelf, not a model permission
    assert item_policy.user_has_permission(keeper_of_a, "add")
    assert list(item_policy.scope_objects(keeper_of_a, "add")) == [shelf_a]
    # the auditor's model-level view covers all rows, and nothing else
    assert set(item_policy.instances_user_has_permission_for(auditor, "view")) == {
        item_a,
        item_b,
    }
    assert not item_policy.user_has_permission(auditor, "add")
