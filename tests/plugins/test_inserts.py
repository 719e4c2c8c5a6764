"""Inserting rows from a statement built once: the rows bulk_create would
write, read back field by field, with their keys set."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plugins.inserts import MAX_ROWS, insert, insert_rows
from plugins.orders.models import Order, OrderEvent, SalesChannel


def order(channel, number, **fields):
    return Order(
        number=number,
        channel=channel,
        customer_name="Maria",
        shipping_address={"cep": "01310-100", "uf": "SP", "nota": "ç ã"},
        subtotal=Decimal("49.90"),
        total=Decimal("64.90"),
        shipping_total=Decimal("15.00"),
        payment_method="pix",
        placed_at=timezone.now(),
        **fields,
    )


def stored(obj):
    model = type(obj)
    return {
        field.attname: getattr(model.objects.get(pk=obj.pk), field.attname)
        for field in model._meta.concrete_fields
    }


@pytest.mark.django_db
def test_inserted_rows_are_the_rows_bulk_create_writes():
    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    placed = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    mine = order(loja, "AAAA-2222", promised_delivery_date=datetime.date(2026, 3, 9))
    theirs = order(loja, "AAAA-3333", promised_delivery_date=datetime.date(2026, 3, 9))
    mine.placed_at = theirs.placed_at = placed
    theirs.customer_token = "x" * 40
    mine.customer_token = "y" * 40
    insert([mine])
    Order.objects.bulk_create([theirs])
    assert mine.pk and not mine._state.adding and mine._state.db == "default"
    expected = stored(theirs)
    got = stored(mine)
    for name in ("id", "number", "customer_token"):
        expected.pop(name), got.pop(name)
    assert got == expected
    assert got["shipping_address"]["nota"] == "ç ã"
    assert got["subtotal"] == Decimal("49.90")

    events = [
        OrderEvent(order=mine, kind="placed", message="um", created_at=placed),
        OrderEvent(
            order=mine, kind="note", message="dois", data={"n": 2}, created_at=placed
        ),
    ]
    insert(events)
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    assert [
        (e.message, e.data)
        for e in OrderEvent.objects.filter(order=mine).order_by("pk")
    ] == [("um", {}), ("dois", {"n": 2})]


@pytest.mark.django_db
def test_the_statement_is_one_query_and_errors_are_the_databases():
    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    first = order(loja, "BBBB-2222")
    with CaptureQueriesContext(connection) as queries:
        insert([first])
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert([order(loja, "BBBB-2222")])  # the number is unique
    assert Order.objects.count() == 1


@pytest.fixture
def target(db):
    """An order inserted on a new channel, for rows that point to it."""
    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    return insert([order(loja, "CCCC-2222")])[0]


def test_many_rows_go_through_bulk_create(target):
    now = timezone.now()
    events = [
        OrderEvent(order=target, kind="note", message=str(uuid.uuid4()), created_at=now)
        for _ in range(MAX_ROWS + 1)
    ]
    insert(events)
    assert all(e.pk for e in events)
    assert OrderEvent.objects.filter(order=target).count() == MAX_ROWS + 1


def test_rows_without_instances_take_the_fields_defaults(target):
    now = timezone.now()
    keys = insert_rows(
        OrderEvent,
        [
            {"order_id": target.pk, "kind": "note", "message": "um", "created_at": now},
            {
                "order_id": target.pk,
                "kind": "note",
                "message": "dois",
                "data": {"n": 2, "nota": "ç"},
                "created_at": now,
            },
        ],
    )
    rows = list(OrderEvent.objects.filter(order=target).order_by("pk"))
    assert [e.pk for e in rows] == keys
    assert [(e.message, e.data, e.source, e.created_at) for e in rows] == [
        ("um", {}, OrderEvent._meta.get_field("source").get_default(), now),
        (
            "dois",
            {"n": 2, "nota": "ç"},
            OrderEvent._meta.get_field("source").get_default(),
            now,
        ),
    ]


@pytest.mark.django_db
def test_rows_naming_no_field_are_refused_before_writing():
    with pytest.raises(TypeError, match="mesage"):
        insert_rows(OrderEvent, [{"order_id": 1, "mesage": "um"}])
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_values_of_other_types_are_converted_as_the_field_does():
    """Strings, ints and booleans go to the database as they are only where the
    field would store them unchanged; anything else through the field."""
    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    target = order(loja, "EEEE-2222", installments="3")
    target.total = "64.90"
    target.customer_token = 12345  # an int in a text field: stored as its text
    insert([target])
    stored_order = Order.objects.get(pk=target.pk)
    assert stored_order.installments == 3
    assert stored_order.total == Decimal("64.90")
    assert stored_order.customer_token == "12345"


# -- many rows: COPY on PostgreSQL, bulk_create elsewhere ---------------------------
