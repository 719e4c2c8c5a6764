"""Public catalog endpoints: API-key scopes, published content only, filters,
cursor pagination, constant query count, ETags and cache invalidation, draft
preview with a token."""

import base64
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from api.cache import catalog_changed
from api.catalog.schema import ProductSerializer
from api.hooks import PRODUCT_PAYLOADS
from api.services import create_api_key
from content.importing.importer import run_import
from content.models import Product
from content.preview import issue_preview_token
from plugins.hooks import implementations
from tests.content.conftest import make_category, make_product

LIST = "/api/v1/catalog/products/"


@pytest.fixture
def catalog(camisetas, casa, brand, camiseta):
    camiseta.tags.add("verão")
    camiseta.save()
    camiseta.save_revision().publish()
    make_product("panela", primary_category=casa, variants=[("PAN-1", "199.00")])
    make_product(
        "rascunho", primary_category=camisetas, live=False, variants=[("RAS-1", "9")]
    )
    return camiseta


def slugs(response):
    assert response.status_code == 200, response.content
    return [p["slug"] for p in response.json()["results"]]


def test_needs_a_key_with_the_catalog_scope(db, catalog):
    assert APIClient().get(LIST).status_code == 401
    _key, secret = create_api_key(
        name="Pedidos",
        scopes=["orders:write"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    response = APIClient().get(LIST, HTTP_X_API_KEY=secret)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_lists_published_products_only_with_the_full_payload(api, catalog):
    response = api.get(LIST)
    assert slugs(response) == ["camiseta-basica", "panela"]
    product = response.json()["results"][0]
    serializer = ProductSerializer(data=product)
    assert serializer.is_valid(), serializer.errors
    assert product["brand"] == {"slug": "nordeste", "name": "Nordeste Têxtil"}
    assert [c["path"] for c in product["category"]["breadcrumbs"]] == [
        "moda",
        "moda/camisetas",
    ]
    assert product["price_range"] == {"min": "49.90", "max": "54.90"}
    assert product["variants"][0]["options"] == {"cor": "op0"}
    assert product["tags"] == ["verão"]
    assert "cost_price" not in str(product)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?category=moda", ["camiseta-basica"]),
        ("?category=casa", ["panela"]),
        ("?brand=nordeste", ["camiseta-basica"]),
        ("?price_min=100", ["panela"]),
        ("?price_max=50", ["camiseta-basica"]),
        ("?option=cor:op1", ["camiseta-basica"]),
        ("?option=cor:roxo", []),
        ("?tag=verão", ["camiseta-basica"]),
        ("?q=PAN-1", ["panela"]),
        ("?q=básica", ["camiseta-basica"]),
        ("?ordering=-price", ["panela", "camiseta-basica"]),
        ("?ordering=-name", ["panela", "camiseta-basica"]),
    ],
)
def test_filters_and_ordering(api, catalog, query, expected):
    assert slugs(api.get(LIST + query)) == expected


def cursor(*values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "query",
    [
        "?page_size=0",
        "?page_size=101",
        "?price_min=abc",
        "?price_min=NaN",
        "?price_max=1e3",
        "?price_max=-5",
        "?option=cor",
        "?ordering=sku",
        "?cursor=xyz",
        # Cursors are opaque but come from clients: forged sort values and ids
        # were 500s.
        f"?ordering=price&cursor={cursor('price', 'abc', 1)}",
        f"?ordering=newest&cursor={cursor('newest', 'yesterday', 1)}",
        f"?cursor={cursor('name', 'Panela', 'x')}",
        f"?cursor={cursor('name', 'Panela', 10**30)}",
        f"?cursor={cursor('name', ['Panela'], 1)}",
        # a cursor of another ordering
        f"?ordering=price&cursor={cursor('name', 'Panela', 1)}",
        # NUL characters (PostgreSQL text cannot hold them: a 500 there)
        "?brand=a%00b",
        "?option=cor:a%00",
    ],
)
def test_bad_parameters_are_problems(api, catalog, query):
    response = api.get(LIST + query)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_nul_character_in_a_path_is_a_problem(api, catalog):
    response = api.get("/api/v1/catalog/categories/moda%00/")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["path"]


def test_prices_with_a_comma_and_empty_filters(api, catalog):
    assert slugs(api.get(LIST + "?price_min=100,00&price_max=")) == ["panela"]


def test_cursor_pagination_walks_every_product_once(api, camisetas):
    for i in range(7):
        make_product(
            f"p-{i}", primary_category=camisetas, variants=[(f"P{i}", str(10 + i % 3))]
        )
    for ordering in ("name", "price", "-price", "newest"):
        seen, url = [], f"{LIST}?page_size=3&ordering={ordering}"
        while url:
            data = api.get(url).json()
            seen += [p["slug"] for p in data["results"]]
            cursor = data["next_cursor"]
            url = (
                f"{LIST}?page_size=3&ordering={ordering}&cursor={cursor}"
                if cursor
                else None
            )
        assert sorted(seen) == sorted(f"p-{i}" for i in range(7)), ordering


def test_query_count_does_not_grow_with_page_size(
    api, camisetas, django_assert_max_num_queries
):
    for i in range(30):
        make_product(
            f"q-{i}",
            primary_category=camisetas,
            variants=[(f"Q{i}a", "1"), (f"Q{i}b", "2")],
        )
    api.get(LIST)  # the key's first use records its last-used time (once a minute)
    # Ours: products, variants, categories, images, tags (the key and the
    # category tree come from the cache). Each plugin extending the payloads
    # may add one query (stock: availability; the test plugin: shelves), so a
    # default installation (with stock) reads a page in 6.
    budget = 5 + len(implementations(PRODUCT_PAYLOADS))
    counts = []
    for size in (1, 24, 100):
        catalog_changed()  # no cached response: the page is built from the rows
        api.get(f"{LIST}?page_size=2")  # a catalog change renews the category tree
        with django_assert_max_num_queries(budget) as captured:
            assert len(api.get(f"{LIST}?page_size={size}").json()["results"]) == min(
                size, 30
            )
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_etag_and_conditional_requests(api, catalog):
    first = api.get(LIST)
    etag = first["ETag"]
    assert "max-age" in first["Cache-Control"]
    again = api.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_a_cached_response_is_served_only_to_whom_the_full_path_would_serve(
    db, catalog
):
    from api.services import revoke_api_key

    def client_for(**options):
        key, secret = create_api_key(
            name="Loja",
            scopes=options.pop("scopes", ["catalog:read"]),
            allowed_origins=options.pop("origins", []),
            rate_limit=options.pop("rate_limit", 0),
            user=None,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        return key, client

    key, client = client_for(rate_limit=4)
    first = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")  # built and cached
    # From the cache, before the rest of the middleware stack: the same.
    second = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 200 and second.content == first.content
    assert dict(second.headers) == dict(first.headers)
    assert second["Content-Language"] == "en"
    assert client.get(LIST)["Content-Language"] == "pt-br"
    assert client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(LIST).status_code == 429  # the fourth in the minute

    _other, orders_only = client_for(scopes=["orders:write"])
    assert orders_only.get(LIST).status_code == 403
    _shop, shop = client_for(origins=["https://loja.example"])
    assert shop.get(LIST, HTTP_ORIGIN="https://outra.example").status_code == 403
    assert shop.get(LIST, HTTP_ORIGIN="https://loja.example").status_code == 200

    revoke_api_key(key, user=None)
    assert client.get(LIST).status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=f"Api-Key rtg_{key.prefix}_forjada")
    assert forged.get(LIST).status_code == 401


def test_publish_is_visible_on_the_next_request(api, catalog, superuser):
    assert "rascunho" not in slugs(api.get(LIST))
    draft = Product.objects.get(slug="rascunho")
    draft.save_revision(user=superuser).publish(user=superuser)
    assert "rascunho" in slugs(api.get(LIST))


def test_no_stale_response_after_an_import(
    api, catalog, superuser, django_capture_on_commit_callbacks
):
    before = api.get(f"{LIST}camiseta-basica/").json()
    assert before["variants"][0]["price"] == "49.90"
    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(
            b"product_slug;sku;price\ncamiseta-basica;CAM-AZ-M;39,90\n",
            user=superuser,
            dry_run=False,
            publish=True,
        )
    assert report.committed
    after = api.get(f"{LIST}camiseta-basica/").json()
    assert after["variants"][0]["price"] == "39.90"


def test_detail_of_a_draft_is_not_found(api, catalog):
    response = api.get(f"{LIST}rascunho/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_preview_token_shows_the_draft(api, catalog, superuser):
    draft = catalog.get_latest_revision_as_object()
    draft.name = "Camiseta básica (nova coleção)"
    variants = list(draft.variants.all())
    variants[0].price = Decimal("44.90")
    draft.variants = variants
    draft.save_revision(user=superuser)
    catalog.refresh_from_db()
    token = issue_preview_token(catalog)
    live = api.get(f"{LIST}camiseta-basica/").json()
    assert live["name"] == "Camiseta básica"
    preview = api.get(f"{LIST}camiseta-basica/?preview_token={token}")
    assert preview.status_code == 200
    assert preview.json()["name"] == "Camiseta básica (nova coleção)"
    assert preview.json()["variants"][0]["price"] == "44.90"
    assert "no-store" in preview["Cache-Control"]
    # drafts never leak into the cached public response
    assert api.get(f"{LIST}camiseta-basica/").json()["name"] == "Camiseta básica"


def test_bad_preview_tokens_are_401(api, catalog):
    other = make_product("outro", variants=[("OUT-1", "1")])
    token = issue_preview_token(other)
    for bad in ("forged", token[:-2] + "xx", token):
        response = api.get(f"{LIST}camiseta-basica/?preview_token={bad}")
        assert response.status_code == 401, bad


def test_categories_brands_and_collections(api, catalog, moda):
    from content.models import Collection

    make_category(
        "basicas", parent=Product.objects.get(slug="camiseta-basica").primary_category
    )
    tree = api.get("/api/v1/catalog/categories/").json()
    moda_node = next(node for node in tree if node["slug"] == "moda")
    assert moda_node["children"][0]["slug"] == "camisetas"
    assert moda_node["children"][0]["children"][0]["path"] == "moda/camisetas/basicas"
    detail = api.get("/api/v1/catalog/categories/moda/camisetas/").json()
    assert [c["slug"] for c in detail["breadcrumbs"]] == ["moda"]
    assert [c["slug"] for c in detail["children"]] == ["basicas"]
    assert api.get("/api/v1/catalog/brands/").json() == [
        {"slug": "nordeste", "name": "Nordeste Têxtil", "website": ""}
    ]
    collection = Collection(name="Mais vendidos", slug="mais-vendidos")
    from content.models import CollectionProduct

    collection.items = [
        CollectionProduct(product=Product.objects.get(slug="panela")),
        CollectionProduct(product=catalog),
        CollectionProduct(product=Product.objects.get(slug="rascunho")),
    ]
    collection.save()
    collection.save_revision().publish()
    data = api.get("/api/v1/catalog/collections/mais-vendidos/").json()
    assert [p["slug"] for p in data["products"]] == ["panela", "camiseta-basica"]


def test_renaming_a_category_shows_in_the_next_breadcrumbs(api, catalog, moda):
    def crumbs():
        product = api.get(f"{LIST}camiseta-basica/").json()
        return [c["name"] for c in product["category"]["breadcrumbs"]]

    assert crumbs() == ["Moda", "Camisetas"]
    moda.name = "Moda e acessórios"
    moda.save_revision().publish()
    assert crumbs() == ["Moda e acessórios", "Camisetas"]


@pytest.mark.parametrize(
    "spec", ["fill-160x160", "max-1200x1200", "fill-9x9|jpegquality-60"]
)
def test_image_urls_without_reverse_are_reverse_s(spec):
    from wagtail.images.utils import verify_signature

    from api.catalog.payloads import _signature, image_url, image_url_prefix

    assert verify_signature(_signature(42, spec).encode(), 42, spec)

    prefix = image_url_prefix()
    assert prefix
    assert image_url(42, "original_images/foto 1.jpg", spec, prefix) == image_url(
        42, "original_images/foto 1.jpg", spec
    )


def test_listed_payloads_are_the_payloads_built_from_the_objects(
    api, catalog, casa, moda
):
    """The list reads its rows with written-out queries; previews build the
    same payload from model instances. Every field agrees, on every database:
    decimals (SQLite stores floats), booleans (SQLite stores 0/1), images,
    extra categories and tags, in their order."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from api.cache import render
    from api.catalog.payloads import payloads_for_objects
    from content.models import ProductImage, Variant

    Variant.objects.filter(sku="CAM-AZ-M").update(
        compare_at_price=Decimal("59.90"),
        length_cm=Decimal("30.5"),
        width_cm=Decimal("20"),
        height_cm=Decimal("1.25"),
        weight_grams=180,
        gtin="7891234567895",
    )
    Variant.objects.filter(sku="CAM-AZ-G").update(active=False)
    for i, alt in enumerate(["Frente", "Costas"]):
        image = get_image_model().objects.create(
            title=alt, file=get_test_image_file(size=(800, 600))
        )
        ProductImage.objects.create(
            product=catalog, image=image, alt=alt, sort_order=1 - i
        )
    catalog.categories.add(moda, casa)
    catalog.tags.add("algodão")
    catalog.save()
    catalog.save_revision().publish()
    catalog_changed()

    listed = api.get(LIST).json()["results"]
    products = [Product.objects.get(slug=p["slug"]) for p in listed]
    assert json.loads(render(payloads_for_objects(products))) == listed
    camiseta = listed[0]
    assert [i["alt"] for i in camiseta["images"]] == ["Costas", "Frente"]
    assert [c["path"] for c in camiseta["categories"]] == ["casa", "moda"]
    assert camiseta["tags"] == ["algodão", "verão"]
    variant = camiseta["variants"][0]
    assert variant["compare_at_price"] == "59.90"
    assert variant["dimensions_cm"] == {
        "length": "30.50",
        "width": "20.00",
        "height": "1.25",
    }
    assert [v["active"] for v in camiseta["variants"]] == [True, False]
    assert all(type(v["active"]) is bool for v in camiseta["variants"])
    assert camiseta["price_range"] == {"min": "49.90", "max": "49.90"}
