"""The carriers' adapters, one per kind of carrier
(:class:`~plugins.logistics.models.CarrierKind`), behind one protocol
(:class:`.base.Carrier`). :func:`adapter_for` builds the adapter of a
carrier row, with its decrypted credentials."""

from __future__ import annotations

from importlib import import_module

from plugins.logistics.models import Carrier as CarrierRow
from plugins.logistics.models import CarrierKind

from .base import Carrier, Credentials

#: kind -> "module:class" of the adapter
ADAPTERS = {
    CarrierKind.TABLE: "plugins.logistics.carriers.table:TableCarrier",
    CarrierKind.PICKUP: "plugins.logistics.carriers.table:PickupCarrier",
    CarrierKind.CORREIOS: "plugins.logistics.carriers.correios:CorreiosCarrier",
    CarrierKind.AGGREGATOR: "plugins.logistics.carriers.aggregator:AggregatorCarrier",
}


def credentials(carrier: CarrierRow) -> Credentials:
    return Credentials(
        base_url=carrier.base_url,
        username=carrier.username,
        access_token=carrier.access_token,
        contract=carrier.contract,
        webhook_secret=carrier.webhook_secret,
    )


def adapter_for(carrier: CarrierRow) -> Carrier:
    """The adapter that speaks to ``carrier``."""
    module, _sep, name = ADAPTERS[CarrierKind(carrier.kind)].partition(":")
    return getattr(import_module(module), name)(carrier)
