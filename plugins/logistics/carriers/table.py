"""Carriers the store has its own contract with, priced by our freight
tables (:mod:`plugins.logistics.freight`), and store pickup.

They have no API to call: the store issues the tracking codes itself (S10
codes under the carrier's two-letter prefix, from the carrier's own serial,
taken under a row lock so that two clerks never get the same code), prints
its own labels, and learns of tracking events from the carrier's signed
pushes (:mod:`.push`) or from staff.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from plugins.logistics import s10
from plugins.logistics.models import Carrier as CarrierRow
from plugins.logistics.models import CarrierKind

from .base import (
    QuoteOption,
    QuoteRequest,
    ReverseRequest,
    ReverseResult,
    ShipmentRequest,
    ShipmentResult,
    TrackEvent,
)
from .errors import CarrierRejected, OperationNotSupported


def issue_codes(carrier: CarrierRow, count: int) -> list[str]:
    """``count`` new S10 codes of ``carrier`` (its prefix, its serials)."""
    if not carrier.tracking_prefix:
        raise CarrierRejected(
            _("Give the carrier “%(carrier)s” a tracking code prefix first.")
            % {"carrier": carrier.name},
            carrier=carrier.kind,
        )
    with transaction.atomic():
        updated = CarrierRow.objects.filter(pk=carrier.pk).update(
            next_serial=F("next_serial") + count
        )
        if not updated:  # pragma: no cover - the carrier was deleted
            raise CarrierRejected(_("The carrier no longer exists."))
        end = CarrierRow.objects.values_list("next_serial", flat=True).get(
            pk=carrier.pk
        )
    return [
        s10.make(carrier.tracking_prefix, serial) for serial in range(end - count, end)
    ]


class TableCarrier:
    kind = CarrierKind.TABLE

    def __init__(self, carrier: CarrierRow):
        self.carrier = carrier

    def quote(self, request: QuoteRequest) -> list[QuoteOption]:
        from plugins.logistics import freight

        return freight.quote_table(self.carrier, request)

    def create_shipment(self, request: ShipmentRequest) -> ShipmentResult:
        codes = issue_codes(self.carrier, len(request.volumes))
        return ShipmentResult(
            carrier_reference=request.reference, tracking_codes=tuple(codes)
        )

    def label(self, result: ShipmentResult) -> bytes | None:
        return None  # we print our own

    def track(self, tracking_codes: list[str]) -> list[TrackEvent]:
        raise OperationNotSupported(
            _(
                "“%(carrier)s” has no tracking API: its events are pushed by "
                "the carrier or recorded by staff."
            )
            % {"carrier": self.carrier.name},
            carrier=self.kind,
        )

    def cancel(self, carrier_reference: str) -> None:
        return None  # nothing was sent anywhere

    def reverse(self, request: ReverseRequest) -> ReverseResult:
        (code,) = issue_codes(self.carrier, 1)
        return ReverseResult(
            authorisation_code=f"RV{request.reference}", tracking_code=code
        )

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str]
    ) -> list[TrackEvent]:
        from .push import parse_signed_events

        return parse_signed_events(
            body, headers, secret=self.carrier.webhook_secret, carrier=self.carrier
        )


class PickupCarrier(TableCarrier):
    """The customer collects at the origin: free, ready after the handling
    time, no tracking codes."""

    kind = CarrierKind.PICKUP

    def quote(self, request: QuoteRequest) -> list[QuoteOption]:
        from plugins.logistics import freight

        return freight.quote_pickup(self.carrier, request)

    def create_shipment(self, request: ShipmentRequest) -> ShipmentResult:
        return ShipmentResult(carrier_reference=request.reference, tracking_codes=())

    def reverse(self, request: ReverseRequest) -> ReverseResult:
        return ReverseResult(
            authorisation_code=f"RV{request.reference}", tracking_code=""
        )
