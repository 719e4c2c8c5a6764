from decimal import Decimal

import pytest

from content.models import Brand, Category, Product, Variant


def publish(obj, user=None):
    revision = obj.save_revision(user=user)
    revision.publish(user=user)
    obj.refresh_from_db()
    return obj


def make_category(slug, name=None, parent=None):
    category = Category(slug=slug, name=name or slug.title(), parent=parent)
    category.save()
    return publish(category)


def make_product(slug, *, variants=(("SKU-" + "1", "49.90"),), live=True, **fields):
    product = Product(
        slug=slug, name=fields.pop("name", slug.replace("-", " ").title()), **fields
    )
    product.variants = [
        Variant(sku=sku, price=Decimal(price), option1=f"op{i}")
        for i, (sku, price) in enumerate(variants)
    ]
    if variants and "option1_name" not in fields:
        product.option1_name = "cor"
    product.live = False
    product.save()
    if live:
        publish(product)
    return product


@pytest.fixture
def moda(db):
    return make_category("moda", "Moda")


@pytest.fixture
def camisetas(moda):
    return make_category("camisetas", "Camisetas", parent=moda)


@pytest.fixture
def casa(db):
    return make_category("casa", "Casa")


@pytest.fixture
def brand(db):
    brand = Brand(slug="nordeste", name="Nordeste Têxtil")
    brand.save()
    return publish(brand)


@pytest.fixture
def camiseta(camisetas, brand):
    return make_product(
        "camiseta-basica",
        name="Camiseta básica",
        brand=brand,
        primary_category=camisetas,
        variants=[("CAM-AZ-M", "49.90"), ("CAM-AZ-G", "54.90")],
    )
