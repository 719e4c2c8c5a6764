"""The catalog's editor screens: listing, filters, search, bulk actions, cost
price visibility, import and export screens, storefront preview tokens."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from wagtail.models import ModelLogEntry

from content.models import Product, Variant
from content.preview import InvalidPreviewToken, read_preview_token, token_matches
from plugins.importing.models import ImportJob
from tests.content.conftest import make_product
from tests.helpers import csv_export_dicts, is_admin_denied, xlsx_export_dicts

LIST = "/admin/snippets/content/product/"


@pytest.fixture
def catalog(camisetas, casa, brand, camiseta):
    make_product("panela", primary_category=casa, variants=[("PAN-1", "199.00")])
    make_product(
        "rascunho", primary_category=camisetas, live=False, variants=[("RAS-1", "9.90")]
    )
    return camiseta


def listed(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200
    return sorted(p.slug for p in response.context["object_list"])


def test_listing_filters(client, editor, catalog, moda, brand):
    client.force_login(editor)
    assert listed(client) == ["camiseta-basica", "panela", "rascunho"]
    assert listed(client, f"?category={moda.pk}") == ["camiseta-basica", "rascunho"]
    assert listed(client, f"?brand={brand.pk}") == ["camiseta-basica"]
    assert listed(client, "?status=draft") == ["rascunho"]
    assert listed(client, "?status=live") == ["camiseta-basica", "panela"]
    assert listed(client, "?price_min=100") == ["panela"]
    assert listed(client, "?price_max=50") == ["camiseta-basica", "rascunho"]


def test_search_by_sku_name_and_description(client, editor, catalog):
    client.force_login(editor)
    assert listed(client, "?q=PAN-1") == ["panela"]
    assert listed(client, "?q=básica") == ["camiseta-basica"]


def test_listing_shows_brl_price_range(client, editor, catalog):
    client.force_login(editor)
    assert "R$ 49,90 – R$ 54,90" in client.get(LIST).content.decode()


def test_listing_query_count_does_not_grow_with_page_size(
    client, editor, camisetas, django_assert_max_num_queries
):
    client.force_login(editor)
    make_product(
        "p-0", primary_category=camisetas, variants=[("P0-1", "1"), ("P0-2", "2")]
    )
    with django_assert_max_num_queries(100) as small:
        client.get(LIST)
    for i in range(1, 30):
        make_product(f"p-{i}", primary_category=camisetas, variants=[(f"P{i}-1", "1")])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["object_list"]) == 30


def test_bulk_publish_and_unpublish(client, moderator, catalog):
    client.force_login(moderator)
    draft = Product.objects.get(slug="rascunho")
    url = f"/admin/bulk/content/product/publish/?next={LIST}&id={draft.pk}"
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.live
    url = f"/admin/bulk/content/product/unpublish/?next={LIST}&id={draft.pk}"
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert not draft.live
    assert ModelLogEntry.objects.filter(
        object_id=str(draft.pk), action="wagtail.unpublish"
    ).exists()


def test_editor_cannot_bulk_publish(client, editor, catalog):
    client.force_login(editor)
    draft = Product.objects.get(slug="rascunho")
    client.post(f"/admin/bulk/content/product/publish/?next={LIST}&id={draft.pk}")
    draft.refresh_from_db()
    assert not draft.live


def test_bulk_set_category_saves_a_revision_and_can_publish(
    client, moderator, catalog, casa
):
    client.force_login(moderator)
    url = f"/admin/bulk/content/product/set_category/?next={LIST}&id={catalog.pk}"
    response = client.post(url, {"category": casa.pk})
    assert response.status_code == 302
    catalog.refresh_from_db()
    assert catalog.primary_category.slug == "camisetas"  # draft only
    assert catalog.get_latest_revision_as_object().primary_category == casa
    client.post(url, {"category": casa.pk, "publish_now": "on"})
    # already the draft's category: nothing to change, so publish explicitly
    catalog.refresh_from_db()
    client.post(f"/admin/bulk/content/product/publish/?next={LIST}&id={catalog.pk}")
    catalog.refresh_from_db()
    assert catalog.primary_category == casa


def test_cost_price_only_for_those_who_may_see_it(
    client, editor, manager, superuser, catalog
):
    url = f"/admin/snippets/content/product/edit/{catalog.pk}/"
    client.force_login(editor)
    assert 'name="variants-0-cost_price"' not in client.get(url).content.decode()
    client.force_login(superuser)
    assert 'name="variants-0-cost_price"' in client.get(url).content.decode()


def test_cost_price_cannot_be_posted_by_someone_who_cannot_see_it(
    client, editor, catalog
):
    Variant.objects.filter(sku="CAM-AZ-M").update(cost_price=Decimal("20.00"))
    client.force_login(editor)
    url = f"/admin/snippets/content/product/edit/{catalog.pk}/"
    form = client.get(url).context["form"]
    for variant_form in form.formsets["variants"].forms:
        assert "cost_price" not in variant_form.fields


def test_export_csv_in_import_format_with_formulas_neutralised(
    client, moderator, catalog
):
    Product.objects.filter(pk=catalog.pk).update(name="=HYPERLINK(1)")
    client.force_login(moderator)
    response = client.get("/admin/catalog/export/products/?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {row["sku"] for row in rows} == {"CAM-AZ-M", "CAM-AZ-G", "PAN-1", "RAS-1"}
    camiseta = next(row for row in rows if row["sku"] == "CAM-AZ-M")
    assert camiseta["product_name"] == "'=HYPERLINK(1)"
    assert camiseta["price"] == "49,90"
    assert "cost_price" not in rows[0]  # moderators do not see costs


def test_export_follows_the_listing_filter_and_includes_cost_for_managers(
    client, manager, catalog, casa
):
    Variant.objects.filter(sku="PAN-1").update(cost_price=Decimal("80.00"))
    client.force_login(manager)
    response = client.get(
        f"/admin/catalog/export/products/?format=csv&category={casa.pk}"
    )
    rows = list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert [(row["sku"], row["cost_price"]) for row in rows] == [("PAN-1", "80,00")]


def test_export_xlsx(client, moderator, catalog):
    Product.objects.filter(slug="panela").update(name="=HYPERLINK(1)")
    Variant.objects.filter(sku="PAN-1").update(
        price=Decimal("1234.50"), weight_grams=900, active=False, gtin="0789"
    )
    client.force_login(moderator)
    response = client.get("/admin/catalog/export/products/?format=xlsx&q=PAN")
    assert response["Content-Disposition"].endswith('.xlsx"')
    (row,) = xlsx_export_dicts(response)
    assert row["sku"].value == "PAN-1"
    price = row["price"]
    assert price.data_type == "n" and price.value == 1234.5
    assert price.number_format == "0.00"
    assert row["weight_grams"].data_type == "n" and row["weight_grams"].value == 900
    assert row["active"].data_type == "b" and row["active"].value is False
    assert row["gtin"].data_type == "s" and row["gtin"].value == "0789"
    name = row["product_name"]
    assert name.data_type == "s" and name.quotePrefix
    assert name.value == "=HYPERLINK(1)"


def test_export_csv_format(client, moderator, catalog):
    Variant.objects.filter(sku="PAN-1").update(
        price=Decimal("1234.50"), weight_grams=900, active=False
    )
    client.force_login(moderator)
    response = client.get("/admin/catalog/export/products/?format=csv&q=PAN")
    assert response["Content-Disposition"].endswith('.csv"')
    (row,) = csv_export_dicts(response)
    # a decimal comma, no thousands separator (what imports read back)
    assert row["price"] == "1234,50"
    assert (row["weight_grams"], row["active"]) == ("900", "não")
    assert row["compare_at_price"] == ""


IMPORT = "/admin/imports/content.catalog/"


def test_export_and_import_need_their_own_permissions(client, auditor, catalog):
    client.force_login(auditor)
    assert is_admin_denied(client.get("/admin/catalog/export/products/?format=csv"))
    assert is_admin_denied(client.get(IMPORT))


def test_import_screen_dry_run_then_confirm(client, moderator, camisetas):
    client.force_login(moderator)
    data = b"product_slug;product_name;sku;price\nvestido;Vestido;VES-1;99,90\n"
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("catalogo.csv", data), "publish": "on"}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.options == {"publish": True}
    page = client.get(response.url)
    assert page.context["dry_run"] and job.can_confirm
    assert ("Variantes novas", 1) in page.context["counters"]
    assert not Product.objects.filter(slug="vestido").exists()
    confirm = client.post(f"/admin/imports/job/{job.pk}/confirm/")
    assert confirm.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Product.objects.get(slug="vestido").live


def test_see_what_was_imported_lists_exactly_the_products_written(
    client, moderator, editor, camisetas, camiseta
):
    def import_file(user, data):
        client.force_login(user)
        client.post(IMPORT, {"file": SimpleUploadedFile("catalogo.csv", data)})
        job = ImportJob.objects.latest("created_at")
        client.post(f"/admin/imports/job/{job.pk}/confirm/")
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE
        return job

    header = b"product_slug;product_name;sku;price\n"
    earlier = import_file(moderator, header + b"saia;Saia;SAI-1;50\n")
    job = import_file(
        moderator,
        header
        + b"vestido;Vestido;VES-1;99,90\nbone;Bone;BON-1;20\n"
        # a product the file leaves as it is: not written, not listed
        + b"camiseta-basica;Camiseta b\xc3\xa1sica;CAM-AZ-M;49,90\n",
    )
    assert job.report["counts"]["unchanged_rows"] == 1
    page = client.get(f"/admin/imports/job/{job.pk}/")
    link = page.context["result_url"]
    assert f'href="{escape(link)}"' in page.content.decode()
    listing = client.get(link)
    assert listing.status_code == 200
    listed = {product.slug for product in listing.context["object_list"]}
    assert listed == {"vestido", "bone"}
    # the user's earlier import: its own products
    earlier_listing = client.get(f"{LIST}?import_job={earlier.pk}")
    assert {p.slug for p in earlier_listing.context["object_list"]} == {"saia"}
    # someone else's import is not a choice (a job is its creator's)
    other = import_file(editor, header + b"meia;Meia;MEI-1;9\n")
    client.force_login(moderator)
    refused = client.get(f"{LIST}?import_job={other.pk}")
    assert "import_job" in refused.context["filters"].errors


def test_publishing_needs_the_publish_permission(client, editor, camisetas):
    """An editor's import is saved as drafts, whatever the form says."""
    client.force_login(editor)
    data = b"product_slug;product_name;sku;price\nvestido;Vestido;VES-1;99,90\n"
    client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", data), "publish": "on"})
    job = ImportJob.objects.get()
    client.post(f"/admin/imports/job/{job.pk}/confirm/")
    product = Product.objects.get(slug="vestido")
    assert not product.live and product.has_unpublished_changes


def test_import_screen_shows_row_errors_and_refuses_to_confirm(
    client, editor, camisetas
):
    client.force_login(editor)
    data = b"product_slug;product_name;sku;price\nvestido;Vestido;VES-1;dez\n"
    response = client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", data)})
    job = ImportJob.objects.get()
    page = client.get(response.url)
    assert not job.can_confirm
    body = page.content.decode()
    assert "dez" in body and 'id="import-errors"' in body
    assert 'id="import-confirm"' not in body
    client.post(f"/admin/imports/job/{job.pk}/confirm/", {"skip_invalid": "on"})
    assert not Product.objects.filter(slug="vestido").exists()


def test_preview_token_for_a_draft(client, editor, catalog):
    client.force_login(editor)
    response = client.get(f"/admin/catalog/preview-token/product/{catalog.pk}/")
    assert response.status_code == 200
    token = response.context["token"]
    grant = read_preview_token(token)
    assert token_matches(grant, catalog)
    assert grant.revision_id == catalog.latest_revision_id
    with pytest.raises(InvalidPreviewToken):
        read_preview_token(token + "x")
    with pytest.raises(InvalidPreviewToken):
        read_preview_token(token, max_age_seconds=-1)


def test_preview_token_needs_edit_rights(client, auditor, catalog):
    client.force_login(auditor)
    assert is_admin_denied(
        client.get(f"/admin/catalog/preview-token/product/{catalog.pk}/")
    )


def test_oversized_upload_is_refused_before_it_is_stored(client, editor, settings):
    settings.RETAGUARDA_IMPORT_MAX_BYTES = 10
    client.force_login(editor)
    response = client.post(
        IMPORT,
        {"file": SimpleUploadedFile("c.csv", b"product_slug;sku;price\n" * 5)},
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_an_editors_invalid_rows_spreadsheet_has_no_cost_column(
    client, editor, camisetas
):
    from openpyxl import load_workbook

    client.force_login(editor)
    data = (
        b"product_slug;product_name;sku;price;cost_price\nvestido;Vestido;VES-1;dez;5\n"
    )
    client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", data)})
    job = ImportJob.objects.get()
    response = client.get(f"/admin/imports/job/{job.pk}/invalid-rows/")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = next(sheet.iter_rows(values_only=True))
    assert "price" in header and "cost_price" not in header
