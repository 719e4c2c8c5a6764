"""Reads of orders that carry meaning."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from content.validators import normalise_document, only_digits
from plugins.orders.status import OPEN_STATUSES, SALE_STATUSES


def late_q(today: datetime.date | None = None) -> Q:
    """Open orders whose promised delivery date has passed (a ``Q``, for
    conditional aggregates)."""
    today = today or timezone.localdate()
    return Q(status__in=OPEN_STATUSES, promised_delivery_date__lt=today)


class OrderQuerySet(models.QuerySet):
    def open(self):
        """Orders still on their way to the customer."""
        return self.filter(status__in=OPEN_STATUSES)

    def late(self, today: datetime.date | None = None):
        """Open orders whose promised delivery date has passed."""
        return self.filter(late_q(today))

    def sales(self):
        """Orders that count as sales (:data:`SALE_STATUSES`): paid and
        beyond, excluding cancelled and returned orders."""
        return self.filter(status__in=SALE_STATUSES)

    def search(self, text: str):
        """By number, external id, customer name, e-mail or CPF/CNPJ (with or
        without punctuation)."""
        text = (text or "").strip()
        if not text:
            return self
        q = (
            Q(number__iexact=text)
            | Q(external_id__iexact=text)
            | Q(customer_name__icontains=text)
            | Q(customer_email__iexact=text)
        )
        digits = only_digits(text)
        if len(digits) in (11, 14):
            q |= Q(customer_document=digits)
        document = normalise_document(text)
        if len(document) == 14 and document != digits:  # an alphanumeric CNPJ
            q |= Q(customer_document=document)
        return self.filter(q)


def stock_lines(order) -> list[tuple[int, int | None, str, int]]:
    """``(line id, variant id, SKU, quantity)`` of each line of ``order``, in
    line order: what the stock plugin reserves for an order (this app owns
    the lines' table; other apps read them through this). An order just
    placed carries the lines it was written with (``fetched_lines``, as
    ``Prefetch(..., to_attr=...)`` would leave them): no query."""
    lines = getattr(order, "fetched_lines", None)
    if lines is not None:
        return [(line.pk, line.variant_id, line.sku, line.quantity) for line in lines]
    return list(
        order.lines.order_by("pk").values_list("pk", "variant_id", "sku", "quantity")
    )
