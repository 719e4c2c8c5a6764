"""Warehouses, stock levels, the movement ledger, reservations, cart holds,
transfers, inventory counts and stock imports.

The ledger is the truth: every change of on-hand stock is one immutable
:class:`StockMovement`, and each :class:`StockLevel` (one per variant and
warehouse) keeps ``on_hand`` equal to the sum of its movements, updated in the
same transaction as the movement (``services.py``). ``reserved`` is the sum of
the level's active :class:`Reservation` rows; ``available = on_hand -
reserved``. Database constraints keep the numbers sane whatever writes them.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plugins.stock.querysets import (
    InventoryCountQuerySet,
    MovementQuerySet,
    ReservationQuerySet,
    StockLevelQuerySet,
    TransferQuerySet,
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


class ImmutableMovement(Exception):
    pass


class StockMovement(models.Model):
    """One change of on-hand stock. Immutable: there is no update or delete
    path (the model refuses, and on PostgreSQL a trigger does too); a mistake
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
        if self.pk is not None and not self._state.adding:
            raise ImmutableMovement("Stock movements cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableMovement("Stock movements cannot be deleted.")


def new_hold_token() -> str:
    return secrets.token_urlsafe(24)


class CartHold(models.Model):
    """Units a storefront holds for a shopping cart for a few minutes."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        EXPIRED = "expired", _("Expired")
        CONVERTED = "converted", _("Turned into an order")

    token = models.CharField(max_length=40, unique=True, default=new_hold_token)
    reference = models.CharField(
        _("cart reference"),
        max_length=80,
        blank=True,
        db_index=True,
        help_text=_(
            "The storefront's cart id. An order placed with this idempotency key "
            "takes over the hold."
        ),
    )
    api_key = models.ForeignKey(
        "api.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cart hold")
        verbose_name_plural = _("cart holds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference or self.token[:8]} ({self.get_status_display()})"

    def is_live(self, now=None) -> bool:
        return self.status == self.Status.ACTIVE and self.expires_at > (
            now or timezone.now()
        )


class Reservation(models.Model):
    """Units of one level set aside for an order line or a cart hold: what
    cancelling, shipping or returning the order releases or converts."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Reserved")
        RELEASED = "released", _("Released")
        SHIPPED = "shipped", _("Shipped")
        RETURNED = "returned", _("Returned")

    level = models.ForeignKey(
        StockLevel,
        on_delete=models.CASCADE,
        related_name="reservations",
        verbose_name=_("stock level"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    order_id = models.BigIntegerField(_("order"), null=True, blank=True)
    order_line_id = models.BigIntegerField(null=True, blank=True)
    order_number = models.CharField(_("order number"), max_length=12, blank=True)
    hold = models.ForeignKey(
        CartHold,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("cart hold"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="stock_reservation_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(order_id__isnull=False) | Q(hold__isnull=False),
                name="stock_reservation_for_order_or_hold",
            ),
        ]
        indexes = [
            models.Index(fields=["order_id", "status"]),
            models.Index(fields=["level", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        owner = self.order_number or (self.hold and str(self.hold)) or ""
        return f"{self.quantity} × {self.level_id} ({owner})"


class ChannelWarehouse(models.Model):
    """Which warehouse a sales channel reserves from first, and where its
    returns go (channels belong to the orders plugin: referenced by code)."""

    channel_code = models.SlugField(_("sales channel"), max_length=30, unique=True)
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("preferred warehouse"),
    )
    returns_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returns go to"),
        help_text=_("Empty: back to the warehouse the order shipped from."),
    )

    class Meta:
        verbose_name = _("channel warehouse")
        verbose_name_plural = _("channel warehouses")
        ordering = ["channel_code"]

    def __str__(self) -> str:
        return f"{self.channel_code} → {self.warehouse.code}"


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


class StockImportJob(models.Model):
    """One uploaded file of stock receipts or counts, on its way through the
    dry run and the import (the same standards as the catalog import)."""

    class Kind(models.TextChoices):
        RECEIPTS = "receipts", _("Receipts")
        COUNTS = "counts", _("Counts")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking the file")
        VALIDATED = "validated", _("Checked")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="stock-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    dry_run_report = models.JSONField(_("dry-run report"), default=dict, blank=True)
    report = models.JSONField(_("import report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("stock import")
        verbose_name_plural = _("stock imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {
            self.Status.PENDING,
            self.Status.VALIDATING,
            self.Status.IMPORTING,
        }
