"""Who may do what with orders.

Sales channels scope the order desk: a model-level permission (a role's
group) covers every channel; otherwise a user works the orders of exactly the
channels they were granted (``orders.view_saleschannel`` to see them,
``orders.handle_orders`` to work them: notes, new orders, every transition).

Out-of-scope orders do not exist for the user: listings leave them out, and
detail screens, actions and API endpoints answer 404, never 403 (which would
confirm that the order number exists).

Customers follow their orders: an attendant sees a customer who has an order
in a channel they may see, and edits one who has an order in a channel they
work (:func:`customer_policy`). A model-level permission (``view_customer``,
``change_customer``: the manager, the auditor, the privacy officer) covers
every customer, including customers with no orders at all, whom nobody else
sees. The LGPD actions (export a customer's data, anonymise a customer) are
permissions of their own, never given per channel: the export holds every
order of the customer, whatever the channel.
"""

from __future__ import annotations

from functools import cache

from plugins.permissions import RelatedScopePermissionPolicy, ScopedPermissionPolicy

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
CUSTOMER_SCOPE_ACTIONS = {"view": "orders.view_saleschannel", "change": HANDLE}
EXPORT_CUSTOMER_DATA = "orders.export_customer_data"
ANONYMISE_CUSTOMER = "orders.anonymise_customer"


@cache
def order_policy() -> ScopedPermissionPolicy:
    from plugins.orders.models import Order

    return ScopedPermissionPolicy(
        Order, scope_field="channel", scope_actions=ORDER_SCOPE_ACTIONS
    )


@cache
def customer_policy() -> RelatedScopePermissionPolicy:
    """Customers visible to a user: all of them with a model-level permission,
    otherwise those with an order in a channel the user holds the action's
    channel permission on."""
    from plugins.orders.models import Customer

    return RelatedScopePermissionPolicy(
        Customer, scope_path="orders__channel", scope_actions=CUSTOMER_SCOPE_ACTIONS
    )


def user_can_see_customer(user, customer) -> bool:
    return customer_policy().user_has_permission_for_instance(user, "view", customer)
