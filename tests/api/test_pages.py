"""Pages by path and type, children, store settings; product grids expanded."""

import pytest
from rest_framework.test import APIClient
from wagtail.models import Page, Site

from content.models import (
    Collection,
    CollectionProduct,
    ContentPage,
    HomePage,
    StoreSettings,
)


@pytest.fixture
def site_pages(camiseta):
    root = Page.get_first_root_node()
    collection = Collection(name="Mais vendidos", slug="mais-vendidos")
    collection.items = [CollectionProduct(product=camiseta)]
    collection.save()
    collection.save_revision().publish()
    home = root.add_child(
        instance=HomePage(
            title="Loja",
            slug="loja",
            body=[
                (
                    "product_grid",
                    {
                        "title": "Mais vendidos",
                        "source": "collection",
                        "collection": collection,
                        "limit": 4,
                    },
                )
            ],
        )
    )
    Site.objects.update(root_page=home)
    about = home.add_child(
        instance=ContentPage(title="Sobre nós", slug="sobre-nos", intro="Quem somos")
    )
    draft = home.add_child(
        instance=ContentPage(title="Rascunho", slug="rascunho", live=False)
    )
    settings = StoreSettings.for_site(Site.objects.get(is_default_site=True))
    settings.store_name = "Loja Retaguarda"
    settings.cnpj = "11.222.333/0001-81"
    settings.privacy_policy_page = about
    settings.save()
    return home, about, draft


def test_page_by_path_with_grids_expanded(api, site_pages):
    home, about, _draft = site_pages
    data = api.get("/api/v1/pages/?path=/").json()
    assert data["type"] == "content.homepage"
    grid = data["body"][0]
    assert grid["type"] == "product_grid"
    assert [p["slug"] for p in grid["products"]] == ["camiseta-basica"]
    assert grid["products"][0]["variants"][0]["price"] == "49.90"
    about_data = api.get("/api/v1/pages/?path=/sobre-nos/").json()
    assert about_data["title"] == "Sobre nós" and about_data["intro"] == "Quem somos"
    assert about_data["path"] == "/sobre-nos/"


def test_drafts_are_not_found(api, site_pages):
    assert api.get("/api/v1/pages/?path=/rascunho/").status_code == 404


def test_pages_by_type_and_children(api, site_pages):
    home, about, _draft = site_pages
    listed = api.get("/api/v1/pages/?type=content.contentpage").json()["results"]
    assert [p["slug"] for p in listed] == ["sobre-nos"]
    children = api.get(f"/api/v1/pages/{home.pk}/children/").json()["results"]
    assert [p["slug"] for p in children] == ["sobre-nos"]
    assert api.get("/api/v1/pages/?type=wagtailcore.page").status_code == 400
    assert api.get("/api/v1/pages/").status_code == 400


def test_publishing_a_page_shows_on_the_next_request(api, site_pages):
    _home, _about, draft = site_pages
    assert api.get("/api/v1/pages/?path=/rascunho/").status_code == 404
    draft.save_revision().publish()
    assert api.get("/api/v1/pages/?path=/rascunho/").status_code == 200


def test_store_settings(api, site_pages):
    data = api.get("/api/v1/settings/store/").json()
    assert data["name"] == "Loja Retaguarda"
    assert data["cnpj"] == "11.222.333/0001-81"
    assert data["policies"]["privacy"] == "/sobre-nos/"


def test_pages_need_the_catalog_scope(db, site_pages):
    assert APIClient().get("/api/v1/pages/?path=/").status_code == 401


def test_search_finds_products_and_pages(api, site_pages):
    data = api.get("/api/v1/search/?q=camiseta").json()
    assert [p["slug"] for p in data["products"]] == ["camiseta-basica"]
    data = api.get("/api/v1/search/?q=sobre").json()
    assert [p["slug"] for p in data["pages"]] == ["sobre-nos"]
    assert api.get("/api/v1/search/?q=").status_code == 400


def test_search_ignores_double_quotes(api, site_pages):
    # An unbalanced one broke SQLite's full-text query: a 500.
    data = api.get('/api/v1/search/?q="camiseta').json()
    assert [p["slug"] for p in data["products"]] == ["camiseta-basica"]
    assert api.get('/api/v1/search/?q=sobre"').json()["pages"][0]["slug"] == (
        "sobre-nos"
    )
    assert api.get('/api/v1/search/?q=""').status_code == 400


def test_redirect_lookup(api, site_pages):
    from wagtail.contrib.redirects.models import Redirect

    _home, about, _draft = site_pages
    Redirect.objects.create(old_path="/quem-somos", redirect_page=about)
    data = api.get("/api/v1/redirects/?path=/quem-somos/").json()
    assert data == {"location": about.url, "permanent": True}
    assert api.get("/api/v1/redirects/?path=/nada/").status_code == 404


def test_page_preview_token_shows_the_draft(api, site_pages, client, moderator):
    from content.preview import issue_preview_token

    _home, about, _draft = site_pages
    draft = about.get_latest_revision_as_object()
    draft.title = "Sobre nós (novo texto)"
    draft.save_revision()
    about.refresh_from_db()
    client.force_login(moderator)
    response = client.get(f"/admin/catalog/preview-token/page/{about.pk}/")
    assert response.status_code == 200
    token = response.context["token"]
    assert api.get("/api/v1/pages/?path=/sobre-nos/").json()["title"] == "Sobre nós"
    preview = api.get(f"/api/v1/pages/?path=/sobre-nos/&preview_token={token}")
    assert preview.status_code == 200
    assert preview.json()["title"] == "Sobre nós (novo texto)"
    assert "no-store" in preview["Cache-Control"]
    assert api.get("/api/v1/pages/?path=/sobre-nos/").json()["title"] == "Sobre nós"
    other = api.get(f"/api/v1/pages/?path=/&preview_token={token}")
    assert other.status_code == 401
    forged = api.get("/api/v1/pages/?path=/sobre-nos/&preview_token=forged")
    assert forged.status_code == 401
    home_token = issue_preview_token(_home)
    assert api.get(f"/api/v1/pages/?preview_token={home_token}").status_code == 200


def test_page_preview_token_needs_edit_rights(client, auditor, site_pages):
    from tests.helpers import is_admin_denied

    _home, about, _draft = site_pages
    client.force_login(auditor)
    assert is_admin_denied(client.get(f"/admin/catalog/preview-token/page/{about.pk}/"))
