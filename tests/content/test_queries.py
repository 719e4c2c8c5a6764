"""The catalog read every order runs (``content.queries.variants_by_sku``),
written out: it gives what the ORM gives, with exact prices, on both
databases."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import Variant
from content.queries import variants_by_sku
from tests.content.conftest import make_product


def test_the_variants_of_the_skus_with_their_product(camiseta, db):
    draft = make_product(
        "caneca", name="Caneca", live=False, variants=[("CAN-1", "19.99")]
    )
    Variant.objects.filter(sku="CAM-AZ-G").update(active=False)
    Variant.objects.filter(sku="CAN-1").update(
        price=Decimal("1234567890.10"), option2="grande"
    )

    rows = variants_by_sku(["CAM-AZ-M", "CAM-AZ-G", "CAN-1", "NAO-EXISTE"])

    assert set(rows) == {"CAM-AZ-M", "CAM-AZ-G", "CAN-1"}
    m = rows["CAM-AZ-M"]
    assert m == {
        "pk": Variant.objects.get(sku="CAM-AZ-M").pk,
        "price": Decimal("49.90"),
        "active": True,
        "options": ["op0"],
        "product_name": "Camiseta básica",
        "live": True,
    }
    assert rows["CAM-AZ-G"]["active"] is False
    assert rows["CAM-AZ-G"]["price"] == Decimal("54.90")
    can = rows["CAN-1"]
    # exact cents, also where the database keeps decimals as floating point
    assert can["price"] == Decimal("1234567890.10")
    assert can["options"] == ["op0", "grande"]
    assert can["live"] is False and can["product_name"] == draft.name


def test_it_agrees_with_the_orm(camiseta):
    orm = {
        sku: (pk, price, active, name, live)
        for pk, sku, price, active, name, live in Variant.objects.values_list(
            "pk", "sku", "price", "active", "product__name", "product__live"
        )
    }
    rows = variants_by_sku(list(orm))
    assert {
        sku: (r["pk"], r["price"], r["active"], r["product_name"], r["live"])
        for sku, r in rows.items()
    } == orm


def test_no_skus_no_query(db):
    with CaptureQueriesContext(connection) as queries:
        assert variants_by_sku([]) == {}
    assert not queries
