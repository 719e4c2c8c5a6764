"""Catalog editing that saves clicks: the slug made from the name, the category
chooser with the tree's names, the product listing's columns and download, the
storefront preview address and the warning on a live product without stock."""

import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import reset_queries
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import nested_form_data, streamfield

from content.models import Category, Product, ProductImage, Variant
from content.preview import read_preview_token, token_matches
from plugins.stock.models import Warehouse
from plugins.stock.services.ledger import receive_stock
from tests.content.conftest import make_category, make_product
from tests.helpers import (
    csv_export_dicts,
    is_admin_denied,
    page_text,
    xlsx_export_dicts,
)

LIST = "/admin/snippets/content/product/"
ADD = "/admin/snippets/content/product/add/"
CHOOSER = "/admin/snippets/choose/content/category/"


def add_form(**fields):
    data = {
        "name": "",
        "slug": "",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-sku": "NOVO-1",
        "variants-0-price": "59,90",
        "variants-0-active": "on",
        "variants-0-origin": "0",
        "variants-0-ORDER": "1",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(nested_form_data({"description": streamfield([])}))
    data.update(fields)
    return data


# -- slug -----------------------------------------------------------------------


def test_the_editor_fills_the_slug_from_the_name_as_it_is_typed(client, editor):
    client.force_login(editor)
    page = client.get(ADD).content.decode()
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    slug_input = re.search(r'<input[^>]*name="slug"[^>]*>', page).group(0)
    # Wagtail's sync: the name drives the slug field until it is edited by hand
    assert "w-sync" in name_input
    assert 'data-w-sync-target-value="#id_slug"' in name_input
    assert 'data-controller="w-slug"' in slug_input
    assert 'data-w-slug-allow-unicode-value="false"' in slug_input


def test_an_empty_slug_is_made_from_the_name(client, editor):
    client.force_login(editor)
    response = client.post(ADD, add_form(name="Calça Jeans Reta"))
    assert response.status_code == 302
    assert Product.objects.get(name="Calça Jeans Reta").slug == "calca-jeans-reta"


def test_a_slug_made_from_the_name_gets_a_number_when_taken(client, editor):
    make_product("calca-jeans", variants=[("OLD-1", "10")])
    client.force_login(editor)
    response = client.post(ADD, add_form(name="Calça jeans"))
    assert response.status_code == 302
    assert Product.objects.get(name="Calça jeans").slug == "calca-jeans-2"


def test_a_typed_slug_another_product_has_is_refused_naming_it(client, editor):
    make_product("calca-jeans", name="Calça jeans clássica", variants=[("OLD-1", "10")])
    client.force_login(editor)
    response = client.post(ADD, add_form(name="Outra calça", slug="calca-jeans"))
    assert response.status_code == 200
    errors = response.context["form"].errors["slug"]
    assert errors == [
        "O slug “calca-jeans” já é usado por “Calça jeans clássica”. Escolha outro."
    ]
    assert not Product.objects.filter(name="Outra calça").exists()


def test_category_slugs_are_unique_among_siblings_only(client, editor, moda, casa):
    make_category("acessorios", "Acessórios", parent=moda)
    client.force_login(editor)
    url = "/admin/snippets/content/category/add/"
    base = {"name": "Acessórios", "slug": "", "position": "0"}
    # under another parent the same name makes the same slug
    response = client.post(url, {**base, "parent": casa.pk})
    assert response.status_code == 302
    assert Category.objects.get(path="casa/acessorios").name == "Acessórios"
    # a typed slug a sibling has is refused
    response = client.post(url, {**base, "slug": "acessorios", "parent": moda.pk})
    assert response.status_code == 200
    assert "já é usado por “Acessórios”" in str(response.context["form"].errors)


# -- category chooser -------------------------------------------------------------


@pytest.fixture
def tree(moda, camisetas, casa):
    calcas = make_category("calcas", "Calças", parent=moda)
    jeans = make_category("jeans", "Jeans", parent=calcas)
    return {
        "moda": moda,
        "camisetas": camisetas,
        "casa": casa,
        "calcas": calcas,
        "jeans": jeans,
    }


def chooser_rows(client, query=""):
    """The labels of the categories listed in the chooser, in order."""
    response = client.get(CHOOSER + "results/" + query)
    assert response.status_code == 200
    html = response.content.decode()
    choices = re.findall(
        r"<a [^>]*data-chooser-modal-choice[^>]*>(.*?)</a>", html, re.S
    )
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in choices
    ], html


def test_the_category_chooser_shows_each_category_by_its_path_of_names(
    client, editor, tree
):
    client.force_login(editor)
    labels, text = chooser_rows(client)
    assert labels == [  # in the tree's order
        "Casa",
        "Moda",
        "Moda › Calças",
        "Moda › Calças › Jeans",
        "Moda › Camisetas",
    ]
    assert "moda/calcas" not in text  # names, not slugs


def test_searching_the_category_chooser_brings_subcategories_along(
    client, editor, tree
):
    client.force_login(editor)
    labels, _text = chooser_rows(client, "?q=cal")
    assert labels == ["Moda › Calças", "Moda › Calças › Jeans"]
    labels, _text = chooser_rows(client, "?q=jeans")
    assert labels == ["Moda › Calças › Jeans"]


def test_a_chosen_category_and_the_product_form_show_the_path(
    client, editor, tree, camiseta
):
    client.force_login(editor)
    response = client.get(f"{CHOOSER}chosen/{tree['jeans'].pk}/")
    assert response.json()["result"]["string"] == "Moda › Calças › Jeans"
    camiseta.primary_category = tree["jeans"]
    camiseta.save()
    page = client.get(f"/admin/snippets/content/product/edit/{camiseta.pk}/")
    assert "Moda › Calças › Jeans" in page_text(page)


def test_the_category_chooser_needs_admin_access(client, auditor, tree):
    response = client.get(CHOOSER)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    # every role with access to the admin picks categories (read only)
    client.force_login(auditor)
    assert client.get(CHOOSER).status_code == 200


def test_the_category_listing_shows_names_not_slugs(client, editor, tree):
    client.force_login(editor)
    text = page_text(client.get("/admin/snippets/content/category/"))
    assert "Moda › Calças › Jeans" in text
    assert "moda/calcas/jeans" not in text


# -- the product listing ------------------------------------------------------------


@pytest.fixture
def warehouses(db):
    sp = Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)
    rj = Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro", priority=20)
    closed = Warehouse.objects.create(
        code="XX-01", name="Fechado", priority=30, active=False
    )
    return sp, rj, closed


def stock(warehouse, sku, quantity):
    from content.models import Variant

    receive_stock(
        warehouse, variant=Variant.objects.get(sku=sku), quantity=quantity, user=None
    )


def with_image(product, title="foto"):
    image = get_image_model().objects.create(title=title, file=get_test_image_file())
    ProductImage.objects.create(product=product, image=image, sort_order=0)
    return image


@pytest.fixture
def stocked(camisetas, brand, warehouses):
    sp, rj, closed = warehouses
    calca = make_product(
        "calca",
        name="Calça",
        brand=brand,
        primary_category=camisetas,
        variants=[("CAL-38", "59.90"), ("CAL-40", "89.90"), ("CAL-42", "120.00")],
    )
    # an inactive variant counts as a SKU, not in the price range or the stock
    calca.variants.filter(sku="CAL-42").update(active=False)
    stock(sp, "CAL-38", 3)
    stock(rj, "CAL-38", 2)
    stock(sp, "CAL-40", 4)
    stock(sp, "CAL-42", 50)
    stock(closed, "CAL-40", 100)  # an inactive warehouse sells nothing
    with_image(calca)
    esgotado = make_product("esgotado", name="Esgotado", variants=[("ESG-1", "10.00")])
    return calca, esgotado


def listing_row(response, product):
    page = response.content.decode()
    start = page.index(f'id="snippet_{product.pk}_title"')
    row = page[start : page.index("</tr>", start)]
    return row, page_text_of(row)


def page_text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_listing_columns_carry_the_products_values(client, editor, stocked):
    calca, esgotado = stocked
    client.force_login(editor)
    response = client.get(LIST)
    html, text = listing_row(response, calca)
    # thumbnail: a 50×50 rendition of the first image
    assert re.search(r'<img src="[^"]+" width="50" height="50"', html)
    # brand, category by its names, 3 SKUs, the active variants' price range
    assert "Nordeste Têxtil" in text
    assert "Moda › Camisetas" in text
    assert " 3 " in f" {text} "
    assert "R$ 59,90 – R$ 89,90" in text
    # stock: 3 + 2 (CAL-38) + 4 (CAL-40); not the inactive variant's 50 nor the
    # closed warehouse's 100
    assert " 9 " in f" {text} "
    html, text = listing_row(response, esgotado)
    assert "catalog-thumbnail--empty" in html
    assert "R$ 10,00" in text
    assert "—" in text  # never stocked: not tracked (these settings sell it)


def test_listing_stock_is_zero_for_never_stocked_products_when_they_cannot_be_sold(
    client, editor, stocked, settings
):
    settings.RETAGUARDA_STOCK_SELL_UNTRACKED = False
    _calca, esgotado = stocked
    client.force_login(editor)
    _html, text = listing_row(client.get(LIST), esgotado)
    assert "sem estoque" in text


def test_listing_query_count_is_the_same_for_few_and_many_products(
    client,
    editor,
    camisetas,
    warehouses,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    sp = warehouses[0]

    def add(i):
        product = make_product(
            f"p-{i}",
            primary_category=camisetas,
            variants=[(f"P{i}-1", "10"), (f"P{i}-2", "20")],
        )
        stock(sp, f"P{i}-1", i + 1)
        with_image(product, title=f"foto {i}")

    for i in range(2):
        add(i)
    client.force_login(editor)
    client.get(LIST)  # renditions are made on the first view
    # (the query log keeps the last 9,000 queries: the setup's must not count)
    reset_queries()
    with django_assert_max_num_queries(1000) as few:
        client.get(LIST)
    queries = len(few.captured_queries)
    for i in range(2, 12):
        add(i)
    client.get(LIST)
    reset_queries()
    with django_assert_num_queries(queries):
        response = client.get(LIST)
    assert len(response.context["object_list"]) == 12


def test_listing_download_carries_the_products_values(client, moderator, stocked):
    calca, _esgotado = stocked
    client.force_login(moderator)
    Variant.objects.filter(sku="CAL-40").update(price=Decimal("1089.90"))
    response = client.get(LIST + "?export=csv")
    rows = csv_export_dicts(response)
    row = next(r for r in rows if r["Nome"] == "Calça")
    assert row["Slug"] == "calca"
    assert row["Marca"] == "Nordeste Têxtil"
    assert row["Categoria"] == "Moda › Camisetas"
    assert row["SKUs"] == "3"
    assert row["Menor preço"] == "59,90"
    assert row["Maior preço"] == "1089,90"
    assert row["Estoque"] == "9"
    assert row["Status"] == "online"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row["Atualizada"])
    assert all(value != "" for key, value in row.items() if key != "Estoque")


def test_listing_download_xlsx_carries_the_products_values(client, moderator, stocked):
    client.force_login(moderator)
    response = client.get(LIST + "?export=xlsx&q=Cal")
    assert response.status_code == 200
    (row,) = xlsx_export_dicts(response)
    assert row["Nome"].value == "Calça"
    assert row["SKUs"].data_type == "n" and row["SKUs"].value == 3
    price = row["Menor preço"]
    assert price.data_type == "n" and Decimal(str(price.value)) == Decimal("59.90")
    assert price.number_format == "0.00"
    assert row["Estoque"].data_type == "n" and row["Estoque"].value == 9
    updated = row["Atualizada"]
    assert updated.is_date and updated.number_format == "dd/mm/yyyy hh:mm"
    calca = Product.objects.get(name="Calça")
    local = timezone.localtime(calca.updated_at).replace(tzinfo=None)
    assert abs(updated.value - local).total_seconds() < 1  # São Paulo time


def test_listing_download_needs_the_export_permission(
    client, auditor, moderator, stocked
):
    client.force_login(auditor)
    response = client.get(LIST)
    assert response.status_code == 200  # the auditor reads the listing
    assert "?export=csv" not in response.content.decode()
    assert is_admin_denied(client.get(LIST + "?export=csv"))
    client.force_login(moderator)
    page = client.get(LIST).content.decode()
    assert "Baixar CSV" in page
    assert "?export=csv" in page


def test_category_filter_and_bulk_action_show_paths_of_names(client, editor, camiseta):
    client.force_login(editor)
    option = r"<option[^>]*>\s*Moda › Camisetas\s*</option>"
    assert re.search(option, client.get(LIST).content.decode())
    url = f"/admin/bulk/content/product/set_category/?next={LIST}&id={camiseta.pk}"
    assert re.search(option, client.get(url).content.decode())


# -- view on the storefront -----------------------------------------------------------


def test_view_on_the_storefront_opens_the_configured_address(
    client, editor, camiseta, settings
):
    settings.RETAGUARDA_STOREFRONT_PREVIEW_URL = (
        "https://loja.example/preview?token={token}"
    )
    client.force_login(editor)
    response = client.get(f"/admin/catalog/preview-token/product/{camiseta.pk}/")
    assert response.status_code == 302
    prefix = "https://loja.example/preview?token="
    assert response.url.startswith(prefix)
    token = response.url.removeprefix(prefix)
    from urllib.parse import unquote

    grant = read_preview_token(unquote(token))
    assert token_matches(grant, camiseta)
    assert quote(unquote(token), safe="") == token


def test_without_a_storefront_address_the_token_is_shown_not_used_as_a_label(
    client, editor, camiseta, settings
):
    settings.RETAGUARDA_STOREFRONT_PREVIEW_URL = ""
    client.force_login(editor)
    response = client.get(f"/admin/catalog/preview-token/product/{camiseta.pk}/")
    assert response.status_code == 200
    assert token_matches(read_preview_token(response.context["token"]), camiseta)
    # in the listing the action is a small button named "Ver na loja"
    listing = client.get(LIST).content.decode()
    button = re.search(
        rf'<a href="/admin/catalog/preview-token/product/{camiseta.pk}/"[^>]*>', listing
    ).group(0)
    assert 'aria-label="Ver na loja"' in button
    assert 'target="_blank"' in button
    editor_page = client.get(f"/admin/snippets/content/product/edit/{camiseta.pk}/")
    assert "Ver na loja" in editor_page.content.decode()


def test_view_on_the_storefront_needs_edit_rights(client, auditor, camiseta, settings):
    settings.RETAGUARDA_STOREFRONT_PREVIEW_URL = "https://loja.example/p/{token}"
    client.force_login(auditor)
    response = client.get(f"/admin/catalog/preview-token/product/{camiseta.pk}/")
    assert response.status_code == 403 or is_admin_denied(response)


# -- warning on a live product without stock --------------------------------------

WARNING = "nenhuma das suas variantes tem estoque disponível"


def editor_messages(client, product):
    response = client.get(f"/admin/snippets/content/product/edit/{product.pk}/")
    return " ".join(str(m) for m in response.context["messages"])


def test_a_live_product_without_stock_warns_in_the_editor(
    client, editor, stocked, settings
):
    settings.RETAGUARDA_STOCK_SELL_UNTRACKED = False
    calca, esgotado = stocked
    client.force_login(editor)
    assert WARNING in editor_messages(client, esgotado)  # never stocked
    assert WARNING not in editor_messages(client, calca)  # 9 available


def test_the_warning_follows_what_is_available_not_what_was_received(
    client, editor, stocked, warehouses
):
    calca, _esgotado = stocked
    sp, rj, _closed = warehouses
    from plugins.stock.models import StockLevel

    # every unit of the active variants reserved: nothing left to sell
    for level in StockLevel.objects.filter(variant__product=calca):
        StockLevel.objects.filter(pk=level.pk).update(reserved=level.on_hand)
    client.force_login(editor)
    assert WARNING in editor_messages(client, calca)


def test_no_warning_on_a_draft_or_untracked_product(client, editor, stocked):
    calca, esgotado = stocked
    client.force_login(editor)
    # these settings sell untracked SKUs: never stocked is not "no stock"
    assert WARNING not in editor_messages(client, esgotado)
    Product.objects.filter(pk=calca.pk).update(live=False)
    from plugins.stock.models import StockLevel

    StockLevel.objects.filter(variant__product=calca).update(on_hand=0)
    assert WARNING not in editor_messages(client, calca)


@pytest.mark.parametrize("model", ["category", "brand", "collection"])
def test_listings_without_a_download_do_not_send_empty_files(
    client, editor, camiseta, model
):
    client.force_login(editor)
    url = f"/admin/snippets/content/{model}/"
    assert client.get(url).status_code == 200
    assert client.get(url + "?export=csv").status_code == 404
    assert client.get(url + "?export=xlsx").status_code == 404


def test_listing_sorts_by_available_stock(client, editor, stocked, settings):
    settings.RETAGUARDA_STOCK_SELL_UNTRACKED = False
    client.force_login(editor)
    for ordering, expected in (
        ("available_units", ["esgotado", "calca"]),
        ("-available_units", ["calca", "esgotado"]),
    ):
        response = client.get(LIST + f"?ordering={ordering}")
        assert [p.slug for p in response.context["object_list"]] == expected


def test_listing_stock_counts_as_the_storefront_does(client, editor, stocked):
    from datetime import timedelta

    from django.utils import timezone

    from plugins.stock import availability
    from plugins.stock.models import CartHold, Reservation, StockLevel

    calca, _esgotado = stocked
    now = timezone.now()
    # a cart holds 1 unit of CAL-38 for a few more minutes; another held 3 of
    # CAL-40 and expired (those units are for sale again)
    for sku, quantity, expires_at in (
        ("CAL-38", 1, now + timedelta(minutes=5)),
        ("CAL-40", 3, now - timedelta(minutes=5)),
    ):
        level = StockLevel.objects.get(variant__sku=sku, warehouse__code="SP-01")
        hold = CartHold.objects.create(expires_at=expires_at)
        Reservation.objects.create(
            level=level, quantity=quantity, hold=hold, expires_at=expires_at
        )
        StockLevel.objects.filter(pk=level.pk).update(reserved=quantity)
    # 3 - 1 + 2 (CAL-38) + 4 (CAL-40: the expired hold does not count)
    storefront = availability.compute(["CAL-38", "CAL-40"])
    assert sum(item.available for item in storefront.values()) == 8
    client.force_login(editor)
    _html, text = listing_row(client.get(LIST), calca)
    assert " 8 " in f" {text} "
