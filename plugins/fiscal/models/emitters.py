"""Emitters (estabelecimentos): the store's CNPJs that issue NF-e, with their
A1 certificate and the number sequences of their séries.

Emitters are scope objects (django-guardian): a fiscal clerk issues, cancels
and corrects the documents of the emitters granted to them only.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.validators import validate_cep, validate_cnpj
from plugins.crypto import EncryptedTextField
from plugins.orders.models import UF_CHOICES


class TaxRegime(models.TextChoices):
    """The emitter's regime; its value is the NF-e's CRT."""

    SIMPLES = "1", _("Simples Nacional")
    SIMPLES_EXCESS = "2", _("Simples Nacional, gross revenue above the limit")
    NORMAL = "3", _("Regime normal")
    MEI = "4", _("MEI")

    @classmethod
    def uses_csosn(cls, value: str) -> bool:
        """Simples Nacional emitters state CSOSN, the others CST."""
        return value in (cls.SIMPLES, cls.MEI)


class Environment(models.TextChoices):
    """The NF-e's tpAmb."""

    PRODUCTION = "1", _("Production")
    HOMOLOGATION = "2", _("Homologation (tests)")


validate_ibge_city = RegexValidator(
    r"^\d{7}$", _("The IBGE city code has 7 digits."), code="ibge"
)


class Emitter(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=60)
    trade_name = models.CharField(_("trade name"), max_length=60, blank=True)
    cnpj = models.CharField(
        _("CNPJ"),
        max_length=14,
        unique=True,
        validators=[validate_cnpj],
        help_text=_("Numeric or alphanumeric, with or without punctuation."),
    )
    ie = models.CharField(
        _("state registration (IE)"),
        max_length=14,
        help_text=_("Digits only, or ISENTO."),
    )
    tax_regime = models.CharField(
        _("tax regime"), max_length=1, choices=TaxRegime.choices
    )
    street = models.CharField(_("street"), max_length=60)
    number = models.CharField(_("number"), max_length=60)
    complement = models.CharField(_("complement"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60)
    city = models.CharField(_("city"), max_length=60)
    city_code = models.CharField(
        _("IBGE city code"), max_length=7, validators=[validate_ibge_city]
    )
    uf = models.CharField(_("UF"), max_length=2, choices=UF_CHOICES)
    cep = models.CharField(_("CEP"), max_length=9, validators=[validate_cep])
    phone = models.CharField(_("phone"), max_length=14, blank=True)
    environment = models.CharField(
        _("environment"),
        max_length=1,
        choices=Environment.choices,
        default=Environment.HOMOLOGATION,
    )
    series = models.PositiveSmallIntegerField(
        _("série"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(889)],
        help_text=_("The série of the NF-e issued by this emitter (0 to 889)."),
    )
    contingency = models.BooleanField(
        _("contingency (SVC)"),
        default=False,
        help_text=_(
            "Send documents to the state's contingency authoriser (SVC-AN or "
            "SVC-RS) while its own authoriser is down."
        ),
    )
    contingency_reason = models.CharField(
        _("contingency reason"), max_length=256, blank=True
    )
    contingency_since = models.DateTimeField(
        _("in contingency since"), null=True, blank=True
    )
    certificate = EncryptedTextField(
        _("A1 certificate"),
        blank=True,
        help_text=_("The PKCS#12 file (.pfx), stored encrypted."),
    )
    certificate_password = EncryptedTextField(_("certificate password"), blank=True)
    certificate_subject = models.CharField(
        _("certificate holder"), max_length=200, blank=True, editable=False
    )
    certificate_not_after = models.DateTimeField(
        _("certificate valid until"), null=True, blank=True, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("emitter")
        verbose_name_plural = _("emitters")
        ordering = ["legal_name"]
        permissions = [
            ("issue_emitter", _("Can issue, cancel and correct NF-e")),
        ]

    def __str__(self) -> str:
        from content.validators import format_cnpj

        return f"{self.trade_name or self.legal_name} ({format_cnpj(self.cnpj)})"

    @property
    def crt(self) -> str:
        return self.tax_regime

    @property
    def uses_csosn(self) -> bool:
        return TaxRegime.uses_csosn(self.tax_regime)


class NumberSequence(models.Model):
    """The next NF-e number of an emitter's série in one environment. Taken
    under a row lock in the transaction that creates the document, so that
    numbers have no gap and no duplicate."""

    emitter = models.ForeignKey(
        Emitter, on_delete=models.PROTECT, related_name="sequences"
    )
    series = models.PositiveSmallIntegerField(_("série"))
    environment = models.CharField(
        _("environment"), max_length=1, choices=Environment.choices
    )
    next_number = models.PositiveIntegerField(
        _("next number"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(999_999_999)],
    )

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["emitter", "series", "environment"],
                name="fiscal_sequence_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.emitter} · {self.series} · {self.next_number}"
