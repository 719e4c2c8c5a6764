"""Writing many rows with COPY on PostgreSQL (plugins.copying): the rows are
those bulk_create writes, and errors are Django's."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext


def stored(obj):
    model = type(obj)
    return {
        field.attname: getattr(model.objects.get(pk=obj.pk), field.attname)
        for field in model._meta.concrete_fields
    }


TRICKY = {"nota": 'aspas " e \\ barra\ttab\nlinha, ç ã', "n": [1, None, 2.5]}


def log_entry(user, object_id, when):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    from content.models import Product

    return ModelLogEntry(
        content_type=ContentType.objects.get_for_model(Product),
        object_id=object_id,
        label="rótulo\tcom\\tab",
        action="content.import",
        data=TRICKY,
        user=user,
        uuid=uuid.uuid4(),
        timestamp=when,
        content_changed=True,
    )


@pytest.mark.django_db
def test_copied_rows_are_the_rows_bulk_create_writes(superuser):
    from wagtail.models import ModelLogEntry

    from content.models import Product, Variant
    from plugins.copying import copy_insert, copy_rows

    when = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    mine, theirs = log_entry(superuser, "1", when), log_entry(superuser, "2", when)
    copy_insert([mine])
    ModelLogEntry.objects.bulk_create([theirs])
    assert mine.pk and not mine._state.adding and mine._state.db == "default"
    expected, got = stored(theirs), stored(mine)
    for name in ("id", "object_id", "uuid"):
        expected.pop(name), got.pop(name)
    assert got == expected and got["data"] == TRICKY

    keys = copy_rows(
        ModelLogEntry,
        [
            {
                "content_type_id": mine.content_type_id,
                "object_id": str(n),
                "label": "linha",
                "action": "content.import",
                "data": {"n": n},
                "timestamp": when,
            }
            for n in range(3)
        ],
    )
    rows = ModelLogEntry.objects.filter(pk__in=keys).order_by("pk")
    assert [(e.pk, e.data, e.user_id, e.content_changed) for e in rows] == [
        (key, {"n": n}, None, False) for n, key in enumerate(keys)
    ]
    # the keys came from the table's sequence: the next row gets a later one
    later = log_entry(superuser, "9", when)
    later.save()
    assert later.pk > max(keys)

    # a snippet with a stream field, auto_now dates and its children
    products = [Product(slug=f"p{n}", name=f"Produto {n}") for n in range(2)]
    copy_insert(products)
    copy_insert(
        [Variant(product=products[1], sku="S-1", price=Decimal("9.90"), active=True)]
    )
    stored_product = Product.objects.get(slug="p1")
    assert stored_product.pk == products[1].pk and stored_product.updated_at
    assert len(stored_product.description) == 0
    variant = Variant.objects.get(sku="S-1")
    assert (variant.product_id, variant.price) == (products[1].pk, Decimal("9.90"))


@pytest.mark.postgres
@pytest.mark.django_db
def test_copy_on_postgresql_sends_no_insert_and_raises_django_errors(superuser):
    from content.models import Product
    from plugins.copying import copy_insert

    with CaptureQueriesContext(connection) as queries:
        copy_insert([Product(slug=f"c{n}", name="C") for n in range(50)])
    # the keys from the sequence, then the rows through COPY: no INSERT
    assert [q["sql"].split()[0] for q in queries] == ["SELECT", "COPY"]
    assert "nextval" in queries[0]["sql"]
    assert Product.objects.filter(slug__startswith="c").count() == 50
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert([Product(slug="c1", name="Repetido")])
