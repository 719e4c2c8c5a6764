"""Storefront-like templates: Wagtail previews of catalog snippets and the
storefront pages (home, content, landing), with the product grid block."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from content.models import (
    Brand,
    Category,
    Collection,
    CollectionProduct,
    ContentPage,
    HomePage,
    LandingPage,
    Product,
    ProductImage,
    Variant,
)
from content.templatetags.storefront import brl, http_url, resolve_grid_products

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
COST_PRICES = ("21,37", "21.37", "31,42", "31.42")


# -- data -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def brand():
    return Brand.objects.create(
        name="Algodão Bom", slug="algodao-bom", description="<p>Marca de Minas.</p>"
    )


@pytest.fixture
def moda():
    return Category.objects.create(name="Moda", slug="moda")


@pytest.fixture
def camisetas(moda):
    return Category.objects.create(name="Camisetas", slug="camisetas", parent=moda)


def make_product(slug, *, live=True, price="49.90", variants=None, **fields):
    product = Product(
        name=fields.pop("name", slug.replace("-", " ").title()),
        slug=slug,
        live=live,
        **fields,
    )
    product.variants = variants or [Variant(sku=f"{slug}-u", price=Decimal(price))]
    product.save()
    return product


@pytest.fixture
def product(brand, camisetas):
    return make_product(
        "camiseta-basica",
        name="Camiseta Básica",
        brand=brand,
        primary_category=camisetas,
        short_description="Malha 100% algodão.",
        option1_name="Cor",
        option2_name="Tamanho",
        description=json.dumps(
            [
                {"type": "rich_text", "value": "<p>Tecido macio e fresco.</p>"},
                {
                    "type": "specifications",
                    "value": [{"label": "Composição", "value": "100% algodão"}],
                },
            ]
        ),
        variants=[
            Variant(
                sku="CAM-AZ-P",
                option1="Azul",
                option2="P",
                price=Decimal("49.90"),
                compare_at_price=Decimal("59.90"),
                cost_price=Decimal("21.37"),
            ),
            Variant(
                sku="CAM-AZ-G",
                option1="Azul",
                option2="G",
                price=Decimal("1234.56"),
                cost_price=Decimal("31.42"),
            ),
            Variant(
                sku="CAM-OFF", option1="Preta", price=Decimal("9.99"), active=False
            ),
        ],
    )


@pytest.fixture
def draft_product(camisetas):
    return make_product(
        "rascunho-secreto",
        name="Rascunho Secreto",
        live=False,
        primary_category=camisetas,
    )


def render_preview(obj, rf, user) -> str:
    """Render as Wagtail's preview views do (``serve_preview`` through the
    middleware, on a dummy request flagged as a preview)."""
    request = rf.get("/")
    request.user = user
    response = obj.make_preview_request(request, obj.default_preview_mode)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="sf-preview-flag"' in html
    return html


# -- the brl filter ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("49.90"), "R$ 49,90"),
        (Decimal("49.9"), "R$ 49,90"),
        (Decimal("1234.56"), "R$ 1.234,56"),
        (Decimal("1234567.8"), "R$ 1.234.567,80"),
        (Decimal("0"), "R$ 0,00"),
        (12, "R$ 12,00"),
        (None, ""),
        ("", ""),
        ("abc", ""),
    ],
)
def test_brl_formats_brazilian_money(value, expected):
    assert brl(value) == expected


def test_http_url_keeps_only_http_links():
    assert http_url("https://loja.com.br/x") == "https://loja.com.br/x"
    assert http_url("javascript:alert(1)") == ""
    assert http_url(None) == ""


# -- product preview --------------------------------------------------------------


def test_product_preview_is_a_self_contained_storefront_page(product, rf, superuser):
    html = render_preview(product, rf, superuser)
    assert '<html lang="pt-BR">' in html
    assert "<link" not in html
    assert "<script" not in html
    assert "@import" not in html and "url(" not in html


def test_product_preview_shows_the_product(product, rf, superuser):
    html = render_preview(product, rf, superuser)
    assert "<h1>Camiseta Básica</h1>" in html
    assert "Algodão Bom" in html
    assert "Malha 100% algodão." in html
    # breadcrumbs of the primary category
    assert 'data-path="moda">Moda</li>' in html
    assert 'data-path="moda/camisetas">Camisetas</li>' in html
    # the description StreamField
    assert "<p>Tecido macio e fresco.</p>" in html
    assert "Composição" in html and "100% algodão" in html
    # variants with the named options as columns, active ones only
    assert '<th scope="col">Cor</th>' in html
    assert '<th scope="col">Tamanho</th>' in html
    assert html.count('scope="col"') == 4  # Cor, Tamanho, SKU, price
    assert 'data-sku="CAM-AZ-P"' in html and 'data-sku="CAM-AZ-G"' in html
    assert "CAM-OFF" not in html and "Preta" not in html


def test_product_preview_formats_prices_and_hides_the_cost(product, rf, superuser):
    html = render_preview(product, rf, superuser)
    assert "R$ 49,90" in html
    assert "R$ 1.234,56" in html
    assert "R$ 9,99" not in html  # inactive variant
    struck = html.split('<s class="sf-compare">', 1)[1].split("</s>", 1)[0]
    assert "R$ 59,90" in struck
    assert "49.90" not in html and "1234.56" not in html
    for cost in COST_PRICES:
        assert cost not in html


def test_product_preview_escapes_names_and_descriptions(camisetas, rf, superuser):
    product = make_product(
        "perigoso",
        name=f"Camiseta {SCRIPT}",
        short_description='<script>alert("curta")</script><b>negrito</b>',
        option1_name="<script>alert(2)</script>",
        primary_category=camisetas,
        variants=[Variant(sku="PER-1", option1="<script>alert(3)</script>", price=1)],
    )
    html = render_preview(product, rf, superuser)
    assert "<script>alert" not in html
    assert "<script" not in html
    assert "Camiseta &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;negrito&lt;/b&gt;" in html


def test_product_preview_of_an_unsaved_draft(rf, superuser, brand):
    """PreviewOnCreate renders an unsaved product with in-memory relations."""
    product = Product(name="Novo Produto", slug="novo-produto", brand=brand)
    product.variants = [
        Variant(sku="NOVO-1", price=Decimal("10.00"), compare_at_price=Decimal("12.5"))
    ]
    html = render_preview(product, rf, superuser)
    assert "Novo Produto" in html
    assert "R$ 10,00" in html and "R$ 12,50" in html
    assert '<nav class="sf-breadcrumbs"' not in html  # no primary category yet


def test_product_preview_of_a_draft_with_no_prices(rf, superuser):
    product = Product(name="Sem preço", slug="sem-preco")
    product.variants = [Variant(sku="SEM-1", price=None)]
    html = render_preview(product, rf, superuser)
    assert "Sem preço" in html


def test_product_preview_shows_images(product, rf, superuser):
    image = get_image_model().objects.create(
        title="Camiseta azul", file=get_test_image_file(size=(800, 800))
    )
    ProductImage.objects.create(product=product, image=image, alt="Frente da camiseta")
    html = render_preview(Product.objects.get(pk=product.pk), rf, superuser)
    assert "fill-600x600" in html
    assert 'alt="Frente da camiseta"' in html


def test_admin_preview_endpoint_renders_the_edited_draft(client, superuser, product):
    """Wagtail's preview of an existing snippet: POST the edit form, then GET."""
    client.force_login(superuser)
    edit = client.get(f"/admin/snippets/content/product/edit/{product.pk}/")
    assert edit.status_code == 200
    data = querydict_from_html(edit.content.decode(), form_id="w-editor-form")
    data = data.copy()
    # The helper reads a checked checkbox without a value attribute as "" (a
    # browser sends "on") and an empty multiple select as its first option.
    for key in [k for k in data if k.startswith("variants-") and k.endswith("-active")]:
        data[key] = "on"
    data.pop("categories", None)
    data["name"] = f"Camiseta {SCRIPT}"
    data["short_description"] = f"Nova {SCRIPT}"
    data.update(
        nested_form_data(
            {
                "description": streamfield(
                    [("rich_text", rich_text("<p>Texto do rascunho.</p>"))]
                )
            }
        )
    )
    prices = [
        key for key in data if key.startswith("variants-") and key.endswith("-price")
    ]
    assert prices
    for key in prices:
        data[key] = "39.90"
        data[key.replace("-price", "-compare_at_price")] = ""
    url = f"/admin/snippets/content/product/preview/{product.pk}/"

    posted = client.post(url, data)
    assert posted.status_code == 200
    assert posted.json() == {"is_valid": True, "is_available": True}

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Camiseta &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "R$ 39,90" in html
    assert "CAM-OFF" not in html
    assert "Also in:" not in html
    assert "Texto do rascunho.</p>" in html
    for cost in COST_PRICES:
        assert cost not in html
    product.refresh_from_db()
    assert product.name == "Camiseta Básica"  # previewing saves nothing


# -- category, brand and collection previews --------------------------------------


def test_category_preview_lists_live_products_of_the_tree(
    moda, product, draft_product, rf, superuser
):
    html = render_preview(moda, rf, superuser)
    assert "<h1>Moda</h1>" in html
    assert "Camiseta Básica" in html
    assert "Rascunho Secreto" not in html
    assert "R$ 49,90" in html and "R$ 59,90" in html


def test_category_preview_breadcrumbs_follow_the_draft(moda, camisetas, rf, superuser):
    other = Category.objects.create(name="Casa", slug="casa")
    camisetas.parent = other  # an unsaved draft moved under another parent
    camisetas.name = f"Camisetas {SCRIPT}"
    html = render_preview(camisetas, rf, superuser)
    assert 'data-path="casa">Casa</li>' in html
    assert 'data-path="casa/camisetas">' in html
    assert "Moda" not in html
    assert "<script>alert" not in html


def test_category_preview_of_an_unsaved_category(rf, superuser):
    html = render_preview(Category(name="Nova", slug="nova"), rf, superuser)
    assert "<h1>Nova</h1>" in html


def test_brand_preview(brand, product, draft_product, rf, superuser):
    draft_product.brand = brand
    draft_product.save()
    brand.website = "javascript:alert(1)"
    html = render_preview(brand, rf, superuser)
    assert "<h1>Algodão Bom</h1>" in html
    assert "Marca de Minas." in html
    assert "Camiseta Básica" in html
    assert "Rascunho Secreto" not in html
    assert "javascript:" not in html


def test_collection_preview_keeps_the_order_and_hides_drafts(
    product, draft_product, rf, superuser
):
    other = make_product("caneca", name="Caneca Azul", price="35.00")
    collection = Collection.objects.create(name="Vitrine de verão", slug="verao")
    for position, item in enumerate((other, draft_product, product)):
        CollectionProduct.objects.create(
            collection=collection, product=item, sort_order=position
        )
    html = render_preview(collection, rf, superuser)
    assert "<h1>Vitrine de verão</h1>" in html
    assert html.index("Caneca Azul") < html.index("Camiseta Básica")
    assert "Rascunho Secreto" not in html
    assert "1 produto desta vitrine não está publicado" in html


def test_collection_preview_of_a_draft_with_in_memory_items(product, rf, superuser):
    other = make_product("caneca", name="Caneca Azul", price="35.00")
    collection = Collection(name="Nova vitrine", slug="nova")
    collection.items = [
        CollectionProduct(product=product),
        CollectionProduct(product=other),
    ]
    html = render_preview(collection, rf, superuser)
    assert html.index("Camiseta Básica") < html.index("Caneca Azul")


# -- pages and the product grid --------------------------------------------------


def grid(source, **value):
    return {
        "type": "product_grid",
        "value": {
            "title": value.pop("title", "Destaques"),
            "source": source,
            "category": value.pop("category", None),
            "collection": value.pop("collection", None),
            "products": value.pop("products", []),
            "limit": value.pop("limit", 12),
        },
    }


@pytest.fixture
def summer(product, draft_product):
    collection = Collection.objects.create(name="Verão", slug="verao")
    CollectionProduct.objects.create(collection=collection, product=draft_product)
    CollectionProduct.objects.create(collection=collection, product=product)
    return collection


@pytest.fixture
def home(summer):
    home = HomePage(
        title="Loja",
        slug="loja",
        body=json.dumps(
            [
                {
                    "type": "hero",
                    "value": {
                        "title": f"Liquida {SCRIPT}",
                        "subtitle": "Até 50% off",
                        "image": None,
                        "button_text": "Ver ofertas",
                        "button_link": "https://loja.example.com/ofertas",
                    },
                },
                {"type": "rich_text", "value": "<p>Bem-vindo à loja.</p>"},
                {
                    "type": "faq",
                    "value": {
                        "title": "",
                        "items": [
                            {
                                "question": "Vocês entregam?",
                                "answer": "<p>Para todo o Brasil.</p>",
                            }
                        ],
                    },
                },
                grid("collection", collection=summer.pk),
            ]
        ),
    )
    Page.get_first_root_node().add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    else:
        site.root_page = home
        site.save()
    return home


def test_home_page_renders_its_blocks_and_live_products(client, home):
    response = client.get(home.url)
    assert response.status_code == 200
    assert "content/pages/home_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert '<html lang="pt-BR">' in html
    assert "Liquida &lt;script&gt;" in html and "<script>alert" not in html
    assert 'href="https://loja.example.com/ofertas"' in html
    assert "<p>Bem-vindo à loja.</p>" in html
    assert "Vocês entregam?" in html and "<p>Para todo o Brasil.</p>" in html
    assert "Camiseta Básica" in html
    assert "R$ 49,90" in html
    assert "Rascunho Secreto" not in html


def test_content_page_renders(client, home):
    image = get_image_model().objects.create(
        title="Fachada", file=get_test_image_file()
    )
    page = ContentPage(
        title="Sobre nós",
        slug="sobre",
        intro=f"Quem somos {SCRIPT}",
        body=json.dumps(
            [
                {"type": "rich_text", "value": "<p>Desde 2020.</p>"},
                {
                    "type": "image",
                    "value": {
                        "image": image.pk,
                        "alt_text": "Nossa loja",
                        "decorative": False,
                    },
                },
            ]
        ),
    )
    home.add_child(instance=page)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "content/pages/content_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "<h1>Sobre nós</h1>" in html
    assert "<p>Desde 2020.</p>" in html
    assert 'alt="Nossa loja"' in html and "width-960" in html
    assert "<script>alert" not in html


def test_page_preview_shows_the_preview_flag(home, rf, superuser):
    home.title = f"Rascunho {SCRIPT}"  # an unsaved draft change
    request = rf.get("/")
    request.user = superuser
    response = home.make_preview_request(request, home.default_preview_mode)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="sf-preview-flag"' in html
    assert "Rascunho &lt;script&gt;" in html and "<script>alert" not in html


def test_landing_page_grids_from_a_category_and_hand_picked_products(
    client, home, moda, product, draft_product
):
    caneca = make_product("caneca", name="Caneca Azul", price="35.00")
    page = LandingPage(
        title="Black Friday",
        slug="black-friday",
        body=json.dumps(
            [
                grid("category", title="Moda", category=moda.pk),
                grid(
                    "products",
                    title="Escolhidos",
                    products=[caneca.pk, draft_product.pk, product.pk],
                ),
            ]
        ),
    )
    home.add_child(instance=page)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "content/pages/landing_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "<h1>Black Friday</h1>" in html
    picked = html.split("Escolhidos", 1)[1]
    assert picked.index("Caneca Azul") < picked.index("Camiseta Básica")
    assert "Rascunho Secreto" not in html


def test_grid_respects_the_limit_and_keeps_queries_flat(moda):
    collection = Collection.objects.create(name="Muitos", slug="muitos")
    products = [
        make_product(f"produto-{n}", price="10.00", primary_category=moda)
        for n in range(8)
    ]
    for position, item in enumerate(products):
        CollectionProduct.objects.create(
            collection=collection, product=item, sort_order=position
        )
    block = HomePage(body=json.dumps([grid("collection", collection=collection.pk)]))
    value = block.body[0].value

    value["limit"] = 3
    found = resolve_grid_products(value)
    assert [p.slug for p in found] == ["produto-0", "produto-1", "produto-2"]

    def queries(limit):
        value["limit"] = limit
        with CaptureQueriesContext(connection) as ctx:
            html = render_to_string(
                "content/blocks/product_grid.html", {"value": value}
            )
        assert html.count('class="sf-card"') == limit
        return len(ctx.captured_queries)

    assert queries(2) == queries(8)
