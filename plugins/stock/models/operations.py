"""Transfers, inventory counts and stock imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plugins.stock.models.ledger import Warehouse
from plugins.stock.querysets import InventoryCountQuerySet, TransferQuerySet


class Transfer(models.Model):
    """Stock moving between two warehouses in two steps: sent (out of the
    source, in transit to the destination) and received."""

    class Status(models.TextChoices):
        SENT = "sent", _("In transit")
        RECEIVED = "received", _("Received")

    source = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from"),
    )
    destination = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("to"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")),
                name="stock_transfer_between_two_warehouses",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"TR-{self.pk or 0:06d}"


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="lines"
    )
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("variant"),
    )
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("sent"))
    received_quantity = models.PositiveIntegerField(_("received"), null=True)

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="stock_transfer_line_positive"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True)
                | Q(received_quantity__lte=F("quantity")),
                name="stock_transfer_line_received_not_above_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def shortfall(self) -> int | None:
        if self.received_quantity is None:
            return None
        return self.quantity - self.received_quantity


class InventoryCount(models.Model):
    """A physical count of a warehouse (or of one category in it): counted
    quantities are entered, the differences reviewed and posted as count
    adjustments."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="counts",
        verbose_name=_("warehouse"),
    )
    category = models.ForeignKey(
        "content.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: everything stocked in the warehouse."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = InventoryCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("inventory count")
        verbose_name_plural = _("inventory counts")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            # Blind counts: whoever counts without it never sees the units
            # the system expects (nor the differences, which reveal them).
            (
                "view_expected_quantity",
                _("Can see the expected quantities and differences of counts"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"INV-{self.pk or 0:06d}"


class CountLine(models.Model):
    count = models.ForeignKey(
        InventoryCount, on_delete=models.CASCADE, related_name="lines"
    )
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("variant"),
    )
    sku = models.CharField(_("SKU"), max_length=64)
    expected = models.IntegerField(
        _("expected"), help_text=_("On hand when the count was opened.")
    )
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)
    posted_difference = models.IntegerField(_("posted difference"), null=True)

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["count", "variant"], name="stock_count_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku}: {self.counted if self.counted is not None else '—'}"
