"""Placing orders: validation against the live catalog, snapshots, totals,
idempotency and the ORDER_PLACED hook."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from wagtail import hooks
from wagtail.models import ModelLogEntry

from plugins.exceptions import Refused
from plugins.orders import hooks as order_hooks
from plugins.orders.exceptions import IdempotencyConflict, InvalidOrder
from plugins.orders.models import Customer, Order, OrderEvent, OrderLine
from plugins.orders.services import place_order
from tests.factories import UserFactory
from tests.plugins.orders.conftest import CNPJ, grant_channel, order_request, place


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


def test_an_order_snapshots_catalog_and_customer(sellable, loja):
    order = place(loja, discount_total="10.00", note="Entregar após as 18h")
    assert order.status == "pending_payment"
    assert len(order.number) == 9 and order.number[4] == "-"
    lines = list(order.lines.order_by("sku"))
    assert [(line.sku, line.quantity, line.unit_price) for line in lines] == [
        ("CAM-P", 2, Decimal("49.90")),
        ("CAN-1", 1, Decimal("39.90")),
    ]
    assert lines[0].product_name == "Camiseta Basica"
    assert order.subtotal == Decimal("139.70")
    assert order.discount_total == Decimal("10.00")
    assert order.shipping_total == Decimal("15.00")
    assert order.total == Decimal("144.70")
    assert sum(line.discount for line in lines) == Decimal("10.00")
    assert sum(line.total for line in lines) == order.subtotal - order.discount_total
    assert order.customer_document == "52998224725"
    assert order.shipping_address["cep"] == "01310-100"
    assert order.billing_address == order.shipping_address
    assert order.customer.name == "Maria da Silva"
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "note"]
    assert ModelLogEntry.objects.filter(
        action="orders.place", object_id=str(order.pk)
    ).exists()

    # Later catalog changes do not rewrite the order.
    sellable.variants.filter(sku="CAM-P").update(price=Decimal("99.00"))
    assert order.lines.get(sku="CAM-P").unit_price == Decimal("49.90")


def test_the_same_customer_is_found_by_document(sellable, loja):
    first = place(loja)
    second = place(loja, customer={"name": "Maria S.", "document": "52998224725"})
    assert first.customer_id == second.customer_id
    assert second.customer_name == "Maria S."  # the snapshot is the order's own
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lines": [{"sku": "NADA", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "RAS-1", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "VEL-1", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "CAM-P", "quantity": 0}]}, "lines[0].quantity"),
        ({"lines": []}, "lines"),
        (
            {
                "lines": [
                    {"sku": "CAM-P", "quantity": 1},
                    {"sku": "CAM-P", "quantity": 1},
                ]
            },
            "lines",
        ),
        (
            {"lines": [{"sku": "CAM-P", "quantity": 1, "unit_price": "1.00"}]},
            "lines[0].unit_price",
        ),
        (
            {"customer": {"name": "X", "document": "123.456.789-00"}},
            "customer.document",
        ),
        (
            {"customer": {"name": "X", "document": "11.222.333/0001-00"}},
            "customer.document",
        ),
        ({"customer": {"name": ""}}, "customer.name"),
        ({"customer": {"name": "X", "email": "não-é-email"}}, "customer.email"),
        ({"payment_method": "cheque"}, "payment_method"),
        ({"payment_method": "pix", "installments": 3}, "installments"),
        ({"payment_method": "card", "installments": 25}, "installments"),
        ({"discount_total": "500.00"}, "discount_total"),
        ({"shipping_total": "-1"}, "shipping_total"),
    ],
)
def test_invalid_requests_name_the_field_and_write_nothing(
    sellable, loja, overrides, field
):
    with pytest.raises(InvalidOrder) as excinfo:
        place(loja, **overrides)
    assert field in errors_of(excinfo), errors_of(excinfo)
    assert not Order.objects.exists()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({"cep": "0131-100"}, "shipping_address.cep"),
        ({"uf": "XX"}, "shipping_address.uf"),
        ({"street": ""}, "shipping_address.street"),
    ],
)
def test_addresses_are_validated(sellable, loja, address, field):
    from tests.plugins.orders.conftest import ADDRESS

    with pytest.raises(InvalidOrder) as excinfo:
        place(loja, shipping_address={**ADDRESS, **address})
    assert field in errors_of(excinfo)


def test_cnpj_customers_and_card_installments(sellable, loja):
    order = place(
        loja,
        customer={"name": "Loja Exemplo Ltda", "document": CNPJ},
        payment_method="card",
        installments=10,
    )
    assert order.customer_document == "11222333000181"
    assert order.customer_document_display == CNPJ
    assert order.installments == 10


def test_marketplace_channels_sell_at_their_own_prices(sellable, mercado_livre):
    order = place(
        mercado_livre,
        lines=[{"sku": "CAM-P", "quantity": 1, "unit_price": "45.00"}],
        external_id="ML-1",
    )
    assert order.lines.get().unit_price == Decimal("45.00")


def test_inactive_channel_takes_no_orders(sellable, loja):
    loja.active = False
    loja.save()
    with pytest.raises(InvalidOrder) as excinfo:
        place(loja)
    assert "channel" in errors_of(excinfo)


def test_replay_by_idempotency_key_returns_the_first_order(sellable, loja):
    first = place_order(channel=loja, idempotency_key="k-1", **order_request())
    again = place_order(channel=loja, idempotency_key="k-1", **order_request())
    assert first.created and not again.created
    assert again.order.pk == first.order.pk
    assert Order.objects.count() == 1


def test_replay_by_external_id_returns_the_first_order(sellable, mercado_livre):
    first = place_order(channel=mercado_livre, external_id="ML-9", **order_request())
    again = place_order(channel=mercado_livre, external_id="ML-9", **order_request())
    assert again.order.pk == first.order.pk and not again.created


def test_same_external_id_on_another_channel_is_another_order(
    sellable, loja, mercado_livre
):
    a = place_order(channel=mercado_livre, external_id="X-1", **order_request())
    b = place_order(channel=loja, external_id="X-1", **order_request())
    assert a.order.pk != b.order.pk


def test_a_replay_returns_the_first_order_after_the_catalog_changed(sellable, loja):
    first = place_order(channel=loja, idempotency_key="k-3", **order_request())
    sellable.variants.filter(sku="CAM-P").update(active=False)
    again = place_order(channel=loja, idempotency_key="k-3", **order_request())
    assert again.order.pk == first.order.pk and not again.created
    with pytest.raises(InvalidOrder) as excinfo:
        place_order(channel=loja, idempotency_key="k-4", **order_request())
    assert "lines[0].sku" in errors_of(excinfo)


def test_a_taken_order_number_is_drawn_again(sellable, loja, monkeypatch):
    from plugins.orders.services import placing

    taken = place(loja).number
    drawn = iter([taken, taken, "WXYZ-2345"])
    monkeypatch.setattr(placing, "new_order_number", lambda: next(drawn))
    order = place(loja, customer={"name": "Outra Pessoa", "document": CNPJ})
    assert order.number == "WXYZ-2345"
    assert Order.objects.count() == 2
    # The attempts that failed left nothing behind (one customer each).
    assert Customer.objects.count() == 2
    assert order.lines.count() == 2


def test_a_key_reused_for_other_contents_is_a_conflict(sellable, loja):
    place_order(channel=loja, idempotency_key="k-2", **order_request())
    with pytest.raises(IdempotencyConflict):
        place_order(
            channel=loja,
            idempotency_key="k-2",
            **order_request(lines=[{"sku": "CAN-1", "quantity": 5}]),
        )
    assert Order.objects.count() == 1


def test_the_placed_hook_can_refuse_the_order(sellable, loja):
    class OutOfStock(Refused):
        pass

    seen = []

    def refuse(*, order):
        seen.append(order.lines.count())
        raise OutOfStock("sem estoque", short=[{"sku": "CAM-P", "available": 1}])

    with hooks.register_temporarily(order_hooks.ORDER_PLACED, refuse):
        with pytest.raises(OutOfStock):
            place(loja)
    assert seen == [2]  # the hook sees the written lines
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert not OrderEvent.objects.exists()


def test_staff_place_orders_only_on_their_channels(sellable, attendant, mercado_livre):
    place(
        mercado_livre.__class__.objects.get(code="loja"),
        user=attendant,
        shipping_total="0",
    )
    with pytest.raises(PermissionDenied):
        place(mercado_livre, user=attendant, external_id="ML-2")
    viewer = UserFactory(username="so-ve", roles=["order_desk"])
    grant_channel(viewer, mercado_livre, "view_saleschannel")
    with pytest.raises(PermissionDenied):
        place(mercado_livre, user=viewer, external_id="ML-3")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_make_exactly_one_order(sellable, loja, mercado_livre):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def worker(i):
        try:
            barrier.wait()
            channel, kwargs = (
                (loja, {"idempotency_key": "corrida"})
                if i % 2
                else (mercado_livre, {"external_id": "ML-CORRIDA"})
            )
            results.append(
                (
                    channel.code,
                    place_order(channel=channel, **kwargs, **order_request()),
                )
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Order.objects.filter(channel=loja).count() == 1
    assert Order.objects.filter(channel=mercado_livre).count() == 1
    for code in ("loja", "mercado-livre"):
        placements = [p for c, p in results if c == code]
        assert len({p.order.pk for p in placements}) == 1
        assert sum(p.created for p in placements) == 1


def test_the_installment_limit_is_the_models_everywhere():
    """One limit (MAX_INSTALLMENTS): the model's validator, the service, the
    API's schema and the admin form's field (whose max the new-order screen's
    total reads) agree."""
    from plugins.orders.api.serializers import OrderRequestSerializer
    from plugins.orders.forms import NewOrderForm
    from plugins.orders.models import MAX_INSTALLMENTS, Order
    from plugins.orders.services import clean_order_request

    field = Order._meta.get_field("installments")
    assert max(v.limit_value for v in field.validators) == MAX_INSTALLMENTS
    assert OrderRequestSerializer().fields["installments"].max_value == MAX_INSTALLMENTS
    assert NewOrderForm.base_fields["installments"].max_value == MAX_INSTALLMENTS
    request = {
        "customer": {"name": "Ana"},
        "shipping_address": {},
        "lines": [],
        "payment_method": "card",
    }
    over = clean_order_request(**request, installments=MAX_INSTALLMENTS + 1)
    assert "installments" in over.errors
    at = clean_order_request(**request, installments=MAX_INSTALLMENTS)
    assert "installments" not in at.errors
