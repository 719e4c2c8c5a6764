"""Marketplace orders as marketplaces send them: already paid, shipped,
delivered or cancelled, with their payments, fees, buyer ids and ratings
(plugins.orders.services.history), through the order import and the intake
API."""

import datetime
from decimal import Decimal

import pytest

from plugins.importing.engine import run
from plugins.orders.importing.importer import OrdersImporter
from plugins.orders.models import (
    Customer,
    CustomerReference,
    Order,
    OrderEvent,
    OrderPayment,
    SurveyResponse,
)
from plugins.orders.surveys import nps
from plugins.stock.models import Reservation
from tests.plugins.orders import marketplace_sample
from tests.plugins.orders.test_import import importer  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(sellable):
    """Every live SKU of the sample has units in a warehouse."""
    from plugins.stock.models import StockLevel, Warehouse

    warehouse = Warehouse.objects.create(code="cd", name="CD")
    from content.models import Variant

    for variant in Variant.objects.all():
        StockLevel.objects.create(variant=variant, warehouse=warehouse, on_hand=1000)
    return warehouse


@pytest.fixture(scope="module")
def sample():
    orders = marketplace_sample.build()
    return orders, marketplace_sample.csv_bytes(orders)


def _import(user, data, **options):
    return run(
        OrdersImporter(user, options),
        data,
        name="marketplace.csv",
        dry_run=False,
        skip_invalid=True,
    )


def test_the_sample_imports_with_its_history_intact_and_again_as_a_no_op(
    importer,  # noqa: F811
    stocked,
    sample,
):
    orders, data = sample
    assert len(orders) == 175
    importable = [o for o in orders if o.importable]
    without_items = [o for o in orders if not o.importable]
    assert without_items, "the sample has orders without items"

    report = _import(importer, data)
    assert report.committed
    assert report.counts["new_orders"] == len(importable)
    # each order without items is skipped, with its reason on its row
    skipped = {}
    for error in report.errors:
        skipped.setdefault(error["row"], set()).add(error["column"])
    assert len(skipped) == len(without_items)
    assert all("sku" in columns for columns in skipped.values())
    assert Order.objects.count() == len(importable)

    for expected in importable:
        order = Order.objects.get(external_id=expected.external_id)
        assert order.status == expected.status
        assert order.placed_at == expected.placed_at
        for name in ("paid_at", "invoiced_at", "shipped_at", "delivered_at"):
            assert getattr(order, name) == getattr(expected, name), name
        payments = list(order.payments.order_by("sequence"))
        assert [
            (p.method, p.value, p.installments, p.provider_id) for p in payments
        ] == [
            (
                {"credit_card": "card"}.get(method, method),
                value.quantize(Decimal("0.01")),
                installments,
                provider_id,
            )
            for method, value, installments, provider_id in expected.payments
        ]
        assert order.marketplace_fee == expected.fee
        assert order.marketplace_freight == expected.freight
        assert order.customer.references.get().reference == expected.buyer_id
        survey = SurveyResponse.objects.filter(order=order).first()
        if expected.rating:
            assert survey.source == SurveyResponse.Source.MARKETPLACE
            assert (survey.rating, survey.comment) == (
                expected.rating,
                expected.comment,
            )
            assert survey.answered_at == expected.rated_at
        else:
            assert survey is None
        # the timeline: placed, then each step with a timestamp, all imported
        events = list(order.events.order_by("created_at", "pk"))
        assert all(e.imported for e in events)
        assert events[0].kind == OrderEvent.Kind.PLACED
        assert events[-1].to_status == expected.status

    # the same buyer is one customer, however many orders
    buyers = {o.buyer_id for o in importable}
    assert CustomerReference.objects.count() == len(buyers)
    assert Customer.objects.count() == len(buyers)

    # the ratings count in the satisfaction report: 5 promoter, 4 passive,
    # 1–3 detractor
    rated = [o.rating for o in importable if o.rating]
    figures = nps(SurveyResponse.objects.all())
    assert figures["answers"] == len(rated)
    assert figures["promoters"] == rated.count(5)
    assert figures["passives"] == rated.count(4)
    assert figures["detractors"] == sum(1 for r in rated if r <= 3)

    # only orders still to be shipped reserve stock
    to_ship = [
        o for o in importable if o.status in ("pending_payment", "paid", "invoiced")
    ]
    reserved = set(Reservation.objects.values_list("order_number", flat=True))
    assert reserved == set(
        Order.objects.filter(
            external_id__in=[o.external_id for o in to_ship]
        ).values_list("number", flat=True)
    )
    assert to_ship

    # again: nothing new, nothing changed
    counts = (
        Order.objects.count(),
        OrderPayment.objects.count(),
        OrderEvent.objects.count(),
        SurveyResponse.objects.count(),
        Reservation.objects.count(),
        Customer.objects.count(),
    )
    again = _import(importer, data)
    assert again.counts == {"new_orders": 0, "existing_orders": len(importable)}
    assert counts == (
        Order.objects.count(),
        OrderPayment.objects.count(),
        OrderEvent.objects.count(),
        SurveyResponse.objects.count(),
        Reservation.objects.count(),
        Customer.objects.count(),
    )


def test_imported_orders_may_be_kept_out_of_stock(importer, stocked, sample):  # noqa: F811
    _orders, data = sample
    report = _import(importer, data, stock="none")
    assert report.counts["new_orders"] > 0
    assert not Reservation.objects.exists()


def test_the_history_runs_no_side_effects_of_its_steps(
    importer,  # noqa: F811
    stocked,
    sample,
    django_capture_on_commit_callbacks,
    mailoutbox,
    settings,
):
    """A delivered order imports with its survey answered (its rating) or
    none: no survey token e-mailed, no webhook per step."""
    from api.models import WebhookDelivery

    settings.RETAGUARDA_SURVEY_EMAILS = True
    orders, _data = sample
    delivered = [o for o in orders if o.status == "delivered" and o.importable][:3]
    data = marketplace_sample.csv_bytes(delivered)
    with django_capture_on_commit_callbacks(execute=True):
        report = _import(importer, data)
    assert report.counts["new_orders"] == 3
    assert mailoutbox == []
    events = set(WebhookDelivery.objects.values_list("event", flat=True))
    assert "order.delivered" not in events and "order.shipped" not in events


def test_a_step_after_the_status_is_an_error_of_its_column(importer, sellable):  # noqa: F811
    orders = marketplace_sample.build(count=12)
    paid = next(o for o in orders if o.status == "delivered")
    paid.status = "paid"
    paid.rows = marketplace_sample._rows(paid, __import__("random").Random(1))
    report = run(
        OrdersImporter(importer), marketplace_sample.csv_bytes([paid]), dry_run=True
    )
    columns = {e["column"] for e in report.errors}
    assert {"invoiced_at", "shipped_at"} <= columns
    assert not Order.objects.exists()


def test_a_rating_outside_one_to_five_is_refused(importer, sellable):  # noqa: F811
    orders = [o for o in marketplace_sample.build(count=30) if o.rating][:1]
    orders[0].rating = 7
    orders[0].rows = marketplace_sample._rows(orders[0], __import__("random").Random(1))
    report = run(
        OrdersImporter(importer), marketplace_sample.csv_bytes(orders), dry_run=True
    )
    assert "rating" in {e["column"] for e in report.errors}


def test_a_future_timestamp_is_refused(importer, sellable):  # noqa: F811
    orders = [o for o in marketplace_sample.build(count=30) if o.status == "delivered"]
    order = orders[0]
    order.delivered_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        days=3
    )
    order.rows = marketplace_sample._rows(order, __import__("random").Random(1))
    report = run(
        OrdersImporter(importer), marketplace_sample.csv_bytes([order]), dry_run=True
    )
    assert "delivered_at" in {e["column"] for e in report.errors}


# -- the intake API -----------------------------------------------------------

INTAKE = "/api/v1/orders/import/"


def _delivered_item(external_id="MLB-9001", **overrides):
    from tests.plugins.orders.test_api_intake import item

    data = item(
        external_id,
        lines=[{"sku": "CAM-P", "quantity": 2, "unit_price": "45.00"}],
        shipping_total="12.00",
        customer={"name": "Ana Souza", "reference": "ML-BUYER-7"},
    )
    data.pop("payment_method", None)
    data.pop("installments", None)
    data.update(
        placed_at="2026-01-10T10:00:00-03:00",
        status="delivered",
        paid_at="2026-01-10T10:05:00-03:00",
        invoiced_at="2026-01-10T15:00:00-03:00",
        shipped_at="2026-01-11T09:00:00-03:00",
        delivered_at="2026-01-14T16:30:00-03:00",
        promised_delivery_date="2026-01-20",
        payments=[
            {
                "method": "card",
                "value": "82.00",
                "installments": 3,
                "provider_id": "p1",
            },
            {"method": "voucher", "value": "20.00"},
        ],
        marketplace_fee="16.32",
        marketplace_freight="18.90",
        rating={"stars": 4, "comment": "Bom", "rated_at": "2026-01-15T08:00:00-03:00"},
    )
    data.update(overrides)
    return data


def test_intake_takes_an_order_as_the_marketplace_sends_it(
    sellable, loja, mercado_livre, stocked, superuser
):
    from tests.plugins.orders.conftest import staff_client

    client = staff_client(superuser)
    response = client.post(INTAKE, {"orders": [_delivered_item()]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["status"] == "created"
    order = Order.objects.get(external_id="MLB-9001")
    assert order.status == "delivered"
    assert order.delivered_at == datetime.datetime.fromisoformat(
        "2026-01-14T16:30:00-03:00"
    )
    # the order's method is that of its largest payment
    assert (order.payment_method, order.installments) == ("card", 3)
    assert [(p.method, p.value) for p in order.payments.all()] == [
        ("card", Decimal("82.00")),
        ("voucher", Decimal("20.00")),
    ]
    assert (order.marketplace_fee, order.marketplace_freight) == (
        Decimal("16.32"),
        Decimal("18.90"),
    )
    assert order.customer.references.get().reference == "ML-BUYER-7"
    assert (order.survey.rating, order.survey.score) == (4, 8)
    assert [(e.to_status, e.imported) for e in order.events.all()] == [
        ("pending_payment", True),
        ("paid", True),
        ("invoiced", True),
        ("shipped", True),
        ("delivered", True),
    ]
    assert not Reservation.objects.exists()  # delivered: no stock moves

    # sent again (say, with a later status): a replay, nothing changes
    again = client.post(
        INTAKE,
        {"orders": [_delivered_item(status="delivered")]},
        format="json",
    ).json()
    assert again["results"][0]["status"] == "replayed"
    assert order.payments.count() == 2


def test_intake_refuses_a_bad_history_with_its_fields(
    sellable, loja, mercado_livre, superuser
):
    from tests.plugins.orders.conftest import staff_client

    client = staff_client(superuser)
    bad = _delivered_item(
        status="paid",  # yet it states invoice, shipping and delivery dates
        payments=[{"method": "boleto", "value": "10.00", "installments": 3}],
    )
    body = client.post(INTAKE, {"orders": [bad]}, format="json").json()
    result = body["results"][0]
    assert result["status"] == "error"
    assert {"invoiced_at", "shipped_at", "delivered_at"} <= set(result["errors"])
    assert "payments[0].installments" in result["errors"]
    assert not Order.objects.exists()


def test_intake_reserves_stock_for_orders_still_to_ship_unless_told_not_to(
    sellable, loja, mercado_livre, stocked, superuser
):
    from tests.plugins.orders.conftest import staff_client

    client = staff_client(superuser)
    paid = _delivered_item("MLB-1", status="paid", rating=None)
    for step in ("invoiced_at", "shipped_at", "delivered_at"):
        paid.pop(step)
    body = client.post(INTAKE, {"orders": [paid]}, format="json").json()
    assert body["created"] == 1
    assert Reservation.objects.filter(order_number=Order.objects.get().number)

    paid["external_id"] = "MLB-2"
    body = client.post(
        INTAKE, {"orders": [paid], "stock": "none"}, format="json"
    ).json()
    assert body["created"] == 1
    number = Order.objects.get(external_id="MLB-2").number
    assert not Reservation.objects.filter(order_number=number).exists()


def test_a_storefront_cannot_state_a_history(sellable, loja, storefront):
    from tests.plugins.orders.conftest import order_request

    body = order_request()
    del body["shipping_total"]
    body.update(
        status="delivered",
        delivered_at="2026-01-14T16:30:00-03:00",
        payments=[{"method": "card", "value": "1.00"}],
        rating={"stars": 5},
    )
    response = storefront.post(
        "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # not fields of a storefront's order: an order placed today, pending
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert (order.status, order.delivered_at) == ("pending_payment", None)
    assert not order.payments.exists()
    assert not SurveyResponse.objects.exists()


def test_the_import_screen_offers_the_stock_choice(importer, stocked):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plugins.importing.models import ImportJob
    from tests.plugins.orders.admin_fixtures import login, text

    client = login(importer)
    url = "/admin/imports/orders.marketplace/"
    assert "Nenhum pedido importado movimenta o estoque" in text(client.get(url))
    orders = [o for o in marketplace_sample.build(count=40) if o.status == "paid"]
    data = marketplace_sample.csv_bytes(orders)
    response = client.post(
        url, {"file": SimpleUploadedFile("ml.csv", data), "stock": "none"}
    )
    assert response.status_code == 302
    job = ImportJob.objects.latest("created_at")
    assert job.options == {"stock": "none"}
    client.post(f"/admin/imports/job/{job.pk}/confirm/")
    assert Order.objects.filter(status="paid").count() == len(orders) > 0
    assert not Reservation.objects.exists()
