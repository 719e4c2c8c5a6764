"""Payment provider accounts: a store's account at Mercado Pago or PagBank
(or the "manual" provider: bank transfer, cash on delivery, B2B terms), with
its credentials encrypted at rest, the methods it takes and the acquirer's
schedule and fees that turn a payment into receivables."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plugins.crypto import EncryptedTextField
from plugins.money import MONEY
from plugins.orders.models import MAX_INSTALLMENTS
from plugins.outbound import validate_public_url

PERCENT = {"max_digits": 5, "decimal_places": 2}


class Provider(models.TextChoices):
    MERCADO_PAGO = "mercadopago", _("Mercado Pago")
    PAGBANK = "pagbank", _("PagBank")
    MANUAL = "manual", _("Manual (transfer, cash on delivery, terms)")


#: Where each vendor's API lives; an account may point elsewhere (the
#: vendor's sandbox, the simulator the project ships).
DEFAULT_API_URLS = {
    Provider.MERCADO_PAGO: "https://api.mercadopago.com",
    Provider.PAGBANK: "https://api.pagseguro.com",
    Provider.MANUAL: "",
}


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class ProviderAccount(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    active = models.BooleanField(_("active"), default=True)
    api_url = models.URLField(
        _("API address"),
        blank=True,
        validators=[validate_public_url],
        help_text=_("Leave blank for the provider's own address."),
    )
    access_token = EncryptedTextField(
        _("access token"),
        blank=True,
        help_text=_("Stored encrypted; never shown again after saving."),
    )
    webhook_secret = EncryptedTextField(
        _("webhook secret"),
        blank=True,
        help_text=_(
            "The key the provider signs its notifications with. Stored "
            "encrypted; never shown again after saving."
        ),
    )
    webhook_token = models.CharField(
        _("notification address token"),
        max_length=40,
        unique=True,
        default=new_webhook_token,
        editable=False,
    )
    accepts_pix = models.BooleanField(_("takes Pix"), default=True)
    accepts_boleto = models.BooleanField(_("takes boleto"), default=True)
    accepts_card = models.BooleanField(_("takes credit card"), default=True)
    pix_key = models.CharField(
        _("Pix key"),
        max_length=77,
        blank=True,
        help_text=_("For static Pix charges of the manual provider."),
    )
    merchant_name = models.CharField(_("merchant name"), max_length=25, blank=True)
    merchant_city = models.CharField(_("merchant city"), max_length=15, blank=True)
    pix_expiry_minutes = models.PositiveIntegerField(
        _("Pix expiry (minutes)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 7)],
    )
    boleto_due_days = models.PositiveSmallIntegerField(
        _("boleto due in (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    max_installments = models.PositiveSmallIntegerField(
        _("most installments"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INSTALLMENTS)],
    )
    settlement_days = models.PositiveSmallIntegerField(
        _("card settlement (days per installment)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
        help_text=_("Each installment settles this many days after the previous one."),
    )
    card_fee_percent = models.DecimalField(
        _("card fee (MDR, %)"),
        default=Decimal("3.99"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    installment_fee_percent = models.DecimalField(
        _("extra fee per installment after the first (%)"),
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    anticipation = models.BooleanField(
        _("anticipate card receivables"),
        default=False,
        help_text=_("Every installment settles in the first one's period, at a fee."),
    )
    anticipation_fee_percent = models.DecimalField(
        _("anticipation fee (% per month anticipated)"),
        default=Decimal("1.99"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    pix_fee_percent = models.DecimalField(
        _("Pix fee (%)"),
        default=Decimal("0.99"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    pix_settlement_days = models.PositiveSmallIntegerField(
        _("Pix settlement (days)"), default=0, validators=[MaxValueValidator(60)]
    )
    boleto_fee = models.DecimalField(
        _("boleto fee"),
        default=Decimal("3.49"),
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    boleto_settlement_days = models.PositiveSmallIntegerField(
        _("boleto settlement (days)"), default=2, validators=[MaxValueValidator(60)]
    )
    bank_account = models.ForeignKey(
        "finance.BankAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provider_accounts",
        verbose_name=_("deposits into"),
        help_text=_(
            "The bank account this provider pays out to: where its receivables "
            "land in the cash flow."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment provider account")
        verbose_name_plural = _("payment provider accounts")
        ordering = ["name"]
        permissions = [
            ("manage_credentials", _("Can set a provider account's credentials")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(card_fee_percent__gte=0, card_fee_percent__lte=100)
                & Q(pix_fee_percent__gte=0, pix_fee_percent__lte=100)
                & Q(boleto_fee__gte=0),
                name="finance_provider_fees_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def base_url(self) -> str:
        return (self.api_url or DEFAULT_API_URLS[Provider(self.provider)]).rstrip("/")

    @property
    def has_credentials(self) -> bool:
        return bool(self.access_token) or self.provider == Provider.MANUAL
