"""Reservations of order lines and cart holds, and channels' warehouses."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plugins.stock.models.ledger import StockLevel, Warehouse
from plugins.stock.querysets import CartHoldQuerySet, ReservationQuerySet, is_expired


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

    objects = CartHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("cart hold")
        verbose_name_plural = _("cart holds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference or self.token[:8]} ({self.get_status_display()})"

    def is_live(self, now=None) -> bool:
        return self.status == self.Status.ACTIVE and not is_expired(
            self.expires_at, now
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
            # The units of expired cart holds, read per level with every order
            # (``availability.expired_hold_units``): without it, each read
            # walks the level's active order reservations, thousands on a
            # best-seller.
            models.Index(
                fields=["level", "expires_at"],
                condition=Q(status="active", hold__isnull=False),
                name="stock_reservation_live_holds",
            ),
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

    def get_channel_code_display(self) -> str:
        """The channel's name where the listing annotated it (``channel_name``),
        else its code."""
        return getattr(self, "channel_name", None) or self.channel_code
