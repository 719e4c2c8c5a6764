"""Payments taken through a provider account, and the notifications the
providers send about them (stored raw, with what became of each)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from plugins.finance.models.providers import ProviderAccount
from plugins.money import MONEY
from plugins.orders.models import MAX_INSTALLMENTS, Order, PaymentMethod


class PaymentStatus(models.TextChoices):
    """Every provider's statuses, normalised."""

    PENDING = "pending", _("Awaiting payment")
    AUTHORIZED = "authorized", _("Authorised (to capture)")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    CHARGED_BACK = "charged_back", _("Charged back")


#: A payment in one of these may still change by itself (the customer pays,
#: the Pix expires); the others change only by a refund or a dispute.
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)
#: The money reached (or will reach) the store.
PAID_STATUSES = (
    PaymentStatus.APPROVED,
    PaymentStatus.PARTIALLY_REFUNDED,
)


class Payment(models.Model):
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="finance_payments",
        verbose_name=_("order"),
    )
    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("provider account"),
    )
    method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    installments = models.PositiveSmallIntegerField(
        _("installments"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INSTALLMENTS)],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
    )
    reference = models.UUIDField(
        _("reference"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Our id for the payment: the provider's idempotency key."),
    )
    provider_id = models.CharField(_("provider's id"), max_length=80, blank=True)
    pix_payload = models.TextField(_("Pix copy and paste"), blank=True)
    pix_txid = models.CharField(_("Pix txid"), max_length=35, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    boleto_line = models.CharField(_("digitable line"), max_length=60, blank=True)
    boleto_barcode = models.CharField(_("barcode"), max_length=44, blank=True)
    boleto_url = models.URLField(_("boleto PDF address"), max_length=500, blank=True)
    nosso_numero = models.CharField(_("nosso número"), max_length=20, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    refunded_amount = models.DecimalField(_("refunded"), default=0, **MONEY)
    fee = models.DecimalField(_("provider fee"), null=True, blank=True, **MONEY)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        permissions = [
            ("register_manual_payment", _("Can register a manual payment")),
            ("refund_payment", _("Can refund a payment")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_id"],
                condition=~Q(provider_id=""),
                name="finance_payment_provider_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(refunded_amount__gte=0)
                & Q(refunded_amount__lte=F("amount")),
                name="finance_payment_amounts",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_method_display()} {self.amount}"


class ProviderEvent(models.Model):
    """A notification a provider sent (a webhook), as received: its raw body
    and the headers that matter, once it proved its origin (unsigned ones
    are refused and not kept), with what became of it."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("Nothing to change")
        DUPLICATE = "duplicate", _("Duplicate")
        REVIEW = "review", _("To review")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("provider account"),
    )
    event_id = models.CharField(_("event id"), max_length=120)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("payment"),
    )
    provider_payment_id = models.CharField(
        _("provider's payment id"), max_length=80, blank=True
    )
    body = models.TextField(_("body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.RECEIVED
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    queued_at = models.DateTimeField(
        _("queued at"),
        null=True,
        blank=True,
        help_text=_(
            "When its processing was last queued (or is due again, while the "
            "provider cannot be reached); empty: it never was."
        ),
    )

    class Meta:
        verbose_name = _("provider notification")
        verbose_name_plural = _("provider notifications")
        ordering = ["-received_at"]
        permissions = [
            ("reprocess_providerevent", _("Can process a provider notification again")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "event_id"], name="finance_event_once_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.event_id}"
