"""Carriers, their services, the places parcels leave from, freight tables
and free-shipping rules."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plugins.crypto import EncryptedTextField
from plugins.logistics.regions import cep_number
from plugins.money import MONEY
from plugins.outbound import validate_public_url

PERCENT = {"max_digits": 6, "decimal_places": 3}
#: CEPs are stored as integers (8 digits, leading zeros dropped) so that a
#: range is two comparisons on an index.
CEP_MIN, CEP_MAX = 1_000_000, 99_999_999


def new_webhook_token() -> str:
    return secrets.token_urlsafe(18)


class CarrierKind(models.TextChoices):
    """Which adapter speaks to the carrier (``plugins.logistics.carriers``)."""

    TABLE = "table", _("Freight table (own contract)")
    CORREIOS = "correios", _("Correios (contract API)")
    AGGREGATOR = "aggregator", _("Freight aggregator (Melhor Envio)")
    PICKUP = "pickup", _("Store pickup")


class Carrier(models.Model):
    """A carrier the store ships with. Carriers scope the shipping desk's
    work (django-guardian): a clerk sees and ships the parcels of the
    carriers granted to them."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("integration"), max_length=12, choices=CarrierKind.choices
    )
    active = models.BooleanField(_("active"), default=True)
    base_url = models.URLField(
        _("API address"),
        blank=True,
        validators=[validate_public_url],
        help_text=_("Leave blank for the carrier's own address."),
    )
    contract = models.CharField(_("contract number"), max_length=40, blank=True)
    username = models.CharField(_("user"), max_length=80, blank=True)
    access_token = EncryptedTextField(
        _("access token or password"),
        blank=True,
        help_text=_("Stored encrypted; never shown again after saving."),
    )
    webhook_secret = EncryptedTextField(
        _("webhook secret"),
        blank=True,
        help_text=_(
            "The key the carrier signs its tracking notifications with. Stored "
            "encrypted; never shown again after saving."
        ),
    )
    webhook_token = models.CharField(
        max_length=40, unique=True, default=new_webhook_token, editable=False
    )
    cubic_factor = models.PositiveIntegerField(
        _("cubic factor"),
        default=6000,
        validators=[MinValueValidator(1000), MaxValueValidator(20000)],
        help_text=_("Cubic weight (kg) = length × width × height (cm) ÷ this factor."),
    )
    max_weight_g = models.PositiveIntegerField(
        _("maximum weight per volume (g)"), default=30000
    )
    max_side_cm = models.PositiveIntegerField(
        _("maximum side per volume (cm)"), default=100
    )
    max_sum_cm = models.PositiveIntegerField(
        _("maximum length + width + height (cm)"), default=200
    )
    tracking_prefix = models.CharField(
        _("tracking code prefix"),
        max_length=2,
        blank=True,
        help_text=_("Two letters of the S10 codes this carrier's labels carry."),
    )
    next_serial = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="The serial of the next S10 code this store issues itself.",
    )

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["name"]
        permissions = [
            ("ship_carrier", _("Can ship, label and hand over parcels")),
        ]

    def __str__(self) -> str:
        return self.name


class CarrierService(models.Model):
    """One of a carrier's services (SEDEX, PAC …), with the terms of its
    freight table."""

    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("carrier"),
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("The carrier's code: 03220 for SEDEX.")
    )
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    min_price = models.DecimalField(_("minimum price"), default=0, **MONEY)
    ad_valorem_percent = models.DecimalField(
        _("ad valorem (%)"),
        default=0,
        help_text=_("Percent of the declared value."),
        **PERCENT,
    )
    gris_percent = models.DecimalField(
        _("GRIS (%)"),
        default=0,
        help_text=_("Risk management fee, percent of the declared value."),
        **PERCENT,
    )
    extra_per_kg = models.DecimalField(
        _("extra per kg"),
        default=0,
        help_text=_("Added for each kg (or part) above the table's last band."),
        **MONEY,
    )
    extra_days = models.PositiveSmallIntegerField(_("extra delivery days"), default=0)

    class Meta:
        verbose_name = _("carrier service")
        verbose_name_plural = _("carrier services")
        ordering = ["carrier__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "code"], name="logistics_service_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier.name} {self.name}"


class ShippingOrigin(models.Model):
    """Where parcels leave from: a warehouse of the stock plugin (by its
    code) or the store's only dispatch point."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    warehouse_code = models.CharField(
        _("warehouse"),
        max_length=20,
        blank=True,
        help_text=_("The stock warehouse this origin ships for, by its code."),
    )
    sender_name = models.CharField(_("sender"), max_length=100)
    sender_document = models.CharField(_("CNPJ"), max_length=14, blank=True)
    sender_phone = models.CharField(_("phone"), max_length=30, blank=True)
    cep = models.CharField(_("CEP"), max_length=9)
    street = models.CharField(_("street"), max_length=120)
    number = models.CharField(_("number"), max_length=12)
    complement = models.CharField(_("complement"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60)
    city = models.CharField(_("city"), max_length=60)
    uf = models.CharField(_("UF"), max_length=2)
    handling_days = models.PositiveSmallIntegerField(
        _("handling time (business days)"),
        default=1,
        help_text=_("Days to pick and pack before the carrier collects."),
    )
    is_default = models.BooleanField(_("default origin"), default=False)

    class Meta:
        verbose_name = _("shipping origin")
        verbose_name_plural = _("shipping origins")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def cep_number(self) -> int:
        return cep_number(self.cep)


class FreightRate(models.Model):
    """One row of a freight table: origin and destination CEP ranges × a
    weight band → price and delivery days."""

    service = models.ForeignKey(
        CarrierService,
        on_delete=models.CASCADE,
        related_name="rates",
        verbose_name=_("service"),
    )
    origin_start = models.PositiveIntegerField(_("origin CEP from"))
    origin_end = models.PositiveIntegerField(_("origin CEP to"))
    destination_start = models.PositiveIntegerField(_("destination CEP from"))
    destination_end = models.PositiveIntegerField(_("destination CEP to"))
    weight_from_g = models.PositiveIntegerField(_("weight from (g)"))
    weight_to_g = models.PositiveIntegerField(_("weight up to (g)"))
    price = models.DecimalField(_("price"), **MONEY)
    days = models.PositiveSmallIntegerField(_("delivery days"))

    class Meta:
        verbose_name = _("freight rate")
        verbose_name_plural = _("freight rates")
        permissions = [("import_freightrate", _("Can import freight tables"))]
        indexes = [
            models.Index(
                fields=["destination_start", "destination_end", "weight_to_g"],
                name="logistics_rate_lookup",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin_start__lte=models.F("origin_end"))
                & Q(destination_start__lte=models.F("destination_end"))
                & Q(weight_from_g__lte=models.F("weight_to_g"))
                & Q(price__gte=0),
                name="logistics_rate_ranges",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.destination_start:08d}–{self.destination_end:08d}"


class FreeShippingRule(models.Model):
    """Free shipping on a service when an order meets every condition set."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    service = models.ForeignKey(
        CarrierService,
        on_delete=models.CASCADE,
        related_name="free_shipping_rules",
        verbose_name=_("service made free"),
    )
    channel_code = models.CharField(
        _("sales channel"),
        max_length=30,
        blank=True,
        help_text=_("The channel's code; blank for every channel."),
    )
    states = models.CharField(
        _("UFs"),
        max_length=100,
        blank=True,
        help_text=_("Comma-separated, e.g. SP, RJ, MG; blank for every state."),
    )
    min_order_value = models.DecimalField(
        _("minimum order value"), null=True, blank=True, **MONEY
    )
    product_tag = models.CharField(
        _("product tag"),
        max_length=60,
        blank=True,
        help_text=_("Only carts with a product carrying this tag."),
    )

    class Meta:
        verbose_name = _("free-shipping rule")
        verbose_name_plural = _("free-shipping rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
