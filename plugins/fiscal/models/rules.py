"""The tax rules (motor de tributação) and the ICMS rates of each state.

A :class:`TaxRule` says what a line of an NF-e is taxed with — the CFOP, the
ICMS situation (CST or CSOSN), the base reduction, FCP, PIS/COFINS, IPI and
the IBS/CBS classification — for the lines that meet its criteria. Every
criterion is optional: an empty one matches anything. The engine
(:mod:`plugins.fiscal.rules`) takes, for each line, the matching active rule
that comes first by :attr:`TaxRule.precedence`:

1. the rule with **more criteria set** wins (an NCM prefix counts as one);
2. between rules with as many criteria, the **longer NCM prefix** wins
   ("61091000" beats "6109", which beats no NCM at all);
3. then the higher **priority** (a number an operator sets to settle a tie);
4. then the rule **written first** (the lower primary key).

A rule without a CSOSN never applies to a Simples Nacional (or MEI) emitter,
and one without a CST never applies to the other regimes: a rule only decides
for the regimes it states the ICMS code of.

:class:`UFRate` holds each state's internal ICMS rate and its FCP rate; the
interstate rates are the law's constants in :mod:`plugins.fiscal.rules`.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plugins.fiscal.models.documents import Operation
from plugins.fiscal.models.emitters import TaxRegime
from plugins.fiscal.taxation import CustomerType
from plugins.orders.models import UF_CHOICES

#: A percentage with two places, 0 to 100 (rates and reductions).
PERCENT = {"max_digits": 5, "decimal_places": 2}
PERCENT_RANGE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]

CUSTOMER_TYPE_CHOICES = [
    (CustomerType.CONTRIBUTOR, _("ICMS contributor (has an IE)")),
    (CustomerType.EXEMPT, _("Contributor exempt from IE")),
    (CustomerType.CONSUMER, _("Non-contributor (final consumer)")),
]

#: The product's origin code (the NF-e's ``orig``), as the catalog states it.
PRODUCT_ORIGIN_CHOICES = [
    ("0", _("0 – National")),
    ("1", _("1 – Foreign, direct import")),
    ("2", _("2 – Foreign, bought in Brazil")),
    ("3", _("3 – National, 40% to 70% imported content")),
    ("4", _("4 – National, basic production processes")),
    ("5", _("5 – National, up to 40% imported content")),
    ("6", _("6 – Foreign, direct import, no national similar")),
    ("7", _("7 – Foreign, bought in Brazil, no national similar")),
    ("8", _("8 – National, over 70% imported content")),
]


class IcmsCst(models.TextChoices):
    """The ICMS situations of regime normal the engine computes (those with
    tax substitution are not supported)."""

    TAXED = "00", _("00 – Fully taxed")
    REDUCED = "20", _("20 – Taxed with a base reduction")
    EXEMPT = "40", _("40 – Exempt")
    NOT_TAXED = "41", _("41 – Not taxed")
    SUSPENDED = "50", _("50 – Suspended")
    ST_CHARGED = "60", _("60 – Charged before by tax substitution")


class Csosn(models.TextChoices):
    """The ICMS situations of Simples Nacional (CSOSN)."""

    CREDIT = "101", _("101 – Taxed by the Simples, with credit allowed")
    NO_CREDIT = "102", _("102 – Taxed by the Simples, without credit")
    EXEMPT_BRACKET = "103", _("103 – Exempt from ICMS for the revenue bracket")
    IMMUNE = "300", _("300 – Immune")
    NOT_TAXED = "400", _("400 – Not taxed by the Simples")
    ST_CHARGED = "500", _("500 – ICMS charged before by tax substitution")
    OTHER = "900", _("900 – Other (ICMS stated on the document)")


#: ICMS situations with ICMS stated on the document (a base, a rate, a value).
ICMS_TAXED = frozenset({IcmsCst.TAXED, IcmsCst.REDUCED, Csosn.OTHER})
#: ICMS situations that may reduce the base.
ICMS_REDUCIBLE = frozenset({IcmsCst.REDUCED, Csosn.OTHER})


class PisCofinsCst(models.TextChoices):
    BASIC = "01", _("01 – Taxed at the basic rate")
    DIFFERENTIATED = "02", _("02 – Taxed at a differentiated rate")
    SINGLE_PHASE = "04", _("04 – Single-phase, resale at rate zero")
    ZERO = "06", _("06 – Rate zero")
    EXEMPT = "07", _("07 – Exempt")
    NO_INCIDENCE = "08", _("08 – Not levied")
    SUSPENDED = "09", _("09 – Suspended")
    OTHER_OUT = "49", _("49 – Other outgoing operations")
    OTHER = "99", _("99 – Other operations")


#: PIS/COFINS situations with a base and a value (at the rule's rate).
PIS_COFINS_TAXED = frozenset(
    {
        PisCofinsCst.BASIC,
        PisCofinsCst.DIFFERENTIATED,
        PisCofinsCst.OTHER_OUT,
        PisCofinsCst.OTHER,
    }
)


class IpiCst(models.TextChoices):
    TAXED = "50", _("50 – Taxed")
    ZERO = "51", _("51 – Rate zero")
    EXEMPT = "52", _("52 – Exempt")
    NOT_TAXED = "53", _("53 – Not taxed")
    IMMUNE = "54", _("54 – Immune")
    SUSPENDED = "55", _("55 – Suspended")
    OTHER = "99", _("99 – Other")


IPI_TAXED = frozenset({IpiCst.TAXED, IpiCst.OTHER})


class ReformCst(models.TextChoices):
    """The CST of IBS and CBS (LC 214/2025) the engine computes."""

    FULL = "000", _("000 – Fully taxed")
    IMMUNE = "410", _("410 – Immunity and non-incidence")


REFORM_TAXED = frozenset({ReformCst.FULL})

validate_cfop = RegexValidator(
    r"^[1-7]\d{3}$", _("A CFOP has 4 digits, the first from 1 to 7."), code="cfop"
)
validate_ncm_prefix = RegexValidator(
    r"^\d{2,8}$",
    _("Type the NCM or its first digits: 2 to 8 digits, without dots."),
    code="ncm_prefix",
)
validate_class_trib = RegexValidator(
    r"^\d{6}$", _("The cClassTrib has 6 digits."), code="cclasstrib"
)

#: The fields a rule is chosen by, in the order the screens show them.
CRITERIA = (
    "ncm",
    "operation",
    "origin_uf",
    "destination_uf",
    "customer_type",
    "product_origin",
    "tax_regime",
)


class TaxRuleQuerySet(models.QuerySet):
    def candidates(
        self, *, operation, origin_uf, destination_uf, customer_type, regime, ncms
    ):
        """The active rules that may decide a line of this document: their
        document-wide criteria accept it, and their NCM criterion is empty or
        a prefix of one of ``ncms``. One query; each line's own criteria are
        then matched in Python (:meth:`TaxRule.matches_line`)."""

        def any_or(field, value):
            return Q(**{field: ""}) | Q(**{field: value})

        prefixes = {ncm[:size] for ncm in ncms for size in range(2, len(ncm) + 1)}
        return self.filter(
            any_or("operation", operation),
            any_or("origin_uf", origin_uf),
            any_or("destination_uf", destination_uf),
            any_or("customer_type", customer_type),
            any_or("tax_regime", regime),
            Q(ncm="") | Q(ncm__in=sorted(prefixes)),
            active=True,
        )


class TaxRule(models.Model):
    """One rule of the tax rules table (see the module for the precedence)."""

    description = models.CharField(
        _("description"),
        max_length=150,
        help_text=_("What the rule is for, as people will read it on the simulator."),
    )
    active = models.BooleanField(_("active"), default=True)
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_(
            "Settles a tie between rules with as many criteria and the same NCM "
            "prefix: the higher number wins."
        ),
    )
    # -- criteria (empty: any) --------------------------------------------
    ncm = models.CharField(
        _("NCM or NCM prefix"),
        max_length=8,
        blank=True,
        validators=[validate_ncm_prefix],
        help_text=_(
            "The product's NCM or its first digits (6109 matches every NCM "
            "starting with 6109). Empty: any NCM."
        ),
    )
    operation = models.CharField(
        _("operation"), max_length=10, choices=Operation.choices, blank=True
    )
    origin_uf = models.CharField(
        _("origin UF"),
        max_length=2,
        choices=UF_CHOICES,
        blank=True,
        help_text=_("The emitter's state."),
    )
    destination_uf = models.CharField(
        _("destination UF"),
        max_length=2,
        choices=UF_CHOICES,
        blank=True,
        help_text=_("The state the goods go to."),
    )
    customer_type = models.CharField(
        _("customer type"), max_length=12, choices=CUSTOMER_TYPE_CHOICES, blank=True
    )
    product_origin = models.CharField(
        _("product origin"), max_length=1, choices=PRODUCT_ORIGIN_CHOICES, blank=True
    )
    tax_regime = models.CharField(
        _("emitter's tax regime"), max_length=1, choices=TaxRegime.choices, blank=True
    )
    # -- outcomes ---------------------------------------------------------
    cfop_internal = models.CharField(
        _("CFOP inside the state"),
        max_length=4,
        validators=[validate_cfop],
        help_text=_("e.g. 5102 for a sale, 1202 for a return."),
    )
    cfop_interstate = models.CharField(
        _("CFOP to another state"),
        max_length=4,
        validators=[validate_cfop],
        help_text=_("e.g. 6102, or 6108 for a non-contributor; 2202 for a return."),
    )
    icms_cst = models.CharField(
        _("ICMS CST (regime normal)"),
        max_length=2,
        choices=IcmsCst.choices,
        blank=True,
    )
    icms_csosn = models.CharField(
        _("CSOSN (Simples Nacional)"), max_length=3, choices=Csosn.choices, blank=True
    )
    icms_base_reduction = models.DecimalField(
        _("ICMS base reduction (%)"),
        default=Decimal("0"),
        validators=PERCENT_RANGE,
        help_text=_("Only with CST 20 or CSOSN 900."),
        **PERCENT,
    )
    internal_rate = models.DecimalField(
        _("internal ICMS rate (%)"),
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
        help_text=_(
            "The destination state's internal rate for these goods, when it is "
            "not the state's general rate. Empty: the rate of the UF table."
        ),
        **PERCENT,
    )
    fcp_applies = models.BooleanField(
        _("FCP applies"),
        default=True,
        help_text=_(
            "Adds the state's poverty fund (FCP) to the ICMS inside the state and "
            "to the DIFAL."
        ),
    )
    fcp_rate = models.DecimalField(
        _("FCP rate (%)"),
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
        help_text=_(
            "For goods the state's FCP law lists at their own rate. Empty: the "
            "rate of the UF table."
        ),
        **PERCENT,
    )
    sn_credit_rate = models.DecimalField(
        _("Simples ICMS credit rate (%)"),
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
        help_text=_("pCredSN: the credit the buyer may take, with CSOSN 101."),
        **PERCENT,
    )
    pis_cst = models.CharField(_("PIS CST"), max_length=2, choices=PisCofinsCst.choices)
    pis_rate = models.DecimalField(
        _("PIS rate (%)"), default=Decimal("0"), validators=PERCENT_RANGE, **PERCENT
    )
    cofins_cst = models.CharField(
        _("COFINS CST"), max_length=2, choices=PisCofinsCst.choices
    )
    cofins_rate = models.DecimalField(
        _("COFINS rate (%)"), default=Decimal("0"), validators=PERCENT_RANGE, **PERCENT
    )
    ipi_cst = models.CharField(
        _("IPI CST"),
        max_length=2,
        choices=IpiCst.choices,
        blank=True,
        help_text=_("Empty when the emitter pays no IPI on these goods."),
    )
    ipi_rate = models.DecimalField(
        _("IPI rate (%)"), default=Decimal("0"), validators=PERCENT_RANGE, **PERCENT
    )
    ipi_framework = models.CharField(
        _("IPI framework code (cEnq)"),
        max_length=3,
        default="999",
        validators=[RegexValidator(r"^\d{3}$", _("The cEnq has 3 digits."))],
    )
    ibs_cbs_cst = models.CharField(
        _("IBS/CBS CST"),
        max_length=3,
        choices=ReformCst.choices,
        blank=True,
        help_text=_("Empty: the document carries no IBS/CBS group for these lines."),
    )
    ibs_cbs_classification = models.CharField(
        _("cClassTrib"),
        max_length=6,
        blank=True,
        validators=[validate_class_trib],
        help_text=_("The IBS/CBS tax classification, e.g. 000001."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaxRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("tax rule")
        verbose_name_plural = _("tax rules")
        ordering = ["description", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(icms_cst="", icms_csosn=""),
                name="fiscal_taxrule_has_icms_code",
            ),
            models.CheckConstraint(
                condition=Q(icms_base_reduction__gte=0, icms_base_reduction__lte=100)
                & Q(pis_rate__gte=0, pis_rate__lte=100)
                & Q(cofins_rate__gte=0, cofins_rate__lte=100)
                & Q(ipi_rate__gte=0, ipi_rate__lte=100),
                name="fiscal_taxrule_rates_in_range",
            ),
        ]
        indexes = [models.Index(fields=["active", "operation"])]

    def __str__(self) -> str:
        return self.description

    @property
    def criteria_count(self) -> int:
        """How many criteria the rule sets (its specificity)."""
        return sum(1 for name in CRITERIA if getattr(self, name))

    @property
    def precedence(self) -> tuple[int, int, int, int]:
        """The order in which matching rules are preferred: the highest
        wins. More criteria, then a longer NCM prefix, then a higher
        priority, then the rule written first (see the module)."""
        return (
            self.criteria_count,
            len(self.ncm),
            self.priority,
            -(self.pk or 0),
        )

    def decides_for(self, regime: str) -> bool:
        """Whether the rule states the ICMS code ``regime`` needs."""
        if TaxRegime.uses_csosn(regime):
            return bool(self.icms_csosn)
        return bool(self.icms_cst)

    def matches_line(self, ncm: str, product_origin: str) -> bool:
        """Whether the line's criteria (the NCM prefix and the product's
        origin) accept a line; the document's are filtered in the query."""
        return (not self.ncm or ncm.startswith(self.ncm)) and (
            not self.product_origin or self.product_origin == product_origin
        )


class UFRate(models.Model):
    """A state's internal ICMS rate (its general, "modal" rate) and its FCP
    rate, editable when a state changes them. Seeded with the rates in force
    in 2026 (the states' ICMS laws; see ``plugins.fiscal.tax_defaults``)."""

    uf = models.CharField(_("UF"), max_length=2, choices=UF_CHOICES, unique=True)
    internal_rate = models.DecimalField(
        _("internal ICMS rate (%)"), validators=PERCENT_RANGE, **PERCENT
    )
    fcp_rate = models.DecimalField(
        _("FCP rate (%)"),
        default=Decimal("0"),
        validators=PERCENT_RANGE,
        help_text=_(
            "The poverty fund's rate on ordinary goods (0 where the state charges "
            "it only on the goods its law lists: set those on a rule)."
        ),
        **PERCENT,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ICMS rate of a state")
        verbose_name_plural = _("ICMS rates of the states")
        ordering = ["uf"]
        constraints = [
            models.CheckConstraint(
                condition=Q(internal_rate__gte=0, internal_rate__lte=100)
                & Q(fcp_rate__gte=0, fcp_rate__lte=100),
                name="fiscal_ufrate_rates_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.uf
