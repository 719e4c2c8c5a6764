"""Catalog import: dry run, all-or-nothing, clear errors naming row and column,
limits, formats, and the same lifecycle (revisions, audit log) as the editor."""

import io
from decimal import Decimal

import pytest
from django.test import override_settings
from wagtail.models import ModelLogEntry, Revision

from content.importing.importer import run_import
from content.importing.serialize import revision_content
from content.models import Product, Variant
from tests.plugins.importing.hostile import zip_bomb

HEADER = (
    "product_slug;product_name;brand;primary_category;option1_name;sku;option1;price"
)


def csv_bytes(*rows, header=HEADER, encoding="utf-8", sep=";"):
    text = "\n".join([header, *rows]).replace(";", sep)
    return text.encode(encoding)


def nothing_written():
    return (
        not Product.objects.exclude(slug="camiseta-basica").exists()
        and Variant.objects.exclude(product__slug="camiseta-basica").count() == 0
        and not ModelLogEntry.objects.filter(action="content.import").exists()
    )


@pytest.fixture
def importer(superuser, camisetas, brand):
    def run(data, **kwargs):
        kwargs.setdefault("dry_run", False)
        return run_import(data, user=superuser, **kwargs)

    return run


GOOD = csv_bytes(
    "vestido-floral;Vestido floral;nordeste;moda/camisetas;tamanho;VES-P;P;1.234,56",
    "vestido-floral;;;;;VES-M;M;1234,56",
    "bone-aba-reta;Boné aba reta;nordeste;moda;;BON-1;;59.9",
)


def test_dry_run_counts_and_writes_nothing(importer, camiseta):
    data = csv_bytes(
        "camiseta-basica;Camiseta básica;;;cor;CAM-AZ-M;op0;49,90",  # unchanged
        "camiseta-basica;;;;;CAM-AZ-G;op1;59,90",  # price changed
        "vestido;Vestido;;;;VES-1;;10",  # new
        "vestido;;;;;VES-2;;0",  # invalid price
    )
    report = importer(data, dry_run=True)
    assert (
        report.counts["new_rows"],
        report.counts["updated_rows"],
        report.counts["unchanged_rows"],
        report.invalid_rows,
    ) == (
        1,
        1,
        1,
        1,
    )
    assert report.errors == [
        {"row": 5, "column": "price", "message": report.errors[0]["message"]}
    ]
    assert not report.committed
    assert Variant.objects.get(sku="CAM-AZ-G").price == Decimal("54.90")
    assert nothing_written()


def test_good_file_imports_as_drafts_by_default(importer):
    report = importer(GOOD)
    assert report.committed and report.ok
    product = Product.objects.get(slug="vestido-floral")
    assert not product.live
    assert product.has_unpublished_changes
    prices = dict(product.variants.values_list("sku", "price"))
    assert prices == {"VES-P": Decimal("1234.56"), "VES-M": Decimal("1234.56")}
    assert product.primary_category.path == "moda/camisetas"
    assert Product.objects.get(slug="bone-aba-reta").primary_category.path == "moda"
    # a revision with the variants, as the editor saves it
    revision = product.latest_revision
    assert {v["sku"] for v in revision.content["variants"]} == {"VES-P", "VES-M"}
    assert revision.as_object().variants.count() == 2
    entry = ModelLogEntry.objects.get(
        action="content.import", object_id=str(product.pk)
    )
    assert entry.data["created"] is True and entry.data["published"] is False


def test_import_can_publish(importer):
    report = importer(GOOD, publish=True)
    assert report.committed
    product = Product.objects.get(slug="vestido-floral")
    assert product.live and not product.has_unpublished_changes
    assert product.live_revision_id == product.latest_revision_id
    assert product.first_published_at is not None


def test_draft_import_keeps_the_live_version_of_a_live_product(importer, camiseta):
    data = csv_bytes("camiseta-basica;Camiseta nova;;;;CAM-AZ-M;op0;39,90")
    report = importer(data, publish=False)
    assert report.committed and report.counts["updated_rows"] == 1
    camiseta.refresh_from_db()
    assert camiseta.name == "Camiseta básica"  # live row untouched
    assert Variant.objects.get(sku="CAM-AZ-M").price == Decimal("49.90")
    assert camiseta.has_unpublished_changes
    draft = camiseta.get_latest_revision_as_object()
    assert draft.name == "Camiseta nova"
    assert {v.sku: v.price for v in draft.variants.all()}["CAM-AZ-M"] == Decimal(
        "39.90"
    )
    entry = ModelLogEntry.objects.get(
        action="content.import", object_id=str(camiseta.pk)
    )
    assert entry.data["changes"]["name"] == ["Camiseta básica", "Camiseta nova"]
    assert entry.data["changes"]["variants"]["CAM-AZ-M"]["price"] == ["49.90", "39.90"]
    # publishing the draft later makes it live, as in the editor
    camiseta.latest_revision.publish()
    assert Variant.objects.get(sku="CAM-AZ-M").price == Decimal("39.90")


def test_reimporting_the_same_file_changes_nothing(importer):
    importer(GOOD, publish=True)
    revisions = Revision.objects.count()
    report = importer(GOOD, publish=True)
    assert (
        report.counts["unchanged_rows"] == 3
        and report.counts["new_rows"] == report.counts["updated_rows"] == 0
    )
    assert Revision.objects.count() == revisions


def test_columns_left_out_keep_their_values(importer, camiseta):
    data = csv_bytes("camiseta-basica;CAM-AZ-M;45,00", header="product_slug;sku;price")
    assert importer(data, publish=True).committed
    variant = Variant.objects.get(sku="CAM-AZ-M")
    assert variant.price == Decimal("45.00") and variant.option1 == "op0"
    assert Product.objects.get(slug="camiseta-basica").name == "Camiseta básica"


def test_revision_content_matches_modelcluster_serialisation(camiseta):
    product = Product.objects.get(pk=camiseta.pk)
    ours, theirs = revision_content(product), product.serializable_data()
    # updated_at is auto_now: both take "now" when they serialise it
    assert ours.pop("updated_at") <= theirs.pop("updated_at")
    assert ours == theirs


@pytest.mark.django_db
def test_revision_content_of_a_new_product_matches_modelcluster_serialisation():
    # an empty description, as an imported product has (its text is kept)
    for name in ("Nova", "Outra"):
        product = Product(slug=name.lower(), name=name)
        ours, theirs = revision_content(product), product.serializable_data()
        for auto_now in ("created_at", "updated_at"):
            assert ours.pop(auto_now) <= theirs.pop(auto_now)
        assert ours == theirs and ours["description"] == theirs["description"]


# -- the corpus of bad files: a clear error, nothing written --------------------


BAD_ROWS = [
    pytest.param(
        ["vestido;Vestido;;;;VES-1;;abc"],
        ("price", 2, "abc"),
        id="bad-number",
    ),
    pytest.param(
        ["vestido;Vestido;;;;VES-1;;0"],
        ("price", 2, ""),
        id="zero-price",
    ),
    pytest.param(
        ["vestido;Vestido;;;;VES-1;;10", "vestido;;;;;VES-1;;11"],
        ("sku", 3, "linha 2"),
        id="duplicate-sku-in-file",
    ),
    pytest.param(
        ["vestido;Vestido;;;;CAM-AZ-M;;10"],
        ("sku", 2, "camiseta-basica"),
        id="sku-of-another-product",
    ),
    pytest.param(
        ["vestido;" + "V" * 201 + ";;;;VES-1;;10"],
        ("product_name", 2, "201"),
        id="over-length-text",
    ),
    pytest.param(
        ["vestido;Vestido;marca-x;;;VES-1;;10"],
        ("brand", 2, "marca-x"),
        id="unknown-brand",
    ),
    pytest.param(
        ["vestido;Vestido;;moda/inexistente;;VES-1;;10"],
        ("primary_category", 2, "moda/inexistente"),
        id="unknown-category",
    ),
    pytest.param(
        ["vestido;;;;;VES-1;;10"],
        ("product_name", 2, "vestido"),
        id="new-product-without-name",
    ),
    pytest.param(
        ["vestido;Vestido;;;;VES 1;;10"],
        ("sku", 2, ""),
        id="sku-with-space",
    ),
    pytest.param(
        ["vestido;Vestido;;;;VES-1;azul;10"],
        ("option1", 2, "opção 1"),
        id="option-without-name",
    ),
    pytest.param(
        ["vestido;Vestido;;;;VES-1;;10", "vestido;Vestido longo;;;;VES-2;;10"],
        ("product_name", 3, "Vestido"),
        id="conflicting-product-name",
    ),
    pytest.param(
        ["Vestido Floral;Vestido;;;;VES-1;;10"],
        ("product_slug", 2, ""),
        id="bad-slug",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), BAD_ROWS)
def test_bad_rows_name_row_and_column_and_write_nothing(
    importer, camiseta, rows, expected
):
    column, row, fragment = expected
    report = importer(csv_bytes(*rows))
    assert not report.committed
    assert report.error_count >= 1
    matching = [e for e in report.errors if e["column"] == column and e["row"] == row]
    assert matching, report.errors
    assert fragment in matching[0]["message"]
    assert nothing_written()


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("product_slug;sku;price;colour", "colour"),
        ("product_slug;sku", "price"),
        ("product_slug;sku;price;sku", "sku"),
    ],
)
def test_bad_headers_are_file_errors(importer, header, fragment):
    report = importer(csv_bytes("x;X-1;10", header=header))
    assert report.file_error and fragment in report.file_error
    assert nothing_written()


@pytest.mark.parametrize("data", [b"", b"   \n", HEADER.encode()])
def test_empty_files(importer, data):
    report = importer(data)
    assert report.file_error
    assert nothing_written()


def test_file_size_limit(importer):
    with override_settings(RETAGUARDA_IMPORT_MAX_BYTES=100):
        report = importer(GOOD)
    assert "more than" in report.file_error or "mais" in report.file_error
    assert nothing_written()


def test_row_count_limit(importer):
    rows = [f"p{i};Produto {i};;;;SKU-{i};;10" for i in range(6)]
    with override_settings(RETAGUARDA_IMPORT_MAX_ROWS=5):
        report = importer(csv_bytes(*rows))
    assert "5" in report.file_error
    assert nothing_written()


def test_xlsx_zip_bomb_is_refused_before_parsing(importer):
    bomb = zip_bomb(HEADER.split(";"))
    report = importer(bomb)
    assert "bomba ZIP" in report.file_error
    assert nothing_written()


def test_damaged_xlsx(importer):
    report = importer(b"PK\x03\x04 not really a zip")
    assert report.file_error
    assert nothing_written()


def test_one_bad_row_spoils_the_file_unless_skipping(importer):
    data = csv_bytes("vestido;Vestido;;;;VES-1;;10", "saia;Saia;;;;SAI-1;;dez")
    assert not importer(data).committed
    assert nothing_written()
    report = importer(data, skip_invalid=True)
    assert report.committed and report.invalid_rows == 1
    assert Product.objects.filter(slug="vestido").exists()
    assert not Product.objects.filter(slug="saia").exists()


def test_windows_1252_comma_separated(importer):
    data = csv_bytes(
        "calcao;Calção de banho;;;;CAL-1;;89,90".replace(";", "|"),
        header=HEADER.replace(";", "|"),
    )
    data = data.decode().replace(",", ".").replace("|", ",").encode("cp1252")
    report = importer(data)
    assert report.committed, report.errors or report.file_error
    assert Product.objects.get(slug="calcao").name == "Calção de banho"
    assert Variant.objects.get(sku="CAL-1").price == Decimal("89.90")


def test_xlsx_with_numbers(importer):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["product_slug", "product_name", "sku", "price", "ncm", "weight_grams"]
    )
    sheet.append(["caneca", "Caneca", "CAN-1", 39.9, 69120000, 350])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importer(buffer.getvalue())
    assert report.committed, report.errors or report.file_error
    variant = Variant.objects.get(sku="CAN-1")
    assert variant.price == Decimal("39.90")
    assert variant.ncm == "69120000"
    assert variant.weight_grams == 350


def test_cost_price_column_is_ignored_without_the_cost_permission(editor, camisetas):
    """An editor's file in the documented format, with the cost column the
    manager keeps in it, imports; its costs are left as they are."""
    data = csv_bytes(
        "vestido;Vestido;VES-1;10;5",
        header="product_slug;product_name;sku;price;cost_price",
    )
    report = run_import(data, user=editor, dry_run=False)
    assert report.committed and not report.file_error
    assert report.notices == [
        "Colunas ignoradas (você não pode importá-las): cost_price."
    ]
    assert Variant.objects.get(sku="VES-1").cost_price is None


def test_the_manager_imports_with_cost(manager, camisetas):
    data = csv_bytes(
        "vestido;Vestido;VES-1;10;5,25",
        header="product_slug;product_name;sku;price;cost_price",
    )
    report = run_import(data, user=manager, dry_run=False)
    assert report.committed and not report.notices
    assert Variant.objects.get(sku="VES-1").cost_price == Decimal("5.25")


def test_script_payloads_are_stored_as_text(importer):
    data = csv_bytes("xss;<script>alert(1)</script>;;;;XSS-1;;10")
    report = importer(data)
    assert report.committed
    assert Product.objects.get(slug="xss").name == "<script>alert(1)</script>"


# -- found in review ------------------------------------------------------------


def test_categories_and_tags_alone_are_a_change(importer, camiseta, casa):
    data = csv_bytes(
        "camiseta-basica;CAM-AZ-M;49,90;casa;promo",
        header="product_slug;sku;price;categories;tags",
    )
    report = importer(data, publish=True)
    assert report.committed and report.counts["updated_rows"] == 1
    camiseta.refresh_from_db()
    assert list(camiseta.categories.values_list("slug", flat=True)) == ["casa"]
    assert list(camiseta.tags.names()) == ["promo"]
    assert importer(data, publish=True).counts["unchanged_rows"] == 1


def test_publishing_over_a_pending_draft_publishes_the_whole_draft(importer, camiseta):
    draft = camiseta.get_latest_revision_as_object()
    variants = [v for v in draft.variants.all() if v.sku != "CAM-AZ-G"]
    variants.append(Variant(sku="CAM-NEW", price=Decimal("60.00")))
    draft.variants = variants
    draft.save_revision()
    report = importer(
        csv_bytes("camiseta-basica;CAM-AZ-M;39,90", header="product_slug;sku;price"),
        publish=True,
    )
    assert report.committed
    camiseta.refresh_from_db()
    assert not camiseta.has_unpublished_changes
    assert dict(
        Variant.objects.filter(product=camiseta).values_list("sku", "price")
    ) == {
        "CAM-AZ-M": Decimal("39.90"),
        "CAM-NEW": Decimal("60.00"),
    }


def test_numbers_too_large_for_the_field_are_errors(importer, camisetas):
    data = csv_bytes(
        "x;X;X-1;10;123456,00", header="product_slug;product_name;sku;price;length_cm"
    )
    report = importer(data)
    assert not report.committed
    assert report.errors[0]["column"] == "length_cm"
    assert nothing_written()


def test_product_level_error_with_skip_invalid_skips_the_whole_product(importer):
    data = csv_bytes(
        "vestido;Vestido;marca-inexistente;;;VES-1;;10",
        "vestido;;;;;VES-2;;10",
        "saia;Saia;;;;SAI-1;;10",
    )
    report = importer(data, skip_invalid=True)
    assert report.committed and report.invalid_rows == 2
    assert not Product.objects.filter(slug="vestido").exists()
    assert Product.objects.filter(slug="saia").exists()


def test_export_then_import_round_trips_text_starting_with_a_minus(
    client, moderator, camiseta
):
    Product.objects.filter(pk=camiseta.pk).update(name="-50% Camiseta")
    client.force_login(moderator)
    exported = client.get("/admin/catalog/export/products/?format=csv").content
    report = run_import(exported, user=moderator, dry_run=True)
    assert report.ok, report.errors
    assert report.counts["unchanged_rows"] == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_catalog_imports_back_as_a_no_op(client, manager, camiseta, fmt):
    """Every column the export writes (numbers with decimals and over a
    thousand, integers, booleans, codes with leading zeros, texts a
    spreadsheet would run as formulas) reads back as the same value."""
    Product.objects.filter(pk=camiseta.pk).update(
        name="-50% Camiseta", short_description='=HYPERLINK("http://x")'
    )
    Variant.objects.filter(sku="CAM-AZ-M").update(
        price=Decimal("1234.56"),
        compare_at_price=Decimal("1500.00"),
        cost_price=Decimal("80.10"),
        gtin="07891234567895",
        weight_grams=1200,
        length_cm=Decimal("10.50"),
        ncm="61091000",
        origin="1",
        active=False,
    )
    revisions, entries = Revision.objects.count(), ModelLogEntry.objects.count()
    client.force_login(manager)  # who sees costs: the cost column too
    exported = client.get(f"/admin/catalog/export/products/?format={fmt}").content
    report = run_import(exported, user=manager, dry_run=True, name=f"c.{fmt}")
    assert report.ok, report.errors
    assert report.notices == []
    assert (
        report.counts["new_rows"],
        report.counts["updated_rows"],
        report.counts["unchanged_rows"],
    ) == (0, 0, 2)
    report = run_import(exported, user=manager, dry_run=False, name=f"c.{fmt}")
    assert report.ok and report.committed, report.errors
    assert (Revision.objects.count(), ModelLogEntry.objects.count()) == (
        revisions,
        entries,
    )
    variant = Variant.objects.get(sku="CAM-AZ-M")
    assert (variant.price, variant.cost_price, variant.active) == (
        Decimal("1234.56"),
        Decimal("80.10"),
        False,
    )


def test_broken_csv_rows_are_a_file_error(importer):
    huge = "x" * 200_000
    report = importer(
        csv_bytes(
            f'vestido;"{huge};X-1;10', header="product_slug;product_name;sku;price"
        )
    )
    assert report.file_error
    assert nothing_written()
