"""The product editor takes prices typed the Brazilian way ("89,90",
"1.234,56") and stores what the person meant; it shows them as pt-BR."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from content.models import Product
from content.price_checks import is_jump
from tests.content.test_cost_revisions import editor_form_data

EDIT = "/admin/snippets/content/product/edit/{pk}/"


def price_key(data, sku):
    prefix = next(
        k.removesuffix("-sku") for k in data if k.endswith("-sku") and data[k] == sku
    )
    return f"{prefix}-price"


def draft_prices(product):
    draft = Product.objects.get(pk=product.pk).get_latest_revision_as_object()
    return {v.sku: v.price for v in draft.variants.all()}


def test_editor_saves_prices_typed_with_a_comma(client, editor, camiseta):
    # given an editor in the product editor
    client.force_login(editor)
    url = EDIT.format(pk=camiseta.pk)
    data = editor_form_data(client, url)
    # the prices are shown the Brazilian way
    assert data[price_key(data, "CAM-AZ-M")] == "49,90"
    # when they type "89,90" and "1.234,56" and save the draft
    data[price_key(data, "CAM-AZ-M")] = "89,90"
    data[price_key(data, "CAM-AZ-G")] = "1.234,56"
    response = client.post(url, data)
    # then the draft holds 89.90 and 1234.56
    assert response.status_code == 302, response.content.decode()[:3000]
    assert draft_prices(camiseta) == {
        "CAM-AZ-M": Decimal("89.90"),
        "CAM-AZ-G": Decimal("1234.56"),
    }


def test_an_ambiguous_price_is_a_field_error(client, editor, camiseta):
    client.force_login(editor)
    url = EDIT.format(pk=camiseta.pk)
    data = editor_form_data(client, url)
    data[price_key(data, "CAM-AZ-M")] = "1.234"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ambíguo" in response.content.decode()
    assert draft_prices(camiseta)["CAM-AZ-M"] == Decimal("49.90")


def test_the_product_listing_shows_absolute_update_dates(client, editor, camiseta):
    client.force_login(editor)
    page = client.get("/admin/snippets/content/product/").content.decode()
    today = timezone.localtime().strftime("%d/%m/%Y")
    # the moment is written out; "agora mesmo" is only its tooltip
    assert f">{today} " in page
    assert re.search(r'data-w-tooltip-content-value="Agora mesmo"><time', page)
    assert "atrás</time>" not in page


# -- price jumps ------------------------------------------------------------------

JUMP = "Variante CAM-AZ-M: o preço publicado R$ 49,90 passa a R$ 4.990,00"


def post_price(client, product, value, *, action=None):
    url = EDIT.format(pk=product.pk)
    data = editor_form_data(client, url)
    data[price_key(data, "CAM-AZ-M")] = value
    if action:
        data[f"action-{action}"] = "action-publish"
    return client.post(url, data, follow=True)


def test_a_price_jump_is_named_to_the_editor_and_the_moderator(
    client, editor, moderator, camiseta
):
    # given an editor who saves a draft where 49,90 became 4.990,00
    client.force_login(editor)
    post_price(client, camiseta, "4.990,00")
    # then the editor sees the variant and both prices
    page = client.get(EDIT.format(pk=camiseta.pk)).content.decode()
    assert JUMP in page
    # and so does the moderator who opens it to review
    client.force_login(moderator)
    page = client.get(EDIT.format(pk=camiseta.pk)).content.decode()
    assert JUMP in page


def test_an_ordinary_price_change_carries_no_warning(client, editor, camiseta):
    client.force_login(editor)
    post_price(client, camiseta, "59,90")
    page = client.get(EDIT.format(pk=camiseta.pk)).content.decode()
    assert "o preço publicado" not in page


def test_publishing_an_unseen_price_jump_in_one_step_is_refused(
    client, moderator, camiseta
):
    # given a moderator who types 8990 instead of 89,90 and publishes at once
    client.force_login(moderator)
    response = post_price(client, camiseta, "8990", action="publish")
    # then the price field says why, and nothing went live
    assert "o preço publicado R$ 49,90 passa a R$ 8.990,00" in (
        response.content.decode()
    )
    camiseta.refresh_from_db()
    assert camiseta.variants.get(sku="CAM-AZ-M").price == Decimal("49.90")
    # once a draft with that price was saved (and the warning seen), it publishes
    post_price(client, camiseta, "8990")
    post_price(client, camiseta, "8990", action="publish")
    assert camiseta.variants.get(sku="CAM-AZ-M").price == Decimal("8990.00")


def test_the_price_filter_of_the_listing_reads_brazilian_amounts(
    client, editor, camiseta
):
    client.force_login(editor)

    def listed(query):
        response = client.get("/admin/snippets/content/product/", {"price_min": query})
        return [p.slug for p in response.context["object_list"]]

    assert listed("R$ 50,00") == ["camiseta-basica"]
    assert listed("1.000,00") == []


def test_the_preview_names_a_price_jump(client, editor, camiseta, rf, superuser):
    from tests.content.test_previews import render_preview

    client.force_login(editor)
    post_price(client, camiseta, "4.990,00")
    draft = Product.objects.get(pk=camiseta.pk).get_latest_revision_as_object()
    html = render_preview(draft, rf, superuser)
    assert "sf-price-jumps" in html and JUMP in html
    # the live product's own preview has nothing to say
    live = Product.objects.get(pk=camiseta.pk)
    assert "sf-price-jumps" not in render_preview(live, rf, superuser)


@pytest.mark.parametrize(
    ("published", "new", "jump"),
    [
        ("49.90", "249.50", False),  # exactly 5 times: not yet
        ("49.90", "249.51", True),
        ("49.90", "9.98", False),  # exactly a fifth
        ("49.90", "9.97", True),
        ("89.90", "8990.00", True),  # the comma read as nothing
        ("89.90", "99.90", False),
    ],
)
def test_a_jump_is_more_than_five_times_either_way(published, new, jump):
    assert is_jump(Decimal(published), Decimal(new)) is jump


def test_submitting_a_price_jump_for_moderation_warns_the_editor(
    client, editor, moderator, camiseta
):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import (
        GroupApprovalTask,
        Workflow,
        WorkflowContentType,
        WorkflowTask,
    )

    from plugins.roles import role_group

    # given products under moderation
    workflow = Workflow.objects.create(name="Moderação")
    task = GroupApprovalTask.objects.create(name="Aprovação")
    task.groups.add(role_group("content_moderator"))
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        content_type=ContentType.objects.get_for_model(Product), workflow=workflow
    )
    # when an editor submits 4.990,00 for a variant published at 49,90
    client.force_login(editor)
    response = post_price(client, camiseta, "4.990,00", action="submit")
    # then the screen they land on names the variant and both prices
    assert Product.objects.get(pk=camiseta.pk).workflow_in_progress
    assert JUMP in response.content.decode()
    # and the moderator reviewing it sees the same
    client.force_login(moderator)
    assert JUMP in client.get(EDIT.format(pk=camiseta.pk)).content.decode()
