"""When each marketplace pays the store an order's payout: its terms, kept
per sales channel by the finance desk."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plugins.orders.models import SalesChannel

#: Without terms saved for a channel: 30 days after delivery.
DEFAULT_PAYOUT_DAYS = 30


class MarketplacePayoutTerms(models.Model):
    """How many days after an order's delivery (or its payment) the
    marketplace pays its payout. An order whose delivery is not known yet is
    dated from its payment, and dated again when it is delivered."""

    class CountedFrom(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        PAYMENT = "payment", _("Payment")

    channel = models.OneToOneField(
        SalesChannel,
        on_delete=models.CASCADE,
        related_name="payout_terms",
        limit_choices_to={"kind": SalesChannel.Kind.MARKETPLACE},
        verbose_name=_("channel"),
    )
    days = models.PositiveSmallIntegerField(
        _("days"),
        default=DEFAULT_PAYOUT_DAYS,
        validators=[MaxValueValidator(365)],
        help_text=_("Days until the marketplace pays an order's payout."),
    )
    counted_from = models.CharField(
        _("counted from"),
        max_length=10,
        choices=CountedFrom.choices,
        default=CountedFrom.DELIVERY,
        help_text=_(
            "The order's delivery, or its payment. Until an order is delivered "
            "its payout is dated from its payment."
        ),
    )

    class Meta:
        verbose_name = _("marketplace payout terms")
        verbose_name_plural = _("marketplace payout terms")
        ordering = ["channel__name"]

    def __str__(self) -> str:
        return str(self.channel)
