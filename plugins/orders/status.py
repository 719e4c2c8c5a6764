"""An order's statuses, and the groups of them that carry meaning (its own
module: the models and the querysets both need them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    INVOICED = "invoiced", _("Invoiced")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


S = OrderStatus
#: Orders still on their way to the customer.
OPEN_STATUSES = (S.PENDING_PAYMENT, S.PAID, S.INVOICED, S.READY_TO_SHIP, S.SHIPPED)
#: The statuses of an order that counts as a sale: paid and beyond, not
#: cancelled nor returned (the sales figures of the dashboard).
SALE_STATUSES = (S.PAID, S.INVOICED, S.READY_TO_SHIP, S.SHIPPED, S.DELIVERED)
