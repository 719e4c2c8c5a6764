"""The product editor takes prices typed the Brazilian way ("89,90",
"1.234,56") and stores what the person meant; it shows them as pt-BR."""

import re
from decimal import Decimal

from django.utils import timezone

from content.models import Product
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
    # the moment is written out; "0 minuto atrás" is only its tooltip
    assert f">{today} " in page
    assert re.search(r'data-w-tooltip-content-value="[^"]*atrás"><time', page)
    assert "atrás</time>" not in page
