"""Customers, sales channels, orders and their lines, the order timeline and
the post-sale survey.

Money is ``Decimal`` with 2 places (BRL); see :mod:`plugins.orders.money` for
how totals are computed and rounded. Personal data of an order (customer and
addresses) is a snapshot taken when it was placed, so later edits of the
customer do not rewrite history, and anonymising a customer scrubs both.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from content.validators import (
    format_document,
    normalise_document,
    validate_cep,
    validate_document,
)
from plugins.cached import CachedRows
from plugins.money import MONEY
from plugins.orders.querysets import OrderQuerySet
from plugins.orders.status import OPEN_STATUSES, OrderStatus

#: When an order took each step after it was placed (one field per step).
STEP_TIMESTAMPS = (
    "paid_at",
    "invoiced_at",
    "ready_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "returned_at",
)
ORDER_TOTAL = F("subtotal") - F("discount_total") + F("shipping_total")
HALF_CENT = Value(Decimal("0.005"))

UF_CHOICES = [
    (uf, uf)
    for uf in (
        "AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE "
        "SP TO"
    ).split()
]


class SalesChannel(models.Model):
    """Where orders come from. Channels scope the order desk's work: an
    attendant sees and works only the orders of the channels granted to them."""

    class Kind(models.TextChoices):
        STOREFRONT = "storefront", _("Own storefront")
        MARKETPLACE = "marketplace", _("Marketplace")
        B2B = "b2b", _("B2B")
        PHYSICAL_STORE = "store", _("Physical store")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    marketplace = models.CharField(
        _("marketplace"),
        max_length=40,
        blank=True,
        help_text=_("e.g. Mercado Livre, Shopee, Amazon, Magalu."),
    )
    accepts_custom_prices = models.BooleanField(
        _("accepts its own prices"),
        default=False,
        help_text=_(
            "Marketplaces and B2B sell at their own prices; the storefront sells "
            "at the catalog's live prices."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["name"]
        permissions = [("handle_orders", _("Can work the orders of the channel"))]

    def __str__(self) -> str:
        return self.name


#: The storefront channels: every order placed through the API looks its
#: channel up among them.
storefront_channels = CachedRows(
    "orders:storefront-channels",
    lambda: list(
        SalesChannel.objects.filter(kind=SalesChannel.Kind.STOREFRONT).order_by("pk")
    ),
)


class Customer(ClusterableModel):
    """A customer; addresses are edited inline (``ParentalKey``)."""

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    document = models.CharField(
        _("CPF or CNPJ"),
        max_length=14,
        blank=True,
        db_index=True,
        help_text=_("Digits only; check digits are validated."),
    )
    accepts_marketing = models.BooleanField(
        _("accepts marketing messages"), default=False
    )
    accepts_data_sharing = models.BooleanField(
        _("accepts sharing data with partners"), default=False
    )
    consent_updated_at = models.DateTimeField(
        _("consent updated at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        permissions = [
            ("export_customer_data", _("Can export a customer's data (LGPD)")),
            ("anonymise_customer", _("Can anonymise a customer (LGPD)")),
            ("merge_customer", _("Can merge a customer into another")),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.document:
            self.document = normalise_document(self.document)
            validate_document(self.document)

    @property
    def document_display(self) -> str:
        return format_document(self.document)


class CustomerReference(models.Model):
    """A customer's id in a sales channel's own system: the storefront's account
    id of a customer the storefront authenticated, or a marketplace's buyer id.

    Orders of the channel that carry the reference join this customer: it is
    the only way an order placed with an API key joins an existing customer
    (an e-mail or a CPF is what anyone can type). Unique per channel."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="references",
        verbose_name=_("customer"),
    )
    channel = models.ForeignKey(
        SalesChannel,
        on_delete=models.PROTECT,
        related_name="customer_references",
        verbose_name=_("channel"),
    )
    reference = models.CharField(
        _("reference"),
        max_length=80,
        help_text=_("The customer's id in the channel's own system."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer reference")
        verbose_name_plural = _("customer references")
        ordering = ["channel", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "reference"],
                name="orders_customer_reference_unique_per_channel",
            ),
            models.CheckConstraint(
                condition=~Q(reference=""),
                name="orders_customer_reference_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Address(models.Model):
    customer = ParentalKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("customer"),
    )
    label = models.CharField(_("label"), max_length=40, blank=True)
    recipient = models.CharField(_("recipient"), max_length=150)
    cep = models.CharField(_("CEP"), max_length=9, validators=[validate_cep])
    street = models.CharField(_("street"), max_length=200)
    number = models.CharField(_("number"), max_length=20)
    complement = models.CharField(_("complement"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    uf = models.CharField(_("UF"), max_length=2, choices=UF_CHOICES)
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "pk"]

    def __str__(self) -> str:
        return f"{self.street}, {self.number} — {self.city}/{self.uf}"

    def snapshot(self) -> dict:
        return {field: getattr(self, field) for field in ADDRESS_FIELDS}


ADDRESS_FIELDS = (
    "recipient",
    "cep",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "uf",
)


#: Card payments split into at most this many installments; Pix and boleto
#: are paid at once.
MAX_INSTALLMENTS = 24


class PaymentMethod(models.TextChoices):
    PIX = "pix", _("Pix")
    BOLETO = "boleto", _("Boleto")
    CARD = "card", _("Credit card")
    DEBIT_CARD = "debit_card", _("Debit card")
    VOUCHER = "voucher", _("Voucher")
    TRANSFER = "transfer", _("Bank transfer")
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    TERMS = "terms", _("Invoice terms (B2B)")


def new_customer_token() -> str:
    return secrets.token_urlsafe(24)


class Order(models.Model):
    number = models.CharField(_("number"), max_length=12, unique=True, editable=False)
    channel = models.ForeignKey(
        SalesChannel,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("channel"),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=80,
        blank=True,
        help_text=_("The order's id in the marketplace or system it came from."),
    )
    idempotency_key = models.CharField(max_length=80, blank=True, editable=False)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    customer_token = models.CharField(
        max_length=40, unique=True, default=new_customer_token, editable=False
    )

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("customer"),
    )
    customer_name = models.CharField(_("customer name"), max_length=150)
    customer_email = models.EmailField(_("customer e-mail"), blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=30, blank=True)
    customer_document = models.CharField(
        _("customer CPF/CNPJ"), max_length=14, blank=True, db_index=True
    )
    billing_address = models.JSONField(_("billing address"), default=dict)
    shipping_address = models.JSONField(_("shipping address"), default=dict)

    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    discount_total = models.DecimalField(_("discount"), default=0, **MONEY)
    shipping_total = models.DecimalField(_("shipping"), default=0, **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices
    )
    installments = models.PositiveSmallIntegerField(
        _("installments"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INSTALLMENTS)],
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    invoiced_at = models.DateTimeField(_("invoiced at"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready to ship at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    promised_delivery_date = models.DateField(
        _("promised delivery date"), null=True, blank=True
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=300, blank=True)
    marketplace_fee = models.DecimalField(
        _("marketplace fee"),
        default=0,
        help_text=_("The marketplace's fee or commission on the order."),
        **MONEY,
    )
    marketplace_freight = models.DecimalField(
        _("freight charged by the marketplace"),
        default=0,
        help_text=_("What the marketplace charged the store for shipping the order."),
        **MONEY,
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        permissions = [
            ("pay_order", _("Can confirm an order's payment")),
            ("invoice_order", _("Can mark an order invoiced")),
            ("prepare_order", _("Can mark an order ready to ship")),
            ("ship_order", _("Can mark an order shipped")),
            ("deliver_order", _("Can mark an order delivered")),
            ("cancel_order", _("Can cancel an order")),
            ("return_order", _("Can mark an order returned")),
            ("import_order", _("Can import marketplace orders")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="orders_unique_external_id_per_channel",
            ),
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="orders_unique_idempotency_key_per_channel",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(discount_total__gte=0)
                & Q(shipping_total__gte=0)
                & Q(total__gte=0)
                & Q(marketplace_fee__gte=0)
                & Q(marketplace_freight__gte=0),
                name="orders_order_amounts_not_negative",
            ),
            # SQLite computes this in floating point, so "equal" is "within
            # half a centavo" (exact on PostgreSQL's numeric all the same).
            models.CheckConstraint(
                condition=Q(total__gte=ORDER_TOTAL - HALF_CENT)
                & Q(total__lte=ORDER_TOTAL + HALF_CENT),
                name="orders_order_total_adds_up",
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "status", "placed_at"]),
            # The replay lookup of marketplace intake, which runs for every
            # order it receives: once PostgreSQL plans the prepared lookup
            # generically, the partial unique index above no longer applies
            # (its condition cannot be proven for a parameter), and without
            # this one each lookup would scan the channel's orders.
            models.Index(
                fields=["channel", "external_id"], name="orders_order_replay_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_late(self, today: datetime.date | None = None) -> bool:
        """Open and past its promised delivery date: the rule of
        ``OrderQuerySet.late()``, for one order in hand."""
        today = today or timezone.localdate()
        return bool(
            self.status in OPEN_STATUSES
            and self.promised_delivery_date
            and self.promised_delivery_date < today
        )

    @property
    def customer_document_display(self) -> str:
        return format_document(self.customer_document)

    @property
    def is_anonymised(self) -> bool:
        return bool(self.customer_id and self.customer.anonymised_at)


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("variant"),
    )
    sku = models.CharField(_("SKU"), max_length=60)
    product_name = models.CharField(_("product"), max_length=255)
    variant_name = models.CharField(_("variant"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(discount__gte=0) & Q(total__gte=0),
                name="orders_line_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class OrderEvent(models.Model):
    """One entry of an order's timeline: a transition, a note, or an entry
    another plugin added (a payment, an NF-e, a shipment)."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Placed")
        TRANSITION = "transition", _("Status change")
        NOTE = "note", _("Note")
        PLUGIN = "plugin", _("Other")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(
        _("source"), max_length=40, default="orders", help_text=_("App label.")
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("at"), db_index=True)
    imported = models.BooleanField(
        _("imported"),
        default=False,
        help_text=_(
            "A step the order took before it came in (a marketplace's history), "
            "recorded with the marketplace's timestamp."
        ),
    )

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_kind_display()}"


#: A marketplace's 1–5 stars on the NPS scale (0–10), so that one report covers
#: both: 5 a promoter (10), 4 a passive (8), 1–3 detractors (2, 4, 6).
RATING_SCORES = {5: 10, 4: 8, 3: 6, 2: 4, 1: 2}


class SurveyResponse(models.Model):
    """The satisfaction answer of one order: the post-sale survey of a
    delivered order (a token is issued on delivery; the customer answers
    once, 0–10 and a comment), or the marketplace's rating of an imported
    order (1–5 stars, stored with its score on the NPS scale:
    :data:`RATING_SCORES`)."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("Post-sale survey")
        MARKETPLACE = "marketplace", _("Marketplace rating")

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="survey", verbose_name=_("order")
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.SURVEY
    )
    token = models.CharField(max_length=40, unique=True, default=new_customer_token)
    issued_at = models.DateTimeField(_("issued at"))
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    rating = models.PositiveSmallIntegerField(
        _("stars"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("The marketplace's rating, 1 to 5 stars."),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_at", "-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                name="orders_survey_score_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(score__isnull=False),
                name="orders_survey_answer_has_score",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="orders_survey_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.score if self.score is not None else '—'}"


class OrderPayment(models.Model):
    """One payment of an order as its provider or marketplace reported it (an
    order may be paid with a card and a voucher, or in several Pix): what the
    finance plugin reconciles against the provider's settlements."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="payments",
        verbose_name=_("order"),
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices
    )
    value = models.DecimalField(_("value"), **MONEY)
    installments = models.PositiveSmallIntegerField(
        _("installments"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INSTALLMENTS)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    provider_id = models.CharField(
        _("provider's id"),
        max_length=80,
        blank=True,
        db_index=True,
        help_text=_("The payment's id at the provider or marketplace."),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "sequence"], name="orders_payment_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="orders_payment_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_method_display()} {self.value}"
