"""Everything the logistics plugin contributes to Wagtail and to the other
plugins."""

from wagtail.permissions import register_permission_policy

from plugins.logistics.models import (
    Carrier,
    Manifest,
    ReturnRequest,
    Shipment,
    TrackingEvent,
)
from plugins.logistics.permissions import (
    carrier_policy,
    manifest_policy,
    return_policy,
    shipment_policy,
    tracking_policy,
)

# Carriers are scope objects: a shipping clerk sees and works the shipments
# of the carriers granted to them (before the viewsets below).
register_permission_policy(Carrier, carrier_policy())
register_permission_policy(Shipment, shipment_policy())
register_permission_policy(Manifest, manifest_policy())
register_permission_policy(ReturnRequest, return_policy())
register_permission_policy(TrackingEvent, tracking_policy())


from wagtail import hooks  # noqa: E402

from plugins.logistics.services.shipments import LOG_ACTIONS  # noqa: E402


@hooks.register("register_log_actions")
def register_shipping_log_actions(actions):
    for code, label, message in LOG_ACTIONS:
        actions.register_action(code, label, message)
