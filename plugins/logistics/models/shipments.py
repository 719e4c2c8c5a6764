"""What leaves the warehouse: the shipping chosen for an order, shipments and
their packages, manifests (romaneios), tracking events, label batches and
returns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plugins.logistics.querysets import ShipmentQuerySet
from plugins.money import MONEY
from plugins.storage import private_storage

from .carriers import Carrier, CarrierService, ShippingOrigin


class TrackingStatus(models.TextChoices):
    """The carriers' tracking events, normalised."""

    POSTED = "posted", _("Posted")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to sender")


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Awaiting label")
    LABELLED = "labelled", _("Labelled")
    HANDED_OVER = "handed_over", _("Handed over")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to sender")
    CANCELLED = "cancelled", _("Cancelled")


S = ShipmentStatus
#: Shipments still in the warehouse (not handed over to the carrier).
IN_WAREHOUSE = (S.CREATED, S.LABELLED)
#: Shipments on their way: handed over and not yet at an end.
ON_THE_WAY = (S.HANDED_OVER, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED)
#: Where a tracking status takes a shipment.
TRACKING_TO_SHIPMENT = {
    TrackingStatus.POSTED: S.IN_TRANSIT,
    TrackingStatus.IN_TRANSIT: S.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY: S.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERY_FAILED: S.DELIVERY_FAILED,
    TrackingStatus.DELIVERED: S.DELIVERED,
    TrackingStatus.RETURNED: S.RETURNED,
}


class OrderShipping(models.Model):
    """The freight option an order was placed with (from a signed quote):
    the price the server computed, the service and the promised dates."""

    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.CASCADE,
        related_name="logistics_shipping",
        verbose_name=_("order"),
    )
    service = models.ForeignKey(
        CarrierService,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service"),
    )
    origin = models.ForeignKey(
        ShippingOrigin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin"),
    )
    price = models.DecimalField(_("price"), **MONEY)
    free = models.BooleanField(_("free shipping"), default=False)
    delivery_days = models.PositiveSmallIntegerField(_("delivery days"))
    handling_deadline = models.DateField(_("hand over by"))
    promised_date = models.DateField(_("promised delivery date"))
    quoted_at = models.DateTimeField(_("quoted at"))

    class Meta:
        verbose_name = _("order shipping")
        verbose_name_plural = _("order shipping")

    def __str__(self) -> str:
        return f"{self.order} · {self.service}"


class Manifest(models.Model):
    """A romaneio: the parcels handed over to a carrier together. Closing it
    moves its orders to shipped."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", pgettext_lazy("manifest status", "Closed")

    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.PROTECT,
        related_name="manifests",
        verbose_name=_("carrier"),
    )
    origin = models.ForeignKey(
        ShippingOrigin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="manifests",
        verbose_name=_("origin"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    carrier_reference = models.CharField(
        _("carrier's reference"), max_length=60, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("manifest")
        verbose_name_plural = _("manifests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Manifest %(number)s") % {"number": self.pk}


class Shipment(models.Model):
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("order"),
    )
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("carrier"),
    )
    service = models.ForeignKey(
        CarrierService,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("service"),
    )
    origin = models.ForeignKey(
        ShippingOrigin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shipments",
        verbose_name=_("origin"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.CREATED,
        db_index=True,
    )
    carrier_reference = models.CharField(
        _("carrier's reference"),
        max_length=60,
        blank=True,
        help_text=_("The pre-posting (pré-postagem) id the carrier gave."),
    )
    declared_value = models.DecimalField(_("declared value"), **MONEY)
    manifest = models.ForeignKey(
        Manifest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shipments",
        verbose_name=_("manifest"),
    )
    handling_deadline = models.DateField(_("hand over by"), null=True, blank=True)
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    labelled_at = models.DateTimeField(_("labelled at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["carrier", "status"], name="logistics_ship_carrier"),
        ]

    def __str__(self) -> str:
        return _("Shipment of order %(number)s") % {"number": self.order.number}


class Package(models.Model):
    """A volume of a shipment, with its own tracking code."""

    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.CASCADE,
        related_name="packages",
        verbose_name=_("shipment"),
    )
    number = models.PositiveSmallIntegerField(_("volume"))
    tracking_code = models.CharField(
        _("tracking code"), max_length=40, blank=True, db_index=True
    )
    weight_g = models.PositiveIntegerField(_("weight (g)"))
    length_cm = models.PositiveSmallIntegerField(_("length (cm)"))
    width_cm = models.PositiveSmallIntegerField(_("width (cm)"))
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"))
    #: ``[{"sku": …, "name": …, "quantity": …}]``
    items = models.JSONField(_("items"), default=list)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["shipment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "number"], name="logistics_package_number"
            ),
            models.UniqueConstraint(
                fields=["tracking_code"],
                condition=~Q(tracking_code=""),
                name="logistics_package_tracking",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code or f"{self.shipment_id}/{self.number}"


class TrackingEvent(models.Model):
    """A carrier's tracking event, normalised, with what it said. Applied
    once: the carrier's event id is unique per carrier."""

    class Source(models.TextChoices):
        PULL = "pull", _("Pulled")
        PUSH = "push", _("Pushed by the carrier")
        STAFF = "staff", _("Recorded by staff")

    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier")
    )
    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.CASCADE,
        related_name="tracking_events",
        verbose_name=_("shipment"),
    )
    package = models.ForeignKey(
        Package,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tracking_events",
        verbose_name=_("package"),
    )
    event_id = models.CharField(_("carrier's event id"), max_length=80)
    status = models.CharField(
        _("status"), max_length=20, choices=TrackingStatus.choices
    )
    carrier_status = models.CharField(_("carrier's code"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    place = models.CharField(_("place"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    source = models.CharField(
        _("source"), max_length=5, choices=Source.choices, default=Source.PULL
    )
    raw = models.JSONField(_("as received"), default=dict)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["shipment", "occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "event_id"], name="logistics_tracking_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.occurred_at:%d/%m/%Y %H:%M}"


class TrackingInbound(models.Model):
    """A tracking notification as it arrived, with what became of it."""

    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="+", verbose_name=_("carrier")
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    body = models.TextField(_("body"))
    signature_valid = models.BooleanField(_("signature valid"), default=False)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    applied = models.PositiveIntegerField(_("events applied"), default=0)

    class Meta:
        verbose_name = _("tracking notification")
        verbose_name_plural = _("tracking notifications")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.carrier} · {self.received_at:%d/%m/%Y %H:%M}"


class LabelLayout(models.TextChoices):
    THERMAL = "10x15", _("Thermal 10 × 15 cm")
    A4 = "a4", _("A4 (four per page)")


class LabelBatch(models.Model):
    """Labels printed for many shipments at once, in a background task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Printing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    layout = models.CharField(
        _("layout"),
        max_length=6,
        choices=LabelLayout.choices,
        default=LabelLayout.THERMAL,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    order_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    file = models.FileField(
        _("labels"),
        storage=private_storage,
        upload_to="logistics/labels/%Y/%m/",
        blank=True,
    )
    errors = models.JSONField(_("errors"), default=list)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("label batch")
        verbose_name_plural = _("label batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_layout_display()} · {self.total}"


class ReturnReason(models.TextChoices):
    REGRET = "regret", _("Changed my mind (right of withdrawal)")
    DEFECT = "defect", _("Defective product")
    WRONG_ITEM = "wrong_item", _("Wrong item received")
    DAMAGED = "damaged", _("Arrived damaged")
    OTHER = "other", _("Other")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    AUTHORISED = "authorised", _("Authorised")
    IN_TRANSIT = "in_transit", _("On its way back")
    RECEIVED = "received", _("Received")
    REFUSED = "refused", _("Refused")


class ReturnRequest(models.Model):
    """Logística reversa: a customer sends items of a delivered order back."""

    class Channel(models.TextChoices):
        STOREFRONT = "storefront", _("Storefront")
        STAFF = "staff", _("Staff")

    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="return_requests",
        verbose_name=_("order"),
    )
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.PROTECT,
        related_name="return_requests",
        verbose_name=_("carrier"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReturnStatus.choices,
        default=ReturnStatus.REQUESTED,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=12, choices=ReturnReason.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    #: ``[{"sku": …, "name": …, "quantity": …}]``
    items = models.JSONField(_("items"), default=list)
    requested_via = models.CharField(
        _("requested via"), max_length=10, choices=Channel.choices
    )
    authorisation_code = models.CharField(
        _("authorisation code"), max_length=40, blank=True
    )
    tracking_code = models.CharField(_("tracking code"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    warehouse_code = models.CharField(_("warehouse"), max_length=20, blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Return of order %(number)s") % {"number": self.order.number}
