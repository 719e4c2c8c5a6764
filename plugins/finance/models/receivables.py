"""Receivables (contas a receber): what each provider, acquirer or
marketplace owes the store, and when — one title per card installment, per
Pix or boleto, or per marketplace order (the payout, net of the
marketplace's fee)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from plugins.finance.models.payments import Payment
from plugins.finance.models.providers import ProviderAccount
from plugins.finance.querysets import ReceivableQuerySet
from plugins.money import MONEY
from plugins.orders.models import HALF_CENT, Order, SalesChannel


class Receivable(models.Model):
    class Kind(models.TextChoices):
        CARD = "card", _("Card installment")
        PIX = "pix", _("Pix")
        BOLETO = "boleto", _("Boleto")
        MARKETPLACE = "marketplace", _("Marketplace payout")
        MANUAL = "manual", _("Manual")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_SETTLED = "partial", _("Partially settled")
        SETTLED = "settled", _("Settled")
        WRITTEN_OFF = "written_off", _("Written off")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("order"),
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("payment"),
    )
    channel = models.ForeignKey(
        SalesChannel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("channel"),
    )
    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receivables",
        verbose_name=_("provider account"),
    )
    installment = models.PositiveSmallIntegerField(_("installment"), default=1)
    installments = models.PositiveSmallIntegerField(_("of"), default=1)
    gross = models.DecimalField(_("gross"), **MONEY)
    fee = models.DecimalField(_("fee"), default=0, **MONEY)
    net = models.DecimalField(_("net"), **MONEY)
    due_date = models.DateField(_("expected on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    settled_amount = models.DecimalField(_("settled"), default=0, **MONEY)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=80,
        blank=True,
        help_text=_("The provider's transaction id, Pix txid or nosso número."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReceivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "installment"],
                condition=Q(payment__isnull=False),
                name="finance_receivable_once_per_installment",
            ),
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind="marketplace"),
                name="finance_receivable_one_payout_per_order",
            ),
            models.CheckConstraint(
                condition=Q(installment__gte=1, installment__lte=F("installments"))
                & Q(gross__gte=0, fee__gte=0, settled_amount__gte=0)
                # within half a centavo: SQLite computes in floating point
                & Q(net__gte=F("gross") - F("fee") - HALF_CENT)
                & Q(net__lte=F("gross") - F("fee") + HALF_CENT),
                name="finance_receivable_amounts",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["reference"]),
        ]

    def __str__(self) -> str:
        label = self.order.number if self.order_id else self.reference
        if self.installments > 1:
            return f"{label} {self.installment}/{self.installments}"
        return str(label)
