"""Merging customers: staff join the records of one person.

Orders placed with an API key join an existing customer only by a reference
the storefront authenticated (see ``placing._customer_id``); any other order
gets a customer of its own. When two records turn out to be the same person
(the same CPF, a phone call), staff with ``orders.merge_customer`` merge them
here, audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.orders.exceptions import CustomersNotMergeable
from plugins.orders.models import Address, Customer, CustomerReference, Order

MERGE_CUSTOMER = "orders.merge_customer"
#: Contact data the kept customer takes from the merged one when it has none.
FILLED_FIELDS = ("email", "phone", "document")


def user_can_merge_customers(user) -> bool:
    return bool(user and user.is_active and user.has_perm(MERGE_CUSTOMER))


@transaction.atomic
def merge_customers(target: Customer, source: Customer, *, user) -> Customer:
    """Merge ``source`` into ``target`` and delete ``source``.

    Moves the source's orders, addresses (none of them stays the default)
    and channel references to the target; the target keeps its own name and
    consents, and takes the source's e-mail, phone or CPF/CNPJ only where it
    has none. The orders' snapshots are not touched: each order keeps the
    data it was placed with.

    Locks both customers (in primary-key order). Needs
    ``orders.merge_customer`` (``user=None``: the system). Logs
    ``orders.customer.merge`` on the target, with the source's id and name
    and what moved. Raises PermissionDenied, or CustomersNotMergeable for the
    same customer twice or an anonymised one (its data is gone for good).
    """
    if user is not None and not user_can_merge_customers(user):
        raise PermissionDenied
    if target.pk == source.pk:
        raise CustomersNotMergeable(_("A customer cannot be merged into itself."))
    locked = {
        customer.pk: customer
        for customer in Customer.objects.select_for_update()
        .filter(pk__in=[target.pk, source.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise Customer.DoesNotExist
    target, source = locked[target.pk], locked[source.pk]
    if target.anonymised_at or source.anonymised_at:
        raise CustomersNotMergeable(
            _("An anonymised customer cannot be merged: their data is gone.")
        )
    orders = Order.objects.filter(customer=source).update(customer=target)
    addresses = Address.objects.filter(customer=source).update(
        customer=target, is_default=False
    )
    references = CustomerReference.objects.filter(customer=source).update(
        customer=target
    )
    changes = {}
    for name in FILLED_FIELDS:
        if not getattr(target, name) and getattr(source, name):
            changes[name] = ["", getattr(source, name)]
            setattr(target, name, getattr(source, name))
    if changes:
        target.save(update_fields=list(changes))
    log_change(
        target,
        "orders.customer.merge",
        user=user,
        changes=changes or None,
        merged_customer={"id": source.pk, "name": source.name},
        orders=orders,
        addresses=addresses,
        references=references,
    )
    source.delete()
    return target
