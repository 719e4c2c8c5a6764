"""Business operations on orders: placing them, moving them through their
lifecycle, notes and timeline entries. Admin screens, the API, imports and
other plugins all go through these functions.

``user=None`` means the system acting on its own behalf (a storefront with an
API key, a payment gateway, another plugin); with a user, the order's channel
must be one they may work (see ``permissions.py``).

- :mod:`.lifecycle`: the transitions, notes and timeline entries;
- :mod:`.validation`: checking an order request (customer, addresses, lines);
- :mod:`.placing`: ``place_order``, the one way orders come in, and
  ``stated_amounts``, who may state prices, discounts and shipping;
- :mod:`.merging`: ``merge_customers``, staff join two records of one person.
"""

from plugins.orders.services.lifecycle import (
    TRANSITIONS,
    Transition,
    add_note,
    allowed_transitions,
    can_transition,
    cancel_order,
    cancel_order_by_customer,
    deliver_order,
    invoice_order,
    mark_ready_to_ship,
    pay_order,
    record_event,
    return_order,
    ship_order,
    transition_order,
)
from plugins.orders.services.placing import Placement, new_order_number, place_order
from plugins.orders.services.validation import (
    MAX_AMOUNT,
    MAX_LINES,
    MAX_QUANTITY,
    clean_address,
    clean_customer,
    clean_order_request,
)

__all__ = [
    "MAX_AMOUNT",
    "MAX_LINES",
    "MAX_QUANTITY",
    "TRANSITIONS",
    "Placement",
    "Transition",
    "add_note",
    "allowed_transitions",
    "can_transition",
    "cancel_order",
    "cancel_order_by_customer",
    "clean_address",
    "clean_customer",
    "clean_order_request",
    "deliver_order",
    "invoice_order",
    "mark_ready_to_ship",
    "new_order_number",
    "pay_order",
    "place_order",
    "record_event",
    "return_order",
    "ship_order",
    "transition_order",
]
