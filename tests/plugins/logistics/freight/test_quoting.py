"""Quoting a cart: options from every active carrier from the origin that
would ship it, free-shipping rules, handling time in business days, signed
quote ids that the server checks and prices again, the cache, and a query
count that does not grow with the cart."""

import datetime
import time
from decimal import Decimal
from functools import partial

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plugins.logistics.models import (
    Carrier,
    CarrierKind,
    CarrierService,
    FreeShippingRule,
    FreightRate,
)
from plugins.logistics.services import quoting
from tests.plugins.logistics.conftest import make_origin

D = Decimal
CART = [{"sku": "CAM-P", "quantity": 2}, {"sku": "CAN-1", "quantity": 1}]


def by_service(options):
    return {o.service_code: o for o in options}


def test_quote_options_cheapest_first_with_delivery_dates(quoting_store):
    options = quoting.quote_cart(quoting_store, "01310-100", CART)
    assert [(o.carrier_name, o.service_name, o.price) for o in options] == [
        ("Rapidão", "Econômico", D("10.00")),
        ("Rapidão", "Expresso", D("15.00")),
    ]
    eco, exp = options
    after = partial(quoting.add_business_days, timezone.localdate())
    # handling 1 business day + 4 days; the range: the last 3 of them
    assert eco.delivery_days == 5
    assert eco.handling_deadline == after(1)
    assert (eco.delivery_date_from, eco.delivery_date_to) == (after(3), after(5))
    # Expresso: 1 day after the handling
    assert (exp.delivery_date_from, exp.delivery_date_to) == (after(2), after(2))
    assert not eco.free and eco.quote_id


def test_business_days_skip_weekends():
    friday = datetime.date(2026, 3, 6)
    assert quoting.add_business_days(friday, 0) == friday
    assert quoting.add_business_days(friday, 1) == datetime.date(2026, 3, 9)
    assert quoting.add_business_days(datetime.date(2026, 3, 7), 1) == datetime.date(
        2026, 3, 9
    )
    assert quoting.add_business_days(friday, 6) == datetime.date(2026, 3, 16)


def test_handling_time_of_the_origin_is_added(quoting_store, origin):
    origin.handling_days = 3
    origin.save()
    eco = by_service(quoting.quote_cart(quoting_store, "01310100", CART))["ECO"]
    today = timezone.localdate()
    assert eco.delivery_days == 7
    assert eco.handling_deadline == quoting.add_business_days(today, 3)
    assert eco.delivery_date_to == quoting.add_business_days(today, 7)


def test_free_shipping_rule_every_condition_must_hold(quoting_store, table_carrier):
    eco = table_carrier.services.get(code="ECO")
    rule = FreeShippingRule.objects.create(
        name="Frete grátis Sudeste",
        service=eco,
        channel_code="loja",
        states="SP, RJ",
        min_order_value=D("139.70"),
    )
    # the cart is worth 2 × 49.90 + 39.90 = 139.70
    options = by_service(quoting.quote_cart(quoting_store, "01310100", CART))
    assert (options["ECO"].price, options["ECO"].free) == (D("0.00"), True)
    assert options["ECO"].carrier_price == D("10.00")
    assert (options["EXP"].price, options["EXP"].free) == (D("15.00"), False)
    # another state
    options = by_service(quoting.quote_cart(quoting_store, "30140071", CART))
    assert not options["ECO"].free
    # below the minimum
    small = [{"sku": "CAN-1", "quantity": 1}]
    assert not by_service(quoting.quote_cart(quoting_store, "01310100", small))[
        "ECO"
    ].free
    # another channel
    rule.channel_code = "outra-loja"
    rule.save()
    assert not by_service(quoting.quote_cart(quoting_store, "01310100", CART))[
        "ECO"
    ].free


def test_free_shipping_by_product_tag(quoting_store, table_carrier, sellable):
    FreeShippingRule.objects.create(
        name="Camisetas",
        service=table_carrier.services.get(code="ECO"),
        product_tag="Promoção",
    )
    mug = [{"sku": "CAN-1", "quantity": 1}]
    assert not by_service(quoting.quote_cart(quoting_store, "01310100", mug))[
        "ECO"
    ].free
    sellable.tags.add("promoção")
    sellable.save()
    assert by_service(quoting.quote_cart(quoting_store, "01310100", CART))["ECO"].free


def test_a_failing_carrier_is_left_out(quoting_store):
    broken = Carrier.objects.create(
        code="correios",
        name="Correios",
        kind=CarrierKind.CORREIOS,
        base_url="http://127.0.0.1:9/",
    )
    CarrierService.objects.create(carrier=broken, code="03220", name="SEDEX")
    options = quoting.quote_cart(quoting_store, "01310100", CART)
    assert {o.carrier_code for o in options} == {"rapidao"}


def test_a_carrier_too_small_for_an_item_is_left_out(
    quoting_store, table_carrier, other_carrier
):
    other_carrier.max_weight_g = 200
    other_carrier.save()
    options = quoting.quote_cart(quoting_store, "01310100", CART)
    assert {o.carrier_code for o in options} == {"rapidao"}


def test_pickup_is_free_after_the_handling_time(quoting_store):
    pickup = Carrier.objects.create(
        code="retirada", name="Retirada na loja", kind=CarrierKind.PICKUP
    )
    CarrierService.objects.create(carrier=pickup, code="RET", name="Retirar")
    option = by_service(quoting.quote_cart(quoting_store, "01310100", CART))["RET"]
    assert (option.price, option.free, option.delivery_days) == (D("0.00"), True, 1)


def test_the_origin_is_the_warehouse_stock_would_reserve_from(quoting_store, sellable):
    from content.models import Variant
    from plugins.stock.models import Warehouse
    from plugins.stock.services import receive_stock

    sp = Warehouse.objects.create(code="SP-01", name="SP", priority=10)
    rj = Warehouse.objects.create(code="RJ-01", name="RJ", priority=20)
    rio = make_origin(
        code="rj-01",
        name="CD Rio",
        warehouse_code="RJ-01",
        cep="20040-020",
        uf="RJ",
        is_default=False,
        handling_days=2,
    )
    for sku in ("CAM-P", "CAN-1"):
        receive_stock(rj, variant=Variant.objects.get(sku=sku), quantity=5, user=None)
    receive_stock(sp, variant=Variant.objects.get(sku="CAN-1"), quantity=5, user=None)
    # SP comes first but lacks CAM-P: the whole cart ships from RJ
    options = quoting.quote_cart(quoting_store, "01310100", CART)
    assert {o.origin_id for o in options} == {rio.pk}
    assert options[0].delivery_days == 2 + 4
    # a cart SP holds ships from SP
    mug = [{"sku": "CAN-1", "quantity": 2}]
    assert {
        o.origin_id for o in quoting.quote_cart(quoting_store, "01310100", mug)
    } != {rio.pk}


def test_quotes_are_cached_until_freight_changes(quoting_store, table_carrier):
    first = quoting.quote_cart(quoting_store, "01310100", CART)
    with CaptureQueriesContext(connection) as queries:
        again = quoting.quote_cart(quoting_store, "01310100", CART)
    assert len(queries) == 0 and again == first
    rate = FreightRate.objects.filter(service__code="ECO").first()
    rate.price = D("99.00")
    rate.save()
    assert by_service(quoting.quote_cart(quoting_store, "01310100", CART))[
        "ECO"
    ].price == D("99.00")


def test_query_count_does_not_grow_with_the_cart(quoting_store, other_carrier):
    from tests.content.conftest import make_product

    for i in range(5):
        make_product(f"item-{i}", variants=[(f"IT-{i}", "10.00")])
    # the carriers, origins and rules are read once, then cached
    quoting.quote_cart(quoting_store, "20040020", [{"sku": "IT-0", "quantity": 1}])
    counts = []
    for size in (1, 5):
        cart = [{"sku": f"IT-{i}", "quantity": i + 1} for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            options = quoting.quote_cart(quoting_store, "01310100", cart)
        assert len(options) == 4
        counts.append(len(queries))
    # the variants, the stock levels and the rates
    assert counts[0] == counts[1] == 3


def test_bad_requests(quoting_store):
    for cep in ("1310100", "01310-1000", "abcdefgh", "00000-000"):
        with pytest.raises(quoting.InvalidQuoteRequest) as error:
            quoting.quote_cart(quoting_store, cep, CART)
        assert "destination_cep" in error.value.extra["errors"]
    with pytest.raises(quoting.InvalidQuoteRequest) as error:
        quoting.quote_cart(quoting_store, "01310100", [])
    assert list(error.value.extra["errors"]) == ["lines"]
    with pytest.raises(quoting.InvalidQuoteRequest) as error:
        quoting.quote_cart(quoting_store, "01310100", [{"sku": "NOPE", "quantity": 1}])
    assert list(error.value.extra["errors"]) == ["lines[0].sku"]
    assert "NOPE" in error.value.extra["errors"]["lines[0].sku"][0]
    too_many = [{"sku": "CAN-1", "quantity": 1}] * (quoting.MAX_LINES + 1)
    with pytest.raises(quoting.InvalidQuoteRequest):
        quoting.quote_cart(quoting_store, "01310100", too_many)


# -- signed quote ids -----------------------------------------------------------------


def chosen(store, service="ECO", cep="01310100", cart=CART):
    return by_service(quoting.quote_cart(store, cep, cart))[service]


def test_resolve_prices_the_chosen_service_again(quoting_store):
    option = chosen(quoting_store)
    # the same cart in another order and split over lines is the same cart
    cart = [{"sku": "CAN-1", "quantity": 1}, {"sku": "CAM-P", "quantity": 1}] + [
        {"sku": "CAM-P", "quantity": 1}
    ]
    resolved = quoting.resolve_quote(
        option.quote_id, channel=quoting_store, destination_cep="01310-100", lines=cart
    )
    assert (resolved.service_code, resolved.price) == ("ECO", D("10.00"))
    # today's tables decide, not the price in the id
    FreightRate.objects.filter(service__code="ECO").update(price=D("11.11"))
    resolved = quoting.resolve_quote(
        option.quote_id, channel=quoting_store, destination_cep="01310100", lines=CART
    )
    assert resolved.price == D("11.11")


def test_a_tampered_quote_id_is_refused(quoting_store, table_carrier):
    option = chosen(quoting_store)
    data = signing.loads(option.quote_id, salt=quoting.SALT)
    data["p"] = "0.01"
    forged = signing.dumps(data, salt="another salt", compress=True)
    for quote_id in (forged, option.quote_id[:-2] + "xx", "anything", ""):
        with pytest.raises(quoting.InvalidQuote) as error:
            quoting.resolve_quote(
                quote_id, channel=quoting_store, destination_cep="01310100", lines=CART
            )
        assert error.value.code == "invalid-freight-quote"


class SignedAnHourAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 3600)


def test_an_expired_quote_id_is_refused(quoting_store, settings):
    settings.RETAGUARDA_FREIGHT_QUOTE_TTL = 1800
    option = chosen(quoting_store)
    data = signing.loads(option.quote_id, salt=quoting.SALT)
    old = SignedAnHourAgo(salt=quoting.SALT).sign_object(data, compress=True)
    with pytest.raises(quoting.QuoteExpired) as error:
        quoting.resolve_quote(
            old, channel=quoting_store, destination_cep="01310100", lines=CART
        )
    assert error.value.extra["errors"]["shipping_quote"]
    # within its lifetime it is still good
    settings.RETAGUARDA_FREIGHT_QUOTE_TTL = 7200
    quoting.resolve_quote(
        old, channel=quoting_store, destination_cep="01310100", lines=CART
    )


def test_a_quote_id_of_another_cart_cep_or_channel_is_refused(quoting_store):
    from plugins.orders.models import SalesChannel

    option = chosen(quoting_store)
    other = SalesChannel.objects.create(code="outra", name="Outra", kind="storefront")
    for kwargs, mention in (
        ({"lines": [{"sku": "CAM-P", "quantity": 3}]}, "carrinho"),
        ({"destination_cep": "01310-200"}, "CEP"),
        ({"channel": other}, "canal"),
    ):
        values = {
            "channel": quoting_store,
            "destination_cep": "01310100",
            "lines": CART,
        }
        values.update(kwargs)
        with pytest.raises(quoting.InvalidQuote) as error:
            quoting.resolve_quote(option.quote_id, **values)
        assert mention in error.value.message


def test_a_service_turned_off_is_no_longer_available(quoting_store, table_carrier):
    option = chosen(quoting_store)
    service = table_carrier.services.get(code="ECO")
    service.active = False
    service.save()
    with pytest.raises(quoting.QuoteUnavailable):
        quoting.resolve_quote(
            option.quote_id,
            channel=quoting_store,
            destination_cep="01310100",
            lines=CART,
        )
