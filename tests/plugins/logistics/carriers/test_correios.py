"""Correios' adapter against its local simulator, over real loopback HTTP:
token, quotes, pre-postings with valid S10 codes, tracking, reverse, and
every failure turned into a carrier error that says whether to retry."""

from decimal import Decimal

import pytest

from plugins.logistics import s10
from plugins.logistics.carriers import adapter_for
from plugins.logistics.carriers.base import (
    Party,
    QuoteRequest,
    ReverseRequest,
    ShipmentRequest,
    Timeout,
    Volume,
)
from plugins.logistics.carriers.correios import CorreiosCarrier, sro_status
from plugins.logistics.carriers.errors import (
    CarrierAuthenticationFailed,
    CarrierRejected,
    CarrierTimeout,
    CarrierUnavailable,
)
from plugins.logistics.models import TrackingStatus

pytestmark = pytest.mark.django_db

SENDER = Party(
    name="Loja Exemplo Ltda",
    street="Rua Augusta",
    number="100",
    district="Consolação",
    city="São Paulo",
    uf="SP",
    cep="01310100",
    document="11222333000181",
    phone="+55 11 3333-4444",
)
RECIPIENT = Party(
    name="Maria da Silva",
    street="Avenida Atlântica",
    number="1702",
    district="Copacabana",
    city="Rio de Janeiro",
    uf="RJ",
    cep="22021001",
    document="52998224725",
    email="maria@example.com",
)
BOX = Volume(weight_g=800, length_cm=20, width_cm=15, height_cm=10)


def shipment_request(reference="42", volumes=(BOX,)):
    return ShipmentRequest(
        reference=reference,
        service_code="03220",
        sender=SENDER,
        recipient=RECIPIENT,
        volumes=tuple(volumes),
        declared_value=Decimal("125.00"),
        items=({"sku": "CAN-1", "name": "Caneca", "quantity": 1, "unit_value": "125"},),
    )


def test_quotes_sedex_and_pac_with_the_contracts_token(correios, correios_sim):
    options = adapter_for(correios).quote(
        QuoteRequest(
            origin_cep="01310100",
            destination_cep="22021001",
            volumes=(BOX, BOX),
            declared_value=Decimal("125.00"),
        )
    )

    by_code = {option.service_code: option for option in options}
    assert set(by_code) == {"03220", "03298"}
    # two volumes of one started kg each: the base twice, 1 % above R$ 25
    assert by_code["03220"].price == Decimal("19.90") * 2 + Decimal("1.00")
    assert by_code["03298"].price == Decimal("14.90") * 2 + Decimal("1.00")
    assert by_code["03220"].days < by_code["03298"].days
    # one token for every call
    assert correios_sim.tokens_issued == 1


def test_the_token_is_kept_and_fetched_again_when_it_expires(correios, correios_sim):
    adapter = adapter_for(correios)
    request = QuoteRequest("01310100", "22021001", (BOX,), Decimal("0"), ("03220",))
    adapter.quote(request)
    adapter_for(correios).quote(request)  # another adapter, the same token
    assert correios_sim.tokens_issued == 1

    correios_sim.expire_tokens()
    assert adapter.quote(request)
    assert correios_sim.tokens_issued == 2


def test_a_wrong_access_code_is_refused_and_not_retryable(correios, correios_sim):
    correios.access_token = "codigo-errado"

    with pytest.raises(CarrierAuthenticationFailed) as caught:
        adapter_for(correios).quote(
            QuoteRequest("01310100", "22021001", (BOX,), Decimal("0"))
        )

    assert caught.value.http_status == 401
    assert caught.value.retryable is False


def test_pre_posting_gives_valid_s10_codes_once_per_volume(correios, correios_sim):
    adapter = adapter_for(correios)

    result = adapter.create_shipment(shipment_request(volumes=(BOX, BOX)))
    again = adapter.create_shipment(shipment_request(volumes=(BOX, BOX)))

    assert len(result.tracking_codes) == 2
    assert all(s10.is_valid(code) for code in result.tracking_codes)
    assert all(code.startswith("SS") for code in result.tracking_codes)
    # a retry (same reference) gets the same pre-postings back
    assert again.tracking_codes == result.tracking_codes
    assert len(correios_sim.prepostagens) == 2


def test_cancel_before_posting_and_refused_after(correios, correios_sim):
    adapter = adapter_for(correios)
    result = adapter.create_shipment(shipment_request())
    adapter.cancel(result.carrier_reference)
    assert {p["descStatusAtual"] for p in correios_sim.prepostagens.values()} == {
        "Cancelado"
    }

    posted = adapter.create_shipment(shipment_request(reference="43"))
    correios_sim.advance(posted.tracking_codes[0], "post")
    with pytest.raises(CarrierRejected) as caught:
        adapter.cancel(posted.carrier_reference)
    assert caught.value.retryable is False


def test_tracking_reads_the_sro_events_normalised(correios, correios_sim):
    adapter = adapter_for(correios)
    (code,) = adapter.create_shipment(shipment_request()).tracking_codes
    correios_sim.journey(code, ("post", "transit", "out", "fail", "deliver"))

    events = adapter.track([code.lower()])

    assert (
        sorted(e.occurred_at for e in events) == [e.occurred_at for e in events][::-1]
    )  # SRO answers newest first
    assert [e.status for e in sorted(events, key=lambda e: e.occurred_at)] == [
        TrackingStatus.POSTED,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERY_FAILED,
        TrackingStatus.DELIVERED,
    ]
    delivered = max(events, key=lambda e: e.occurred_at)
    assert delivered.carrier_status == "BDE/01"
    assert delivered.place == "Rio De Janeiro / RJ"
    # the same event read twice has the same id
    assert {e.event_id for e in adapter.track([code])} == {e.event_id for e in events}


@pytest.mark.parametrize(
    ("codigo", "tipo", "status"),
    [
        ("PO", "01", TrackingStatus.POSTED),
        ("RO", "01", TrackingStatus.IN_TRANSIT),
        ("DO", "01", TrackingStatus.IN_TRANSIT),
        ("OEC", "01", TrackingStatus.OUT_FOR_DELIVERY),
        ("BDE", "01", TrackingStatus.DELIVERED),
        ("BDI", "1", TrackingStatus.DELIVERED),
        ("BDR", "23", TrackingStatus.RETURNED),
        ("BDE", "20", TrackingStatus.DELIVERY_FAILED),
        ("BDE", "04", TrackingStatus.DELIVERY_FAILED),
        ("XYZ", "01", TrackingStatus.IN_TRANSIT),
    ],
)
def test_sro_codes_map_to_tracking_statuses(codigo, tipo, status):
    assert sro_status(codigo, tipo) == status


def test_reverse_gives_an_authorisation_and_a_valid_code(correios, correios_sim):
    result = adapter_for(correios).reverse(
        ReverseRequest(
            reference="42",
            service_code="03298",
            sender=RECIPIENT,
            recipient=SENDER,
            volumes=(BOX,),
            declared_value=Decimal("125.00"),
        )
    )

    assert result.authorisation_code
    assert s10.is_valid(result.tracking_code)
    assert result.tracking_code.startswith("LR")
    assert result.expires_on is not None


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_and_throttling_are_retryable(correios, correios_sim, status):
    adapter = adapter_for(correios)
    adapter.quote(QuoteRequest("01310100", "22021001", (BOX,), Decimal("0")))
    correios_sim.faults.fail(status=status, retry_after=7 if status == 429 else None)

    with pytest.raises(CarrierUnavailable) as caught:
        adapter.track(["SS100000014BR"])

    assert caught.value.retryable is True
    assert caught.value.http_status == status
    if status == 429:
        assert caught.value.retry_after == 7


def test_a_request_the_carrier_rejects_is_not_retryable(correios, correios_sim):
    with pytest.raises(CarrierRejected) as caught:
        adapter_for(correios).create_shipment(
            ShipmentRequest(
                reference="44",
                service_code="99999",
                sender=SENDER,
                recipient=RECIPIENT,
                volumes=(BOX,),
                declared_value=Decimal("1"),
            )
        )
    assert caught.value.retryable is False
    assert "99999" in caught.value.detail


def test_no_answer_in_time_is_a_retryable_timeout(correios, correios_sim):
    adapter = CorreiosCarrier(correios, timeout=Timeout(connect=2, read=0.3))
    adapter.quote(QuoteRequest("01310100", "22021001", (BOX,), Decimal("0")))
    correios_sim.faults.hang()

    with pytest.raises(CarrierTimeout) as caught:
        adapter.track(["SS100000014BR"])

    assert caught.value.retryable is True


def test_a_closed_port_is_unavailable(correios):
    correios.base_url = "http://127.0.0.1:9"

    with pytest.raises(CarrierUnavailable):
        CorreiosCarrier(correios, timeout=Timeout(connect=1, read=1)).track(
            ["SS100000014BR"]
        )
