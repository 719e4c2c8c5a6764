"""Freight from tables, to the centavo: CEP ranges and weight bands at their
edges, cubic weight, volumes within the carrier's limits, ad valorem, GRIS,
the extra per kg above the last band and the minimum price."""

from decimal import Decimal

import pytest

from plugins.logistics import freight
from plugins.logistics.carriers import adapter_for
from plugins.logistics.carriers.base import QuoteRequest, Volume
from plugins.logistics.models import CarrierService, FreightRate
from plugins.logistics.regions import uf_for_cep

D = Decimal


def small(weight=500):
    return (Volume(weight, 10, 10, 10),)


def request(cep="01310100", volumes=None, value="0", origin="01310100"):
    return QuoteRequest(
        origin_cep=origin,
        destination_cep=cep,
        volumes=volumes or small(),
        declared_value=D(value),
    )


def prices(carrier, **kwargs):
    return {
        o.service_code: (o.price, o.days)
        for o in adapter_for(carrier).quote(request(**kwargs))
    }


def test_cubic_weight_is_rounded_up_to_the_gram():
    assert freight.cubic_weight_g(30, 20, 10, 6000) == 1000
    assert freight.cubic_weight_g(D("16"), D("11"), D("6"), 6000) == 176
    assert freight.cubic_weight_g(7, 7, 7, 6000) == 58  # 57.1666…
    assert freight.cubic_weight_g(30, 20, 10, 5000) == 1200


def test_billed_weight_is_the_greater_of_actual_and_cubic():
    assert freight.billed_weight_g(Volume(800, 30, 20, 10), 6000) == 1000
    assert freight.billed_weight_g(Volume(1500, 30, 20, 10), 6000) == 1500


def test_destination_cep_range_edges(table_carrier):
    # São Paulo 01000-000 – 19999-999: 10.00 × 1.5 and 10.00; the rest 20.00
    assert prices(table_carrier, cep="01000000") == {
        "EXP": (D("15.00"), 1),
        "ECO": (D("10.00"), 4),
    }
    assert prices(table_carrier, cep="19999999")["EXP"] == (D("15.00"), 1)
    assert prices(table_carrier, cep="20000000")["EXP"] == (D("30.00"), 4)
    assert prices(table_carrier, cep="99999999")["ECO"] == (D("20.00"), 7)


def test_origin_outside_every_range_has_no_option(table_carrier):
    FreightRate.objects.filter(service__carrier=table_carrier).update(
        origin_start=1_000_000, origin_end=9_999_999
    )
    assert prices(table_carrier, origin="10000000") == {}
    assert prices(table_carrier, origin="09999999")["ECO"] == (D("10.00"), 4)


def test_weight_band_edges(table_carrier):
    # 0–1000 g and 1001–5000 g (+8.00)
    assert prices(table_carrier, volumes=small(1000))["ECO"][0] == D("10.00")
    assert prices(table_carrier, volumes=small(1001))["ECO"][0] == D("18.00")
    assert prices(table_carrier, volumes=small(5000))["ECO"][0] == D("18.00")


def test_cubic_weight_picks_the_band(table_carrier):
    # 300 g in a 30 × 20 × 10 box bills 1000 g; 31 × 20 × 10 bills 1034 g
    box = (Volume(300, 30, 20, 10),)
    assert prices(table_carrier, volumes=box)["ECO"][0] == D("10.00")
    box = (Volume(300, 31, 20, 10),)
    assert prices(table_carrier, volumes=box)["ECO"][0] == D("18.00")


def test_extra_per_kg_or_part_of_it_above_the_last_band(table_carrier):
    CarrierService.objects.filter(carrier=table_carrier, code="ECO").update(
        extra_per_kg=D("2.35")
    )
    # 5001 g: 1 kg part above → 18.00 + 2.35; 7000 g: 2 kg → 18.00 + 4.70
    assert prices(table_carrier, volumes=small(5001))["ECO"][0] == D("20.35")
    assert prices(table_carrier, volumes=small(7000))["ECO"][0] == D("22.70")
    assert prices(table_carrier, volumes=small(7001))["ECO"][0] == D("25.05")


def test_ad_valorem_and_gris_to_the_centavo(table_carrier):
    CarrierService.objects.filter(carrier=table_carrier, code="ECO").update(
        ad_valorem_percent=D("0.330"), gris_percent=D("0.125")
    )
    # 10.00 + 0.33% of 199.90 (0.659… → 0.66) + 0.125% of 199.90 (0.249… → 0.25)
    assert prices(table_carrier, value="199.90")["ECO"][0] == D("10.91")
    # half a centavo rounds up: 0.33% of 1.50 = 0.00495 → 0.00; of 15.00 = 0.0495
    # → 0.05; 0.125% of 4.00 = 0.005 → 0.01
    assert prices(table_carrier, value="15.00")["ECO"][0] == D("10.07")
    assert freight.percent_of(D("4.00"), D("0.125")) == D("0.01")


def test_minimum_price(table_carrier):
    CarrierService.objects.filter(carrier=table_carrier, code="ECO").update(
        min_price=D("12.50"), ad_valorem_percent=D("1")
    )
    assert prices(table_carrier, value="100.00")["ECO"][0] == D("12.50")  # 11.00
    assert prices(table_carrier, value="300.00")["ECO"][0] == D("13.00")


def test_volumes_are_priced_each_and_summed_days_the_most(table_carrier):
    CarrierService.objects.filter(carrier=table_carrier, code="ECO").update(
        ad_valorem_percent=D("1"), extra_days=2
    )
    volumes = (Volume(500, 10, 10, 10), Volume(3000, 10, 10, 10))
    # 10.00 + 1% of 50.01 (0.50) and 18.00 + 1% of 50.00 (0.50); 4 + 2 days
    assert prices(table_carrier, volumes=volumes, value="100.01")["ECO"] == (
        D("29.00"),
        6,
    )


def test_overlapping_rows_the_narrowest_destination_range_wins(table_carrier):
    service = CarrierService.objects.get(carrier=table_carrier, code="ECO")
    FreightRate.objects.create(
        service=service,
        origin_start=1_000_000,
        origin_end=99_999_999,
        destination_start=1_310_000,
        destination_end=1_310_999,
        weight_from_g=0,
        weight_to_g=30000,
        price=D("7.77"),
        days=1,
    )
    assert prices(table_carrier, cep="01310100")["ECO"] == (D("7.77"), 1)
    assert prices(table_carrier, cep="01311000")["ECO"] == (D("10.00"), 4)


def test_inactive_service_is_not_quoted(table_carrier):
    CarrierService.objects.filter(carrier=table_carrier, code="EXP").update(
        active=False
    )
    assert set(prices(table_carrier)) == {"ECO"}


LIMITS = freight.Limits(max_weight_g=10000, max_side_cm=100, max_sum_cm=200)
BOOK = freight.ItemSize(400, D("23"), D("16"), D("3"))


def test_units_are_stacked_into_one_volume_while_they_fit():
    volumes = freight.split_volumes([("LIV-1", BOOK, 5)], LIMITS)
    assert volumes == (Volume(2000, 23, 16, 15),)


def test_a_new_volume_starts_at_the_weight_limit():
    limits = freight.Limits(max_weight_g=1000, max_side_cm=100, max_sum_cm=200)
    volumes = freight.split_volumes([("LIV-1", BOOK, 5)], limits)
    assert [v.weight_g for v in volumes] == [800, 800, 400]
    assert volumes[0] == Volume(800, 23, 16, 6)


def test_a_new_volume_starts_at_the_side_and_sum_limits():
    tall = freight.Limits(max_weight_g=30000, max_side_cm=30, max_sum_cm=200)
    assert len(freight.split_volumes([("LIV-1", BOOK, 20)], tall)) == 2  # 60 cm
    summed = freight.Limits(max_weight_g=30000, max_side_cm=100, max_sum_cm=60)
    volumes = freight.split_volumes([("LIV-1", BOOK, 10)], summed)
    assert all(sum((v.length_cm, v.width_cm, v.height_cm)) <= 60 for v in volumes)
    assert sum(v.weight_g for v in volumes) == 4000


def test_heaviest_units_first_and_fractional_sides_rounded_up():
    mug = freight.ItemSize(350, D("12.5"), D("9.2"), D("9.2"))
    volumes = freight.split_volumes([("LIV-1", BOOK, 1), ("CAN-1", mug, 1)], LIMITS)
    assert volumes == (Volume(750, 23, 16, 13),)


def test_a_unit_larger_than_the_carrier_raises_too_large():
    sofa = freight.ItemSize(40000, D("200"), D("90"), D("80"))
    with pytest.raises(freight.TooLarge) as error:
        freight.split_volumes([("LIV-1", BOOK, 1), ("SOFA", sofa, 1)], LIMITS)
    assert error.value.sku == "SOFA"


def test_sizes_from_the_catalog_with_defaults(sellable):
    from content.models import Variant

    Variant.objects.filter(sku="CAM-P").update(
        weight_grams=250, length_cm=D("30"), width_cm=D("20"), height_cm=D("2.5")
    )
    Variant.objects.filter(sku="CAM-M").update(weight_grams=260)
    sizes = freight.item_sizes(["CAM-P", "CAM-M", "CAN-1", "NOPE"])
    assert sizes["CAM-P"] == freight.ItemSize(250, D("30"), D("20"), D("2.5"))
    assert sizes["CAM-M"] == freight.ItemSize(260, D(16), D(11), D(6))
    assert sizes["CAN-1"] == freight.DEFAULT_ITEM
    assert "NOPE" not in sizes


def test_split_equally_adds_up():
    assert freight.split_equally(D("100.01"), 3) == [D("33.34"), D("33.34"), D("33.33")]
    assert sum(freight.split_equally(D("0.05"), 7)) == D("0.05")


def test_uf_of_cep():
    assert uf_for_cep("01310-100") == "SP"
    assert uf_for_cep("20040020") == "RJ"
    assert uf_for_cep("69301000") == "RR"
    assert uf_for_cep("70040010") == "DF"
    assert uf_for_cep("90010000") == "RS"
