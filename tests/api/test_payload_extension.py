"""Plugins extend the catalog's product and variant payloads
(``PRODUCT_PAYLOADS``) and document what they add (``PRODUCT_PAYLOAD_SCHEMA``):
proven with the test plugin (shelves and facings) and the stock plugin
(availability)."""

import jsonschema
import pytest
from rest_framework.test import APIClient

from tests.content.conftest import make_product
from tests.factories import ShelfFactory
from tests.shelves_plugin.models import ShelfItem

LIST = "/api/v1/catalog/products/"


@pytest.fixture
def schema(db):
    return APIClient().get("/api/v1/schema/?format=json").json()


@pytest.fixture
def placed(db):
    make_product("caneca", variants=[("CAN-1", "29.00"), ("CAN-2", "31.00")])
    shelf = ShelfFactory(code="a1", name="Corredor A1", capacity=10)
    ShelfItem.objects.create(shelf=shelf, sku="CAN-1", facings=3)
    return shelf


def test_plugin_keys_appear_in_the_schema(schema):
    components = schema["components"]["schemas"]
    assert "shelves" in components["Product"]["properties"]
    assert "shelves" in components["Product"]["required"]
    assert "facings" in components["Variant"]["properties"]
    assert "availability" in components["Variant"]["properties"]


def test_payloads_carry_the_plugin_keys_as_documented(api, placed, schema):
    product = api.get(LIST).json()["results"][0]
    assert product["shelves"] == ["a1"]
    assert {v["sku"]: v["facings"] for v in product["variants"]} == {
        "CAN-1": 3,
        "CAN-2": 0,
    }
    components = schema["components"]["schemas"]
    for key in ("shelves",):
        jsonschema.validate(product[key], components["Product"]["properties"][key])
    for variant in product["variants"]:
        for key in ("facings", "availability"):
            jsonschema.validate(variant[key], components["Variant"]["properties"][key])


def test_plugin_data_changes_are_not_served_stale(api, placed):
    assert api.get(LIST).json()["results"][0]["shelves"] == ["a1"]
    other = ShelfFactory(code="b2", name="Corredor B2", capacity=10)
    ShelfItem.objects.create(shelf=other, sku="CAN-2")
    assert api.get(LIST).json()["results"][0]["shelves"] == ["a1", "b2"]
    ShelfItem.objects.all().delete()
    assert api.get(LIST).json()["results"][0]["shelves"] == []
