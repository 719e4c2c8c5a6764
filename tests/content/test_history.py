"""A product's history names what changed as people read it: fields by their
pt-BR names, and the variants' prices too (variants are inline children of
the product, edited in the same form)."""

from wagtail.models import ModelLogEntry

from content.models import Product
from tests.content.test_br_inputs import EDIT, price_key
from tests.content.test_cost_revisions import editor_form_data
from tests.helpers import page_text

HISTORY = "/admin/snippets/content/product/history/{pk}/"


def test_history_names_the_fields_and_the_variant_price_change(
    client, editor, camiseta
):
    # given an editor who renames the product and raises a variant's price
    client.force_login(editor)
    url = EDIT.format(pk=camiseta.pk)
    data = editor_form_data(client, url)
    data["name"] = "Camiseta básica azul"
    data[price_key(data, "CAM-AZ-M")] = "59,90"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    # then the log keeps field names (translated when shown) and the variant
    entry = ModelLogEntry.objects.filter(
        action="wagtail.edit", object_id=str(camiseta.pk)
    ).latest("pk")
    assert entry.data["changes"]["name"] == ["Camiseta básica", "Camiseta básica azul"]
    assert entry.data["changes"]["variants"] == {
        "CAM-AZ-M": {"price": ["49.90", "59.90"]}
    }

    # and the history screen reads in pt-BR
    text = page_text(client.get(HISTORY.format(pk=camiseta.pk)))
    assert "Nome: “Camiseta básica” → “Camiseta básica azul”" in text
    assert "Preço (Variante CAM-AZ-M): R$ 49,90 → R$ 59,90" in text
    assert "name:" not in text and "price:" not in text


def test_history_names_added_and_removed_variants(client, editor, camiseta):
    client.force_login(editor)
    url = EDIT.format(pk=camiseta.pk)
    data = editor_form_data(client, url)
    prefix = price_key(data, "CAM-AZ-G").removesuffix("-price")
    data[f"{prefix}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    text = page_text(client.get(HISTORY.format(pk=camiseta.pk)))
    assert "Exclusão: Variante CAM-AZ-G" in text
    assert Product.objects.get(pk=camiseta.pk).latest_revision is not None
