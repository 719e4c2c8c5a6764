"""Customers' personal data under the LGPD: export it, anonymise it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.orders.models import Customer, Order

ANONYMOUS_NAME = "Cliente anonimizado"


def export_customer_data(customer: Customer, *, user) -> dict:
    """Everything stored about ``customer`` (the LGPD's access right), as a
    JSON-ready dict: profile, consents, addresses and orders with their
    snapshots. Needs ``orders.view_customer``; audited."""
    if user is not None and not user.has_perm("orders.view_customer"):
        raise PermissionDenied
    orders = (
        Order.objects.filter(customer=customer)
        .select_related("channel")
        .prefetch_related("lines")
        .order_by("placed_at")
    )
    data = {
        "customer": {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "document": customer.document,
            "accepts_marketing": customer.accepts_marketing,
            "accepts_data_sharing": customer.accepts_data_sharing,
            "consent_updated_at": customer.consent_updated_at,
            "created_at": customer.created_at,
        },
        "addresses": [
            {
                "label": a.label,
                **a.snapshot(),
            }
            for a in customer.addresses.all()
        ],
        "orders": [
            {
                "number": o.number,
                "channel": o.channel.name,
                "placed_at": o.placed_at,
                "status": o.status,
                "customer_name": o.customer_name,
                "customer_email": o.customer_email,
                "customer_phone": o.customer_phone,
                "customer_document": o.customer_document,
                "billing_address": o.billing_address,
                "shipping_address": o.shipping_address,
                "total": str(o.total),
                "lines": [
                    {
                        "sku": line.sku,
                        "product": line.product_name,
                        "quantity": line.quantity,
                        "total": str(line.total),
                    }
                    for line in o.lines.all()
                ],
            }
            for o in orders
        ],
    }
    log_change(customer, "orders.customer.export", user=user)
    return data


@transaction.atomic
def anonymise_customer(customer: Customer, *, user) -> Customer:
    """Remove ``customer``'s personal data (the LGPD's erasure right): name,
    e-mail, phone, CPF/CNPJ and addresses, on the customer and on the
    snapshots of their orders. Orders, lines and totals stay (the books need
    them). Needs ``orders.change_customer``; audited; irreversible."""
    if user is not None and not user.has_perm("orders.change_customer"):
        raise PermissionDenied
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.anonymised_at:
        return customer
    customer.addresses.all().delete()
    customer.name = ANONYMOUS_NAME
    customer.email = ""
    customer.phone = ""
    customer.document = ""
    customer.accepts_marketing = customer.accepts_data_sharing = False
    customer.anonymised_at = timezone.now()
    customer.save()
    Order.objects.filter(customer=customer).update(
        customer_name=ANONYMOUS_NAME,
        customer_email="",
        customer_phone="",
        customer_document="",
        billing_address={},
        shipping_address={},
    )
    log_change(
        customer,
        "orders.customer.anonymise",
        user=user,
        note=_("Personal data removed; orders kept."),
    )
    return customer
