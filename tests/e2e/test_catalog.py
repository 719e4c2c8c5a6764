"""Editors in the browser: a product from draft through moderation to live, and
a CSV import with a bad row."""

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect
from wagtail.models import (
    GroupApprovalTask,
    Workflow,
    WorkflowContentType,
    WorkflowTask,
)

from content.models import Category, Product, Variant
from plugins.roles import role_group

# serialized_rollback: flushing between tests would also remove the page tree
# and default site that migrations create; restore them for every test.
pytestmark = [
    pytest.mark.e2e,
    # on PostgreSQL the import writes its progress through a connection of
    # its own
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases="__all__"
    ),
]


@pytest.fixture
def review_workflow(db):
    workflow = Workflow.objects.create(name="Revisão de conteúdo")
    task = GroupApprovalTask.objects.create(name="Aprovação do moderador")
    task.groups.set([role_group("content_moderator")])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        workflow=workflow, content_type=ContentType.objects.get_for_model(Product)
    )
    return workflow


def test_import_with_a_bad_row_shows_the_error_and_writes_nothing(
    page,
    login,
    live_server,
    editor,
    camisetas,
    tmp_path,
):
    csv_file = tmp_path / "catalogo.csv"
    csv_file.write_text(
        "product_slug;product_name;primary_category;sku;price\n"
        "vestido;Vestido floral;moda/camisetas;VES-1;129,90\n"
        "saia;Saia midi;moda/camisetas;SAI-1;cento e dez\n",
        encoding="utf-8",
    )
    login(page, "editor")
    page.goto(f"{live_server.url}/admin/imports/content.catalog/")
    page.set_input_files("input[name=file]", str(csv_file))
    page.get_by_role("button", name="Conferir o arquivo").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("cento e dez")
    expect(errors.locator("tbody tr").first).to_contain_text("3")
    expect(errors.locator("tbody tr").first).to_contain_text("price")
    expect(page.locator("#import-counts [data-count=invalid]")).to_have_text("1")
    expect(page.get_by_role("button", name="Confirmar importação")).to_have_count(0)
    page.screenshot(path="var/e2e-import-error.png", full_page=True)
    assert not Product.objects.exists()
    assert not Variant.objects.exists()


def test_product_from_draft_through_moderation_to_live(
    page,
    browser,
    login,
    live_server,
    editor,
    moderator,
    camisetas,
    review_workflow,
):
    login(page, "editor")
    page.goto(f"{live_server.url}/admin/snippets/content/product/add/")
    page.fill("#id_name", "Camiseta listrada")
    page.fill("#id_slug", "camiseta-listrada")
    page.get_by_role("tab", name="Variantes").click()
    page.fill("#id_option1_name", "tamanho")
    variants = [("LIS-P", "P", "59.90"), ("LIS-M", "M", "64.90")]
    for index, (sku, size, price) in enumerate(variants):
        if index:
            add_variant = re.compile("Adicionar variante", re.IGNORECASE)
            page.get_by_role("button", name=add_variant).click()
        page.fill(f"#id_variants-{index}-sku", sku)
        page.fill(f"#id_variants-{index}-option1", size)
        page.fill(f"#id_variants-{index}-price", price)
    page.get_by_role("button", name="Salvar rascunho").click()
    expect(page.locator(".messages")).to_contain_text("criado")
    product = Product.objects.get(slug="camiseta-listrada")
    assert not product.live
    assert set(product.variants.values_list("sku", flat=True)) == {"LIS-P", "LIS-M"}

    # the preview panel renders the storefront template of the draft
    page.goto(f"{live_server.url}/admin/snippets/content/product/edit/{product.pk}/")
    page.locator('[data-side-panel-toggle="preview"]').click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.locator("h1")).to_contain_text("Camiseta listrada")
    expect(preview.get_by_text("R$ 59,90", exact=True)).to_be_visible()
    page.screenshot(path="var/e2e-preview.png")
    page.locator('[data-side-panel-toggle="preview"]').click()

    # submit for moderation
    page.locator("[data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name="Enviar para Revisão de conteúdo").click()
    expect(page.locator(".messages")).to_contain_text("enviado")
    product.refresh_from_db()
    assert product.workflow_in_progress
    page.screenshot(path="var/e2e-submitted.png", full_page=True)

    # the moderator approves
    context = browser.new_context(
        locale="pt-BR", viewport={"width": 1400, "height": 900}
    )
    moderator_page = context.new_page()
    login(moderator_page, "moderador")
    moderator_page.goto(
        f"{live_server.url}/admin/snippets/content/product/edit/{product.pk}/"
    )
    moderator_page.locator("[data-w-dropdown-target=toggle]").last.click()
    moderator_page.get_by_role("button", name="Aprovar").first.click()
    dialog = moderator_page.get_by_role("dialog")
    if dialog.count():
        dialog.get_by_role("button", name="Aprovar").click()
    expect(moderator_page.locator(".messages")).to_contain_text("Camiseta listrada")
    moderator_page.screenshot(path="var/e2e-approved.png", full_page=True)
    context.close()
    product.refresh_from_db()
    assert product.live
    assert not product.workflow_in_progress


def test_typing_the_name_fills_the_slug_and_the_category_is_chosen_by_searching(
    page, login, live_server, editor, camisetas
):
    calcas = Category(name="Calças", slug="calcas", parent=camisetas.parent)
    calcas.save()
    login(page, "editor")
    page.goto(f"{live_server.url}/admin/snippets/content/product/add/")
    page.locator("#id_name").press_sequentially("Calça Jeans Reta")
    expect(page.locator("#id_slug")).to_have_value("calca-jeans-reta")
    # a slug edited by hand is no longer overwritten by the name
    page.fill("#id_slug", "jeans-reta")
    page.locator("#id_name").press("End")
    page.locator("#id_name").press_sequentially(" Azul")
    expect(page.locator("#id_name")).to_have_value("Calça Jeans Reta Azul")
    expect(page.locator("#id_slug")).to_have_value("jeans-reta")

    # the chooser lists categories by their path of names and searches them
    page.locator("[data-field-wrapper]").filter(
        has=page.locator("#id_primary_category")
    ).get_by_role("button", name=re.compile("Escolher categoria")).click()
    modal = page.locator(".modal-dialog")
    expect(modal.get_by_role("link", name="Moda › Camisetas")).to_be_visible()
    modal.get_by_role("textbox").fill("cal")
    expect(modal.get_by_role("link", name="Moda › Camisetas")).to_have_count(0)
    modal.get_by_role("link", name="Moda › Calças").click()
    expect(modal).to_be_hidden()
    chosen = page.locator("[data-field-wrapper]").filter(
        has=page.locator("#id_primary_category")
    )
    expect(chosen).to_contain_text("Moda › Calças")
    assert page.locator("#id_primary_category").input_value() == str(calcas.pk)
    page.screenshot(path="var/e2e-catalog-chooser.png")


def test_six_variants_fit_on_a_laptop_screen(
    page, login, live_server, editor, camisetas
):
    product = Product(
        name="Camiseta seis cores",
        slug="camiseta-seis-cores",
        primary_category=camisetas,
        option1_name="cor",
    )
    product.variants = [
        Variant(sku=f"SEIS-{i}", option1=f"cor {i}", price=Decimal("59.90"))
        for i in range(6)
    ]
    product.save()
    login(page, "editor")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/snippets/content/product/edit/{product.pk}/")
    page.get_by_role("tab", name="Variantes").click()
    section = page.locator("section.variant-grid")
    section.evaluate("element => element.scrollIntoView()")
    # the option column is headed by the product's option name
    expect(section.locator("label[for=id_variants-0-option1]")).to_have_text("Cor")
    last = page.locator("#inline_child_variants-5")
    expect(last.locator("#id_variants-5-sku")).to_be_in_viewport()
    # the whole last row is above the editor's action bar
    row = last.locator(".variant-grid__row").bounding_box()
    footer = page.locator("footer.footer").bounding_box()
    assert row["y"] + row["height"] <= footer["y"]
    page.screenshot(path="var/e2e-catalog-variants.png")
