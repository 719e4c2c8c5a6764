"""Warehouses, stock levels and the movement ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plugins.stock.querysets import (
    MovementQuerySet,
    StockLevelQuerySet,
    WarehouseQuerySet,
)


class Warehouse(models.Model):
    """A place that holds stock. Warehouses scope the stock clerks' work: a
    clerk sees and moves the stock of the warehouses granted to them."""

    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("e.g. SP-01")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive warehouses keep their stock but take no orders."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=100,
        help_text=_(
            "Orders are reserved from warehouses with a lower number first "
            "(unless the sales channel prefers a warehouse)."
        ),
    )
    allow_backorders = models.BooleanField(
        _("allow backorders"),
        default=False,
        help_text=_(
            "Take orders beyond the units available here; they ship when stock arrives."
        ),
    )

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "code"]
        permissions = [
            ("operate_warehouse", _("Can move stock in the warehouse")),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class StockLevel(models.Model):
    """The stock of one variant in one warehouse."""

    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.CASCADE,
        related_name="stock_levels",
        verbose_name=_("variant"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="levels",
        verbose_name=_("warehouse"),
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    in_transit = models.IntegerField(
        _("in transit"),
        default=0,
        help_text=_("Units sent here by transfers and not received yet."),
    )
    reorder_point = models.PositiveIntegerField(
        _("reorder point"),
        default=0,
        help_text=_("Alert when the units available fall to this number."),
    )
    alerted_at = models.DateTimeField(_("alerted at"), null=True, blank=True)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["variant__sku", "warehouse__priority", "warehouse__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="stock_level_unique"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="stock_level_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_level_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(in_transit__gte=0),
                name="stock_level_in_transit_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant.sku} @ {self.warehouse.code}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def below_reorder_point(self) -> bool:
        return self.reorder_point > 0 and self.available <= self.reorder_point


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT = "count", _("Count adjustment")


INBOUND_KINDS = (MovementKind.RECEIPT, MovementKind.RETURN, MovementKind.TRANSFER_IN)
OUTBOUND_KINDS = (MovementKind.SALE, MovementKind.TRANSFER_OUT)


class ReferenceType(models.TextChoices):
    ORDER = "order", _("Order")
    TRANSFER = "transfer", _("Transfer")
    COUNT = "count", _("Inventory count")
    IMPORT = "import", _("Import")
    CORRECTION = "correction", _("Ledger correction")
    #: a supplier's NF-e received through the fiscal plugin (the reference
    #: is its access key)
    SUPPLIER_INVOICE = "supplier_nfe", _("Supplier NF-e")


class ImmutableMovement(Exception):
    pass


class StockMovement(models.Model):
    """One change of on-hand stock. Immutable: there is no update or delete
    path (the model refuses, and a trigger on PostgreSQL and SQLite does too:
    :mod:`plugins.stock.immutability`); a mistake
    is corrected by another movement."""

    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("warehouse"),
    )
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("variant"),
    )
    sku = models.CharField(_("SKU"), max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    quantity = models.IntegerField(
        _("quantity"), help_text=_("Positive: units in; negative: units out.")
    )
    on_hand_after = models.IntegerField(_("on hand after"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reference_type = models.CharField(
        _("reference type"), max_length=12, choices=ReferenceType.choices, blank=True
    )
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]
        permissions = [
            # one per importer (plugins.stock.importers); the rows go to the
            # warehouses where the user may move stock
            ("import_receipts", _("Can import stock receipts")),
            ("import_counts", _("Can import stock counts")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="stock_movement_quantity_not_zero"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=INBOUND_KINDS) | Q(quantity__gt=0),
                name="stock_movement_inbound_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=OUTBOUND_KINDS) | Q(quantity__lt=0),
                name="stock_movement_outbound_negative",
            ),
            models.CheckConstraint(
                condition=Q(on_hand_after__gte=0),
                name="stock_movement_on_hand_after_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "-created_at"]),
            models.Index(fields=["variant", "warehouse"]),
            models.Index(fields=["reference_type", "reference"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.sku}"

    def save(self, *args, **kwargs):
        if self.pk is not None:  # written already: keys come from the database
            raise ImmutableMovement("Stock movements cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableMovement("Stock movements cannot be deleted.")
