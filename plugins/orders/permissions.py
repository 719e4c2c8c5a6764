"""Who may do what with orders.

Sales channels scope the order desk: a model-level permission (a role's
group) covers every channel; otherwise a user works the orders of exactly the
channels they were granted (``orders.view_saleschannel`` to see them,
``orders.handle_orders`` to work them: notes, new orders, every transition).

Out-of-scope orders do not exist for the user: listings leave them out, and
detail screens, actions and API endpoints answer 404, never 403 (which would
confirm that the order number exists).
"""

from __future__ import annotations

from functools import cache

from plugins.permissions import ScopedPermissionPolicy

HANDLE = "orders.handle_orders"
ORDER_SCOPE_ACTIONS = {
    "view": "orders.view_saleschannel",
    "add": HANDLE,
    "change": HANDLE,
    "pay": HANDLE,
    "invoice": HANDLE,
    "prepare": HANDLE,
    "ship": HANDLE,
    "deliver": HANDLE,
    "cancel": HANDLE,
    "return": HANDLE,
    "import": HANDLE,
}


@cache
def order_policy() -> ScopedPermissionPolicy:
    from plugins.orders.models import Order

    return ScopedPermissionPolicy(
        Order, scope_field="channel", scope_actions=ORDER_SCOPE_ACTIONS
    )
