"""The test plugin's admin screens honour object permissions."""

import pytest
from wagtail.models import ModelLogEntry

from tests.helpers import is_admin_denied
from tests.shelves_plugin.models import Shelf, ShelfItem


@pytest.fixture
def keeper_client(client, keeper_of_a):
    client.force_login(keeper_of_a)
    return client


def test_listing_shows_only_granted_shelves(keeper_client, shelf_a, shelf_b):
    response = keeper_client.get("/admin/shelves/")
    assert response.status_code == 200
    codes = [shelf.code for shelf in response.context["object_list"]]
    assert codes == ["a1"]
    assert "Corredor B2" not in response.content.decode()


def test_search_does_not_reveal_other_shelves(keeper_client, shelf_a, shelf_b):
    response = keeper_client.get("/admin/shelves/?q=B2")
    assert list(response.context["object_list"]) == []


def test_export_contains_only_granted_shelves(keeper_client, shelf_a, shelf_b):
    response = keeper_client.get("/admin/shelves/?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "a1" in body and "b2" not in body


def test_edit_form_of_granted_shelf_saves_and_audits_the_change(
    keeper_client, shelf_a, keeper_of_a
):
    response = keeper_client.post(
        f"/admin/shelves/edit/{shelf_a.pk}/",
        {"code": "a1", "name": "Corredor A1 (frios)", "capacity": "12"},
    )
    assert response.status_code == 302
    shelf_a.refresh_from_db()
    assert shelf_a.name == "Corredor A1 (frios)"
    entry = ModelLogEntry.objects.filter(
        action="wagtail.edit", object_id=str(shelf_a.pk)
    ).get()
    assert entry.user == keeper_of_a
    assert entry.data["changes"] == {
        "name": ["Corredor A1", "Corredor A1 (frios)"],
        "capacity": [10, 12],
    }
    assert "Nome: “Corredor A1” → “Corredor A1 (frios)”" in entry.comment


def test_edit_form_of_other_shelf_does_not_exist(keeper_client, shelf_b):
    # out of scope is 404, as in every scoped screen (ids are not confirmed)
    assert keeper_client.get(f"/admin/shelves/edit/{shelf_b.pk}/").status_code == 404
    response = keeper_client.post(
        f"/admin/shelves/edit/{shelf_b.pk}/",
        {"code": "b2", "name": "hacked", "capacity": "10"},
    )
    assert response.status_code == 404
    shelf_b.refresh_from_db()
    assert shelf_b.name == "Corredor B2"


@pytest.mark.parametrize("view", ["inspect", "history", "delete", "usage"])
def test_other_object_views_do_not_exist(keeper_client, shelf_b, view):
    url = f"/admin/shelves/{view}/{shelf_b.pk}/"
    assert keeper_client.get(url).status_code == 404


def test_keeper_cannot_create_or_delete_shelves(keeper_client, shelf_a):
    assert is_admin_denied(keeper_client.get("/admin/shelves/new/"))
    assert is_admin_denied(keeper_client.post(f"/admin/shelves/delete/{shelf_a.pk}/"))
    assert Shelf.objects.filter(pk=shelf_a.pk).exists()


def test_child_form_offers_only_granted_shelves(keeper_client, shelf_a, shelf_b):
    response = keeper_client.get("/admin/shelf-items/new/")
    assert response.status_code == 200
    choices = list(response.context["form"].fields["shelf"].queryset)
    assert choices == [shelf_a]
    # posting another shelf's id is rejected by the form
    response = keeper_client.post(
        "/admin/shelf-items/new/", {"shelf": shelf_b.pk, "sku": "X-1", "facings": "1"}
    )
    assert response.status_code == 200
    assert "shelf" in response.context["form"].errors
    assert not ShelfItem.objects.exists()
    response = keeper_client.post(
        "/admin/shelf-items/new/", {"shelf": shelf_a.pk, "sku": "X-1", "facings": "2"}
    )
    assert response.status_code == 302
    item = ShelfItem.objects.get()
    assert item.shelf == shelf_a
    created = ModelLogEntry.objects.get(action="wagtail.create", object_id=str(item.pk))
    assert created.data["changes"]["sku"] == [None, "X-1"]


def test_auditor_sees_all_shelves_read_only(client, auditor, shelf_a, shelf_b):
    client.force_login(auditor)
    response = client.get("/admin/shelves/")
    assert [s.code for s in response.context["object_list"]] == ["a1", "b2"]
    assert client.get(f"/admin/shelves/inspect/{shelf_b.pk}/").status_code == 200
    assert is_admin_denied(client.get(f"/admin/shelves/edit/{shelf_b.pk}/"))
    response = client.post(
        f"/admin/shelves/edit/{shelf_b.pk}/",
        {"code": "b2", "name": "x", "capacity": "1"},
    )
    assert is_admin_denied(response)
    assert is_admin_denied(client.get("/admin/shelves/new/"))


def test_editor_has_no_access_to_shelves(client, editor, shelf_a):
    client.force_login(editor)
    assert is_admin_denied(client.get("/admin/shelves/"))
    assert is_admin_denied(client.get(f"/admin/shelves/edit/{shelf_a.pk}/"))


def test_delete_records_the_deleted_values(client, superuser, shelf_a):
    client.force_login(superuser)
    response = client.post(f"/admin/shelves/delete/{shelf_a.pk}/")
    assert response.status_code == 302
    entry = ModelLogEntry.objects.get(
        action="wagtail.delete", object_id=str(shelf_a.pk)
    )
    assert entry.data["changes"]["name"] == ["Corredor A1", None]


def test_listing_query_count_does_not_grow_with_rows(
    client, keeper_of_a, django_assert_max_num_queries
):
    from tests.conftest import grant
    from tests.factories import ShelfFactory

    client.force_login(keeper_of_a)
    with django_assert_max_num_queries(40) as few:
        client.get("/admin/shelves/")
    for _ in range(15):
        grant(keeper_of_a, "view_shelf", ShelfFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/admin/shelves/")
    assert len(response.context["object_list"]) == 16


def test_copy_form_offers_only_granted_shelves(keeper_client, shelf_a, shelf_b):
    item = ShelfItem.objects.create(shelf=shelf_a, sku="X-1")
    response = keeper_client.post(
        f"/admin/shelf-items/copy/{item.pk}/",
        {"shelf": shelf_b.pk, "sku": "X-2", "facings": "1"},
    )
    assert not ShelfItem.objects.filter(shelf=shelf_b).exists()
    assert response.status_code == 200 and "shelf" in response.context["form"].errors


@pytest.mark.parametrize("view", ["edit", "inspect", "history", "delete", "copy"])
def test_items_of_another_shelf_do_not_exist(keeper_client, shelf_a, shelf_b, view):
    # given a keeper of A1 (who may add items to A1) and an item on B2
    item = ShelfItem.objects.create(shelf=shelf_b, sku="B-1", facings=1)
    # then its screens answer 404, copy included
    response = keeper_client.get(f"/admin/shelf-items/{view}/{item.pk}/")
    assert response.status_code == 404
